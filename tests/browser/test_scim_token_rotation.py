"""Rotating Okta's token with no failed request, in a real browser: add a second token, see it
once, revoke the first; the second keeps working throughout."""

import re

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_authenticate, scim_token_generate
from tests.browser.conftest import login, screenshot
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_adds_a_second_token_then_revokes_the_first(page, org, owner, other_org):
    scim_enable(org=org, actor=Actor.of(owner))
    first, first_raw = scim_token_generate(org=org, actor=Actor.of(owner), name="Okta")
    scim_enable(org=other_org, actor=Actor.system())
    _, other_raw = scim_token_generate(org=other_org, actor=Actor.system())

    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/settings/sso-scim/")
    rows = page.get_by_test_id("scim-token-row")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Add a second token").click()

    expect(page.locator("h1")).to_have_text("Add a second SCIM token")
    page.get_by_label("Name").fill("Okta (June)")
    page.get_by_label("Expires after").select_option("90")
    page.get_by_role("button", name="Add token").click()

    expect(page.locator("h1")).to_have_text("Your SCIM token")
    expect(page.locator(".banner")).to_contain_text("Your other token keeps working")
    second_raw = page.get_by_test_id("scim-token").input_value()
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", second_raw)
    screenshot(page, "scim-token-second")
    # Both work while Okta is being updated.
    assert scim_token_authenticate(first_raw) is not None
    assert scim_token_authenticate(second_raw) is not None

    page.get_by_role("link", name="Done").click()
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="Add a second token")).to_have_count(0)
    expect(rows.nth(1)).to_contain_text("Okta (June)")
    expect(rows.nth(1).get_by_test_id("token-expires")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d"))
    screenshot(page, "scim-tokens-two")

    rows.nth(0).get_by_role("link", name="Revoke").click()
    expect(page.locator("h1")).to_have_text("Revoke the SCIM token Okta?")
    expect(page.locator(".banner")).to_contain_text("Okta keeps working only if it already has")
    page.get_by_label(re.compile("Revoke Okta")).check()
    page.get_by_role("button", name="Revoke").click()

    expect(page.locator(".messages")).to_contain_text(f"Revoked Okta ({first.masked}).")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Okta (June)")
    assert scim_token_authenticate(first_raw) is None
    assert scim_token_authenticate(second_raw) is not None
    assert scim_token_authenticate(other_raw) is not None
