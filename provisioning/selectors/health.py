"""The SCIM connection's health as the dashboard shows it: is the IdP connected, what did it
do last, how did the last day go, and how far the org is through setting up."""

from dataclasses import dataclass

from accounts.models import Organization
from provisioning.models import ProvisioningLogEntry
from provisioning.selectors.log import (
    CHANGE_ACTIONS,
    ConnectionStats,
    RejectedTokenStats,
    provisioning_connection_stats,
    provisioning_rejected_token_stats,
)
from provisioning.selectors.scim_config import scim_config_get, scim_tokens_usable
from sso.selectors import sso_get


@dataclass(frozen=True)
class ScimHealth:
    # "off" (SCIM not enabled), "no_token" (enabled, no usable token), "waiting" (no request
    # yet), "failing" (the last request's token was refused, or the server failed it),
    # "connected".
    state: str
    sso_enabled: bool
    scim_enabled: bool
    usable_tokens: int
    connection: ConnectionStats
    rejected: RejectedTokenStats
    synced: bool  # the IdP has created or changed at least one person or group


def scim_health(*, org: Organization) -> ScimHealth:
    """The connection at a glance, in a constant number of queries."""
    config = scim_config_get(org=org)
    usable = scim_tokens_usable(org=org)
    connection = provisioning_connection_stats(org=org)
    rejected = provisioning_rejected_token_stats(org=org)
    synced = ProvisioningLogEntry.objects.filter(
        org=org,
        status__lt=400,
        action__in=[a for actions in CHANGE_ACTIONS.values() for a in actions],
    ).exists()
    if not config.enabled:
        state = "off"
    elif not usable:
        state = "no_token"
    elif connection.last is None:
        state = "waiting"
    elif connection.last.status in (401, 403) or connection.last.status >= 500:
        # Refused credentials or a server failure: the connection itself is not working. A
        # refused request (a 400, a 409) is Okta's request, answered: still connected.
        state = "failing"
    else:
        state = "connected"
    return ScimHealth(
        state=state,
        sso_enabled=sso_get(org=org).is_enabled,
        scim_enabled=config.enabled,
        usable_tokens=len(usable),
        connection=connection,
        rejected=rejected,
        synced=synced,
    )
