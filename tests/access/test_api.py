"""The REST API (/api/v1/): every endpoint, its errors, and a second org that stays
invisible. Real keys from the key service, real services and decisions underneath."""

import datetime as dt
import json

import pytest
import time_machine

from access.models import AccessEvent, Door, Grant, Place
from access.services.api_keys import api_key_revoke
from access.services.credentials import card_add
from accounts.actor import Actor
from accounts.models import AuditEvent
from accounts.services.people import person_suspend
from tests.access.support import (
    ApiClient,
    api_key,
    make_door,
    make_grant,
    make_group,
    make_person,
    make_place,
)

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 in Berlin (CET, UTC+1).
WEDNESDAY_10_BERLIN = dt.datetime(2026, 1, 14, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def api(org):
    return ApiClient(api_key(org))


@pytest.fixture
def api_other(other_org):
    return ApiClient(api_key(other_org, "globex controller"))


@pytest.fixture
def site(org):
    """A place with a door, Ada in Engineering, and Engineering's grant on the door."""
    place = make_place(org)
    door = make_door(place)
    ada = make_person(org, "ada@acme.example.com")
    group = make_group(org, "Engineering", [ada])
    grant = make_grant(group, door)
    return place, door, ada, group, grant


# Authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer kapi_not-a-key", "Basic dXNlcjpwYXNz", "kapi_bare-key-no-bearer"],
)
def test_a_missing_or_wrong_key_is_401_with_a_detail(org, authorization):
    response = ApiClient(None, authorization=authorization).get("places")
    assert response.status == 401
    assert set(response.json) == {"detail"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_key_is_401_at_once(org):
    raw = api_key(org, "old")
    client = ApiClient(raw)
    assert client.get("places").status == 200
    from access.selectors import api_key_list_live

    api_key_revoke(key=api_key_list_live(org=org).get(), actor=Actor.system())
    assert client.get("places").status == 401


def test_the_bare_key_without_bearer_is_refused(org):
    raw = api_key(org)
    assert ApiClient(None, authorization=raw).get("places").status == 401


# Places -----------------------------------------------------------------------------------


def test_places_create_and_list_with_and_without_a_trailing_slash(api):
    created = api.post("places", {"name": "Berlin HQ", "time_zone": "Europe/Berlin"})
    assert created.status == 201
    assert created.json == {
        "id": created.json["id"],
        "name": "Berlin HQ",
        "time_zone": "Europe/Berlin",
        "created_at": created.json["created_at"],
    }
    again = api.post("places/", {"name": "New York", "time_zone": "America/New_York"})
    assert again.status == 201
    for path in ("places", "places/"):
        listed = api.get(path)
        assert listed.status == 200
        assert [p["name"] for p in listed.json["results"]] == ["Berlin HQ", "New York"]
        assert listed.json["count"] == 2


def test_place_creation_is_audited_under_the_key(api, org):
    api.post("places", {"name": "Berlin HQ", "time_zone": "Europe/Berlin"})
    event = AuditEvent.objects.get(org=org, action="place.created")
    assert event.actor_kind == "api"
    assert event.actor_label == "API key door controller"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "X"}, "time_zone"),
        ({"time_zone": "UTC"}, "name"),
        ({"name": 5, "time_zone": "UTC"}, "name"),
        ({"name": ["X"], "time_zone": "UTC"}, "name"),
        ({"name": "X", "time_zone": None}, "time_zone"),
        ({"name": "a\x00b", "time_zone": "UTC"}, "name"),
        ({"name": "x" * 100_000, "time_zone": "UTC"}, "name"),
        ({"name": "   ", "time_zone": "UTC"}, "name"),
    ],
)
def test_bad_place_bodies_are_400_naming_the_field_and_write_nothing(api, body, field):
    response = api.post("places", body)
    assert response.status == 400
    assert isinstance(response.json["detail"], str) and response.json["detail"]
    assert field in response.json["errors"]
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        "not json",
        "[1, 2]",
        '"a string"',
        "null",
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"name": NaN, "time_zone": "UTC"}',
        b'{"name": "\xff", "time_zone": "UTC"}',
    ],
)
def test_malformed_bodies_are_400_with_a_detail(api, raw):
    response = api.post("places", raw=raw)
    assert response.status == 400
    assert isinstance(response.json["detail"], str)
    assert not Place.objects.exists()


