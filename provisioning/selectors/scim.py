"""What the SCIM endpoint reads: the org's people and groups as SCIM sees them, with exactly
the related rows a response shows, each in one query for the whole page."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from access.models import Credential
from accounts.models import Group, GroupMembership, Organization, Person, PersonEmail
from accounts.selectors.people import person_list_scim_visible


def scim_user_list(*, org: Organization, related: bool, groups: bool = True) -> QuerySet[Person]:
    """The org's SCIM-visible people, each with `scim_card_number` (the live card the IdP set,
    read in the same query); with `related`, each one's emails and (if `groups`) group
    memberships are prefetched. Writes read without `related`."""
    card = Credential.objects.filter(
        person=OuterRef("pk"), status=Credential.Status.ACTIVE, source=Credential.Source.SCIM
    ).values("number")[:1]
    qs = person_list_scim_visible(org=org).annotate(scim_card_number=Subquery(card))
    if not related:
        return qs
    qs = qs.prefetch_related(
        Prefetch("emails", queryset=PersonEmail.objects.order_by("-primary", "id"))
    )
    memberships = (
        GroupMembership.objects.select_related("group").order_by("group_id")
        if groups
        else GroupMembership.objects.none()
    )
    return qs.prefetch_related(Prefetch("memberships", queryset=memberships))


def scim_group_list(*, org: Organization, members: bool) -> QuerySet[Group]:
    """The org's groups; with `members`, each one's memberships are prefetched. A write never
    loads a group's members."""
    qs = Group.objects.filter(org=org)
    if not members:
        return qs
    return qs.prefetch_related(
        Prefetch(
            "memberships",
            queryset=GroupMembership.objects.select_related("person").order_by("person_id"),
        )
    )
