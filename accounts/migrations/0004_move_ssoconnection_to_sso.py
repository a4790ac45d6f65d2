# The SSO connection now belongs to the sso app (which took over its table): drop it from
# this app's state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_person_org_scim_visible"),
        ("sso", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SSOConnection")],
            database_operations=[],
        ),
    ]
