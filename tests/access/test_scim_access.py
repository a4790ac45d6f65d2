"""SCIM and door access: cards through our extension schema, and grants, which SCIM never
touches (a group's PUT, rename or membership change keeps them; only deleting the group
removes them, with it). Each change the IdP makes is seen by the very next decision."""

import pytest

from access.decision import access_check
from access.models import Credential, Grant
from access.services.credentials import card_add
from accounts.actor import Actor
from accounts.models import Group
from provisioning.scim.constants import KISISCIM_USER_SCHEMA
from tests.access.support import make_door, make_grant, make_person, make_place
from tests.provisioning.scim.client import (
    GROUP_SCHEMA,
    PATCH_OP,
    USER_SCHEMA,
    ScimClient,
    issue_token,
    okta_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scim(org):
    return ScimClient(issue_token(org))


@pytest.fixture
def scim_other(other_org):
    return ScimClient(issue_token(other_org))


def _check(door, person):
    return access_check(door=door, person=person, source="api")[0].reason


def _card(number):
    return {KISISCIM_USER_SCHEMA: {"cardNumber": number}}


def _live_cards(org):
    return sorted(
        Credential.objects.filter(org=org, status="active").values_list("number", "source")
    )


def test_discovery_publishes_the_extension(scim):
    schemas = {s["id"]: s for s in scim.get("Schemas").json["Resources"]}
    extension = schemas[KISISCIM_USER_SCHEMA]
    assert [a["name"] for a in extension["attributes"]] == ["cardNumber"]
    assert extension["attributes"][0]["type"] == "string"
    assert scim.get(f"Schemas/{KISISCIM_USER_SCHEMA}").status == 200
    user_type = scim.get("ResourceTypes/User").json
    assert user_type["schemaExtensions"] == [{"schema": KISISCIM_USER_SCHEMA, "required": False}]


def test_a_card_set_on_create_is_shown_and_opens_doors(scim, org):
    created = scim.post("Users", {**okta_user("ada@okta.local"), **_card("04A2197F")})
    assert created.status == 201
    assert created.json["schemas"] == [USER_SCHEMA, KISISCIM_USER_SCHEMA]
    assert created.json[KISISCIM_USER_SCHEMA] == {"cardNumber": "04A2197F"}
    assert _live_cards(org) == [("04A2197F", "scim")]
    listed = scim.get('Users?filter=userName eq "ada@okta.local"').json["Resources"][0]
    assert listed[KISISCIM_USER_SCHEMA] == {"cardNumber": "04A2197F"}
    plain = scim.post("Users", okta_user("grace@okta.local"))
    assert plain.json["schemas"] == [USER_SCHEMA]
    assert KISISCIM_USER_SCHEMA not in plain.json


def test_patch_put_and_removal_of_the_card(scim, org):
    uid = scim.post("Users", {**okta_user(), **_card("1111")}).json["id"]
    replaced = scim.patch(
        f"Users/{uid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "replace", "path": f"{KISISCIM_USER_SCHEMA}:cardNumber", "value": "2222"}
            ],
        },
    )
    assert replaced.json[KISISCIM_USER_SCHEMA] == {"cardNumber": "2222"}
    assert _live_cards(org) == [("2222", "scim")]
    assert Credential.objects.get(number="1111").status == "revoked"
    # A PUT that does not mention the extension keeps the card (nothing maps it).
    kept = scim.put(f"Users/{uid}", okta_user())
    assert kept.json[KISISCIM_USER_SCHEMA] == {"cardNumber": "2222"}
    # Path-less, as Okta sends profile updates; null revokes.
    scim.patch(
        f"Users/{uid}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": _card(None)}]},
    )
    assert _live_cards(org) == []
    assert KISISCIM_USER_SCHEMA not in scim.get(f"Users/{uid}").json
    scim.put(f"Users/{uid}", {**okta_user(), **_card(3333)})  # a number attribute in Okta
    assert _live_cards(org) == [("3333", "scim")]
    scim.patch(
        f"Users/{uid}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": KISISCIM_USER_SCHEMA}]},
    )
    assert _live_cards(org) == []


def test_a_card_live_for_someone_else_is_409_and_changes_nothing(scim, org):
    scim.post("Users", {**okta_user("ada@okta.local"), **_card("1111")})
    grace = scim.post("Users", okta_user("grace@okta.local")).json["id"]
    response = scim.patch(
        f"Users/{grace}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": _card("1111")}]},
    )
    assert (response.status, response.json["scimType"]) == (409, "uniqueness")
    assert _live_cards(org) == [("1111", "scim")]


