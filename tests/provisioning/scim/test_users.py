"""SCIM Users: create, read, replace, patch and delete, the way Okta and Entra send them.

Every test runs with a second org (`scim_other`) whose people must never be touched.
"""

import json

import pytest

from accounts.actor import Actor
from accounts.models import Person, PersonEmail
from accounts.services.groups import group_create
from provisioning.models import ProvisioningLogEntry
from tests.provisioning.scim.client import USER_SCHEMA, okta_user
from tests.provisioning.scim.support import error, listing, org_snapshot, patch, user_doc

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def other_person(scim_other) -> Person:
    """The other org's person with the same userName as the tests' people."""
    r = scim_other.post("Users", okta_user("ada@example.com"))
    assert r.status == 201
    return Person.objects.get(scim_id=r.json["id"])


@pytest.fixture
def ada(scim, other_person) -> Person:
    r = scim.post("Users", okta_user("Ada@Example.com", externalId="00u-ada"))
    assert r.status == 201
    return Person.objects.get(scim_id=r.json["id"])


def other_unchanged(other_person: Person) -> None:
    assert user_doc(other_person)["userName"] == "ada@example.com"
    assert org_snapshot(other_person.org)["people"][0]["is_active"] is True
    assert PersonEmail.objects.filter(person=other_person).count() == 1


def last_log() -> ProvisioningLogEntry:
    return ProvisioningLogEntry.objects.order_by("-id").first()


# POST ------------------------------------------------------------------------------------


def test_post_creates_the_person_and_answers_201_with_location(scim, other_person):
    r = scim.post("Users", okta_user("Test.User@okta.local"))
    assert r.status == 201
    person = Person.objects.get(org__slug="acme")
    assert r.json == user_doc(person)
    assert r.json == {
        "schemas": [USER_SCHEMA],
        "id": person.scim_id,
        "userName": "Test.User@okta.local",
        "active": True,
        "sendEmails": True,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"value": "Test.User@okta.local", "type": "work", "primary": True}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "meta": r.json["meta"],
    }
    assert r.headers["Location"] == f"http://testserver/scim/v2/Users/{person.scim_id}"
    assert r.headers["Content-Type"] == "application/scim+json"
    assert person.provisioned_by == Person.Source.SCIM
    other_unchanged(other_person)


def test_post_of_a_case_insensitive_duplicate_is_409_uniqueness(scim, ada, other_person):
    before = org_snapshot(ada.org)
    r = scim.post("Users", okta_user("ADA@EXAMPLE.COM"))
    assert r.status == 409
    assert r.json == error(
        409,
        "A person with userName 'ADA@EXAMPLE.COM' already exists in this organization.",
        "uniqueness",
    )
    assert org_snapshot(ada.org) == before
    other_unchanged(other_person)


def test_post_ignores_the_password_and_never_stores_or_returns_it(scim, other_person):
    r = scim.post("Users", okta_user("pw@example.com", password="1mz050nq"))
    assert r.status == 201
    assert "password" not in r.json
    assert "1mz050nq" not in r.content.decode()
    person = Person.objects.get(scim_id=r.json["id"])
    assert "1mz050nq" not in json.dumps(org_snapshot(person.org), default=str)
    assert "1mz050nq" not in last_log().request_body
    assert "1mz050nq" not in scim.get(f"Users/{person.scim_id}").content.decode()


@pytest.mark.parametrize("user_name", [None, "", "   ", "<missing>"])
def test_post_without_a_username_is_400(scim, other_person, user_name):
    body = okta_user()
    if user_name == "<missing>":
        del body["userName"]
    else:
        body["userName"] = user_name
    r = scim.post("Users", body)
    assert r.status == 400
    assert r.json == error(400, "'userName' is required.", "invalidValue")
    assert not Person.objects.filter(org__slug="acme").exists()
    other_unchanged(other_person)


def test_the_same_username_in_two_orgs_is_two_people(scim, ada, other_person):
    assert ada.scim_id != other_person.scim_id
    assert ada.user_name == "Ada@Example.com"
    assert other_person.user_name == "ada@example.com"


# GET -------------------------------------------------------------------------------------


def test_get_returns_the_full_resource(scim, ada, other_person):
    group = group_create(
        org=ada.org, display_name="Door A", member_ids=[ada.scim_id], actor=Actor.system()
    )
    r = scim.get(f"Users/{ada.scim_id}")
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert r.json["groups"] == [
        {
            "value": group.scim_id,
            "display": "Door A",
            "$ref": f"http://testserver/scim/v2/Groups/{group.scim_id}",
        }
    ]
    assert r.headers["Content-Type"] == "application/scim+json"


def test_get_of_an_unknown_id_is_404(scim, ada):
    r = scim.get("Users/010101001010101011001010101011")
    assert r.status == 404
    assert r.json == error(404, "User 010101001010101011001010101011 not found.")


