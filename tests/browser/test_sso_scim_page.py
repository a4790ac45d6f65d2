"""The owner's SSO & SCIM page in a real browser: set up SSO, enable SCIM, copy the token once."""

import re

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Membership
from accounts.services.orgs import membership_add
from provisioning.services.tokens import scim_token_authenticate
from sso.services import DEMO_METADATA_PATH
from tests.browser.conftest import login, screenshot
from tests.factories import AccountFactory
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_sets_up_sso_enables_scim_and_copies_the_token_once(page, make_org, other_org):
    org = make_org("initech", sso=False)
    owner = Membership.objects.get(org=org, role=Membership.Role.OWNER).account

    login(page, owner.email, PASSWORD)
    page.click("nav.sidenav >> text=Settings")
    page.click("text=SSO & SCIM")
    expect(page.locator("h1")).to_have_text("SSO & SCIM")
    expect(page.get_by_test_id("sso-state")).to_have_text("Not configured")
    expect(page.get_by_role("button", name="Enable SCIM")).to_be_disabled()
    host = page.url.split("/")[2]
    assert page.get_by_test_id("sp-acs-url").input_value() == f"http://{host}/saml/initech/acs/"

    screenshot(page, "sso-scim-setup")
    page.set_input_files("#id_metadata", str(DEMO_METADATA_PATH))
    page.click("text=Save SSO settings")
    expect(page.get_by_test_id("sso-state")).to_have_text("Enabled")
    expect(page.locator(".messages")).to_contain_text("SSO settings saved.")

    page.get_by_role("button", name="Enable SCIM").click()
    expect(page.get_by_test_id("scim-state")).to_have_text("Enabled")
    page.get_by_role("button", name="Generate Token").click()

    expect(page.locator("h1")).to_have_text("Your SCIM token")
    field = page.get_by_test_id("scim-token")
    assert field.get_attribute("readonly") is not None
    raw = field.input_value()
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", raw)
    assert page.get_by_test_id("scim-base-url").input_value() == f"http://{host}/scim/v2/"
    assert "without a leading “Bearer”" in page.content()
    screenshot(page, "sso-scim-token")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("[data-copy=scim-token]")
    # Waiting assertion: the button changes once the clipboard write has resolved.
    expect(page.locator("[data-copy=scim-token]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == raw

    found = scim_token_authenticate(f"Bearer {raw}")
    assert found is not None
    assert found[0] == org

    page.click("text=Done")
    expect(page).to_have_url(re.compile(r"/settings/sso-scim/$"))
    page.reload()
    expect(page.get_by_test_id("masked-token")).to_have_text(f"kscim_…{raw[-4:]}")
    assert raw not in page.content()
    expect(page.get_by_test_id("token-last-used")).to_have_text(
        re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC")
    )
    screenshot(page, "sso-scim-settings")


def test_an_admin_of_the_same_org_is_refused(page, org, owner):
    admin = AccountFactory(email="admin@acme.example.com")
    membership_add(org=org, account=admin, role=Membership.Role.ADMIN, actor=Actor.of(owner))

    login(page, admin.email, PASSWORD)
    page.click("nav.sidenav >> text=Settings")
    expect(page.locator("h1")).to_have_text("Settings")
    expect(page.locator("text=SSO & SCIM")).to_have_count(0)

    response = page.goto(f"/o/{org.slug}/settings/sso-scim/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
