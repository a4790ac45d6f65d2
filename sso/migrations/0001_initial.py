# The SSO connection moved here from accounts: its table is taken over as it is (state only),
# then renamed to this app's name.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_person_org_scim_visible"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SSOConnection",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("state", models.CharField(choices=[("not_configured", "Not configured"), ("configured", "Configured"), ("enabled", "Enabled")], default="not_configured", max_length=16)),
                        ("idp_entity_id", models.CharField(blank=True, max_length=1024)),
                        ("sso_url", models.URLField(blank=True, max_length=1024)),
                        ("signing_certificate", models.TextField(blank=True, help_text="PEM")),
                        ("certificate_not_after", models.DateTimeField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("org", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="sso", to="accounts.organization")),
                        ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "SSO connection",
                        "db_table": "accounts_ssoconnection",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="ssoconnection", table=None),
    ]
