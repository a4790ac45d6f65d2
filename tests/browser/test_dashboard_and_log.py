"""An Okta session over real HTTP, then the owner reads it: the provisioning log's plain
sentences with working links, and the dashboard's charts with their text alternative, at
1280 and 390 px without sideways scrolling."""

import json
import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.provisioning import okta_story
from tests.provisioning.scim.client import issue_token
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def http_send(base_url: str, token: str) -> okta_story.Send:
    """Okta's requests over real HTTP to the live server's /scim/v2/."""

    def send(method, path, body):
        response = requests.request(
            method,
            f"{base_url}/scim/v2/{path}",
            data=None if body is None else json.dumps(body),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/scim+json",
                "Content-Type": "application/scim+json; charset=utf-8",
                "User-Agent": "Okta SCIM Client 1.0.0",
            },
            timeout=15,
        )
        return response.status_code, response.json() if response.content else None

    return send


def no_sideways_scroll(page) -> None:
    expect(page.locator("html")).to_have_js_property(
        "scrollWidth", page.evaluate("document.documentElement.clientWidth")
    )


def no_serious_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def shoot(page, name: str) -> None:
    # test-artifacts/ (CI keeps them); docs/screenshots/ holds reduced copies of a run. From
    # the top, so the sticky top bar is drawn where it belongs.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def test_okta_session_reads_in_plain_words_on_the_log_and_dashboard(
    page, live_server, org, owner, other_org
):
    token = issue_token(org)
    ids = okta_story.okta_session(http_send(live_server.url, token))
    okta_story.okta_session(http_send(live_server.url, issue_token(other_org)))

    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/provisioning-log/")
    sentences = page.get_by_test_id("log-sentence")
    expect(sentences).to_have_count(len(okta_story.EXPECTED_SENTENCES) + 1)
    expected = [re.compile(r"^Rejected: .*foo"), *reversed(okta_story.EXPECTED_SENTENCES)]
    expect(sentences).to_have_text(expected)
    expect(page.get_by_role("link", name="Rosa Louise Parks")).to_have_count(1)
    no_sideways_scroll(page)
    no_serious_axe_violations(page)
    shoot(page, "log-1280")

    # A long lookup's details wrap inside the row.
    long_name = "a" * 300 + "@acme.example.com"
    send = http_send(live_server.url, token)
    assert send("GET", f'Users?filter=userName eq "{long_name}"', None)[0] == 200
    page.reload()
    looked_up = page.get_by_test_id("log-row").first
    expect(looked_up.get_by_test_id("log-sentence")).to_contain_text("Okta looked up people")
    looked_up.get_by_text("Details").click()
    expect(looked_up.get_by_test_id("log-response")).to_contain_text('"totalResults": 0')
    no_sideways_scroll(page)
    page.goto(f"/o/{org.slug}/provisioning-log/?target=aaaa")
    expect(sentences).to_have_count(0)
    expect(page.get_by_text("No request matches these filters.")).to_be_visible()
    page.goto(f"/o/{org.slug}/provisioning-log/")

    # Details one click away: the request, the ids and the response body.
    first_row = page.get_by_test_id("log-row").nth(2)  # Ada reactivated
    first_row.get_by_text("Details").click()
    expect(first_row.get_by_test_id("log-response")).to_contain_text('"active": true')
    expect(first_row).to_contain_text(f"PATCH /scim/v2/Users/{ids['ada']}")
    no_sideways_scroll(page)
    screenshot(page, "log-details-1280")

    # Filters: errors only, then a bad date (a form error, not a failure).
    page.get_by_label("Outcome").select_option("error")
    page.get_by_role("button", name="Filter").click()
    expect(sentences).to_have_count(1)
    expect(sentences).to_have_text([re.compile("^Rejected: ")])
    page.goto(f"/o/{org.slug}/provisioning-log/?date_from=not-a-date")
    expect(page.get_by_test_id("log-filter-error")).to_be_visible()
    expect(page.get_by_text("Enter a date as YYYY-MM-DD.")).to_be_visible()

    # The group link opens the group's page.
    page.goto(f"/o/{org.slug}/provisioning-log/?resource=groups")
    page.get_by_role("link", name="R&D").first.click()
    expect(page).to_have_url(re.compile(f"/groups/{ids['group']}/$"))
    expect(page.locator("h1")).to_contain_text("R&D")

    page.goto(f"/o/{org.slug}/")
    health = page.get_by_test_id("scim-health")
    expect(health.get_by_test_id("scim-state")).to_have_text("Connected")
    expect(page.get_by_test_id("dash-requests-24h")).to_have_text("11")
    chart = page.get_by_test_id("chart-changes")
    svg = chart.locator("svg[role=img]")
    expect(svg).to_have_attribute("aria-labelledby", "changes-title changes-desc")
    expect(chart.locator("desc")).to_have_text(
        "Over the 30 days shown: 3 created, 4 updated, 1 suspended, 1 reactivated."
    )
    expect(svg.locator("rect")).to_have_count(4)
    no_sideways_scroll(page)
    shoot(page, "dashboard-1280")
    chart.get_by_text("the numbers").click()
    last_row = chart.locator("tbody tr").last
    expect(last_row.locator("td")).to_have_text(["3", "4", "1", "1"])
    no_sideways_scroll(page)
    no_serious_axe_violations(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_test_id("chart-requests")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_test_id("chart-changes").get_by_text("the numbers").click()
    expect(page.get_by_test_id("chart-changes").locator("tbody tr")).to_have_count(30)
    no_serious_axe_violations(page)
    page.get_by_test_id("chart-changes").get_by_text("the numbers").click()
    shoot(page, "dashboard-390")
    page.goto(f"/o/{org.slug}/provisioning-log/")
    expect(sentences).to_have_count(len(okta_story.EXPECTED_SENTENCES) + 2)
    no_sideways_scroll(page)
    shoot(page, "log-390")


def test_a_new_orgs_dashboard_is_a_checklist(page, org, owner):
    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/")
    checklist = page.get_by_test_id("setup-checklist")
    expect(checklist.locator(".checklist-step")).to_have_count(4)
    expect(checklist.get_by_test_id("setup-sso")).to_contain_text("Done")
    expect(checklist.get_by_test_id("setup-doors")).to_contain_text("To do")
    no_serious_axe_violations(page)
    checklist.get_by_test_id("setup-doors").get_by_role("link", name="Go to Doors").click()
    expect(page).to_have_url(re.compile(r"/doors/$"))
