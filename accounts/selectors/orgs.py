"""Organizations and the accounts' roles in them."""

from django.db.models import F, QuerySet

from accounts.models import Account, Membership, Organization


def membership_list_for_account(*, account: Account) -> QuerySet[Membership]:
    return Membership.objects.filter(account=account).select_related("org").order_by("org__name")


def membership_last_used(*, account: Account) -> Membership | None:
    """The account's membership in the org it used last; the first by name if it used none."""
    return (
        Membership.objects.filter(account=account)
        .select_related("org")
        .order_by(F("last_used_at").desc(nulls_last=True), "org__name")
        .first()
    )


def membership_get(*, account: Account, org_slug: str) -> Membership | None:
    """The account's role in the org with this slug, or None if it has none."""
    if not account.is_authenticated:
        return None
    return (
        Membership.objects.select_related("org").filter(account=account, org__slug=org_slug).first()
    )


def org_owner(*, org: Organization) -> Account | None:
    membership = (
        Membership.objects.select_related("account")
        .filter(org=org, role=Membership.Role.OWNER)
        .first()
    )
    return membership.account if membership else None


def account_get_by_email(*, email: str) -> Account | None:
    """The console account with this email (stored lowercased), if any."""
    return Account.objects.filter(email=email.strip().lower()).first()


def org_get_by_slug(*, slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()
