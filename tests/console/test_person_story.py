"""A person's story, the console's emergency lock that SCIM cannot lift, and the audit trail
for owners and admins, through the real SCIM endpoint, services and pages, with a second
org whose rows must never show."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from access.decision import Reason, access_check
from access.selectors import door_get
from accounts.actor import Actor
from accounts.models import AuditEvent, ConsoleSuspension, Person
from accounts.services.groups import group_create
from accounts.services.people import (
    person_console_reactivate,
    person_console_suspend,
    person_create,
    person_reactivate,
)
from notifications.models import OutboxMessage
from provisioning.models import CleanupFinding, ProvisioningLogEntry
from provisioning.services.lifecycle import console_person_reactivate, console_person_suspend
from tests.access.support import make_door, make_grant, make_group, make_place
from tests.factories import AccountFactory
from tests.provisioning.scim.client import PATCH_OP, ScimClient, issue_token, okta_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scim(org) -> ScimClient:
    return ScimClient(issue_token(org))


def _active_patch(active: bool) -> dict:
    # Okta's deactivate / reactivate PATCH, verbatim.
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": active}}]}


def _person(org, scim_id: str) -> Person:
    return Person.objects.get(org=org, scim_id=scim_id)


def _url(name: str, org, *args: str) -> str:
    return reverse(name, args=[org.slug, *args])


def _timeline(html: str) -> list[str]:
    """The timeline's entries as read: what | detail | who (the moment left out)."""
    story = html[html.index('data-testid="timeline"') : html.index("</ol>", html.index("timeline"))]
    entries = []
    for item in re.findall(r'<li class="tl [^"]*">(.*?)</li>', story, re.S):
        parts = re.findall(
            r'<span class="tl-(?:what|detail|meta)">(.*?)</span>\s*(?=<span class="tl-|$)',
            item.strip(),
            re.S,
        )
        texts = [
            re.sub(r"\s+", " ", re.sub(r"<time[^>]*>.*?</time>|<[^>]+>", "", p)).strip(" ·")
            for p in parts
        ]
        entries.append(" | ".join(t for t in texts if t))
    return entries


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ada(scim, org) -> dict:
    """Ada, created by Okta over SCIM."""
    r = scim.post("Users", okta_user("ada@acme.example.com", name={"givenName": "Ada"}))
    assert r.status == 201
    return r.json


# The lock -------------------------------------------------------------------------------


def test_scim_patch_active_true_is_ignored_while_suspended_in_the_console(scim, org, owner, ada):
    person = _person(org, ada["id"])
    console_person_suspend(
        person=person, reason="Lost badge, reported stolen", actor=Actor.of(owner)
    )
    r = scim.patch(f"Users/{ada['id']}", _active_patch(True))
    assert r.status == 200
    assert r.json["active"] is False
    assert scim.get(f"Users/{ada['id']}").json["active"] is False
    person.refresh_from_db()
    assert not person.is_active
    event = AuditEvent.objects.get(org=org, action="person.reactivation_ignored")
    assert (event.actor_kind, event.target_id, event.details) == (
        "scim",
        ada["id"],
        {"locked_by": owner.email, "reason": "Lost badge, reported stolen"},
    )
    # The provisioning log (and the dashboard's chart) do not count it as a reactivation.
    entry = ProvisioningLogEntry.objects.filter(org=org, method="PATCH").latest("id")
    assert (entry.action, entry.change["reactivation_ignored"]) == ("unchanged", True)


def test_scim_put_active_true_is_ignored_but_the_rest_applies(scim, org, owner, ada):
    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="Investigation", actor=Actor.of(owner))
    body = okta_user("ada@acme.example.com", name={"givenName": "Ada", "familyName": "King"})
    r = scim.put(f"Users/{ada['id']}", {**body, "id": ada["id"]})
    assert r.status == 200
    assert (r.json["active"], r.json["name"]["familyName"]) == (False, "King")
    assert AuditEvent.objects.filter(org=org, action="person.reactivation_ignored").count() == 1
    entry = ProvisioningLogEntry.objects.filter(org=org, method="PUT").latest("id")
    assert entry.action == "renamed"  # the rest of the PUT, not a reactivation


