"""Reads of the org's SSO connection."""

from accounts.models import Organization
from sso.models import SSOConnection


def sso_get(*, org: Organization) -> SSOConnection:
    """The org's SSO connection (an unsaved 'not configured' one if none exists yet)."""
    return SSOConnection.objects.filter(org=org).select_related(
        "updated_by"
    ).first() or SSOConnection(org=org)
