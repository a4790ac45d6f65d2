# Alerts and the once-only email record moved here from provisioning: their tables are taken
# over as they are (state only), then renamed to this app's names.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_person_org_scim_visible"),
        ("provisioning", "0003_cleanup_audits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OrgAlert",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("mass_deactivation", "Mass deactivation")], max_length=32)),
                        ("message", models.CharField(max_length=500)),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("dismissed_at", models.DateTimeField(blank=True, null=True)),
                        ("dismissed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("org", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="alerts", to="accounts.organization")),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("dismissed_at__isnull", True)), fields=("org", "kind"), name="orgalert_one_open_per_kind")],
                        "db_table": "provisioning_orgalert",
                    },
                ),
                migrations.CreateModel(
                    name="PersonEmailSent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=32)),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="emails_sent", to="accounts.person")),
                    ],
                    options={
                        "verbose_name": "email sent to a person",
                        "verbose_name_plural": "emails sent to people",
                        "constraints": [models.UniqueConstraint(fields=("person", "kind"), name="personemailsent_once")],
                        "db_table": "provisioning_personemailsent",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="orgalert", table=None),
        migrations.AlterModelTable(name="personemailsent", table=None),
    ]
