# Named, overlapping (two slots), expiring SCIM tokens, and their once-only expiry reminders.

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def live_tokens_take_slot_one(apps, schema_editor):
    # Until now an org held at most one live token: it takes the first of the two slots.
    ScimToken = apps.get_model("provisioning", "ScimToken")
    ScimToken.objects.filter(revoked_at__isnull=True).update(slot=1)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_auditevent_actor_person'),
        ('provisioning', '0004_move_alerts_to_notifications'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ScimTokenReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('30d', '30 days before'), ('7d', '7 days before'), ('expired', 'On expiry')], max_length=16)),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='scimtoken',
            name='scimtoken_one_live_per_org',
        ),
        migrations.AddField(
            model_name='scimtoken',
            name='expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='scimtoken',
            name='last_used_user_agent',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='scimtoken',
            name='name',
            field=models.CharField(default='Okta', max_length=100),
        ),
        migrations.AddField(
            model_name='scimtoken',
            name='slot',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(live_tokens_take_slot_one, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='scimtoken',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('org', 'slot'), name='scimtoken_two_live_per_org'),
        ),
        migrations.AddConstraint(
            model_name='scimtoken',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revoked_at__isnull', True), ('slot__in', [1, 2]), ('slot__isnull', False)), models.Q(('revoked_at__isnull', False), ('slot__isnull', True)), _connector='OR'), name='scimtoken_slot_iff_live'),
        ),
        migrations.AddConstraint(
            model_name='scimtoken',
            constraint=models.UniqueConstraint(models.F('org'), django.db.models.functions.text.Lower('name'), condition=models.Q(('revoked_at__isnull', True)), name='scimtoken_live_name_unique_per_org'),
        ),
        migrations.AddField(
            model_name='scimtokenreminder',
            name='token',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='provisioning.scimtoken'),
        ),
        migrations.AddConstraint(
            model_name='scimtokenreminder',
            constraint=models.UniqueConstraint(fields=('token', 'kind'), name='scimtokenreminder_once'),
        ),
    ]