@pytest.mark.parametrize("value", [True, ["1"], {"n": 1}, "x" * 65, "a\x00b"])
def test_a_bad_card_number_is_400(scim, org, value):
    response = scim.post("Users", {**okta_user(), **_card(value)})
    assert (response.status, response.json["scimType"]) == (400, "invalidValue")
    assert _live_cards(org) == []


def test_the_idp_never_touches_cards_added_in_the_console(scim, org):
    uid = scim.post("Users", {**okta_user(), **_card("1111")}).json["id"]
    person = org.people.get(scim_id=uid)
    card_add(person=person, number="BADGE-7", actor=Actor.system())
    scim.put(f"Users/{uid}", {**okta_user(), **_card("")})
    assert _live_cards(org) == [("BADGE-7", "console")]


def test_the_next_check_by_card_follows_the_idp(scim, org):
    door = make_door(make_place(org))
    uid = scim.post("Users", {**okta_user(), **_card("1111")}).json["id"]
    gid = scim.post(
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Staff", "members": [{"value": uid}]},
    ).json["id"]
    make_grant(Group.objects.get(scim_id=gid), door)
    assert access_check(door=door, card="1111", source="api")[0].reason == "allowed"
    scim.patch(
        f"Users/{uid}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert access_check(door=door, card="1111", source="api")[0].reason == "person_suspended"
    scim.put(f"Users/{uid}", {**okta_user(), **_card("2222")})
    assert access_check(door=door, card="1111", source="api")[0].reason == "unknown_card"


# Grants and SCIM groups -------------------------------------------------------------------


@pytest.fixture
def pushed(scim, org):
    """Ada and Grace pushed by Okta, in a pushed group that a console grant lets through."""
    ada = scim.post("Users", okta_user("ada@okta.local")).json["id"]
    grace = scim.post("Users", okta_user("grace@okta.local")).json["id"]
    gid = scim.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Engineering",
            "members": [{"value": ada}, {"value": grace}],
        },
    ).json["id"]
    group = Group.objects.get(scim_id=gid)
    door = make_door(make_place(org))
    grant = make_grant(group, door, schedule=[])
    people = {p.scim_id: p for p in org.people.all()}
    return {"gid": gid, "door": door, "grant": grant, "ada": people[ada], "grace": people[grace]}


def test_a_pushed_group_is_idp_managed(pushed):
    assert Group.objects.get(scim_id=pushed["gid"]).source == Group.Source.SCIM


def test_group_put_rename_and_member_changes_keep_the_grants(scim, pushed):
    gid, door = pushed["gid"], pushed["door"]
    ada, grace = pushed["ada"], pushed["grace"]
    renamed = scim.put(
        f"Groups/{gid}",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Engineering (all)",
            "members": [{"value": ada.scim_id}],
        },
    )
    assert renamed.status == 200
    scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "value": {"id": gid, "displayName": "Eng"}}],
        },
    )
    assert list(Grant.objects.values_list("pk", flat=True)) == [pushed["grant"].pk]
    assert _check(door, ada) == "allowed"
    # Grace left the group in that PUT: the next decision denies her.
    assert _check(door, grace) == "no_grant"
    scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "remove", "path": f'members[value eq "{ada.scim_id}"]'}],
        },
    )
    assert _check(door, ada) == "no_grant"
    assert Grant.objects.count() == 1


def test_a_scim_group_delete_takes_its_grants_with_it(scim, pushed):
    assert scim.delete(f"Groups/{pushed['gid']}").status == 204
    assert not Grant.objects.exists()
    assert _check(pushed["door"], pushed["ada"]) == "no_grant"


def test_scim_suspension_and_delete_deny_the_next_check(scim, pushed):
    door, ada, grace = pushed["door"], pushed["ada"], pushed["grace"]
    scim.patch(
        f"Users/{ada.scim_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    ada.refresh_from_db()
    assert _check(door, ada) == "person_suspended"
    scim.delete(f"Users/{grace.scim_id}")
    grace.refresh_from_db()
    assert _check(door, grace) == "person_deleted"
    assert Grant.objects.count() == 1


def test_the_idp_cannot_see_or_change_another_orgs_cards(scim, scim_other, org, other_org):
    stranger = make_person(other_org, "spy@globex.example.com")
    card_add(person=stranger, number="1111", actor=Actor.system())
    # The same number is free in this org: numbers are unique per org.
    created = scim.post("Users", {**okta_user(), **_card("1111")})
    assert created.status == 201
    assert scim_other.get(f"Users/{created.json['id']}").status == 404
    assert list(Credential.objects.filter(org=other_org).values_list("status", flat=True)) == [
        "active"
    ]
