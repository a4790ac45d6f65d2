"""Reads of the org's SSO connection and of SAML sign-in state."""

from django.db.models import QuerySet

from accounts.models import Account, Membership, Organization
from sso.models import SAMLRequest, SSOConnection


def sso_get(*, org: Organization) -> SSOConnection:
    """The org's SSO connection (an unsaved 'not configured' one if none exists yet)."""
    return SSOConnection.objects.filter(org=org).select_related(
        "updated_by"
    ).first() or SSOConnection(org=org)


def sso_connections_with_metadata_url() -> QuerySet[SSOConnection]:
    """Every connection whose metadata is fetched by URL (the daily refresh), by id."""
    return SSOConnection.objects.exclude(metadata_url="").order_by("pk")


def sso_test_request_get(
    *, org: Organization, account: Account, request_id: str
) -> SAMLRequest | None:
    """A test sign-in the account started for the org."""
    return SAMLRequest.objects.filter(
        org=org,
        account=account,
        request_id=request_id[:128],
        purpose=SAMLRequest.Purpose.TEST,
    ).first()


def sso_org_for_sign_in(*, identifier: str) -> Organization | str | None:
    """The org whose SSO a person means by their work email or the org's ID (its slug).

    An email is routed by its domain, never by the address itself, so the answer is the same
    for every address at a domain, known or not: the org whose console accounts (owner,
    admins) have addresses there. Returns "ambiguous" when several orgs share the domain,
    None when no org with SSO enabled matches.
    """
    value = identifier.strip().lower()
    if not value or len(value) > 320:
        return None
    enabled = SSOConnection.objects.filter(state=SSOConnection.State.ENABLED)
    if "@" not in value:
        return Organization.objects.filter(slug=value, sso__in=enabled).first()
    domain = value.rsplit("@", 1)[1]
    if not domain or "@" in domain:
        return None
    org_ids = list(
        Membership.objects.filter(account__email__endswith=f"@{domain}", org__sso__in=enabled)
        .values_list("org_id", flat=True)
        .distinct()[:2]
    )
    if len(org_ids) > 1:
        return "ambiguous"
    return Organization.objects.filter(pk=org_ids[0]).first() if org_ids else None


def sso_required_orgs(*, account: Account, role: str) -> QuerySet[Organization]:
    """The orgs with SSO enabled and Require SSO on in which the account has `role`."""
    return Organization.objects.filter(
        memberships__account=account,
        memberships__role=role,
        sso__state=SSOConnection.State.ENABLED,
        sso__require_sso=True,
    ).order_by("name")
