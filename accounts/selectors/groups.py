"""The org's groups and their members."""

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Lower

from accounts.models import Group, Organization, Person, scim_id_is_possible


def group_list(*, org: Organization, search: str = "") -> QuerySet[Group]:
    """The org's groups, by name, each annotated with `member_count`."""
    qs = Group.objects.filter(org=org)
    if search.strip():
        qs = qs.filter(display_name__icontains=search.strip())
    return qs.annotate(member_count=Count("memberships")).order_by(Lower("display_name"), "id")


def group_get(*, org: Organization, scim_id: str) -> Group | None:
    if not scim_id_is_possible(scim_id):
        return None
    return Group.objects.filter(org=org, scim_id=scim_id).first()


def group_get_by_name(*, org: Organization, display_name: str) -> Group | None:
    return Group.objects.filter(org=org, display_name__lower=Lower(Value(display_name))).first()


def group_member_list(*, org: Organization, group: Group) -> QuerySet[Person]:
    """The group's members (the org's people only), by userName."""
    return (
        Person.objects.filter(org=org, memberships__group=group)
        .order_by(Lower("user_name"), "id")
        .prefetch_related("emails")
    )