# PUT -------------------------------------------------------------------------------------


def test_put_replaces_everything_and_ignores_read_only_attributes(scim, ada, other_person):
    body = scim.get(f"Users/{ada.scim_id}").json
    body.update(
        id="forged-id",
        schemas=["urn:bogus"],
        meta={"resourceType": "Group", "created": "2000-01-01T00:00:00Z"},
        groups=[{"value": "forged-group"}],
        userName="ada.lovelace@example.com",
        name={"givenName": "Augusta", "familyName": "King", "formatted": "Stale Name"},
        emails=[{"value": "ada.lovelace@example.com", "type": "home"}],
        displayName="Countess",
        externalId="00u-new",
    )
    del body["locale"]
    r = scim.put(f"Users/{ada.scim_id}", body)
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert r.json["id"] == ada.scim_id
    assert r.json["userName"] == "ada.lovelace@example.com"
    assert r.json["name"] == {"givenName": "Augusta", "familyName": "King"}
    assert r.json["emails"] == [
        {"value": "ada.lovelace@example.com", "type": "home", "primary": False}
    ]
    assert r.json["displayName"] == "Countess"
    assert r.json["externalId"] == "00u-new"
    assert "locale" not in r.json  # omitted in a full replace: cleared
    assert "groups" not in r.json
    assert r.json["meta"]["resourceType"] == "User"
    other_unchanged(other_person)


def test_put_of_a_username_taken_in_the_org_is_409_and_changes_nothing(scim, ada):
    r = scim.post("Users", okta_user("grace@example.com"))
    grace = r.json["id"]
    before = org_snapshot(ada.org)
    r = scim.put(f"Users/{grace}", okta_user("ADA@example.com", name={"givenName": "X"}))
    assert r.status == 409
    assert r.json == error(
        409,
        "A person with userName 'ADA@example.com' already exists in this organization.",
        "uniqueness",
    )
    assert org_snapshot(ada.org) == before


def test_put_of_a_case_change_of_ones_own_username_is_allowed(scim, ada):
    r = scim.put(f"Users/{ada.scim_id}", okta_user("ADA@EXAMPLE.COM"))
    assert (r.status, r.json["userName"]) == (200, "ADA@EXAMPLE.COM")


def test_put_active_false_suspends_and_true_reactivates_with_the_same_id_and_groups(
    scim, ada, other_person
):
    group = group_create(
        org=ada.org, display_name="Door A", member_ids=[ada.scim_id], actor=Actor.system()
    )
    body = scim.get(f"Users/{ada.scim_id}").json
    r = scim.put(f"Users/{ada.scim_id}", {**body, "active": False})
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert (r.json["active"], r.json["id"]) == (False, ada.scim_id)
    ada.refresh_from_db()
    assert (ada.is_active, ada.suspended_at is not None) == (False, True)
    assert [g["value"] for g in r.json["groups"]] == [group.scim_id]

    r = scim.put(f"Users/{ada.scim_id}", {**body, "active": True})
    assert r.status == 200
    assert (r.json["active"], r.json["id"]) == (True, ada.scim_id)
    assert [g["value"] for g in r.json["groups"]] == [group.scim_id]
    ada.refresh_from_db()
    assert (ada.is_active, ada.suspended_at) == (True, None)
    other_unchanged(other_person)


@pytest.mark.parametrize("empty", ["", None, "<omitted>"])
def test_put_with_empty_values_clears_them_without_failing(scim, ada, empty):
    """Okta's "push empty values" (QA plan C9337): "", null or an omitted key."""
    body = {"schemas": [USER_SCHEMA], "userName": ada.user_name, "active": True}
    for key in ("name", "emails", "displayName", "locale", "externalId"):
        if empty != "<omitted>":
            body[key] = empty
    r = scim.put(f"Users/{ada.scim_id}", body)
    assert r.status == 200, r.json
    assert r.json == user_doc(ada)
    assert r.json == {
        "schemas": [USER_SCHEMA],
        "id": ada.scim_id,
        "userName": "Ada@Example.com",
        "active": True,
        "sendEmails": True,
        "meta": r.json["meta"],
    }


def test_put_with_empty_sub_values_keeps_the_other_parts(scim, ada):
    body = okta_user(
        ada.user_name,
        name={"givenName": "", "familyName": None, "formatted": ""},
        emails=[{"value": "", "type": "work"}, {"value": "ada@home.example", "type": None}],
    )
    r = scim.put(f"Users/{ada.scim_id}", body)
    assert r.status == 200, r.json
    assert "name" not in r.json
    assert r.json["emails"] == [{"value": "ada@home.example", "primary": False}]


