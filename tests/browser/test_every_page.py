"""Every page, on a phone (390 px) and a laptop (1280 px), in a real browser: nothing scrolls
sideways (a wide table scrolls inside its own container) and axe-core finds no "serious" or
"critical" violation.

axe-core comes bundled in the axe-playwright-python wheel (requirements-dev.txt): nothing is
fetched from the internet. The demo org (seed_demo) is the data: people, groups, places, doors,
grants, access events; on top of it an Okta-like SCIM session (so the provisioning log has
rows, errors and a rejected token), and people suspended long ago (so the cleanup audit has
findings).

To check a new page, add one `Screen` to PAGES.
"""

import dataclasses
import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from playwright.sync_api import Page, expect

from access.models import Door
from accounts.actor import Actor
from accounts.models import Group, Organization, Person
from accounts.services.orgs import account_create, org_create
from provisioning.models import ScimToken
from tests.browser.conftest import ARTIFACTS, login, screenshot
from tests.commands import call
from tests.provisioning.cleanup_support import flag, make_person, suspend_days_ago
from tests.provisioning.scim.client import ScimClient, issue_token

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (390, 1280)
OWNER = ("owner@demo.kisiscim.local", "demo-doors-open")
PERSON = "Ada Lovelace"  # signs in to /me/ through the demo IdP
ADMIN = "Dana Admin"  # signs in to the console through the demo IdP
NO_ORG = ("newcomer@example.com", "a-long-enough-password-1")
FAILING_IMPACTS = {"serious", "critical"}
SYSTEM = Actor.system()


@dataclasses.dataclass(frozen=True)
class Screen:
    """One page to check. `path` is formatted with the seeded ids (see `_ids`); `who` is the
    browser session that opens it: "owner" (the demo org's owner, password), "admin" (its
    admin, through the demo IdP), "no-org" (an account of no organization), "person" (a
    person signed in through the demo IdP) or "anonymous". A page only reachable by doing
    something gives `reach`, which leaves the browser on it. `status` is the HTTP status the
    page answers with."""

    name: str
    path: str = ""
    who: str = "owner"
    reach: Callable[[Page], None] | None = None
    status: int = 200


def _refused(page: Page) -> None:
    """A suspended person signs in through the demo IdP: the SAML refused page."""
    page.goto("/saml/demo/demo-idp/")
    page.get_by_role("button", name=re.compile("Edsger Dijkstra")).click()
    expect(page.get_by_test_id("sso-refused")).to_be_visible()


def _locked_out(page: Page) -> None:
    """Wrong passwords past AXES_FAILURE_LIMIT (2 here): the sign-in-paused page."""
    for _ in range(3):
        page.goto("/login/")
        page.fill("#id_username", "nobody@demo.kisiscim.local")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")


def _menu_open(page: Page) -> None:
    """The dashboard with the navigation menu opened (on a phone; always open on a laptop)."""
    page.goto("/o/demo/")
    nav = page.get_by_role("navigation", name="Main")
    groups = nav.get_by_role("link", name="Groups", exact=True)
    toggle = nav.locator("summary")
    if toggle.is_visible():
        expect(groups).to_be_hidden()
        toggle.click()
    expect(groups).to_be_visible()


def _sso_test_result(page: Page) -> None:
    """Test sign-in through the demo IdP, as the admin: the report of what came back."""
    page.goto("/o/demo/settings/sso-scim/")
    page.get_by_test_id("sso-test").click()
    page.get_by_role("button", name=re.compile("Dana Admin")).click()
    expect(page.locator("h1")).to_contain_text("Test sign-in")


def _cleanup_confirm_delete(page: Page) -> None:
    """Tick a finding and ask to delete it: the confirmation that names the count."""
    page.goto("/o/demo/cleanup/")
    page.get_by_label("Select former0@demo.kisiscim.local").check()
    page.get_by_role("button", name="Delete permanently…").click()
    expect(page.locator("h1")).to_have_text("Delete 1 person permanently?")


