"""Okta's real request sequence (reference §8), through the full stack with a real token,
for both flavours: OIN catalog apps (PATCH) and App Integration Wizard apps (PUT)."""

import pytest

from accounts.models import Person
from tests.provisioning.scim.client import (
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    LIST_SCHEMA,
    PATCH_OP,
    ScimClient,
    okta_user,
)

pytestmark = pytest.mark.django_db


def test_okta_transcript_patch_flavour(scim, scim_other):
    r = scim.get("Users?startIndex=1&count=2")
    assert r.status == 200
    assert r.json == {
        "schemas": [LIST_SCHEMA],
        "totalResults": 0,
        "itemsPerPage": 0,
        "startIndex": 1,
        "Resources": [],
    }
    assert r.headers["Content-Type"].startswith("application/scim+json")

    wrong = ScimClient("kscim_wrong", authorization="Bearer kscim_wrong")
    r = wrong.get("Users?startIndex=1&count=2")
    assert r.status == 401
    assert r.json["schemas"] == [ERROR_SCHEMA]
    assert r.json["status"] == "401"
    assert r.json["detail"]

    r = scim.get("Users?filter=userName%20eq%20%22Test.User%40okta.local%22&startIndex=1&count=100")
    assert (r.status, r.json["totalResults"]) == (200, 0)

    r = scim.post("Users", okta_user("Test.User@okta.local", sendEmails=True))
    assert r.status == 201, r.json
    uid = r.json["id"]
    assert r.json["userName"] == "Test.User@okta.local"
    assert r.json["active"] is True
    assert r.json["sendEmails"] is True
    assert r.headers["Location"] == f"http://testserver/scim/v2/Users/{uid}"
    assert "password" not in r.json

    r = scim.get("Users?filter=userName%20eq%20%22TEST.USER%40OKTA.LOCAL%22&startIndex=1&count=100")
    assert (r.status, r.json["totalResults"]) == (200, 1)
    assert r.json["Resources"][0]["id"] == uid

    r = scim.post("Users", okta_user("Test.User@okta.local"))
    assert r.status == 409
    assert r.json["scimType"] == "uniqueness"
    assert r.json["status"] == "409"

    # The other org sees nothing of it, and may create the same userName independently.
    r = scim_other.get('Users?filter=userName eq "Test.User@okta.local"')
    assert r.json["totalResults"] == 0
    assert scim_other.post("Users", okta_user("Test.User@okta.local")).status == 201

    current = scim.get(f"Users/{uid}").json
    current["name"] = {"givenName": "Another", "familyName": "User", "formatted": "Stale Name"}
    r = scim.put(f"Users/{uid}", current)
    assert r.status == 200
    assert r.json["name"]["givenName"] == "Another"
    assert r.json["name"] == {"givenName": "Another", "familyName": "User"}
    assert r.json["id"] == uid

    r = scim.patch(
        f"Users/{uid}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert (r.status, r.json["active"]) == (200, False)
    person = Person.objects.get(scim_id=uid)
    assert person.suspended_at is not None

    r = scim.get(f"Users/{uid}")
    assert (r.status, r.json["active"]) == (200, False)
    r = scim.get('Users?filter=userName eq "test.user@okta.local"')
    assert r.json["totalResults"] == 1

    r = scim.patch(
        f"Users/{uid}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert (r.status, r.json["active"], r.json["id"]) == (200, True, uid)

    r = scim.get("Groups?filter=displayName%20eq%20%22Door%20A%22&startIndex=1&count=100")
    assert r.json["totalResults"] == 0
    r = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Door A", "members": []})
    assert r.status == 201
    gid = r.json["id"]

    r = scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"value": uid, "display": "Test.User@okta.local"}],
                }
            ],
        },
    )
    assert r.status == 204
    assert [m["value"] for m in scim.get(f"Groups/{gid}").json["members"]] == [uid]

    r = scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "value": {"id": gid, "displayName": "Door A"}}],
        },
    )
    assert r.status == 204

    r = scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "remove", "path": f'members[value eq "{uid}"]'}],
        },
    )
    assert r.status == 204
    assert scim.get(f"Groups/{gid}").json["members"] == []

    r = scim.put(
        f"Groups/{gid}",
        {"schemas": [GROUP_SCHEMA], "displayName": "Door A (renamed)", "members": []},
    )
    assert (r.status, r.json["displayName"], r.json["members"]) == (200, "Door A (renamed)", [])

    assert scim.delete(f"Groups/{gid}").status == 204
    r = scim.get(f"Groups/{gid}")
    assert (r.status, r.json["status"]) == (404, "404")
    assert Person.objects.filter(scim_id=uid).exists()

    for bad_id in ("010101001010101011001010101011", "00919288221112222"):
        r = scim.get(f"Users/{bad_id}")
        assert r.status == 404
        assert r.json["schemas"] == [ERROR_SCHEMA]
        assert r.json["detail"]


