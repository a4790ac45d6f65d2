# Groups get their provenance: IdP-managed (pushed over SCIM) or made in the console; the
# audit trail names REST API keys as actors.

from django.db import migrations, models


def mark_pushed_groups(apps, schema_editor):
    """Groups the IdP created before provenance was recorded: the audit trail says so."""
    Group = apps.get_model("accounts", "Group")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    pushed = AuditEvent.objects.filter(
        action="group.created", actor_kind="scim", target_type="group"
    ).values("target_id")
    Group.objects.filter(scim_id__in=pushed).update(source="scim")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_auditevent_actor_person"),
    ]

    operations = [
        migrations.AddField(
            model_name="group",
            name="source",
            field=models.CharField(
                choices=[("scim", "Identity provider (SCIM)"), ("console", "Console")],
                default="console",
                max_length=16,
            ),
        ),
        migrations.RunPython(mark_pushed_groups, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="actor_kind",
            field=models.CharField(
                choices=[
                    ("account", "Account"),
                    ("person", "Person"),
                    ("api", "API key"),
                    ("scim", "SCIM"),
                    ("system", "System"),
                ],
                max_length=16,
            ),
        ),
    ]