def test_a_body_over_the_limit_is_413(api, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = api.post("places", {"name": "x" * 2000, "time_zone": "UTC"})
    assert response.status == 413
    assert "larger than 1000 bytes" in response.json["detail"]


def test_a_duplicate_place_name_is_409(api):
    api.post("places", {"name": "HQ", "time_zone": "UTC"})
    response = api.post("places", {"name": "hq", "time_zone": "UTC"})
    assert response.status == 409
    assert response.json == {"detail": "A place named 'hq' already exists."}
    assert Place.objects.count() == 1


# Doors ------------------------------------------------------------------------------------


def test_doors_create_and_list(api, org):
    place = make_place(org)
    other = make_place(org, "Annex", "UTC")
    created = api.post("doors", {"place": place.pk, "name": "Front door"})
    assert created.status == 201
    assert created.json == {
        "id": created.json["id"],
        "place": place.pk,
        "name": "Front door",
        "locked_down": False,
        "created_at": created.json["created_at"],
    }
    api.post("doors/", {"place": other.pk, "name": "Back door"})
    assert [d["name"] for d in api.get("doors").json["results"]] == ["Back door", "Front door"]
    assert [d["name"] for d in api.get(f"doors?place={place.pk}").json["results"]] == ["Front door"]
    assert api.get("doors?place=abc").status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Door"}, "place"),
        ({"place": "1", "name": "Door"}, "place"),
        ({"place": 1.5, "name": "Door"}, "place"),
        ({"place": True, "name": "Door"}, "place"),
        ({"place": 10**30, "name": "Door"}, "place"),
        ({"place": 999_999, "name": "Door"}, "place"),
        ({"place": "PLACE", "name": ""}, "name"),
    ],
)
def test_bad_door_bodies_are_400(api, org, body, field):
    make_place(org)
    response = api.post("doors", body)
    assert response.status == 400
    assert field in response.json["errors"]
    assert not Door.objects.exists()


def test_a_door_in_another_orgs_place_is_400(api, other_org):
    foreign = make_place(other_org, "Globex HQ")
    response = api.post("doors", {"place": foreign.pk, "name": "Sneaky door"})
    assert response.status == 400
    assert response.json["errors"] == {"place": ["No place with this id in this organization."]}
    assert not Door.objects.exists()


# Grants -----------------------------------------------------------------------------------


def test_grants_create_read_list_and_delete(api, org):
    place = make_place(org)
    door = make_door(place)
    group = make_group(org)
    body = {
        "group": group.scim_id,
        "door": door.pk,
        "schedule": [{"days": [4, 0, 1, 2, 3, 3], "start": "08:00", "end": "18:00"}],
        "valid_from": "2026-01-01",
        "valid_until": "2026-06-30",
    }
    created = api.post("grants", body)
    assert created.status == 201
    grant_id = created.json["id"]
    assert created.json == {
        "id": grant_id,
        "group": group.scim_id,
        "group_name": "Engineering",
        "door": door.pk,
        "schedule": [{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}],
        "valid_from": "2026-01-01",
        "valid_until": "2026-06-30",
        "created_at": created.json["created_at"],
        "created_by_label": "API key door controller",
    }
    assert api.get(f"grants/{grant_id}").json == created.json
    assert [g["id"] for g in api.get("grants/").json["results"]] == [grant_id]
    minimal = api.post("grants/", {"group": group.scim_id, "door": door.pk})
    assert minimal.status == 201
    assert minimal.json["schedule"] == []
    assert minimal.json["valid_from"] is None

    assert api.delete(f"grants/{grant_id}").status == 204
    assert api.delete(f"grants/{grant_id}/").status == 404
    assert list(Grant.objects.values_list("pk", flat=True)) == [minimal.json["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"group": "no-such-group"}, "group"),
        ({"group": 12}, "group"),
        ({"door": "1"}, "door"),
        ({"door": 999_999}, "door"),
        ({"schedule": "weekdays"}, "schedule"),
        ({"schedule": [{"days": [7], "start": "08:00", "end": "18:00"}]}, "schedule"),
        ({"schedule": [{"days": [1], "start": "8am", "end": "18:00"}]}, "schedule"),
        ({"schedule": [{"days": [1], "start": "08:00", "end": "08:00"}]}, "schedule"),
        ({"schedule": [{"days": [1], "start": "24:00", "end": "08:00"}]}, "schedule"),
        ({"schedule": [{"days": [True], "start": "08:00", "end": "09:00"}]}, "schedule"),
        ({"schedule": [{"days": [1], "start": "08:00", "end": "09:00", "x": 1}]}, "schedule"),
        ({"valid_from": "tomorrow"}, "valid_from"),
        ({"valid_from": 20260101}, "valid_from"),
        ({"valid_from": "2026-02-01", "valid_until": "2026-01-01"}, "valid_until"),
    ],
)
def test_bad_grant_bodies_are_400_and_write_nothing(api, org, change, field):
    door = make_door(make_place(org))
    group = make_group(org)
    response = api.post("grants", {"group": group.scim_id, "door": door.pk, **change})
    assert response.status == 400, response.json
    assert field in response.json["errors"], response.json
    assert not Grant.objects.exists()


