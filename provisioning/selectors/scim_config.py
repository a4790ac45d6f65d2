"""The org's SCIM state as the owner's settings page shows it."""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Organization
from provisioning.models import ProvisioningLogEntry, ScimConfig, ScimToken
from provisioning.selectors.log import provisioning_log_list
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


def scim_tokens_usable(*, org: Organization) -> list[ScimToken]:
    """The live tokens that authenticate now (not expired): the Settings card's count and the
    dashboard's health read the same list."""
    now = timezone.now()
    return [t for t in scim_token_list_live(org=org) if not t.is_expired(now)]


def sso_scim_summary(*, org: Organization) -> SsoScimSummary:
    return SsoScimSummary(
        sso=sso_get(org=org),
        scim_enabled=scim_config_get(org=org).enabled,
        working_tokens=len(scim_tokens_usable(org=org)),
        last_request=provisioning_log_list(org=org).first(),
    )
