"""Reads: every selector is scoped to the org it is given and never returns another org's rows.

Each test fills a second org with look-alike rows (same names, same userNames) that must
never come back.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actor import Actor
from accounts.models import Membership
from accounts.selectors.groups import group_get, group_get_by_name, group_list, group_member_list
from accounts.selectors.orgs import (
    account_get_by_email,
    membership_get,
    membership_list_for_account,
    org_get_by_slug,
    org_owner,
)
from accounts.selectors.people import (
    people_counts,
    person_get,
    person_get_by_user_name,
    person_groups,
    person_list,
    person_pks_by_scim_id,
)
from accounts.services.groups import group_create
from accounts.services.orgs import membership_add
from accounts.services.people import EmailData, person_create, person_suspend
from tests.factories import AccountFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _populate(org):
    """Three people (one suspended) and two groups, identical in every org."""
    ada = person_create(
        org=org,
        user_name="Ada@example.com",
        given_name="Ada",
        family_name="Lovelace",
        emails=[EmailData("ada@example.com", "work", True)],
        actor=Actor.system(),
    )
    grace = person_create(
        org=org,
        user_name="grace@example.com",
        given_name="Grace",
        family_name="Hopper",
        actor=Actor.system(),
    )
    edsger = person_create(
        org=org,
        user_name="ewd@example.com",
        display_name="Edsger W. Dijkstra",
        actor=Actor.system(),
    )
    person_suspend(person=edsger, actor=Actor.scim())
    door = group_create(
        org=org,
        display_name="front door",
        member_ids=[ada.scim_id, grace.scim_id, edsger.scim_id],
        actor=Actor.system(),
    )
    lab = group_create(
        org=org, display_name="Lab", member_ids=[grace.scim_id], actor=Actor.system()
    )
    return {"ada": ada, "grace": grace, "edsger": edsger, "door": door, "lab": lab}


@pytest.fixture
def mine(org):
    return _populate(org)


@pytest.fixture
def theirs(other_org):
    return _populate(other_org)


def _user_names(qs) -> list[str]:
    return [p.user_name for p in qs]


def test_person_list_is_the_orgs_people_oldest_first(org, mine, theirs):
    people = list(person_list(org=org))
    assert people == [mine["ada"], mine["grace"], mine["edsger"]]
    assert all(p.org_id == org.pk for p in people)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ada@", ["Ada@example.com"]),
        ("ADA@EXAMPLE", ["Ada@example.com"]),
        ("hopper", ["grace@example.com"]),
        ("Grace", ["grace@example.com"]),
        ("dijkstra", ["ewd@example.com"]),
        ("example.com", ["Ada@example.com", "grace@example.com", "ewd@example.com"]),
        ("  lovelace  ", ["Ada@example.com"]),
        ("nobody", []),
    ],
)
def test_person_list_searches_names_and_user_names(org, mine, theirs, search, expected):
    assert _user_names(person_list(org=org, search=search)) == expected


def test_person_list_filters_by_status(org, mine, theirs):
    assert _user_names(person_list(org=org, status="active")) == [
        "Ada@example.com",
        "grace@example.com",
    ]
    assert _user_names(person_list(org=org, status="suspended")) == ["ewd@example.com"]
    assert _user_names(person_list(org=org, status="", search="ewd")) == ["ewd@example.com"]
    assert _user_names(person_list(org=org, status="suspended", search="ada")) == []


def test_person_list_prefetches_emails(org, mine, theirs):
    """Listing people and their primary emails is two queries whatever the page size."""
    with CaptureQueriesContext(connection) as ctx:
        emails = [p.primary_email for p in person_list(org=org)]
    assert emails == ["ada@example.com", "", ""]
    assert len(ctx.captured_queries) == 2


def test_person_get_never_finds_another_orgs_person(org, mine, theirs):
    assert person_get(org=org, scim_id=mine["ada"].scim_id) == mine["ada"]
    assert person_get(org=org, scim_id=theirs["ada"].scim_id) is None
    assert person_get(org=org, scim_id="no-such-id") is None
    assert person_get(org=org, scim_id="") is None


def test_person_get_by_user_name_is_case_insensitive_and_org_scoped(org, other_org, mine, theirs):
    assert person_get_by_user_name(org=org, user_name="ADA@EXAMPLE.COM") == mine["ada"]
    assert person_get_by_user_name(org=other_org, user_name="ada@example.com") == theirs["ada"]
    assert person_get_by_user_name(org=org, user_name="ada@example") is None
    lonely = OrganizationFactory()
    assert person_get_by_user_name(org=lonely, user_name="ada@example.com") is None


def test_person_pks_by_scim_id_drops_other_orgs_ids(org, mine, theirs):
    found = person_pks_by_scim_id(
        org=org,
        scim_ids=[mine["ada"].scim_id, theirs["ada"].scim_id, "bogus", 42, None],
    )
    assert found == {mine["ada"].scim_id: mine["ada"].pk}
    assert person_pks_by_scim_id(org=org, scim_ids=[]) == {}


def test_person_groups(org, mine, theirs):
    assert list(person_groups(org=org, person=mine["grace"])) == [mine["door"], mine["lab"]]
    assert list(person_groups(org=org, person=theirs["grace"])) == []


def test_people_counts(org, other_org, mine, theirs):
    person_create(org=other_org, user_name="extra@example.com", actor=Actor.system())
    assert people_counts(org=org) == {"active": 2, "suspended": 1, "groups": 2}
    assert people_counts(org=other_org) == {"active": 3, "suspended": 1, "groups": 2}
    assert people_counts(org=OrganizationFactory()) == {"active": 0, "suspended": 0, "groups": 0}


def test_group_list_by_name_with_member_counts(org, mine, theirs):
    groups = list(group_list(org=org))
    assert [(g.display_name, g.member_count) for g in groups] == [("front door", 3), ("Lab", 1)]
    assert [g.display_name for g in group_list(org=org, search="LA")] == ["Lab"]
    assert list(group_list(org=org, search="nothing")) == []


def test_group_get_and_by_name_are_org_scoped(org, mine, theirs):
    assert group_get(org=org, scim_id=mine["lab"].scim_id) == mine["lab"]
    assert group_get(org=org, scim_id=theirs["lab"].scim_id) is None
    assert group_get_by_name(org=org, display_name="LAB") == mine["lab"]
    assert group_get_by_name(org=org, display_name="La") is None


def test_group_member_list(org, mine, theirs):
    members = list(group_member_list(org=org, group=mine["door"]))
    assert _user_names(members) == ["Ada@example.com", "ewd@example.com", "grace@example.com"]
    # Asked with this org, another org's group has no members.
    assert list(group_member_list(org=org, group=theirs["door"])) == []


def test_memberships_of_an_account(org, owner, other_org, make_org):
    third = make_org("zeta", sso=False)
    membership_add(org=third, account=owner, actor=Actor.system())
    listed = [(m.org.slug, m.role) for m in membership_list_for_account(account=owner)]
    assert listed == [("acme", "owner"), ("zeta", "admin")]

    assert membership_get(account=owner, org_slug="acme").role == Membership.Role.OWNER
    assert membership_get(account=owner, org_slug="globex") is None
    assert membership_get(account=owner, org_slug="nope") is None


def test_membership_get_for_an_anonymous_visitor(org):
    from django.contrib.auth.models import AnonymousUser

    assert membership_get(account=AnonymousUser(), org_slug="acme") is None


def test_org_owner(org, owner, other_org, admin_account):
    assert org_owner(org=org) == owner
    assert org_owner(org=other_org).email == "owner@globex.example.com"
    assert org_owner(org=OrganizationFactory()) is None


def test_org_get_by_slug_and_account_get_by_email(org, owner):
    assert org_get_by_slug(slug="acme") == org
    assert org_get_by_slug(slug="ACME") is None
    assert account_get_by_email(email=" Owner@ACME.example.com ") == owner
    assert account_get_by_email(email="nobody@acme.example.com") is None
    AccountFactory(email="someone@example.com")
    assert account_get_by_email(email="someone@example.com").email == "someone@example.com"