def test_grants_never_link_another_orgs_group_or_door(api, org, other_org):
    door = make_door(make_place(org))
    group = make_group(org)
    foreign_door = make_door(make_place(other_org, "Globex HQ"))
    foreign_group = make_group(other_org, "Globex staff")
    assert api.post("grants", {"group": foreign_group.scim_id, "door": door.pk}).json["errors"] == {
        "group": ["No group with this id in this organization."]
    }
    assert api.post("grants", {"group": group.scim_id, "door": foreign_door.pk}).json["errors"] == {
        "door": ["No door with this id in this organization."]
    }
    assert not Grant.objects.exists()


@pytest.mark.parametrize("grant_id", ["abc", "0", "-1", "1.5", "99999999999999999999999", "%00"])
def test_odd_grant_ids_are_404(api, grant_id):
    for method in ("GET", "DELETE"):
        response = api.request(method, f"grants/{grant_id}")
        assert response.status == 404
        assert set(response.json) == {"detail"}


# Checks -----------------------------------------------------------------------------------


@time_machine.travel(WEDNESDAY_10_BERLIN, tick=False)
def test_check_allows_with_the_grant_and_records_an_event(api, site):
    _, door, ada, _, grant = site
    response = api.post(f"doors/{door.pk}/check", {"person": ada.scim_id})
    assert response.status == 200
    event = AccessEvent.objects.get()
    assert response.json == {
        "decision": "allow",
        "reason": "allowed",
        "grant": grant.pk,
        "door": door.pk,
        "person": ada.scim_id,
        "event": event.pk,
        "time": "2026-01-14T09:00:00Z",
    }
    assert (event.decision, event.reason, event.source, event.grant_id) == (
        "allow",
        "allowed",
        "api",
        grant.pk,
    )
    assert event.requested_by == "API key door controller"
    assert api.post(f"doors/{door.pk}/check/", {"person": ada.scim_id}).status == 200


def test_check_denies_a_suspended_person(api, site):
    _, door, ada, _, _ = site
    person_suspend(person=ada, actor=Actor.scim())
    response = api.post(f"doors/{door.pk}/check", {"person": ada.scim_id})
    assert (response.json["decision"], response.json["reason"], response.json["grant"]) == (
        "deny",
        "person_suspended",
        None,
    )


def test_check_by_card(api, org, site):
    _, door, ada, _, grant = site
    card_add(person=ada, number="04:A2:19:7F", actor=Actor.system())
    allowed = api.post(f"doors/{door.pk}/check", {"card": "04:A2:19:7F"})
    assert (allowed.json["decision"], allowed.json["person"], allowed.json["grant"]) == (
        "allow",
        ada.scim_id,
        grant.pk,
    )
    unknown = api.post(f"doors/{door.pk}/check", {"card": "FF:FF"})
    assert unknown.status == 200
    assert (unknown.json["decision"], unknown.json["reason"], unknown.json["person"]) == (
        "deny",
        "unknown_card",
        None,
    )
    event = AccessEvent.objects.filter(reason="unknown_card").get()
    assert (event.card_number, event.person_id) == ("FF:FF", None)


