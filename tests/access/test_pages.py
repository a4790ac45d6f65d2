"""The console's access pages (Doors, a door's page, "Why?", the group page's grants, the
person page's doors and cards, Settings → API keys, the cleanup audit's columns) and My
doors (/me/doors/), with the Django test client. Every page and action is tried from a
second org too, where it must be a 404 (or 403) and change nothing."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from access.models import AccessEvent, ApiKey, Credential, Door, Grant, Place
from access.services.credentials import card_add
from access.services.places import door_lockdown
from accounts.actor import Actor
from accounts.models import AuditEvent, Group
from accounts.services.groups import group_create
from accounts.services.people import person_suspend
from provisioning.services.cleanup import cleanup_audit_run
from tests.access.people_sessions import person_session_key
from tests.access.support import make_door, make_grant, make_group, make_person, make_place

pytestmark = pytest.mark.django_db

MONDAY_10_BERLIN = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def site(org):
    place = make_place(org, "Berlin HQ", "Europe/Berlin")
    door = make_door(place, "Front door")
    ada = make_person(org, "ada@acme.example.com", given_name="Ada", family_name="Lovelace")
    group = make_group(org, "Engineering", [ada])
    grant = make_grant(
        group, door, schedule=[{"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"}]
    )
    return {"place": place, "door": door, "ada": ada, "group": group, "grant": grant}


@pytest.fixture
def other_client(other_org):
    from accounts.models import Membership

    client = Client()
    client.force_login(Membership.objects.get(org=other_org, role="owner").account)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Doors --------------------------------------------------------------------------------------


def test_the_navigation_has_doors(owner_client, org):
    assert 'href="/o/acme/doors/"' in text(owner_client.get("/o/acme/"))


def test_owner_creates_renames_and_locks_down(owner_client, org, owner):
    r = owner_client.post(
        "/o/acme/doors/places/new/", {"name": "Berlin HQ", "time_zone": "Europe/Berlin"}
    )
    assert r.status_code == 302
    place = Place.objects.get(org=org)
    r = owner_client.post("/o/acme/doors/new/", {"place": place.pk, "name": "Front door"})
    door = Door.objects.get(org=org)
    assert r["Location"] == f"/o/acme/doors/{door.pk}/"
    page = text(owner_client.get("/o/acme/doors/"))
    assert "Berlin HQ" in page and "Europe/Berlin" in page and "Front door" in page
    owner_client.post(f"/o/acme/doors/places/{place.pk}/rename/", {"name": "Berlin"})
    owner_client.post(f"/o/acme/doors/{door.pk}/rename/", {"name": "Main door"})
    owner_client.post(f"/o/acme/doors/{door.pk}/lockdown/")
    door.refresh_from_db()
    place.refresh_from_db()
    assert (place.name, door.name, door.locked_down) == ("Berlin", "Main door", True)
    assert "Locked down" in text(owner_client.get(f"/o/acme/doors/{door.pk}/"))
    owner_client.post(f"/o/acme/doors/{door.pk}/lift-lockdown/")
    door.refresh_from_db()
    assert not door.locked_down
    actions = list(
        AuditEvent.objects.filter(org=org, actor=owner)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "place.created", "door.created", "place.renamed", "door.renamed", "door.locked_down",
        "door.lockdown_lifted",
    ]  # fmt: skip


def test_an_admin_manages_doors_too(admin_client_org, org):
    r = admin_client_org.post("/o/acme/doors/places/new/", {"name": "HQ", "time_zone": "UTC"})
    assert r.status_code == 302


@pytest.mark.parametrize(
    "body",
    [{"name": "", "time_zone": "UTC"}, {"name": "X", "time_zone": "Mars/Base"}, {"name": "a\x00"}],
)
def test_bad_place_forms_are_400_with_errors(owner_client, body):
    r = owner_client.post("/o/acme/doors/places/new/", body)
    assert r.status_code == 400
    assert "errorlist" in text(r)
    assert not Place.objects.exists()


def test_a_duplicate_door_is_a_form_error(owner_client, site):
    r = owner_client.post("/o/acme/doors/new/", {"place": site["place"].pk, "name": "front DOOR"})
    assert r.status_code == 400
    assert "already has a door named" in text(r)


def test_the_door_page(owner_client, org, site):
    door, ada = site["door"], site["ada"]
    grace = make_person(org, "grace@acme.example.com")
    make_group(org, "Visitors", [grace])
    with time_machine.travel(MONDAY_10_BERLIN, tick=False):
        from access.decision import access_check

        access_check(door=door, person=ada, source="api")
        page = text(owner_client.get(f"/o/acme/doors/{door.pk}/"))
    openers = page.split('data-testid="openers"')[1].split("</table>")[0]
    assert "ada@acme.example.com" in openers and "Engineering" in openers
    assert "grace@" not in openers
    grants = page.split('data-testid="grants"')[1].split("</table>")[0]
    assert "Mon–Fri 08:00–18:00" in grants and "Open now" in grants
    events = page.split('data-testid="events"')[1].split("</table>")[0]
    assert "ada@acme.example.com" in events and "allowed" in events
    # The event's time on the place's clock, with its zone.
    assert (
        '<time datetime="2026-01-12T10:00:00+01:00">2026-01-12 10:00 Europe/Berlin</time>' in events
    )


def test_why_for_a_person(owner_client, org, site):
    door = site["door"]
    with time_machine.travel(MONDAY_10_BERLIN, tick=False):
        r = owner_client.get(f"/o/acme/doors/{door.pk}/why/", {"person": "ADA@acme.example.com"})
    assert r.status_code == 200
    assert (
        "Ada Lovelace → Engineering → Front door, Mon–Fri 08:00–18:00 Europe/Berlin → allowed"
        in text(r)
    )
    event = AccessEvent.objects.get()
    assert (event.source, event.requested_by) == ("console", "owner@acme.example.com")
    person_suspend(person=site["ada"], actor=Actor.scim())
    r = owner_client.get(f"/o/acme/doors/{door.pk}/why/", {"person": site["ada"].scim_id})
    assert "the person is suspended → denied (person_suspended)" in text(r)
    missing = owner_client.get(f"/o/acme/doors/{door.pk}/why/", {"person": "nobody"})
    assert missing.status_code == 404
    assert "No one with this userName" in text(missing)
    r = owner_client.get("/o/acme/why/", {"door": door.pk, "person": site["ada"].scim_id})
    assert r.status_code == 302 and r["Location"].startswith(f"/o/acme/doors/{door.pk}/why/?")


# The group page --------------------------------------------------------------------------


def test_the_group_page_grants_and_the_editor(owner_client, org, site):
    group = site["group"]
    back = make_door(site["place"], "Back door")
    page = text(owner_client.get(f"/o/acme/groups/{group.scim_id}/"))
    assert "Doors this group opens" in page and 'data-testid="grant-editor"' in page
    assert "managed by your identity provider" not in page
    r = owner_client.post(
        f"/o/acme/groups/{group.scim_id}/grants/new/",
        {
            "door": back.pk,
            "days_0": ["5", "6"],
            "start_0": "22:00",
            "end_0": "06:00",
            "valid_from": "2026-01-01",
            "valid_until": "",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("#doors")
    grant = Grant.objects.get(door=back)
    assert grant.schedule == [{"days": [5, 6], "start": "22:00", "end": "06:00"}]
    assert grant.valid_from == dt.date(2026, 1, 1)
    page = text(owner_client.get(f"/o/acme/groups/{group.scim_id}/"))
    assert "Sat, Sun 22:00–06:00" in page and "from 2026-01-01" in page
    r = owner_client.post(
        f"/o/acme/groups/{group.scim_id}/grants/new/",
        {"door": back.pk, "days_0": ["1"], "start_0": "9am", "end_0": "10:00"},
        follow=True,
    )
    assert "No grant added" in text(r) and "HH:MM" in text(r)
    r = owner_client.post(
        f"/o/acme/grants/{grant.pk}/delete/",
        {"next": f"/o/acme/groups/{group.scim_id}/#doors"},
    )
    assert r["Location"] == f"/o/acme/groups/{group.scim_id}/#doors"
    assert not Grant.objects.filter(pk=grant.pk).exists()
    r = owner_client.post(
        f"/o/acme/grants/{site['grant'].pk}/delete/", {"next": "https://evil.example/"}
    )
    assert r["Location"] == f"/o/acme/groups/{group.scim_id}/"


def test_a_pushed_groups_page_says_the_idp_manages_its_members(owner_client, org):
    pushed = group_create(org=org, display_name="Okta Engineering", actor=Actor.scim())
    page = text(owner_client.get(f"/o/acme/groups/{pushed.scim_id}/"))
    assert "Members managed by your identity provider" in page
    assert pushed.source == Group.Source.SCIM


# The person page -------------------------------------------------------------------------


def test_the_person_page_doors_events_and_cards(owner_client, org, site):
    ada, door = site["ada"], site["door"]
    with time_machine.travel(MONDAY_10_BERLIN, tick=False):
        from access.decision import access_check

        access_check(door=door, person=ada, source="api")
        page = text(owner_client.get(f"/o/acme/people/{ada.scim_id}/"))
    assert "Doors they can open now" in page
    doors = page.split('data-testid="person-doors"')[1].split("</ul>")[0]
    assert "Front door" in doors and "via Engineering" in doors and "Why?" in doors
    assert "allowed" in page.split('data-testid="person-events"')[1].split("</table>")[0]
    r = owner_client.post(f"/o/acme/people/{ada.scim_id}/cards/new/", {"number": "04:A2"})
    assert r["Location"].endswith("#cards")
    card = Credential.objects.get(person=ada)
    assert (card.number, card.source, card.status) == ("04:A2", "console", "active")
    r = owner_client.post(
        f"/o/acme/people/{ada.scim_id}/cards/new/", {"number": "04:A2"}, follow=True
    )
    assert "already live" in text(r)
    owner_client.post(f"/o/acme/cards/{card.pk}/revoke/")
    card.refresh_from_db()
    assert card.status == "revoked"


def test_a_suspended_persons_page_shows_the_doors_they_would_regain(owner_client, site):
    ada = site["ada"]
    person_suspend(person=ada, actor=Actor.scim())
    with time_machine.travel(MONDAY_10_BERLIN, tick=False):
        page = text(owner_client.get(f"/o/acme/people/{ada.scim_id}/"))
    assert "Doors they would regain if reactivated" in page
    assert "Front door" in page.split('data-testid="person-doors"')[1].split("</ul>")[0]


def test_the_cleanup_audit_shows_what_reactivation_would_give_back(owner_client, org, site):
    ada, door = site["ada"], site["door"]
    with time_machine.travel(MONDAY_10_BERLIN, tick=False):
        from access.decision import access_check

        access_check(door=door, person=ada, source="api")
        person_suspend(person=ada, actor=Actor.scim())
    with time_machine.travel(MONDAY_10_BERLIN + dt.timedelta(days=40, hours=1), tick=False):
        cleanup_audit_run(org=org)
        page = text(owner_client.get("/o/acme/cleanup/"))
    row = page.split('data-finding="ada@acme.example.com"')[1].split("</tr>")[0]
    assert "Front door" in row.split('data-testid="would-regain"')[1].split("</td>")[0]
    assert "2026-01-12 09:00 UTC" in row.split('data-testid="last-door-use"')[1]


# Settings → API keys ---------------------------------------------------------------------


def test_the_owner_makes_a_key_that_is_shown_once(owner_client, org):
    assert "API keys" in text(owner_client.get("/o/acme/settings/"))
    r = owner_client.post("/o/acme/settings/api-keys/new/", {"name": "Front reader"})
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    raw = re.search(r'value="(kapi_[^"]+)"', r.content.decode()).group(1)
    key = ApiKey.objects.get(org=org)
    assert key.name == "Front reader" and raw.endswith(key.last4) and raw not in key.digest
    listing = text(owner_client.get("/o/acme/settings/api-keys/"))
    assert key.masked in listing and raw not in listing
    from tests.access.support import ApiClient

    assert ApiClient(raw).get("places").status == 200
    owner_client.post(f"/o/acme/settings/api-keys/{key.pk}/revoke/")
    assert ApiClient(raw).get("places").status == 401
    assert owner_client.post("/o/acme/settings/api-keys/new/", {"name": ""}).status_code == 400


def test_admins_cannot_see_or_make_api_keys(admin_client_org):
    assert admin_client_org.get("/o/acme/settings/api-keys/").status_code == 403
    assert admin_client_org.post("/o/acme/settings/api-keys/new/", {"name": "x"}).status_code == 403
    assert not ApiKey.objects.exists()


# My doors ----------------------------------------------------------------------------------


def _signed_in(person) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = person_session_key(person)
    return client


def test_my_doors_and_unlock(org, site):
    ada, door = site["ada"], site["door"]
    client = _signed_in(ada)
    with time_machine.travel(MONDAY_10_BERLIN, tick=False):
        page = client.get("/me/doors/")
        assert page.status_code == 200
        assert "Front door" in text(page) and "Open to you now" in text(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        r = client.post(f"/me/doors/{door.pk}/unlock/", {"csrfmiddlewaretoken": token.group(1)})
        assert r.status_code == 302 and r["Location"] == "/me/doors/"
        assert "Front door unlocked." in text(client.get("/me/doors/"))
    event = AccessEvent.objects.get()
    assert (event.source, event.person, event.decision) == ("web", ada, "allow")
    door_lockdown(door=door, actor=Actor.system())
    client.post(f"/me/doors/{door.pk}/unlock/", {"csrfmiddlewaretoken": token.group(1)})
    assert "did not unlock: the door is locked down" in text(client.get("/me/doors/"))


def test_unlock_needs_the_csrf_token(site):
    client = _signed_in(site["ada"])
    assert client.post(f"/me/doors/{site['door'].pk}/unlock/").status_code == 403
    assert not AccessEvent.objects.exists()


def test_without_a_person_session_my_doors_says_to_sign_in_with_sso(client, owner_client, site):
    for c in (client, owner_client):  # a console login is not a person's session
        r = c.get("/me/doors/")
        assert r.status_code == 403 and "Sign in with SSO" in text(r)
        assert c.post(f"/me/doors/{site['door'].pk}/unlock/").status_code == 403
    assert not AccessEvent.objects.exists()


def test_a_suspension_ends_my_doors_at_the_next_request(site):
    client = _signed_in(site["ada"])
    assert client.get("/me/doors/").status_code == 200
    person_suspend(person=site["ada"], actor=Actor.scim())
    assert client.get("/me/doors/").status_code == 403


def test_my_doors_never_reach_another_orgs_door(site, other_org):
    foreign = make_door(make_place(other_org, "Globex HQ"))
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = person_session_key(site["ada"])
    assert client.post(f"/me/doors/{foreign.pk}/unlock/").status_code == 404
    assert client.post("/me/doors/abc/unlock/").status_code == 404
    assert not AccessEvent.objects.exists()


# Isolation: org B's owner reaches nothing of org A -------------------------------------------


def test_another_orgs_owner_reaches_nothing(other_client, org, site, owner_client):
    door, group, grant, ada, place = (site[k] for k in ("door", "group", "grant", "ada", "place"))
    card = card_add(person=ada, number="77", actor=Actor.system())
    # Org A's pages under org A's URL: not a member, 403.
    for url in ("/o/acme/doors/", f"/o/acme/doors/{door.pk}/", "/o/acme/settings/api-keys/"):
        assert other_client.get(url).status_code == 403, url
    # Org A's ids under org B's own URL: not found.
    gets = [
        f"/o/globex/doors/{door.pk}/",
        f"/o/globex/doors/{door.pk}/why/?person={ada.scim_id}",
        f"/o/globex/why/?door={door.pk}&person={ada.scim_id}",
    ]
    for url in gets:
        assert other_client.get(url).status_code == 404, url
    posts = [
        (f"/o/globex/doors/places/{place.pk}/rename/", {"name": "Mine"}),
        (f"/o/globex/doors/{door.pk}/rename/", {"name": "Mine"}),
        (f"/o/globex/doors/{door.pk}/lockdown/", {}),
        (f"/o/globex/doors/{door.pk}/lift-lockdown/", {}),
        (f"/o/globex/groups/{group.scim_id}/grants/new/", {"door": door.pk}),
        (f"/o/globex/grants/{grant.pk}/delete/", {}),
        (f"/o/globex/people/{ada.scim_id}/cards/new/", {"number": "1"}),
        (f"/o/globex/cards/{card.pk}/revoke/", {}),
        ("/o/globex/doors/new/", {"place": place.pk, "name": "Sneaky"}),
    ]
    for url, body in posts:
        assert other_client.post(url, body).status_code in (400, 404), url
    assert "Front door" not in text(other_client.get("/o/globex/doors/"))
    door.refresh_from_db()
    place.refresh_from_db()
    assert (door.name, door.locked_down, place.name) == ("Front door", False, "Berlin HQ")
    assert Grant.objects.filter(pk=grant.pk).exists()
    assert Door.objects.count() == 1
    card.refresh_from_db()
    assert card.status == "active"
    assert not AccessEvent.objects.exists()
    assert not ApiKey.objects.exists()


def test_console_group_members_are_edited_in_the_console_and_pushed_ones_are_not(
    owner_client, org, site
):
    group = site["group"]
    grace = make_person(org, "grace@acme.example.com")
    page = text(owner_client.get(f"/o/acme/groups/{group.scim_id}/"))
    assert 'data-testid="member-add"' in page
    owner_client.post(
        f"/o/acme/groups/{group.scim_id}/members/add/", {"user_name": "GRACE@acme.example.com"}
    )
    assert set(group.members.values_list("user_name", flat=True)) == {
        "ada@acme.example.com",
        "grace@acme.example.com",
    }
    owner_client.post(f"/o/acme/groups/{group.scim_id}/members/remove/", {"person": grace.scim_id})
    assert list(group.members.values_list("user_name", flat=True)) == ["ada@acme.example.com"]

    pushed = group_create(
        org=org, display_name="Okta group", member_ids=[grace.scim_id], actor=Actor.scim()
    )
    page = text(owner_client.get(f"/o/acme/groups/{pushed.scim_id}/"))
    assert 'data-testid="member-add"' not in page
    r = owner_client.post(
        f"/o/acme/groups/{pushed.scim_id}/members/remove/", {"person": grace.scim_id}, follow=True
    )
    assert "managed by your identity provider" in text(r)
    assert list(pushed.members.values_list("user_name", flat=True)) == ["grace@acme.example.com"]


def test_another_orgs_owner_cannot_edit_members(other_client, site):
    group, ada = site["group"], site["ada"]
    r = other_client.post(
        f"/o/globex/groups/{group.scim_id}/members/remove/", {"person": ada.scim_id}
    )
    assert r.status_code == 404
    assert (
        other_client.post(
            f"/o/acme/groups/{group.scim_id}/members/remove/", {"person": ada.scim_id}
        ).status_code
        == 403
    )
    assert list(group.members.all()) == [ada]
