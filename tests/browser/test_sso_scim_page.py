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
    assert page.locator("h1").inner_text() == "SSO & SCIM"
    assert page.get_by_test_id("sso-state").inner_text() == "Not configured"
    assert page.get_by_role("button", name="Enable SCIM").is_disabled()
    host = page.url.split("/")[2]
    assert page.get_by_test_id("sp-acs-url").inner_text() == f"https://{host}/saml/initech/acs/"

    screenshot(page, "sso-scim-setup")
    page.set_input_files("#id_metadata", str(DEMO_METADATA_PATH))
    page.click("text=Save SSO settings")
    assert page.get_by_test_id("sso-state").inner_text() == "Enabled"
    assert "SSO settings saved." in page.locator(".messages").inner_text()

    page.get_by_role("button", name="Enable SCIM").click()
    assert page.get_by_test_id("scim-state").inner_text() == "Enabled"
    page.get_by_role("button", name="Generate Token").click()

    assert page.locator("h1").inner_text() == "Your SCIM token"
    field = page.get_by_test_id("scim-token")
    assert field.get_attribute("readonly") is not None
    raw = field.input_value()
    assert re.fullmatch(r"kscim_[A-Za-z0-9_-]{43}", raw)
    assert page.get_by_test_id("scim-base-url").input_value() == f"https://{host}/scim/v2/"
    assert "without a leading “Bearer”" in page.content()
    screenshot(page, "sso-scim-token")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("[data-copy=scim-token]")
    expect(page.locator("[data-copy=scim-token]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == raw

    found = scim_token_authenticate(f"Bearer {raw}")
    assert found is not None
    assert found[0] == org

    page.click("text=Done")
    page.reload()
    assert page.get_by_test_id("masked-token").inner_text() == f"kscim_…{raw[-4:]}"
    assert raw not in page.content()
    assert page.get_by_test_id("token-last-used").inner_text().endswith("ago)")
    screenshot(page, "sso-scim-settings")


def test_an_admin_of_the_same_org_is_refused(page, org, owner):
    admin = AccountFactory(email="admin@acme.example.com")
    membership_add(org=org, account=admin, role=Membership.Role.ADMIN, actor=Actor.of(owner))

    login(page, admin.email, PASSWORD)
    page.click("nav.sidenav >> text=Settings")
    assert page.locator("h1").inner_text() == "Settings"
    assert page.locator("text=SSO & SCIM").count() == 0

    response = page.goto(f"/o/{org.slug}/settings/sso-scim/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