def test_console_reactivate_lifts_the_lock_and_scim_works_again(scim, org, owner, ada):
    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="Investigation", actor=Actor.of(owner))
    console_person_reactivate(person=person, actor=Actor.of(owner))
    person.refresh_from_db()
    assert person.is_active and not ConsoleSuspension.objects.filter(person=person).exists()
    assert scim.patch(f"Users/{ada['id']}", _active_patch(False)).json["active"] is False
    assert scim.patch(f"Users/{ada['id']}", _active_patch(True)).json["active"] is True
    actions = list(
        AuditEvent.objects.filter(target_id=ada["id"])
        .order_by("id")
        .values_list("action", "details")
    )
    assert actions[1:3] == [
        ("person.suspended", {"reason": "Investigation", "locked": True}),
        ("person.reactivated", {"lock_lifted": True}),
    ]


def test_a_lock_on_someone_okta_suspended_keeps_them_out(scim, org, owner, ada):
    scim.patch(f"Users/{ada['id']}", _active_patch(False))
    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="Keep out", actor=Actor.of(owner))
    assert scim.patch(f"Users/{ada['id']}", _active_patch(True)).json["active"] is False


def test_okta_bringing_back_a_deleted_locked_person_keeps_them_suspended(scim, org, owner, ada):
    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="Keep out", actor=Actor.of(owner))
    assert scim.delete(f"Users/{ada['id']}").status == 204
    r = scim.post("Users", okta_user("ada@acme.example.com"))
    assert (r.status, r.json["id"], r.json["active"]) == (201, ada["id"], False)
    assert scim.get(f"Users/{ada['id']}").json["active"] is False


def test_lifting_a_lock_gives_back_what_the_idp_wants(scim, org, owner, ada):
    """A lock on someone Okta suspended, or whom Okta suspends or deletes while locked, is
    lifted without reactivating them; Okta's active:true meanwhile is honoured at the lift."""
    person = _person(org, ada["id"])
    assert scim.patch(f"Users/{ada['id']}", _active_patch(False)).status == 200
    console_person_suspend(person=_person(org, ada["id"]), reason="Lost", actor=Actor.of(owner))
    assert console_person_reactivate(person=_person(org, ada["id"]), actor=Actor.of(owner)) is False
    assert scim.get(f"Users/{ada['id']}").json["active"] is False

    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="Again", actor=Actor.of(owner))
    assert scim.patch(f"Users/{ada['id']}", _active_patch(True)).json["active"] is False
    assert console_person_reactivate(person=_person(org, ada["id"]), actor=Actor.of(owner))
    assert scim.get(f"Users/{ada['id']}").json["active"] is True

    console_person_suspend(person=_person(org, ada["id"]), reason="Third", actor=Actor.of(owner))
    assert scim.delete(f"Users/{ada['id']}").status == 204
    assert console_person_reactivate(person=_person(org, ada["id"]), actor=Actor.of(owner)) is False
    person.refresh_from_db()
    assert (person.is_active, person.idp_deleted_at is not None) == (False, True)
    assert scim.get(f"Users/{ada['id']}").status == 404  # still deleted for SCIM


def test_every_use_is_emailed_to_the_owner(org, owner, admin_account, ada):
    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="Tailgating", actor=Actor.of(admin_account))
    console_person_reactivate(person=person, actor=Actor.of(admin_account))
    notices = list(OutboxMessage.objects.filter(org=org).order_by("id"))[-2:]
    assert [n.subject for n in notices] == [
        "[KisiSCIM] Suspended in the console: Ada",
        "[KisiSCIM] Console suspension lifted: Ada",
    ]
    assert "Reason: Tailgating" in notices[0].body
    assert admin_account.email in notices[0].body


def test_a_reason_and_a_console_account_are_required(org, owner, ada):
    from django.core.exceptions import ValidationError

    person = _person(org, ada["id"])
    with pytest.raises(ValidationError):
        person_console_suspend(person=person, reason="  ", actor=Actor.of(owner))
    with pytest.raises(ValidationError):
        person_console_suspend(person=person, reason="why", actor=Actor.scim())
    with pytest.raises(ValidationError):  # nothing to lift
        person_console_reactivate(person=person, actor=Actor.of(owner))
    person.refresh_from_db()
    assert person.is_active


def test_only_console_reactivate_lifts_the_lock(org, owner, ada):
    person = _person(org, ada["id"])
    person_console_suspend(person=person, reason="x", actor=Actor.of(owner))
    assert person_reactivate(person=person, actor=Actor.system()) is False
    person.refresh_from_db()
    assert not person.is_active