@pytest.mark.parametrize(
    "body",
    [{}, {"person": "x", "card": "y"}, {"person": 5}, {"card": ["1"]}, {"person": "a\x00"}],
)
def test_check_bodies_need_exactly_one_of_person_and_card(api, site, body):
    door = site[1]
    response = api.post(f"doors/{door.pk}/check", body)
    assert response.status == 400
    assert isinstance(response.json["detail"], str)
    assert not AccessEvent.objects.exists()


def test_check_of_another_orgs_person_is_400_and_of_its_door_404(api, site, other_org):
    door = site[1]
    stranger = make_person(other_org, "spy@globex.example.com")
    foreign_door = make_door(make_place(other_org, "Globex HQ"))
    response = api.post(f"doors/{door.pk}/check", {"person": stranger.scim_id})
    assert response.status == 400
    assert response.json["errors"] == {"person": ["No person with this id in this organization."]}
    response = api.post(f"doors/{foreign_door.pk}/check", {"person": site[2].scim_id})
    assert response.status == 404
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("door_id", ["abc", "0", "1e3", "99999999999999999999999"])
def test_check_of_an_odd_door_id_is_404(api, door_id):
    response = api.post(f"doors/{door_id}/check", {"person": "x"})
    assert response.status == 404
    assert set(response.json) == {"detail"}


# A person's doors ------------------------------------------------------------------------


@time_machine.travel(WEDNESDAY_10_BERLIN, tick=False)
def test_a_persons_doors_now(api, org, site):
    place, door, ada, group, grant = site
    night = make_door(place, "Night entrance")
    make_grant(group, night, schedule=[{"days": [2], "start": "20:00", "end": "06:00"}])
    make_door(place, "Not granted")
    for path in (f"people/{ada.scim_id}/doors", f"people/{ada.scim_id}/doors/"):
        response = api.get(path)
        assert response.status == 200
        assert response.json == {
            "count": 1,
            "next": None,
            "previous": None,
            "results": [
                {
                    "id": door.pk,
                    "name": "Front door",
                    "place": place.pk,
                    "place_name": "HQ",
                    "grant": grant.pk,
                    "group": group.scim_id,
                }
            ],
        }
    person_suspend(person=ada, actor=Actor.scim())
    assert api.get(f"people/{ada.scim_id}/doors").json["results"] == []


def test_a_persons_doors_of_another_org_or_unknown_is_404(api, other_org):
    stranger = make_person(other_org, "spy@globex.example.com")
    for person_id in (stranger.scim_id, "nobody", "x" * 65):
        assert api.get(f"people/{person_id}/doors").status == 404


# Events -----------------------------------------------------------------------------------


def test_events_newest_first_filtered_by_door_and_person(api, org, site):
    place, door, ada, _, _ = site
    grace = make_person(org, "grace@acme.example.com")
    back = make_door(place, "Back door")
    with time_machine.travel(WEDNESDAY_10_BERLIN, tick=False) as clock:
        api.post(f"doors/{door.pk}/check", {"person": ada.scim_id})
        clock.shift(60)
        api.post(f"doors/{door.pk}/check", {"person": grace.scim_id})
        clock.shift(60)
        api.post(f"doors/{back.pk}/check", {"person": ada.scim_id})
    everything = api.get("events").json["results"]
    assert [(e["door"], e["person"], e["decision"], e["reason"]) for e in everything] == [
        (back.pk, ada.scim_id, "deny", "no_grant"),
        (door.pk, grace.scim_id, "deny", "no_grant"),
        (door.pk, ada.scim_id, "allow", "allowed"),
    ]
    assert everything[0]["time"] == "2026-01-14T09:02:00Z"
    assert set(everything[0]) == {
        "id", "time", "door", "door_name", "person", "card", "decision", "reason", "grant",
        "source", "latency_ms",
    }  # fmt: skip
    by_door = api.get(f"events?door={door.pk}").json["results"]
    assert [e["person"] for e in by_door] == [grace.scim_id, ada.scim_id]
    by_person = api.get(f"events/?person={ada.scim_id}").json["results"]
    assert [e["door"] for e in by_person] == [back.pk, door.pk]
    both = api.get(f"events?door={door.pk}&person={ada.scim_id}").json["results"]
    assert len(both) == 1