def _not_found(page: Page) -> None:
    """Our 404 page (under DEBUG, Django would show its technical one instead)."""
    with override_settings(DEBUG=False):
        response = page.goto("/o/demo/people/no-such-person/")
        assert response is not None and response.status == 404
        expect(page.locator("h1")).to_be_visible()


def _org_switcher_open(page: Page) -> None:
    """The owner of two orgs opens the organization switcher in the top bar."""
    page.goto("/o/demo/")
    page.get_by_label("Switch organization").click()
    expect(page.get_by_role("link", name=re.compile("Northwind Traders"))).to_be_visible()


def _sso_sign_in_error(page: Page) -> None:
    """Sign in with SSO for an address no organization knows: the sign-in page's error."""
    page.goto("/login/")
    page.fill("#id_identifier", "someone@unknown.example.com")
    page.get_by_role("button", name="Sign in with SSO").click()
    expect(page.get_by_test_id("sso-error")).to_be_visible()


def _api_key_created(page: Page) -> None:
    """Create an API key in the console: the page that shows it once."""
    page.goto("/o/demo/settings/api-keys/")
    page.get_by_label("Name").fill("Front desk reader")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("h1")).not_to_have_text("API keys")


def _sso_setup_error(page: Page) -> None:
    """Submit the SSO setup form with nothing in it: the page again, with its errors."""
    page.goto("/o/demo/settings/sso-scim/")
    page.locator("details.sso-setup > summary").click()
    page.get_by_role("button", name="Save SSO settings").click()
    errors = page.locator("details.sso-setup .form-error, details.sso-setup .errorlist")
    expect(errors.first).to_be_visible()


def _token_created(page: Page) -> None:
    """Add a second SCIM token in the console: the page that shows it once."""
    page.goto("/o/demo/settings/sso-scim/scim/token/add/")
    page.get_by_role("button", name="Add token").click()
    expect(page.get_by_test_id("scim-token")).to_be_visible()


PAGES = [
    Screen("dashboard", "/o/{org}/"),
    Screen("navigation menu open", reach=_menu_open),
    Screen("organization switcher open", reach=_org_switcher_open),
    Screen("people", "/o/{org}/people/"),
    Screen("people search", "/o/{org}/people/?q=lovelace"),
    Screen("person detail", "/o/{org}/people/{person}/"),
    Screen("groups", "/o/{org}/groups/"),
    Screen("group detail", "/o/{org}/groups/{group}/"),
    Screen("group detail (pushed by Okta)", "/o/{org}/groups/{scim_group}/"),
    Screen("doors", "/o/{org}/doors/"),
    Screen("door detail", "/o/{org}/doors/{door}/"),
    Screen("why (a door)", "/o/{org}/doors/{door}/why/?person={user_name}"),
    Screen("why (from a person)", "/o/{org}/why/?door={door}&person={person}"),
    Screen("API keys", "/o/{org}/settings/api-keys/"),
    Screen("API key created", reach=_api_key_created),
    Screen("settings", "/o/{org}/settings/"),
    Screen("SSO & SCIM", "/o/{org}/settings/sso-scim/"),
    Screen("SSO setup with an error", reach=_sso_setup_error, status=400),
    Screen("SCIM token add", "/o/{org}/settings/sso-scim/scim/token/add/"),
    Screen("SCIM token regenerate", "/o/{org}/settings/sso-scim/scim/token/regenerate/"),
    Screen("SCIM token created", reach=_token_created),
    Screen("SSO & SCIM with two tokens", "/o/{org}/settings/sso-scim/"),
    Screen("SCIM token revoke", "/o/{org}/settings/sso-scim/scim/token/{token}/revoke/"),
    Screen("SCIM disable", "/o/{org}/settings/sso-scim/scim/disable/"),
    Screen("SSO disable", "/o/{org}/settings/sso-scim/sso/disable/"),
    Screen("SSO test sign-in result", reach=_sso_test_result),
    Screen("cleanup audit", "/o/{org}/cleanup/"),
    Screen("cleanup delete confirmation", reach=_cleanup_confirm_delete),
    Screen("provisioning log", "/o/{org}/provisioning-log/"),
    Screen("provisioning log, errors", "/o/{org}/provisioning-log/?outcome=error"),
    Screen("provisioning log, a bad date", "/o/{org}/provisioning-log/?date_from=yesterday"),
    Screen("audit trail", "/o/{org}/audit/"),
    Screen("audit trail, Okta's changes", "/o/{org}/audit/?actor=okta"),
    Screen("audit trail, a bad date", "/o/{org}/audit/?since=yesterday"),
    Screen("person detail (suspended by Okta)", "/o/{org}/people/{rosa}/"),
    Screen("dashboard of a new org (the set-up checklist)", "/o/northwind/"),
    Screen("not found", reach=_not_found),
    Screen("dashboard (an admin)", "/o/{org}/", who="admin"),
    Screen(
        "forbidden (an admin on SSO & SCIM)", "/o/{org}/settings/sso-scim/", who="admin", status=403
    ),
    Screen("no organization yet", "/", who="no-org"),
    Screen("my access", "/me/", who="person"),
    Screen("my doors", "/me/doors/", who="person"),
    Screen("my doors, signed out", "/me/doors/", who="anonymous", status=403),
    Screen("sign-in", "/login/", who="anonymous"),
    Screen("sign-in with an SSO error", who="anonymous", reach=_sso_sign_in_error),
    Screen("demo IdP", "/saml/{org}/demo-idp/", who="anonymous"),
    Screen("SAML refused", who="anonymous", reach=_refused, status=403),
    # Last: the lockout pauses sign-in from this address too.
    Screen("locked out", who="anonymous", reach=_locked_out, status=429),
]