def test_a_console_suspension_closes_every_door_at_once(org, owner):
    place = make_place(org, "HQ", "UTC")
    front, back = make_door(place, "Front"), make_door(place, "Back")
    person = person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
    for door in (front, back):
        make_grant(make_group(org, f"{door.name} people", [person]), door)

    def reasons():
        return [
            access_check(door=door_get(org=org, door_id=d.pk), person=person, source="api")[
                0
            ].reason
            for d in (front, back)
        ]

    assert reasons() == [Reason.ALLOWED, Reason.ALLOWED]
    console_person_suspend(person=person, reason="Emergency", actor=Actor.of(owner))
    person.refresh_from_db()
    assert reasons() == [Reason.PERSON_SUSPENDED, Reason.PERSON_SUSPENDED]


def test_console_reactivate_resolves_the_open_cleanup_finding(org, owner, ada):
    person = _person(org, ada["id"])
    console_person_suspend(person=person, reason="x", actor=Actor.of(owner))
    person.refresh_from_db()
    CleanupFinding.objects.create(
        org=org,
        person=person,
        user_name=person.user_name,
        scim_id=person.scim_id,
        suspended_at=person.suspended_at,
    )
    console_person_reactivate(person=person, actor=Actor.of(owner))
    assert not CleanupFinding.objects.filter(person=person, status="open").exists()


# The pages ------------------------------------------------------------------------------


def test_owner_suspends_with_a_reason_and_reactivates_on_the_page(owner_client, org, ada):
    url = _url("person_detail", org, ada["id"])
    assert "Suspend now" in _page(owner_client, url)
    r = owner_client.post(_url("person_suspend", org, ada["id"]), {"reason": ""})
    assert r.status_code == 400
    assert "Say why you suspend them" in r.content.decode()
    assert _person(org, ada["id"]).is_active
    r = owner_client.post(_url("person_suspend", org, ada["id"]), {"reason": "Lost badge"})
    assert r.status_code == 400  # a reason, but not confirmed
    assert "Tick the box to confirm" in r.content.decode()
    assert _person(org, ada["id"]).is_active
    suspend = {"reason": "Lost badge", "confirm": "on"}
    r = owner_client.post(_url("person_suspend", org, ada["id"]), suspend)
    assert r.status_code == 302
    page = _page(owner_client, url)
    assert "Suspended in the console" in page and "Lost badge" in page
    assert "Reactivate" in page
    assert owner_client.post(_url("person_reactivate", org, ada["id"])).status_code == 302
    assert _person(org, ada["id"]).is_active
    assert "Console suspension lifted" in _page(owner_client, url)


def test_admin_may_suspend(admin_client_org, org, ada):
    r = admin_client_org.post(
        _url("person_suspend", org, ada["id"]), {"reason": "x", "confirm": "on"}
    )
    assert r.status_code == 302
    assert not _person(org, ada["id"]).is_active


def test_outsiders_cannot_suspend_reactivate_or_read_the_trail(org, ada):
    stranger = Client()
    stranger.force_login(AccountFactory(email="stranger@example.com"))
    for name in ("person_suspend", "person_reactivate"):
        assert (
            stranger.post(_url(name, org, ada["id"]), {"reason": "x", "confirm": "on"}).status_code
            == 403
        )
    assert stranger.get(_url("audit_trail", org)).status_code == 403
    assert stranger.get(_url("audit_export", org)).status_code == 403
    assert _person(org, ada["id"]).is_active


def test_another_orgs_person_is_404(owner_client, org, other_org):
    secret = person_create(org=other_org, user_name="secret@globex.example.com", actor=Actor.scim())
    for name in ("person_suspend", "person_reactivate"):
        assert (
            owner_client.post(
                _url(name, org, secret.scim_id), {"reason": "x", "confirm": "on"}
            ).status_code
            == 404
        )
    assert owner_client.get(_url("person_detail", org, secret.scim_id)).status_code == 404
    secret.refresh_from_db()
    assert secret.is_active
    # Nor is the other org's trail reachable through this org's URL.
    assert owner_client.get(_url("audit_trail", other_org)).status_code == 403


