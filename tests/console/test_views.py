"""Sign-in and the console pages, through Django's test client, with a second org whose
rows must never appear."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.actor import Actor
from accounts.services.groups import group_create
from accounts.services.orgs import membership_add
from accounts.services.people import (
    EmailData,
    person_create,
    person_idp_delete,
    person_suspend,
)
from tests.factories import AccountFactory
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _rows(response) -> list[str]:
    """The userName cells of a people or members table, in order."""
    return re.findall(r'<td class="mono">([^<]+)</td>', _text(response))


@pytest.fixture
def people(org, other_org):
    ada = person_create(
        org=org,
        user_name="Ada.Lovelace@acme.example.com",
        given_name="Ada",
        family_name="Lovelace",
        emails=[EmailData("ada@acme.example.com", "work", True)],
        actor=Actor.scim(),
    )
    grace = person_create(
        org=org,
        user_name="grace@acme.example.com",
        given_name="Grace",
        family_name="Hopper",
        actor=Actor.system(),
    )
    edsger = person_create(
        org=org, user_name="ewd@acme.example.com", display_name="Edsger", actor=Actor.system()
    )
    person_suspend(person=edsger, actor=Actor.scim())
    secret = person_create(
        org=other_org,
        user_name="secret@globex.example.com",
        given_name="Hidden",
        actor=Actor.system(),
    )
    door = group_create(
        org=org,
        display_name="Front Door",
        member_ids=[ada.scim_id, grace.scim_id, edsger.scim_id],
        actor=Actor.system(),
    )
    lab = group_create(org=org, display_name="Lab", external_id="00g-lab", actor=Actor.system())
    vault = group_create(
        org=other_org,
        display_name="Globex Vault",
        member_ids=[secret.scim_id],
        actor=Actor.system(),
    )
    return {"ada": ada, "grace": grace, "edsger": edsger, "secret": secret, "door": door,
            "lab": lab, "vault": vault}  # fmt: skip


# Sign-in ------------------------------------------------------------------------------------


def test_login_page(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = _text(response)
    assert "<title>Sign in · KisiSCIM</title>" in html
    assert 'name="username" id="id_username"' in html
    assert 'type="password" name="password"' in html
    assert "css/console.css" in html


def test_login_with_the_right_password_opens_the_dashboard(client, org, owner):
    response = client.post("/login/", {"username": owner.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302), ("/o/acme/", 302)]
    assert response.status_code == 200
    assert "<h1>Dashboard</h1>" in _text(response)


def test_login_ignores_the_case_of_the_email(client, org, owner):
    response = client.post("/login/", {"username": "OWNER@Acme.Example.com", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_login_with_a_wrong_password_shows_an_error(client, org, owner):
    response = client.post("/login/", {"username": owner.email, "password": "wrong-password"})
    assert response.status_code == 200
    html = _text(response)
    assert '<div class="form-error" role="alert">Please enter a correct email' in html
    assert f'value="{owner.email}"' in html
    assert "_auth_user_id" not in client.session
    assert client.get("/o/acme/").status_code == 302


def test_login_redirects_back_to_next(client, org, owner):
    response = client.get("/o/acme/people/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/o/acme/people/")
    response = client.post(
        "/login/?next=/o/acme/people/",
        {"username": owner.email, "password": PASSWORD, "next": "/o/acme/people/"},
    )
    assert (response.status_code, response["Location"]) == (302, "/o/acme/people/")


def test_logout(owner_client, org):
    assert owner_client.get("/logout/").status_code == 405  # a GET must not sign anyone out
    response = owner_client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert owner_client.get("/o/acme/").status_code == 302


def test_anonymous_visitors_are_sent_to_login(client, org):
    for url in ("/", "/o/acme/", "/o/acme/people/", "/o/acme/groups/", "/o/acme/settings/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_home_without_an_org(client, db):
    client.force_login(AccountFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>No organization yet</h1>" in _text(response)
    assert 'class="sidenav"' not in _text(response)


def test_home_for_staff_without_an_org_is_the_admin(client, db):
    client.force_login(AccountFactory(is_staff=True))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")


# Org access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/o/{slug}/", "/o/{slug}/people/", "/o/{slug}/groups/", "/o/{slug}/settings/"]
)
def test_another_orgs_pages_are_forbidden(owner_client, org, other_org, path):
    response = owner_client.get(path.format(slug=other_org.slug))
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in _text(response)
    assert "Globex" not in _text(response)
    # An org that does not exist answers the same, so slugs cannot be probed.
    assert owner_client.get(path.format(slug="no-such-org")).status_code == 403


def test_another_orgs_person_and_group_are_not_found(owner_client, people):
    for url in (
        f"/o/acme/people/{people['secret'].scim_id}/",
        f"/o/acme/groups/{people['vault'].scim_id}/",
        "/o/acme/people/not-an-id/",
        "/o/acme/groups/not-an-id/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 404, url
        assert "secret@globex" not in _text(response)
        assert "Globex Vault" not in _text(response)


# Pages --------------------------------------------------------------------------------------


def test_dashboard_counts_and_nav(owner_client, people):
    response = owner_client.get(reverse("dashboard", args=["acme"]))
    assert response.status_code == 200
    assert response.context["counts"] == {"active": 2, "suspended": 1, "groups": 2}
    html = _text(response)
    assert '<span class="stat-value" data-testid="count-active">2</span>' in html
    assert '<span class="stat-value" data-testid="count-suspended">1</span>' in html
    assert '<span class="stat-value" data-testid="count-groups">2</span>' in html
    nav = re.search(r'<nav class="sidenav".*?</nav>', html, re.S).group(0)
    links = re.findall(r">(\w[\w &;]*)</a>", nav)
    # Other features may add entries between Groups and Settings.
    assert (links[:3], links[-1]) == (["Dashboard", "People", "Groups"], "Settings")
    assert '<a href="/o/acme/" aria-current="page">Dashboard</a>' in nav
    assert '<span class="org-name">Org acme</span>' in html
    assert "org-switcher" not in html


def test_an_admin_sees_the_console_too(admin_client_org, people):
    response = admin_client_org.get("/o/acme/")
    assert response.status_code == 200
    assert "admin@acme.example.com · Admin" in _text(response)


def test_people_page_lists_the_orgs_people(owner_client, people):
    response = owner_client.get("/o/acme/people/")
    assert response.status_code == 200
    assert _rows(response) == [
        "Ada.Lovelace@acme.example.com",
        "grace@acme.example.com",
        "ewd@acme.example.com",
    ]
    html = _text(response)
    assert f'<a href="/o/acme/people/{people["ada"].scim_id}/">Ada Lovelace</a>' in html
    assert "<td>ada@acme.example.com</td>" in html
    assert html.count('<span class="badge badge-ok">Active</span>') == 2
    assert html.count(">Suspended</span>") == 1
    assert "secret@globex" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=lovelace", ["Ada.Lovelace@acme.example.com"]),
        ("?q=GRACE@", ["grace@acme.example.com"]),
        ("?q=edsger", ["ewd@acme.example.com"]),
        ("?q=secret", []),
        ("?status=active", ["Ada.Lovelace@acme.example.com", "grace@acme.example.com"]),
        ("?status=suspended", ["ewd@acme.example.com"]),
        ("?q=acme&status=suspended", ["ewd@acme.example.com"]),
        ("?q=grace&status=bogus", ["grace@acme.example.com"]),
        ("?page=99", ["Ada.Lovelace@acme.example.com", "grace@acme.example.com",
                      "ewd@acme.example.com"]),
    ],
)  # fmt: skip
def test_people_search_and_status_filter(owner_client, people, query, expected):
    response = owner_client.get("/o/acme/people/" + query)
    assert response.status_code == 200
    assert _rows(response) == expected
    if not expected:
        assert "No people match these filters." in _text(response)


def test_people_filter_form_keeps_its_values(owner_client, people):
    html = _text(owner_client.get("/o/acme/people/?q=ada&status=suspended"))
    assert 'name="q" value="ada"' in html
    assert '<option value="suspended" selected>Suspended</option>' in html


def test_people_are_paginated(owner_client, org, other_org):
    for i in range(55):
        person_create(org=org, user_name=f"p{i:02d}@acme.example.com", actor=Actor.system())
    person_create(org=other_org, user_name="p99@globex.example.com", actor=Actor.system())
    first = owner_client.get("/o/acme/people/?q=acme")
    assert first.status_code == 200
    assert len(_rows(first)) == 50
    assert "Page 1 of 2 · 55 in all" in _text(first)
    assert 'href="?q=acme&amp;page=2"' in _text(first)
    second = owner_client.get("/o/acme/people/?q=acme&page=2")
    assert _rows(second) == [f"p{i}@acme.example.com" for i in range(50, 55)]
    assert 'href="?q=acme&amp;page=1"' in _text(second)


def test_person_page(owner_client, people):
    ada = people["ada"]
    response = owner_client.get(f"/o/acme/people/{ada.scim_id}/")
    assert response.status_code == 200
    html = _text(response)
    assert "<h1>Ada Lovelace</h1>" in html
    assert f'<dd class="mono">{ada.scim_id}</dd>' in html
    assert f'<a href="/o/acme/groups/{people["door"].scim_id}/">Front Door</a>' in html
    assert "Lab" not in re.search(r'<ul class="chips">.*?</ul>', html, re.S).group(0)


def test_groups_page_lists_groups_with_member_counts(owner_client, people):
    response = owner_client.get("/o/acme/groups/")
    assert response.status_code == 200
    assert [(g.display_name, g.member_count) for g in response.context["page"]] == [
        ("Front Door", 3),
        ("Lab", 0),
    ]
    html = _text(response)
    assert (
        f'<td><a href="/o/acme/groups/{people["door"].scim_id}/">Front Door</a></td>\n'
        '      <td class="num">3</td>'
    ) in html
    assert '<td class="mono">00g-lab</td>' in html
    assert "Globex Vault" not in html
    searched = owner_client.get("/o/acme/groups/?q=lab")
    assert [g.display_name for g in searched.context["page"]] == ["Lab"]


def test_group_page_lists_its_members(owner_client, people):
    response = owner_client.get(f"/o/acme/groups/{people['door'].scim_id}/")
    assert response.status_code == 200
    html = _text(response)
    assert "<h1>Front Door</h1>" in html
    assert "3 members · SCIM id" in html
    assert _rows(response) == [
        "Ada.Lovelace@acme.example.com",
        "ewd@acme.example.com",
        "grace@acme.example.com",
    ]
    assert "Suspended (no access)" in html
    empty = owner_client.get(f"/o/acme/groups/{people['lab'].scim_id}/")
    assert "This group has no members." in _text(empty)
    assert "0 members" in _text(empty)


def test_org_switcher_for_an_account_in_two_orgs(owner_client, owner, other_org):
    membership_add(org=other_org, account=owner, actor=Actor.system())
    response = owner_client.get("/o/acme/")
    html = _text(response)
    switcher = re.search(r'<details class="org-switcher">.*?</details>', html, re.S).group(0)
    assert '<summary aria-label="Switch organization">Org acme</summary>' in switcher
    assert re.findall(r'<a href="(/o/[\w-]+/)"', switcher) == ["/o/acme/", "/o/globex/"]
    assert '<a href="/o/acme/" aria-current="true">' in switcher
    assert 'Org globex <span class="muted">Admin</span>' in switcher
    # The switch works: the other org's dashboard opens with its own counts.
    other = owner_client.get("/o/globex/")
    assert other.status_code == 200
    assert '<summary aria-label="Switch organization">Org globex</summary>' in _text(other)


def test_settings_page_opens_for_members(owner_client, admin_client_org, org):
    assert owner_client.get("/o/acme/settings/").status_code == 200
    assert admin_client_org.get("/o/acme/settings/").status_code == 200


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


def test_css_is_served_locally(client):
    response = client.get("/static/css/console.css")
    assert response.status_code == 200
    assert b".sidenav" in b"".join(response.streaming_content)


def test_another_client_is_not_signed_in(people):
    assert Client().get("/o/acme/people/").status_code == 302


def test_people_deleted_in_the_idp_are_marked(owner_client, org):
    person = person_create(org=org, user_name="gone@acme.example.com", actor=Actor.scim())
    person_idp_delete(person=person)
    html = owner_client.get(reverse("people", args=[org.slug])).content.decode()
    assert "Deleted in IdP" in html
    detail = owner_client.get(reverse("person_detail", args=[org.slug, person.scim_id]))
    assert "deleted in the identity provider" in detail.content.decode()


@pytest.mark.parametrize("page", ["people", "groups"])
@pytest.mark.parametrize("bad_id", ["%00", "x" * 65])
def test_impossible_ids_in_console_urls_are_404(owner_client, org, page, bad_id):
    # PostgreSQL refuses NUL in a query: such ids must never reach one.
    assert owner_client.get(f"/o/{org.slug}/{page}/{bad_id}/").status_code == 404


def test_empty_lists_say_what_to_do_next(client, org, owner):
    """A new org's people and groups lists point to where SCIM is connected."""
    client.force_login(owner)
    for name in ("people", "groups"):
        html = _text(client.get(f"/o/{org.slug}/{name}/"))
        assert f'href="/o/{org.slug}/settings/sso-scim/"' in html, name
        assert "match" not in html.split("<tbody>")[1], name
