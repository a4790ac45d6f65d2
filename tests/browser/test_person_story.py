"""A person's story and the emergency lock in a real browser, after a scripted Okta session
through the real SCIM endpoint over HTTP: the timeline says what happened in plain words,
the owner's audit trail lists and filters it, a console suspension survives Okta's
`active: true`, and Reactivate lifts it."""

import pytest
import requests
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.models import Membership
from provisioning.services.scim_config import scim_enable
from provisioning.services.tokens import scim_token_generate
from tests.browser.conftest import ARTIFACTS, login
from tests.provisioning.scim.client import GROUP_SCHEMA, PATCH_OP, okta_user
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


class Okta:
    """Okta's requests, over HTTP to the live server, with its headers."""

    def __init__(self, base: str, token: str) -> None:
        self.base = f"{base}/scim/v2/"
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/scim+json",
                "Content-Type": "application/scim+json; charset=utf-8",
                "User-Agent": "Okta SCIM Client 1.0.0",
            }
        )

    def send(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        response = self.session.request(method, self.base + path, json=body, timeout=30)
        assert response.status_code < 300, response.text
        return response

    def active(self, uid: str, active: bool) -> dict:
        ops = [{"op": "replace", "value": {"active": active}}]
        return self.send("PATCH", f"Users/{uid}", {"schemas": [PATCH_OP], "Operations": ops}).json()


@pytest.fixture
def okta(org, live_server) -> Okta:
    owner = Membership.objects.get(org=org, role=Membership.Role.OWNER).account
    scim_enable(org=org, actor=Actor.of(owner))
    _, token = scim_token_generate(org=org, actor=Actor.of(owner))
    return Okta(live_server.url, token)


def _okta_session(okta: Okta) -> str:
    """Create Rosa, rename her, push a group with her in it, suspend her."""
    user = okta.send(
        "POST",
        "Users",
        okta_user("rosa@acme.example.com", name={"givenName": "Rosa", "familyName": "Park"}),
    ).json()
    uid = user["id"]
    rename = [{"op": "replace", "value": {"name": {"givenName": "Rosa", "familyName": "Parks"}}}]
    okta.send("PATCH", f"Users/{uid}", {"schemas": [PATCH_OP], "Operations": rename})
    okta.send(
        "POST",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Engineering", "members": [{"value": uid}]},
    )
    assert okta.active(uid, False)["active"] is False
    return uid


FITS = """width => document.documentElement.scrollWidth <= width && [
    ...document.querySelectorAll(".timeline, .audit-table, .emergency")
].every(e => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= width)"""


def _shoot(page, name: str) -> None:
    """Full-page screenshots at a laptop's and a phone's width, as test artefacts (the small
    copies in docs/screenshots/ come from these)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        # Nothing of this page's own widens it: no sideways scroll of the page, and the
        # timeline and audit table fit their containers.
        page.wait_for_function(FITS, arg=width)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_the_timeline_and_the_audit_trail_after_an_okta_session(page, org, owner, okta):
    uid = _okta_session(okta)
    login(page, owner.email, PASSWORD)
    page.goto(f"/o/acme/people/{uid}/")
    timeline = page.get_by_test_id("timeline").locator("li")
    # Newest first; the welcome email is the worker's, after the creation.
    expect(timeline).to_have_count(5)
    expect(timeline.nth(0)).to_contain_text("Suspended")
    expect(timeline.nth(0)).to_contain_text("by Okta")
    expect(timeline.nth(1)).to_contain_text("Added to group Engineering")
    expect(timeline.nth(2)).to_contain_text("Renamed")
    expect(timeline.nth(2)).to_contain_text("family name: “Park” → “Parks”")
    expect(timeline.nth(3)).to_contain_text("Emailed (welcome)")
    expect(timeline.nth(4)).to_contain_text("Created by SCIM")
    expect(timeline.nth(4).locator("time")).to_contain_text("UTC")

    page.get_by_role("link", name="Audit trail").click()
    expect(page.locator("h1")).to_have_text("Audit trail")
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    expect(rows.first).to_contain_text("person.suspended")
    expect(page.get_by_test_id("audit-table")).to_contain_text("group.created")
    page.locator("select[name=action]").select_option("person.updated")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Okta")
    expect(rows.first).to_contain_text("rosa@acme.example.com")
    page.locator("select[name=action]").select_option("")
    page.locator("input[name=actor]").fill("system")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("audit-table")).to_contain_text("sso.enabled")
    expect(page.get_by_test_id("audit-table")).not_to_contain_text("person.updated")


def test_a_console_suspension_survives_okta_and_reactivate_lifts_it(page, org, owner, okta):
    uid = _okta_session(okta)
    okta.active(uid, True)
    login(page, owner.email, PASSWORD)
    page.goto(f"/o/acme/people/{uid}/")
    expect(page.get_by_test_id("person-status")).to_contain_text("Active")
    form = page.get_by_test_id("suspend-form")
    form.get_by_label("Reason").fill("Badge reported stolen")
    form.get_by_role("button", name="Suspend now").click()  # not confirmed: not sent
    expect(form.locator("input[name=confirm]:invalid")).to_have_count(1)
    expect(page.get_by_test_id("person-status")).to_contain_text("Active")
    form.get_by_label("Yes: close every door for them now").check()
    form.get_by_role("button", name="Suspend now").click()
    expect(page.get_by_test_id("console-lock")).to_contain_text("Badge reported stolen")
    expect(page.get_by_test_id("person-status")).to_contain_text("Suspended")

    assert okta.active(uid, True)["active"] is False
    assert okta.send("GET", f"Users/{uid}").json()["active"] is False
    page.reload()
    expect(page.get_by_test_id("person-status")).to_contain_text("Suspended")
    expect(page.get_by_test_id("timeline").locator("li").first).to_contain_text(
        "Okta tried to reactivate; ignored: suspended in the console by owner@acme.example.com"
    )
    _shoot(page, "person")

    page.get_by_test_id("reactivate-form").get_by_role("button", name="Reactivate").click()
    expect(page.get_by_test_id("person-status")).to_contain_text("Active")
    expect(page.get_by_test_id("console-lock")).to_have_count(0)
    expect(page.get_by_test_id("timeline").locator("li").first).to_contain_text(
        "Console suspension lifted: active again"
    )
    assert okta.send("GET", f"Users/{uid}").json()["active"] is True

    page.goto("/o/acme/audit/")
    expect(page.get_by_test_id("audit-table")).to_contain_text("person.reactivation_ignored")
    _shoot(page, "audit")
