"""The small things in a real browser: every URL and id an owner pastes elsewhere has a Copy
button that answers "Copied" once the clipboard holds it; sign-in lands on the org used
last; the Settings page's SSO & SCIM card (screenshots at 1280 and 390 px)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Membership
from accounts.services.orgs import membership_add
from provisioning.services.scim_config import scim_enable
from tests.access.support import make_door, make_place
from tests.browser.conftest import login, screenshot
from tests.provisioning.cleanup_support import (
    flag,
    make_person,
    suspend_days_ago,
    suspended_people,
)
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _copies(page, field_id: str, expected: str) -> None:
    """Click the field's Copy button; wait for its "Copied", then read the clipboard."""
    button = page.locator(f"[data-copy={field_id}]")
    expect(button).to_have_text("Copy")
    button.click()
    # Waiting assertion: the text changes only once the clipboard write has resolved.
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == expected


def test_every_url_and_id_to_paste_elsewhere_has_a_copy_button(page, org, owner, other_org):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    scim_enable(org=org, actor=Actor.system())
    door = make_door(make_place(org, "Berlin HQ"), "Front door")
    make_door(make_place(other_org, "Elsewhere"), "Not theirs")

    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/settings/")
    page.locator("[data-settings=sso-scim]").click()
    expect(page.locator("h1")).to_have_text("SSO & SCIM")
    host = page.url.split("/")[2]
    _copies(page, "sp-acs-url", f"http://{host}/saml/{org.slug}/acs/")
    _copies(page, "sp-entity-id", f"http://{host}/saml/{org.slug}/metadata/")
    _copies(page, "sp-metadata-url", f"http://{host}/saml/{org.slug}/metadata/")

    # The token, on the page that shows it once, and the SCIM base URL beside it.
    page.get_by_role("button", name="Generate Token").click()
    expect(page.locator("h1")).to_have_text("Your SCIM token")
    raw = page.get_by_test_id("scim-token").input_value()
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", raw)
    _copies(page, "scim-token", raw)
    _copies(page, "scim-base-url", f"http://{host}/scim/v2/")
    page.get_by_role("link", name="Done").click()
    # And the SCIM base URL on the SSO & SCIM page itself, once SCIM is on.
    _copies(page, "scim-base-url", f"http://{host}/scim/v2/")

    # A door's id and its access check URL, for the controller's configuration.
    page.goto(f"/o/{org.slug}/doors/{door.pk}/")
    _copies(page, "door-id", str(door.pk))
    _copies(page, "door-check-url", f"http://{host}/api/v1/doors/{door.pk}/check")


def test_sign_in_lands_on_the_org_used_last(page, make_org):
    first, last = make_org("aaa"), make_org("zzz")
    account = Membership.objects.get(org=first, role=Membership.Role.OWNER).account
    membership_add(org=last, account=account, role=Membership.Role.ADMIN, actor=Actor.system())

    login(page, account.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/o/aaa/$"))  # nothing used yet: the first by name
    switcher = page.locator("details.org-switcher")
    switcher.locator("summary").click()
    switcher.locator("a", has_text="Org zzz").click()
    expect(page).to_have_url(re.compile(r"/o/zzz/$"))
    page.locator("nav.sidenav >> text=People").click()
    expect(page.locator("h1")).to_have_text("People")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    login(page, account.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/o/zzz/$"))
    expect(page.locator("details.org-switcher summary")).to_have_text("Org zzz")


def test_the_settings_card_shows_sso_and_scim_at_1280_and_390(page, org, owner):
    scim_enable(org=org, actor=Actor.system())
    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/settings/")
    expect(page.get_by_test_id("card-sso")).to_have_text(re.compile(r"SSO:\s+enabled"))
    expect(page.get_by_test_id("card-scim")).to_have_text(
        re.compile(r"SCIM:\s+on\s+with 0 active tokens")
    )
    expect(page.get_by_test_id("card-last-request")).to_have_text("No SCIM request yet")
    screenshot(page, "settings-1280")  # test-artifacts/, never the repository's docs
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_test_id("card-scim")).to_be_visible()
    screenshot(page, "settings-390")


def test_keep_without_a_reason_keeps_the_ticked_rows(page, org, owner):
    ada = suspend_days_ago(make_person(org, "ada@acme.example.com", given_name="Ada"), 75)
    bob, cy = suspended_people(org, 2, days=40)
    flag(org)

    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/cleanup/")
    page.get_by_label(f"Select {ada.user_name}").check()
    page.get_by_label(f"Select {cy.user_name}").check()
    expect(page.get_by_test_id("selection-count")).to_have_text("2 selected")
    page.get_by_role("button", name="Keep").click()

    expect(page.locator(".messages")).to_have_text("Say why these people are kept.")
    expect(page.get_by_label(f"Select {ada.user_name}")).to_be_checked()
    expect(page.get_by_label(f"Select {cy.user_name}")).to_be_checked()
    expect(page.get_by_label(f"Select {bob.user_name}")).not_to_be_checked()
    expect(page.get_by_test_id("selection-count")).to_have_text("2 selected")

    page.get_by_label("Reason to keep").fill("Long-term leave")
    page.get_by_role("button", name="Keep").click()
    expect(page.locator(".messages")).to_have_text(
        "Kept 2 people. They are not flagged again until they are suspended anew."
    )
    expect(page.locator('[data-testid="findings"] tbody tr')).to_have_count(1)
