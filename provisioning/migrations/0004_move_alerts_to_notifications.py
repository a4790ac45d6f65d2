# Alerts and the once-only email record now belong to the notifications app (which took
# over their tables): drop them from this app's state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("provisioning", "0003_cleanup_audits"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OrgAlert"),
                migrations.DeleteModel(name="PersonEmailSent"),
            ],
            database_operations=[],
        ),
    ]