def test_put_of_an_unknown_id_is_404(scim, ada):
    r = scim.put("Users/nope", okta_user("x@example.com"))
    assert (r.status, r.json) == (404, error(404, "User nope not found."))
    assert not Person.objects.filter(user_name="x@example.com").exists()


# PATCH -----------------------------------------------------------------------------------


def test_patch_okta_pathless_replace_active_false(scim, ada, other_person):
    r = scim.patch(f"Users/{ada.scim_id}", patch({"op": "replace", "value": {"active": False}}))
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert r.json["active"] is False
    other_unchanged(other_person)


@pytest.mark.parametrize(("raw", "active"), [("False", False), ("false", False), (False, False)])
def test_patch_entra_replace_with_capitalised_op_and_string_boolean(scim, ada, raw, active):
    r = scim.patch(f"Users/{ada.scim_id}", patch({"op": "Replace", "path": "active", "value": raw}))
    assert (r.status, r.json["active"]) == (200, active)
    r = scim.patch(
        f"Users/{ada.scim_id}", patch({"op": "Replace", "path": "active", "value": "True"})
    )
    assert (r.status, r.json["active"], r.json["id"]) == (200, True, ada.scim_id)


def test_patch_name_given_name(scim, ada):
    r = scim.patch(
        f"Users/{ada.scim_id}",
        patch({"op": "replace", "path": "name.givenName", "value": "Augusta"}),
    )
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert r.json["name"] == {"givenName": "Augusta", "familyName": "User"}


def test_patch_fully_qualified_username_path(scim, ada):
    r = scim.patch(
        f"Users/{ada.scim_id}",
        patch(
            {
                "op": "replace",
                "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName",
                "value": "ada.king@example.com",
            }
        ),
    )
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert r.json["userName"] == "ada.king@example.com"


def test_patch_work_email_value_replaces_the_work_email(scim, ada):
    r = scim.patch(
        f"Users/{ada.scim_id}",
        patch({"op": "replace", "path": 'emails[type eq "work"].value', "value": "a@new.example"}),
    )
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert r.json["emails"] == [{"value": "a@new.example", "type": "work", "primary": True}]


def test_patch_work_email_value_on_a_person_without_one_adds_it(scim, other_person):
    body = okta_user("nowork@example.com", emails=[{"value": "home@example.com", "type": "home"}])
    uid = scim.post("Users", body).json["id"]
    r = scim.patch(
        f"Users/{uid}",
        patch({"op": "replace", "path": 'emails[type eq "work"].value', "value": "w@example.com"}),
    )
    assert r.status == 200
    assert r.json == user_doc(uid)
    assert r.json["emails"] == [
        {"value": "home@example.com", "type": "home", "primary": False},
        {"value": "w@example.com", "type": "work", "primary": False},
    ]
    other_unchanged(other_person)


