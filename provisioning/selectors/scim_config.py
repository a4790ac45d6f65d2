"""The org's SCIM state as the owner's settings page shows it."""

from accounts.models import Organization
from provisioning.models import ScimConfig, ScimToken


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