def test_the_timeline_tells_the_story_in_plain_words(scim, owner_client, org, owner, ada):
    uid = ada["id"]
    rename = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "replace", "path": "name.givenName", "value": "Augusta"},
            {"op": "replace", "path": "userName", "value": "augusta@acme.example.com"},
        ],
    }
    assert scim.patch(f"Users/{uid}", rename).status == 200
    group = scim.post(
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineering",
            "members": [],
        },
    ).json
    add = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}],
    }
    assert scim.patch(f"Groups/{group['id']}", add).status == 204
    remove = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "remove", "path": f'members[value eq "{uid}"]'}],
    }
    assert scim.patch(f"Groups/{group['id']}", remove).status == 204
    assert scim.patch(f"Users/{uid}", _active_patch(False)).status == 200
    place = make_place(org, "HQ", "UTC")
    door = make_door(place, "Front door")
    person = _person(org, uid)
    access_check(door=door_get(org=org, door_id=door.pk), person=person, source="api")
    person_console_suspend(person=person, reason="Lost badge", actor=Actor.of(owner))
    assert scim.patch(f"Users/{uid}", _active_patch(True)).json["active"] is False

    entries = _timeline(_page(owner_client, _url("person_detail", org, uid)))
    assert entries == [
        "Okta tried to reactivate; ignored: suspended in the console by owner@acme.example.com",
        "Suspended in the console | Reason: Lost badge | by owner@acme.example.com",
        "Denied at Front door | the person is suspended | by their card or phone",
        "Suspended | by Okta",
        "Removed from group Engineering | by Okta",
        "Added to group Engineering | by Okta",
        "Renamed | userName: “ada@acme.example.com” → “augusta@acme.example.com”; "
        "given name: “Ada” → “Augusta” | by Okta",
        "Created by SCIM | by Okta",
    ]


def test_the_timeline_pages_with_show_older(owner_client, org):
    person = person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
    groups = [group_create(org=org, display_name=f"G{i}", actor=Actor.system()) for i in range(3)]
    from accounts.services.groups import group_members_add

    for _ in range(20):
        for g in groups:
            group_members_add(group=g, member_ids=[person.scim_id], actor=Actor.system())
    page = _page(owner_client, _url("person_detail", org, person.scim_id))
    assert page.count('class="tl tl-') == 50
    assert "Show older" in page
    older = page.split('href="?before=')[1].split("#")[0]
    from urllib.parse import unquote

    rest = _page(owner_client, _url("person_detail", org, person.scim_id) + f"?before={older}")
    assert rest.count('class="tl tl-') == 11  # 60 joins + the creation, 50 per page
    assert "Created by SCIM" in rest and "Show older" not in rest
    assert unquote(older)
    # A cursor that is not a moment starts from the newest.
    assert _page(owner_client, _url("person_detail", org, person.scim_id) + "?before=nope")


# The audit trail ------------------------------------------------------------------------


def test_audit_trail_lists_and_filters_for_owners_and_admins(
    scim, owner_client, admin_client_org, org, other_org, ada
):
    person_create(org=other_org, user_name="secret@globex.example.com", actor=Actor.scim())
    scim.patch(f"Users/{ada['id']}", _active_patch(False))
    url = _url("audit_trail", org)
    page = _page(owner_client, url)
    assert "person.created" in page and "person.suspended" in page
    assert "secret@globex" not in page
    assert "person.created" in _page(admin_client_org, url)
    only_suspended = _page(owner_client, url + "?action=person.suspended")
    assert "person.suspended" in only_suspended
    assert '<td class="mono" data-label="Action">person.created</td>' not in only_suspended
    person_create(org=org, user_name="grace@acme.example.com", actor=Actor.scim())
    by_okta = _page(owner_client, url + "?actor=okta&target=ada@acme")
    assert '<td class="mono" data-label="Action">person.created</td>' in by_okta
    assert '<td class="mono" data-label="Action">scim.enabled</td>' not in by_okta
    assert "grace@acme" not in by_okta  # the target narrows Okta's events to Ada's
    assert "grace@acme" in _page(owner_client, url + "?actor=okta")
    family = _page(owner_client, url + "?action=scim")
    assert '<td class="mono" data-label="Action">scim.enabled</td>' in family
    assert '<td class="mono" data-label="Action">person.created</td>' not in family
    assert "No events match" in _page(owner_client, url + "?since=2001-01-01&until=2001-01-02")
    # A bad date is a form error, never a 500; the other filters still apply.
    bad = _page(owner_client, url + "?since=yesterday&action=person.created")
    assert "Enter a valid date" in bad
    assert '<td class="mono" data-label="Action">person.created</td>' in bad
    assert '<td class="mono" data-label="Action">person.suspended</td>' not in bad


