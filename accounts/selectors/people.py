"""The org's people."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import (
    ConsoleSuspension,
    Group,
    Organization,
    OrgPeopleCount,
    Person,
    PersonEmail,
    scim_id_is_possible,
)
from accounts.usernames import user_name_key


def person_list(
    *,
    org: Organization,
    search: str = "",
    status: str = "",
    suspended_since: dt.datetime | None = None,
) -> QuerySet[Person]:
    """The org's people, oldest first, optionally searched by name or userName and filtered by
    status ('active' or 'suspended') and to those suspended at or after `suspended_since`."""
    qs = Person.objects.filter(org=org)
    if suspended_since is not None:
        qs = qs.filter(is_active=False, suspended_at__gte=suspended_since)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(user_name__icontains=search)
            | Q(user_name_key__contains=user_name_key(search))
            | Q(given_name__icontains=search)
            | Q(family_name__icontains=search)
            | Q(display_name__icontains=search)
        )
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "suspended":
        qs = qs.filter(is_active=False)
    return qs.prefetch_related(
        Prefetch("emails", queryset=PersonEmail.objects.order_by("-primary", "id"))
    )


def person_list_scim_visible(*, org: Organization) -> QuerySet[Person]:
    """The org's people as SCIM sees them: all but those the IdP deleted, which SCIM must
    answer 404 for from then on (RFC 7644 §3.6). The one place this rule is written."""
    return Person.objects.filter(org=org, idp_deleted_at__isnull=True)


def person_scim_visible_count(*, org: Organization) -> int:
    """How many people `person_list_scim_visible` holds, from the count the database keeps
    (OrgPeopleCount): one row read, whatever the org's size."""
    count = OrgPeopleCount.objects.filter(org=org).values_list("scim_visible", flat=True).first()
    return count or 0


def person_get(*, org: Organization, scim_id: str) -> Person | None:
    if not scim_id_is_possible(scim_id):
        return None
    return person_list(org=org).filter(scim_id=scim_id).first()


def person_get_by_user_name(*, org: Organization, user_name: str) -> Person | None:
    """By the userName rule's key (accounts.usernames), through its unique index."""
    return person_list(org=org).filter(user_name_key=user_name_key(user_name.strip())).first()


def person_deleted_by_idp(*, org: Organization, user_name: str) -> Person | None:
    """The person with this userName whom the IdP deleted (hidden from SCIM), if any."""
    return (
        Person.objects.filter(org=org, idp_deleted_at__isnull=False)
        .filter(user_name_key=user_name_key(user_name.strip()))
        .first()
    )


def person_pks_by_scim_id(*, org: Organization, scim_ids: Iterable[str]) -> dict[str, int]:
    """Map the given SCIM ids to primary keys, for the org's people only (one query).

    People the IdP deleted are not found: SCIM cannot see them, so it cannot link them."""
    ids = [i for i in scim_ids if scim_id_is_possible(i)]
    if not ids:
        return {}
    people = person_list_scim_visible(org=org).filter(scim_id__in=ids)
    return dict(people.values_list("scim_id", "pk"))


def person_groups(*, org: Organization, person: Person) -> QuerySet[Group]:
    """The person's groups in this org, by name as the groups page sorts them (any case)."""
    return Group.objects.filter(org=org, memberships__person=person).order_by(
        Lower("display_name"), "id"
    )


def person_suspended_since_count(*, org: Organization, since: dt.datetime) -> int:
    """How many of the org's people are suspended now and were suspended at or after `since`."""
    return Person.objects.filter(org=org, is_active=False, suspended_at__gte=since).count()


def people_counts(*, org: Organization) -> dict[str, int]:
    """Active and suspended people, and groups, in two queries."""
    counts = Person.objects.filter(org=org).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        suspended=Count("pk", filter=Q(is_active=False)),
    )
    counts["groups"] = Group.objects.filter(org=org).count()
    return counts


def console_suspension_get(*, person: Person) -> ConsoleSuspension | None:
    """The person's console lock, if any, read fresh (a decision to ignore the IdP must never
    rest on a cached answer)."""
    return ConsoleSuspension.objects.filter(person=person).first()
