"""The org's SCIM state as the owner's settings page shows it."""

from accounts.models import Organization
from provisioning.models import ScimConfig, ScimToken


def scim_config_get(*, org: Organization) -> ScimConfig:
    """The org's SCIM configuration (an unsaved, disabled one if SCIM was never enabled)."""
    return ScimConfig.objects.filter(org=org).first() or ScimConfig(org=org)


def scim_token_live(*, org: Organization) -> ScimToken | None:
    """The org's one live (unrevoked) token, with its creator, or None."""
    return (
        ScimToken.objects.filter(org=org, revoked_at__isnull=True)
        .select_related("created_by")
        .first()
    )
