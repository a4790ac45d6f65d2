"""SAML sign-in in a real browser against a real IdP: Debian's SimpleSAMLphp on loopback
(started once per test session), SP- and IdP-initiated, for the owner (to the console) and
for a SCIM-provisioned person (to My access); and the demo IdP of `make run`."""

import json
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Membership
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_generate
from sso.services import sso_configure, sso_metadata_url_load
from tests.browser.conftest import screenshot
from tests.commands import call
from tests.sso.simplesamlphp import SimpleSAMLphp, User

pytestmark = pytest.mark.django_db(transaction=True)

OWNER = User("owner", "owner-idp-pass", "owner@acme.example.com", "Olive", "Owner")
ADA = User("ada", "ada-idp-pass", "ada@acme.example.com", "Ada", "Lovelace")


@pytest.fixture(scope="session")
def simplesamlphp(live_server) -> Iterator[SimpleSAMLphp]:
    sp = f"{live_server.url}/saml/acme/"
    idp = SimpleSAMLphp(sps={f"{sp}metadata/": f"{sp}acs/"}, users=[OWNER, ADA])
    yield idp
    idp.stop()


@pytest.fixture
def acme(org, simplesamlphp, settings):
    """acme trusting SimpleSAMLphp, configured from its metadata URL (plain http on loopback:
    the tests-only allowance), with Ada provisioned over the real SCIM endpoint."""
    settings.SSO_ALLOW_LOOPBACK_IDP = True
    sso_configure(
        org=org,
        settings=sso_metadata_url_load(simplesamlphp.metadata_url),
        actor=Actor.system(),
        enable=True,
    )
    owner = Membership.objects.get(org=org, role=Membership.Role.OWNER).account
    scim_enable(org=org, actor=Actor.of(owner))
    _, token = scim_token_generate(org=org, actor=Actor.of(owner))
    created = Client().post(
        "/scim/v2/Users",
        json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": ADA.email,
                "name": {"givenName": ADA.given_name, "familyName": ADA.family_name},
                "emails": [{"value": ADA.email, "type": "work", "primary": True}],
                "active": True,
            }
        ),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201, created.content
    return org


def _idp_login(page, user: User) -> None:
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(user.password)
    page.locator("input[name=password]").press("Enter")


def _expect_landed(page, live_server, user: User) -> None:
    if user is OWNER:
        expect(page).to_have_url(f"{live_server.url}/o/acme/")
        expect(page.locator(".who")).to_contain_text("owner@acme.example.com")
    else:
        expect(page).to_have_url(f"{live_server.url}/me/")
        expect(page.get_by_test_id("me-user-name")).to_have_text(ADA.email)
        expect(page.get_by_test_id("me-name")).to_have_text("Ada Lovelace")


@pytest.mark.parametrize("user", [OWNER, ADA], ids=["owner", "scim-person"])
def test_sp_initiated_sign_in_with_simplesamlphp(page, live_server, acme, simplesamlphp, user):
    page.goto("/login/")
    page.fill("#id_identifier", user.email)
    page.get_by_role("button", name="Sign in with SSO").click()
    expect(page).to_have_url(re.compile(re.escape(simplesamlphp.base)))
    _idp_login(page, user)
    _expect_landed(page, live_server, user)
    screenshot(page, f"saml-sp-initiated-{user.username}")


@pytest.mark.parametrize("user", [OWNER, ADA], ids=["owner", "scim-person"])
def test_idp_initiated_sign_in_with_simplesamlphp(page, live_server, acme, simplesamlphp, user):
    page.goto(simplesamlphp.idp_initiated_url(f"{live_server.url}/saml/acme/metadata/"))
    _idp_login(page, user)
    _expect_landed(page, live_server, user)


def test_the_demo_org_signs_in_through_the_demo_idp(page, live_server, settings):
    settings.DEBUG = True
    call("seed_demo")
    page.goto("/login/")
    page.fill("#id_identifier", "ada.lovelace@demo.kisiscim.local")
    page.get_by_role("button", name="Sign in with SSO").click()
    expect(page.locator("h1")).to_contain_text("Demo identity provider")
    screenshot(page, "saml-demo-idp")
    page.get_by_role("button", name=re.compile("Ada Lovelace")).click()
    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.get_by_test_id("me-groups")).to_contain_text("HQ Front Door")
    _no_sideways_scroll(page)


def _no_sideways_scroll(page) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width


def test_the_sso_page_copies_the_sp_urls_and_fits_narrow_screens(page, live_server, org):
    from tests.browser.conftest import login
    from tests.support import PASSWORD

    page.goto("/login/")
    _no_sideways_scroll(page)
    login(page, "owner@acme.example.com", PASSWORD)
    page.goto("/o/acme/settings/sso-scim/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("[data-copy=sp-acs-url]")
    expect(page.locator("[data-copy=sp-acs-url]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/saml/acme/acs/"
    page.click("[data-copy=sp-entity-id]")
    expect(page.locator("[data-copy=sp-entity-id]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == (
        f"{live_server.url}/saml/acme/metadata/"
    )
    expect(page.get_by_test_id("sso-test")).to_be_visible()
    screenshot(page, "sso-scim-saml")
    _no_sideways_scroll(page)