def _seed() -> dict[str, object]:
    """The demo org, an Okta-like SCIM session, cleanup findings and a second org for the
    owner; the ids that PAGES' paths name."""
    call("seed_demo")
    org = Organization.objects.get(slug="demo")
    scim = ScimClient(issue_token(org))
    created = scim.post(
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "rosa.parks@demo.kisiscim.local",
            "name": {"givenName": "Rosa", "familyName": "Parks"},
            "emails": [{"value": "rosa.parks@demo.kisiscim.local", "primary": True}],
            "active": True,
        },
    )
    assert created.status == 201, created.json
    rosa = created.json["id"]
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
    for operation in (
        {"op": "replace", "value": {"name.familyName": "McCauley Parks"}},
        {"op": "replace", "value": {"active": False}},
    ):
        assert scim.patch(f"Users/{rosa}", {**patch, "Operations": [operation]}).status == 200
    group = scim.post(
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineering",
            "members": [{"value": rosa}],
        },
    )
    assert group.status == 201, group.json
    assert scim.get('Users?filter=foo eq "bar"').status == 400
    assert ScimClient("not-a-token").get("Users").status == 401
    for i, days in enumerate((45, 75)):
        person = make_person(org, f"former{i}@demo.kisiscim.local", given_name=f"Former {i}")
        suspend_days_ago(person, days)
    assert flag(org)
    # The owner owns a second org too: the top bar's organization switcher.
    org_create(slug="northwind", name="Northwind Traders", owner_email=OWNER[0], actor=SYSTEM)
    account_create(email=NO_ORG[0], password=NO_ORG[1], actor=SYSTEM)
    return _ids(org)


def _ids(org: Organization) -> dict[str, object]:
    ada = Person.objects.get(org=org, user_name="ada.lovelace@demo.kisiscim.local")
    return {
        "org": org.slug,
        "person": ada.scim_id,
        "rosa": Person.objects.get(org=org, user_name="rosa.parks@demo.kisiscim.local").scim_id,
        "user_name": ada.user_name,
        "group": Group.objects.get(org=org, display_name="HQ Front Door").scim_id,
        "door": Door.objects.get(org=org, name="Lobby").pk,
        "scim_group": Group.objects.get(org=org, display_name="Engineering").scim_id,
        "token": ScimToken.objects.filter(org=org).order_by("pk").first().pk,
    }


