"""The org's SCIM state as the owner's settings page shows it."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization
from provisioning.models import ProvisioningLogEntry, ScimConfig, ScimToken
from sso.models import SSOConnection
from sso.selectors import sso_get


def scim_config_get(*, org: Organization) -> ScimConfig:
    """The org's SCIM configuration (an unsaved, disabled one if SCIM was never enabled)."""
    return ScimConfig.objects.filter(org=org).first() or ScimConfig(org=org)


def scim_token_list_live(*, org: Organization) -> list[ScimToken]:
    """The org's live (unrevoked) tokens, at most two, oldest first, with their creators.
    A live token may be expired: the page shows it so, until it is revoked."""
    return list(
        ScimToken.objects.filter(org=org, revoked_at__isnull=True)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class SsoScimSummary:
    """What the Settings page's SSO & SCIM card says: SSO's state, SCIM on or off with how
    many tokens work now, and the last SCIM request."""

    sso: SSOConnection
    scim_enabled: bool
    working_tokens: int
    last_request: ProvisioningLogEntry | None


def sso_scim_summary(*, org: Organization) -> SsoScimSummary:
    now = timezone.now()
    working = ScimToken.objects.filter(org=org, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    return SsoScimSummary(
        sso=sso_get(org=org),
        scim_enabled=scim_config_get(org=org).enabled,
        working_tokens=working.count(),
        last_request=ProvisioningLogEntry.objects.filter(org=org)
        .order_by("-created_at", "-id")
        .first(),
    )
