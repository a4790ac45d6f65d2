"""The console in a real browser: sign in, see the dashboard, people and groups."""

import re

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.services.groups import group_create
from accounts.services.orgs import membership_add
from accounts.services.people import EmailData, person_create, person_suspend
from tests.browser.conftest import login, screenshot
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_signs_in_and_browses_people(page, org, owner, other_org):
    person_create(
        org=org,
        user_name="Ada.Lovelace@acme.example.com",
        given_name="Ada",
        family_name="Lovelace",
        emails=[EmailData("ada@acme.example.com", "work", True)],
        actor=Actor.scim(),
    )
    person_create(
        org=other_org,
        user_name="secret@globex.example.com",
        given_name="Hidden",
        actor=Actor.system(),
    )

    login(page, owner.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.get_by_test_id("count-active")).to_have_text("1")

    page.click("nav.sidenav >> text=People")
    expect(page.locator("table tbody td.mono")).to_have_text(["Ada.Lovelace@acme.example.com"])
    assert "secret@globex" not in page.content()
    screenshot(page, "console-people")


def test_wrong_password_shows_an_error_and_stays_signed_out(page, org, owner):
    login(page, owner.email, "not-the-password")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(re.compile("^" + re.escape("Please enter a correct email")))
    expect(page).to_have_url(re.compile(r"/login/$"))
    assert page.input_value("#id_username") == owner.email
    screenshot(page, "console-login-error")
    page.goto("/o/acme/")
    assert "/login/?next=/o/acme/" in page.url


def _people_rows(page):
    """The people listed (their userNames), for a waiting assertion."""
    return expect(page.locator("table tbody td.mono"))


def test_people_search_and_status_filter(page, org, owner, other_org):
    person_create(
        org=org,
        user_name="ada@acme.example.com",
        given_name="Ada",
        family_name="L",
        actor=Actor.system(),
    )
    person_create(
        org=org, user_name="grace@acme.example.com", given_name="Grace", actor=Actor.system()
    )
    gone = person_create(
        org=org, user_name="ewd@acme.example.com", given_name="Edsger", actor=Actor.system()
    )
    person_suspend(person=gone, actor=Actor.scim())
    person_create(
        org=other_org, user_name="ada@globex.example.com", given_name="Ada", actor=Actor.system()
    )

    login(page, owner.email, PASSWORD)
    expect(page.get_by_test_id("count-suspended")).to_have_text("1")
    page.click("nav.sidenav >> text=People")
    _people_rows(page).to_have_text(
        [
            "ada@acme.example.com",
            "grace@acme.example.com",
            "ewd@acme.example.com",
        ]
    )

    page.fill("input[name=q]", "ada")
    page.click("form[role=search] button")
    page.wait_for_load_state()
    _people_rows(page).to_have_text(["ada@acme.example.com"])

    page.fill("input[name=q]", "")
    page.select_option("select[name=status]", "suspended")
    page.click("form[role=search] button")
    page.wait_for_load_state()
    _people_rows(page).to_have_text(["ewd@acme.example.com"])
    expect(page.locator("tbody .badge")).to_have_text("Suspended")

    page.fill("input[name=q]", "nobody")
    page.click("form[role=search] button")
    page.wait_for_load_state()
    expect(page.locator("td.empty")).to_contain_text("No people match these filters.")
    assert "globex" not in page.content()
    screenshot(page, "console-people-filtered")


def test_groups_list_and_group_page(page, org, owner, other_org):
    ada = person_create(
        org=org, user_name="ada@acme.example.com", given_name="Ada", actor=Actor.system()
    )
    grace = person_create(
        org=org, user_name="grace@acme.example.com", given_name="Grace", actor=Actor.system()
    )
    group_create(
        org=org,
        display_name="Front Door",
        member_ids=[ada.scim_id, grace.scim_id],
        actor=Actor.system(),
    )
    group_create(org=org, display_name="Lab", actor=Actor.system())
    secret = person_create(org=other_org, user_name="x@globex.example.com", actor=Actor.system())
    group_create(
        org=other_org,
        display_name="Globex Vault",
        member_ids=[secret.scim_id],
        actor=Actor.system(),
    )

    login(page, owner.email, PASSWORD)
    page.click("nav.sidenav >> text=Groups")
    expect(page.locator("h1")).to_have_text("Groups")
    rows = [
        [cell.strip() for cell in row.split("\t")]
        for row in page.locator("table tbody tr").all_inner_texts()
    ]
    assert rows == [["Front Door", "2", "—"], ["Lab", "0", "—"]]
    assert "Globex Vault" not in page.content()

    page.click("text=Front Door")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Front Door")
    expect(page.locator("p.muted").first).to_have_text(re.compile("^" + re.escape("2 members")))
    _people_rows(page).to_have_text(["ada@acme.example.com", "grace@acme.example.com"])
    screenshot(page, "console-group")

    page.click("text=ada@acme.example.com >> xpath=.. >> a")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Ada")
    expect(page.locator("ul.chips")).to_have_text("Front Door")


def test_org_switcher_with_two_orgs(page, org, owner, other_org):
    membership_add(org=other_org, account=owner, actor=Actor.system())
    person_create(org=other_org, user_name="g1@globex.example.com", actor=Actor.system())
    person_create(org=other_org, user_name="g2@globex.example.com", actor=Actor.system())

    login(page, owner.email, PASSWORD)
    switcher = page.locator("details.org-switcher")
    expect(switcher.locator("summary")).to_have_text("Org acme")
    expect(page.get_by_test_id("count-active")).to_have_text("0")
    switcher.locator("summary").click()
    links = switcher.locator("a")
    expect(links).to_have_text([re.compile(r"Org acme\s+Owner"), re.compile(r"Org globex\s+Admin")])
    screenshot(page, "console-org-switcher")
    switcher.locator("a", has_text="Org globex").click()
    expect(page).to_have_url(re.compile(r"/o/globex/$"))
    expect(page.locator("details.org-switcher summary")).to_have_text("Org globex")
    expect(page.get_by_test_id("count-active")).to_have_text("2")
    expect(page.locator(".who")).to_contain_text("Admin")


def test_single_org_account_has_no_switcher(page, org, owner, other_org):
    login(page, owner.email, PASSWORD)
    expect(page.locator("details.org-switcher")).to_have_count(0)
    expect(page.locator(".org-name")).to_have_text("Org acme")