def _signs_in_with_sso(page: Page, identifier: str, who: str) -> None:
    """Sign in with SSO from the sign-in page, choosing `who` at the demo IdP."""
    page.goto("/login/")
    page.fill("#id_identifier", identifier)
    page.get_by_role("button", name="Sign in with SSO").click()
    page.get_by_role("button", name=re.compile(who)).click()
    expect(page.locator("h1")).not_to_have_text(re.compile("Demo identity provider|Demo IdP"))


# The outermost elements that stick out past the window's right edge, outside any scrolling
# container (for the assertion message).
WIDEST = """() => {
  const inScroller = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className
       ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const wide = [...document.querySelectorAll("body *")].filter(
    (e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !inScroller(e));
  return wide.filter((e) => !wide.includes(e.parentElement)).slice(0, 5)
    .map((e) => name(e) + " " + Math.round(e.getBoundingClientRect().right) + "px");
}"""


def _problems(page: Page, screen: Screen, width: int, axe: Axe) -> list[str]:
    """What is wrong with the page the browser shows: sideways scrolling, axe violations."""
    found = []
    expect(page.locator("main")).to_be_visible()
    if page.locator("h1").count() != 1:
        found.append(f"{screen.name} @{width}: {page.locator('h1').count()} h1 headings, not one")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    if scroll_width > inner_width:
        wide = page.evaluate(WIDEST)
        found.append(
            f"{screen.name} @{width}: scrolls sideways ({scroll_width} px > {inner_width}): {wide}"
        )
    results = axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(
                f"{screen.name} @{width}: axe {violation['impact']} {violation['id']}: "
                f"{violation['help']} {targets}"
            )
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen_and_passes_axe(browser, live_server, settings, width):
    settings.DEBUG = True  # the demo IdP (sso.demo_idp) only answers under DEBUG
    settings.AXES_FAILURE_LIMIT = 2
    ids = _seed()
    viewport = {"width": width, "height": 844 if width < 600 else 860}
    sessions: dict[str, Page] = {}

    def session(who: str) -> Page:
        if who not in sessions:
            context = browser.new_context(base_url=live_server.url, viewport=viewport)
            context.set_default_timeout(15_000)
            sessions[who] = context.new_page()
            if who == "owner":
                login(sessions[who], *OWNER)
                expect(sessions[who].locator("h1")).to_have_text("Dashboard")
            elif who == "no-org":
                login(sessions[who], NO_ORG[0], NO_ORG[1])
            elif who == "person":
                _signs_in_with_sso(sessions[who], "ada.lovelace@demo.kisiscim.local", PERSON)
                expect(sessions[who].get_by_test_id("me-groups")).to_be_visible()
            elif who == "admin":
                _signs_in_with_sso(sessions[who], "demo", ADMIN)
                expect(sessions[who].locator("h1")).to_have_text("Dashboard")
        return sessions[who]

    axe = Axe()
    problems: list[str] = []
    checked = 0
    try:
        for screen in PAGES:
            page = session(screen.who)
            if screen.reach is not None:
                screen.reach(page)
            else:
                response = page.goto(screen.path.format(**ids))
                assert response is not None
                if response.status != screen.status:
                    problems.append(f"{screen.name} @{width}: HTTP {response.status}")
                    continue
            problems += _problems(page, screen, width, axe)
            slug = re.sub(r"[^a-z0-9]+", "-", screen.name.lower()).strip("-")
            screenshot(page, f"every-page-{slug}-{width}")
            # The top of the page as a phone or laptop shows it (docs/screenshots/ picks some).
            page.screenshot(path=str(ARTIFACTS / f"screen-{slug}-{width}.png"))
            checked += 1
    finally:
        for page in sessions.values():
            page.context.close()
    assert not problems, f"{len(problems)} problems on {checked} pages:\n" + "\n".join(problems)
    assert checked == len(PAGES)