def test_patch_enterprise_extension_paths_are_ignored(scim, ada):
    before = user_doc(ada)
    r = scim.patch(
        f"Users/{ada.scim_id}",
        patch(
            {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Sales"},
            {"op": "add", "value": {f"{ENTERPRISE}:employeeNumber": 701984}},
            {"op": "replace", "path": ENTERPRISE, "value": {"costCenter": 4130}},
        ),
    )
    assert r.status == 200
    assert r.json == before
    assert "department" not in json.dumps(r.json)


def test_patch_value_dicts_with_id_schemas_and_meta_are_tolerated(scim, ada):
    """Onyx's bug: Okta's PATCH value dicts echo read-only attributes."""
    r = scim.patch(
        f"Users/{ada.scim_id}",
        patch(
            {
                "op": "replace",
                "value": {
                    "id": "someone-else",
                    "schemas": [USER_SCHEMA],
                    "meta": {"resourceType": "User"},
                    "active": False,
                    "displayName": "Ada",
                },
            }
        ),
    )
    assert r.status == 200
    assert r.json == user_doc(ada)
    assert (r.json["id"], r.json["active"], r.json["displayName"]) == (ada.scim_id, False, "Ada")


def test_patch_of_an_unknown_path_is_400_invalid_path_and_changes_nothing(scim, ada):
    before = org_snapshot(ada.org)
    r = scim.patch(
        f"Users/{ada.scim_id}",
        patch(
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": "favouriteColour", "value": "blue"},
        ),
    )
    assert r.status == 400
    assert r.json == error(400, "Unknown attribute in PATCH path 'favouriteColour'.", "invalidPath")
    assert org_snapshot(ada.org) == before


def test_patch_remove_without_a_path_is_400_no_target(scim, ada):
    before = org_snapshot(ada.org)
    r = scim.patch(f"Users/{ada.scim_id}", patch({"op": "remove", "value": {"active": False}}))
    assert r.status == 400
    assert r.json == error(400, "A 'remove' operation needs a 'path'.", "noTarget")
    assert org_snapshot(ada.org) == before


def test_patch_of_an_unknown_id_is_404(scim, ada):
    r = scim.patch("Users/nope", patch({"op": "replace", "value": {"active": False}}))
    assert (r.status, r.json) == (404, error(404, "User nope not found."))


# DELETE ----------------------------------------------------------------------------------


def test_delete_suspends_and_hides_and_a_later_post_brings_back_the_same_person(
    scim, ada, other_person
):
    group = group_create(
        org=ada.org, display_name="Door A", member_ids=[ada.scim_id], actor=Actor.system()
    )
    r = scim.delete(f"Users/{ada.scim_id}")
    assert (r.status, r.content) == (204, b"")

    r = scim.get(f"Users/{ada.scim_id}")
    assert (r.status, r.json) == (404, error(404, f"User {ada.scim_id} not found."))
    ada.refresh_from_db()
    assert (ada.is_active, ada.suspended_at is not None, ada.idp_deleted_at is not None) == (
        False,
        True,
        True,
    )
    assert scim.get('Users?filter=userName eq "ada@example.com"').json == listing([])
    r = scim.delete(f"Users/{ada.scim_id}")
    assert r.status == 404

    r = scim.post("Users", okta_user("ada@example.com", name={"givenName": "Ada"}))
    assert r.status == 201
    assert r.json["id"] == ada.scim_id
    assert r.json == user_doc(ada)
    assert (r.json["active"], r.json["userName"]) == (True, "ada@example.com")
    # The deletion took the person out of their groups (the IdP re-adds them).
    assert "groups" not in r.json
    assert not group.memberships.exists()
    assert Person.objects.filter(org=ada.org).count() == 1
    other_unchanged(other_person)


# sendEmails ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [(True, True), (False, False), ("true", True), ("false", False), ("False", False)],
)
def test_send_emails_is_honoured_on_create(scim, other_person, sent, stored):
    r = scim.post("Users", okta_user("se@example.com", sendEmails=sent))
    assert (r.status, r.json["sendEmails"]) == (201, stored)
    assert Person.objects.get(scim_id=r.json["id"]).send_emails is stored


def test_send_emails_defaults_to_true(scim, other_person):
    r = scim.post("Users", okta_user("se@example.com"))
    assert r.json["sendEmails"] is True


def test_send_emails_of_the_wrong_type_is_400(scim, other_person):
    r = scim.post("Users", okta_user("se@example.com", sendEmails="maybe"))
    assert r.status == 400
    assert r.json == error(
        400, "'sendEmails' must be a boolean (true or false), not 'maybe'.", "invalidValue"
    )
    assert not Person.objects.filter(user_name="se@example.com").exists()


def test_send_emails_in_a_later_put_is_ignored_and_the_log_says_so(scim, other_person):
    uid = scim.post("Users", okta_user("se@example.com", sendEmails=False)).json["id"]
    r = scim.put(f"Users/{uid}", okta_user("se@example.com", sendEmails=True))
    assert (r.status, r.json["sendEmails"]) == (200, False)
    assert Person.objects.get(scim_id=uid).send_emails is False
    assert last_log().outcome == (
        f"replaced user {uid} (sendEmails=true ignored: it can only be set when the person "
        "is created (stays false))"
    )


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "value": {"sendEmails": True}},
        {"op": "replace", "path": "sendEmails", "value": "true"},
        {"op": "replace", "path": f"{USER_SCHEMA}:sendEmails", "value": True},
    ],
)
def test_send_emails_in_a_later_patch_is_ignored_and_the_log_says_so(scim, other_person, operation):
    uid = scim.post("Users", okta_user("se@example.com", sendEmails="false")).json["id"]
    r = scim.patch(f"Users/{uid}", patch(operation))
    assert r.status == 200
    assert r.json == user_doc(uid)
    assert r.json["sendEmails"] is False
    assert last_log().outcome == (
        f"patched user {uid} (sendEmails change ignored: it can only be set when the person "
        "is created)"
    )


# Deactivated people ----------------------------------------------------------------------


def test_suspended_people_stay_retrievable_and_findable(scim, ada, other_person):
    scim.patch(f"Users/{ada.scim_id}", patch({"op": "replace", "value": {"active": False}}))
    r = scim.get(f"Users/{ada.scim_id}")
    assert (r.status, r.json) == (200, user_doc(ada))
    assert r.json["active"] is False
    for query in (
        'userName eq "ADA@example.com"',
        'externalId eq "00u-ada"',
        "active eq false",
        f'id eq "{ada.scim_id}"',
    ):
        r = scim.get(f"Users?filter={query}")
        assert (r.status, r.json) == (200, listing([user_doc(ada)])), query
    assert scim.get("Users?filter=active eq true").json == listing([])