def test_events_pages(api, site):
    door, ada = site[1], site[2]
    for _ in range(3):
        api.post(f"doors/{door.pk}/check", {"person": ada.scim_id})
    page = api.get("events?page_size=2").json
    assert (page["count"], len(page["results"])) == (3, 2)
    assert page["next"].endswith("page=2&page_size=2")
    assert api.get("events?page=9").status == 404
    assert api.get("events?page=abc").status == 404


@pytest.mark.parametrize("query", ["door=abc", "door=0", "person=nobody", "person=%00"])
def test_events_filters_naming_nothing_are_404(api, query):
    response = api.get(f"events?{query}")
    assert response.status == 404
    assert set(response.json) == {"detail"}


# Isolation: org B's key sees and changes nothing of org A --------------------------------


def test_another_orgs_key_sees_and_changes_nothing(api, api_other, org, site):
    place, door, ada, group, grant = site
    api.post(f"doors/{door.pk}/check", {"person": ada.scim_id})
    assert api_other.get("places").json["results"] == []
    assert api_other.get("doors").json["results"] == []
    assert api_other.get("grants").json["results"] == []
    assert api_other.get("events").json["results"] == []
    assert api_other.get(f"doors?place={place.pk}").status == 404
    assert api_other.get(f"grants/{grant.pk}").status == 404
    assert api_other.delete(f"grants/{grant.pk}").status == 404
    assert api_other.post(f"doors/{door.pk}/check", {"person": ada.scim_id}).status == 404
    assert api_other.get(f"people/{ada.scim_id}/doors").status == 404
    assert api_other.get(f"events?door={door.pk}").status == 404
    assert api_other.get(f"events?person={ada.scim_id}").status == 404
    assert api_other.post("doors", {"place": place.pk, "name": "Mine now"}).status == 400
    assert api_other.post("grants", {"group": group.scim_id, "door": door.pk}).status == 400
    assert Grant.objects.count() == 1
    assert AccessEvent.objects.count() == 1
    assert Door.objects.count() == 1


# The rest ---------------------------------------------------------------------------------


def test_unknown_paths_and_methods_are_json_4xx(api):
    for path in ("/api/v1/nothing", "/api/v1/", "/api/v1", "/api/v1/doors/1/open"):
        response = api.get(path)
        assert response.status == 404, path
        assert set(response.json) == {"detail"}
    response = api.request("PUT", "places", {"name": "x"})
    assert response.status == 405
    assert response.json == {"detail": 'Method "PUT" not allowed.'}
    assert api.request("DELETE", "places").status == 405


def test_no_endpoint_redirects(api, site):
    door, ada = site[1], site[2]
    paths = [
        ("GET", "places"), ("GET", "doors"), ("GET", "grants"), ("GET", "events"),
        ("GET", f"people/{ada.scim_id}/doors"), ("GET", f"grants/{site[4].pk}"),
        ("POST", f"doors/{door.pk}/check"),
    ]  # fmt: skip
    for method, path in paths:
        for variant in (path, path + "/"):
            status = api.request(method, variant, {"person": ada.scim_id}).status
            assert status < 300, (method, variant, status)


def test_the_openapi_schema_and_the_local_reference(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    document = json.loads(schema.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {
        "/api/v1/places",
        "/api/v1/doors",
        "/api/v1/grants",
        "/api/v1/grants/{grant_id}",
        "/api/v1/doors/{door_id}/check",
        "/api/v1/people/{person_id}/doors",
        "/api/v1/events",
    }
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html and "https://" not in html  # everything served locally
    assert "<script>" not in html  # the init script is a file (a CSP is coming)
