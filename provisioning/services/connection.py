"""The SCIM connection's health, checked by Celery beat: tokens about to expire, and IdPs that
went quiet. Both tell the owner once, however often the check runs.

- Expiry reminders: 30 days before a token expires, 7 days before, and on the day it does
  (each kind once per token: `ScimTokenReminder` is unique per token and kind). A token whose
  whole life is shorter than a reminder's horizon gets no such reminder.
- Silence: SCIM is enabled and no request has come with a valid token for
  SCIM_SILENCE_ALERT_DAYS days: a console banner and an email, once per silence (the alert
  remembers which silence it is about), cleared by the next request (`scim_silence_clear`).
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.actor import Actor
from accounts.models import Organization
from accounts.services.audit import audit_record
from notifications.models import OrgAlert
from notifications.services import org_alert_raise, org_alert_resolve, owner_notice_on_commit
from provisioning.models import ScimConfig, ScimToken, ScimTokenReminder

REMINDERS = (
    (ScimTokenReminder.Kind.DAYS_30, dt.timedelta(days=30)),
    (ScimTokenReminder.Kind.DAYS_7, dt.timedelta(days=7)),
)


def _due_reminder(token: ScimToken, now: dt.datetime) -> str | None:
    """Which reminder the token is due, if any: the closest horizon it has crossed."""
    if token.expires_at is None:
        return None
    if token.expires_at <= now:
        return ScimTokenReminder.Kind.EXPIRED
    due = None
    for kind, horizon in REMINDERS:
        lifetime = token.expires_at - token.created_at
        if token.expires_at - now <= horizon and lifetime > horizon:
            due = kind
    return due


def _remind(token: ScimToken, kind: str, now: dt.datetime) -> bool:
    """Record and send one reminder; False when it was sent before (another run won)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ScimTokenReminder.objects.create(token=token, kind=kind, sent_at=now)
        except IntegrityError:
            return False
        if kind == ScimTokenReminder.Kind.EXPIRED:
            subject = f"[KisiSCIM] The SCIM token {token.name} expired"
            lead = (
                f"The SCIM token {token.name} ({token.masked}) of {token.org.name} expired on "
                f"{token.expires_at:%Y-%m-%d}: Okta's provisioning requests with it are refused."
            )
        else:
            days = max((token.expires_at - now).days, 0)
            within = ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
            subject = f"[KisiSCIM] The SCIM token {token.name} expires {within}"
            lead = (
                f"The SCIM token {token.name} ({token.masked}) of {token.org.name} expires on "
                f"{token.expires_at:%Y-%m-%d}."
            )
        body = (
            f"{lead}\n"
            "To rotate it with no failed request: in Settings → SSO & SCIM, add a second token, "
            "paste it into Okta (Provisioning → Integration), then revoke the old one.\n"
        )
        audit_record(
            org=token.org,
            actor=Actor.system(),
            action="scim.token_expiry_reminder",
            target=token,
            details={"kind": kind},
        )
        owner_notice_on_commit(org=token.org, subject=subject, body=body)
    return True


def scim_token_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send every expiry reminder that is due, to each org's owner. Returns how many went."""
    now = now or timezone.now()
    horizon = now + max(h for _, h in REMINDERS)
    candidates = ScimToken.objects.filter(
        revoked_at__isnull=True, expires_at__isnull=False, expires_at__lte=horizon
    ).select_related("org")
    sent = 0
    for token in candidates.iterator(chunk_size=500):
        kind = _due_reminder(token, now)
        if kind is not None and _remind(token, kind, now):
            sent += 1
    return sent


def _silence_message(days: int) -> str:
    span = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    return (
        f"Okta hasn't sent anything for {span}. If people changed in your identity provider, "
        "check the app's provisioning there (Provisioning → Integration: Test API Credentials)."
    )


def scim_silence_check(*, now: dt.datetime | None = None) -> int:
    """Raise the silence alert for each org whose SCIM has been quiet too long (once per
    silence). Returns how many alerts it raised."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SCIM_SILENCE_ALERT_DAYS)
    last_used = {
        row["org_id"]: row["last"]
        for row in ScimToken.objects.filter(org__scim__enabled=True)
        .values("org_id")
        .annotate(last=Max("last_used_at"))
    }
    raised = 0
    configs = ScimConfig.objects.filter(enabled=True, changed_at__lt=cutoff).select_related("org")
    for config in configs.iterator(chunk_size=500):
        # Quiet since the last valid request, or since SCIM was enabled if none came yet.
        since = max(d for d in (last_used.get(config.org_id), config.changed_at) if d)
        if since >= cutoff or _silence_alerted(config.org, since):
            continue
        days = (now - since).days
        alert = org_alert_raise(
            org=config.org,
            kind=OrgAlert.Kind.SCIM_SILENCE,
            message=_silence_message(days),
            details={"since": since.isoformat(), "days": days},
        )
        raised += alert is not None
    return raised


def _silence_alerted(org: Organization, since: dt.datetime) -> bool:
    """Whether this silence (quiet since `since`) was alerted already, open or dismissed."""
    return OrgAlert.objects.filter(
        org=org, kind=OrgAlert.Kind.SCIM_SILENCE, details__since=since.isoformat()
    ).exists()


def scim_silence_clear(*, org: Organization) -> bool:
    """A request arrived: the org's silence alert, if open, is over."""
    return org_alert_resolve(org=org, kind=OrgAlert.Kind.SCIM_SILENCE)