def test_okta_aiw_put_flavour_lifecycle_and_group_push(scim, org):
    """An App Integration Wizard app: every change is GET then PUT of the whole resource,
    and Push Groups is filter → POST → GET → PUT with the full member list."""
    r = scim.get('Users?filter=userName eq "jane@acme.example.com"&startIndex=1&count=100')
    assert r.json["totalResults"] == 0
    uid = scim.post("Users", okta_user("jane@acme.example.com")).json["id"]
    other = scim.post("Users", okta_user("joe@acme.example.com")).json["id"]

    # Profile push: the last GET body with Okta's changes merged in.
    body = scim.get(f"Users/{uid}").json
    body["name"]["givenName"] = "Janet"
    body["meta"]["location"] = "https://stale.example/ignored"
    r = scim.put(f"Users/{uid}", body)
    assert (r.status, r.json["name"]["givenName"], r.json["id"]) == (200, "Janet", uid)

    # Group push.
    assert scim.get('Groups?filter=displayName eq "Lab"').json["totalResults"] == 0
    gid = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Lab", "members": []}
    ).json["id"]
    group = scim.get(f"Groups/{gid}").json
    group["members"] = [{"value": uid, "display": "jane@acme.example.com"}, {"value": other}]
    r = scim.put(f"Groups/{gid}", group)
    assert r.status == 200
    assert sorted(m["value"] for m in r.json["members"]) == sorted([uid, other])

    # Deprovision: GET then PUT with active false; the person keeps id and groups.
    body = scim.get(f"Users/{uid}").json
    body["active"] = False
    r = scim.put(f"Users/{uid}", body)
    assert (r.status, r.json["active"]) == (200, False)
    assert [g["value"] for g in scim.get(f"Users/{uid}").json["groups"]] == [gid]
    assert Person.objects.get(scim_id=uid).suspended_at is not None

    # Reassignment: the filter finds the suspended person; Okta links and PUTs active true.
    r = scim.get('Users?filter=userName eq "JANE@acme.example.com"')
    assert (r.json["totalResults"], r.json["Resources"][0]["active"]) == (1, False)
    body = r.json["Resources"][0]
    body["active"] = True
    r = scim.put(f"Users/{uid}", body)
    assert (r.status, r.json["active"], r.json["id"]) == (200, True, uid)
    assert [g["value"] for g in r.json["groups"]] == [gid]

    # Push Now with an emptied Okta group.
    group = scim.get(f"Groups/{gid}").json
    group["members"] = []
    assert scim.put(f"Groups/{gid}", group).json["members"] == []


def test_entra_id_shapes(scim, org):
    """Microsoft Entra ID: capitalised ops, string booleans, filtered email paths, member
    removal with a value list, enterprise attributes, and DELETE."""
    body = {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": "8b1c0f2e-entra",
        "userName": "Kim@contoso.example",
        "active": True,
        "displayName": "Kim Lee",
        "emails": [{"primary": True, "type": "work", "value": "kim@contoso.example"}],
        "name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Ops"},
    }
    r = scim.post("Users", body)
    assert r.status == 201
    uid = r.json["id"]
    assert scim.get('Users?filter=externalId eq "8b1c0f2e-entra"').json["totalResults"] == 1

    r = scim.patch(
        f"Users/{uid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "kim.lee@contoso.example",
                },
                {"op": "Replace", "path": "name.givenName", "value": "Kimberly"},
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "IT",
                },
                {"op": "Replace", "path": "active", "value": "False"},
            ],
        },
    )
    assert r.status == 200, r.json
    assert r.json["emails"] == [
        {"value": "kim.lee@contoso.example", "type": "work", "primary": True}
    ]
    assert (r.json["name"]["givenName"], r.json["active"]) == ("Kimberly", False)

    gid = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": [{"value": uid}]}
    ).json["id"]
    r = scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"value": uid}]}],
        },
    )
    assert r.status == 204
    assert scim.get(f"Groups/{gid}").json["members"] == []

    assert scim.delete(f"Users/{uid}").status == 204
    assert scim.get(f"Users/{uid}").status == 404
    person = Person.objects.get(scim_id=uid)
    assert (person.is_active, person.idp_deleted_at is not None) == (False, True)


def test_a_person_deleted_by_the_idp_leaves_their_groups_and_cannot_be_linked(scim, org):
    uid = scim.post("Users", okta_user("gone@acme.example.com")).json["id"]
    gid = scim.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Lobby", "members": [{"value": uid}]}
    ).json["id"]
    assert scim.delete(f"Users/{uid}").status == 204
    assert scim.get(f"Groups/{gid}").json["members"] == []
    r = scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}],
        },
    )
    assert (r.status, r.json["scimType"]) == (400, "invalidValue")
    # Created again by the IdP: the same person, ready to be linked again.
    assert scim.post("Users", okta_user("gone@acme.example.com")).json["id"] == uid
    r = scim.patch(
        f"Groups/{gid}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}],
        },
    )
    assert r.status == 204
    assert [m["value"] for m in scim.get(f"Groups/{gid}").json["members"]] == [uid]