def _csv(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_audit_export_is_filtered_isolated_and_formula_safe(owner_client, org, other_org, owner):
    person_create(org=other_org, user_name="secret@globex.example.com", actor=Actor.scim())
    evil = person_create(org=org, user_name="=HYPERLINK(1)@acme.example.com", actor=Actor.scim())
    console_person_suspend(person=evil, reason="+cmd|' /C calc'!A0", actor=Actor.of(owner))
    rows = _csv(owner_client, _url("audit_export", org))
    assert rows[0][:4] == ["time (UTC)", "who", "actor kind", "action"]
    assert not any("secret@globex" in cell for row in rows for cell in row)
    labels = [row[6] for row in rows[1:] if row[3] == "person.created"]
    assert labels == ["'=HYPERLINK(1)@acme.example.com"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    suspended = _csv(owner_client, _url("audit_export", org) + "?action=person.suspended")
    assert [(r[1], r[3]) for r in suspended[1:]] == [(owner.email, "person.suspended")]


# Group membership from the console ----------------------------------------------------


def test_a_console_groups_members_are_edited_and_told_in_the_persons_story(
    owner_client, org, owner
):
    ada = person_create(org=org, user_name="ada@acme.example.com", actor=Actor.scim())
    lobby = group_create(org=org, display_name="Lobby", actor=Actor.of(owner))
    page = _page(owner_client, _url("group_detail", org, lobby.scim_id))
    assert 'data-testid="member-add"' in page and "managed by Okta" not in page
    r = owner_client.post(
        _url("group_member_add", org, lobby.scim_id), {"user_name": "ADA@acme.example.com"}
    )
    assert r.status_code == 302
    assert list(lobby.members.all()) == [ada]
    r = owner_client.post(_url("group_member_remove", org, lobby.scim_id), {"person": ada.scim_id})
    assert r.status_code == 302
    assert not lobby.members.exists()
    assert _timeline(_page(owner_client, _url("person_detail", org, ada.scim_id)))[:2] == [
        f"Removed from group Lobby | by {owner.email}",
        f"Added to group Lobby | by {owner.email}",
    ]


def test_a_pushed_groups_members_are_read_only_managed_by_okta(scim, owner_client, org):
    uid = scim.post("Users", okta_user("ada@acme.example.com")).json["id"]
    pushed = scim.post(
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Okta Engineering",
            "members": [{"value": uid}],
        },
    ).json
    page = _page(owner_client, _url("group_detail", org, pushed["id"]))
    assert "read-only: managed by Okta" in page
    assert 'data-testid="member-add"' not in page and ">Remove</button>" not in page
    r = owner_client.post(
        _url("group_member_remove", org, pushed["id"]), {"person": uid}, follow=True
    )
    assert "managed by your identity provider" in r.content.decode()
    r = owner_client.post(
        _url("group_member_add", org, pushed["id"]),
        {"user_name": "ada@acme.example.com"},
        follow=True,
    )
    assert "managed by your identity provider" in r.content.decode()
    assert [m["value"] for m in scim.get(f"Groups/{pushed['id']}").json["members"]] == [uid]


def test_another_orgs_group_and_people_stay_out_of_reach(owner_client, org, other_org):
    theirs = group_create(org=other_org, display_name="Vault", actor=Actor.system())
    secret = person_create(org=other_org, user_name="secret@globex.example.com", actor=Actor.scim())
    mine = group_create(org=org, display_name="Lobby", actor=Actor.system())
    r = owner_client.post(_url("group_member_add", org, theirs.scim_id), {"user_name": "x"})
    assert r.status_code == 404
    r = owner_client.post(
        _url("group_member_add", org, mine.scim_id),
        {"user_name": "secret@globex.example.com"},
        follow=True,
    )
    assert "No one with userName" in r.content.decode()
    owner_client.post(_url("group_member_remove", org, mine.scim_id), {"person": secret.scim_id})
    assert not mine.members.exists() and not theirs.members.exists()


def test_cleanup_decisions_are_in_the_story(owner_client, org, owner):
    from provisioning.services.cleanup import cleanup_findings_keep
    from tests.provisioning.cleanup_support import flag, suspended_people

    ada, grace = suspended_people(org, 2, days=40)
    findings = {f.person_id: f for f in flag(org)}
    cleanup_findings_keep(
        org=org, finding_ids=[findings[ada.pk].pk], actor=Actor.of(owner), reason="On leave"
    )
    entries = _timeline(_page(owner_client, _url("person_detail", org, ada.scim_id)))
    assert entries[:2] == [
        f"Kept in the cleanup audit | Reason: On leave | by {owner.email}",
        "Flagged by the cleanup audit (suspended longer than the threshold) | by the system",
    ]
    # Grace was flagged in the same run; nothing of Ada's decision is in her story.
    others = _timeline(_page(owner_client, _url("person_detail", org, grace.scim_id)))
    assert others[0].startswith("Flagged by the cleanup audit")
    assert not any("Kept" in e for e in others)
