"""The owner works through cleanup findings in a real browser: select, delete permanently
after a confirmation that names the count, then see them gone and in the history."""

import pytest
from playwright.sync_api import expect

from accounts.models import Person
from provisioning.models import CleanupFinding
from tests.browser.conftest import login, screenshot
from tests.provisioning.cleanup_support import (
    flag,
    group_with,
    make_person,
    suspend_days_ago,
    suspended_people,
)
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_bulk_deletes_findings_after_confirming_the_count(page, org, owner, other_org):
    ada = suspend_days_ago(make_person(org, "ada@acme.example.com", given_name="Ada"), 75)
    bob, cy = suspended_people(org, 2, days=40)
    group_with(org, "Server Room", [ada, bob])
    suspended_people(other_org, 1, prefix="invisible")
    flag(org)
    flag(other_org)

    login(page, owner.email, PASSWORD)
    page.click("nav.sidenav >> text=Cleanup audit")
    expect(page.locator("h1")).to_have_text("Cleanup audit")
    rows = page.locator('[data-testid="findings"] tbody tr')
    expect(rows).to_have_count(3)
    assert "invisible0@globex" not in page.content()
    delete = page.get_by_role("button", name="Delete permanently…")
    expect(delete).to_be_disabled()

    page.get_by_label("Select ada@acme.example.com").check()
    page.get_by_label(f"Select {bob.user_name}").check()
    expect(page.get_by_test_id("selection-count")).to_have_text("2 selected")
    delete.click()

    expect(page.locator("h1")).to_have_text("Delete 2 people permanently?")
    screenshot(page, "cleanup-confirm-delete")
    page.get_by_role("button", name="Delete 2 people permanently").click()

    expect(page.locator(".messages")).to_contain_text("Deleted 2 people permanently.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(cy.user_name)
    expect(page.get_by_test_id("history")).to_contain_text("ada@acme.example.com")
    history = page.get_by_test_id("history").inner_text()
    assert history.count("Deleted") == 2
    assert "ada@acme.example.com" in history
    assert owner.email in history
    screenshot(page, "cleanup-after-delete")

    assert set(Person.objects.filter(org=org).values_list("user_name", flat=True)) == {cy.user_name}
    assert Person.objects.filter(org=other_org).count() == 1
    assert CleanupFinding.objects.filter(org=org, status="deleted").count() == 2


def test_select_all_and_keep_with_a_reason(page, org, owner):
    suspended_people(org, 3)
    flag(org)

    login(page, owner.email, PASSWORD)
    page.goto(f"/o/{org.slug}/cleanup/")
    page.get_by_label("Select all on this page").check()
    expect(page.get_by_test_id("selection-count")).to_have_text("3 selected")
    page.get_by_label("Reason to keep").fill("Seasonal staff, back in spring")
    page.get_by_role("button", name="Keep", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Kept 3 people.")
    expect(page.get_by_test_id("findings")).to_contain_text("No open findings.")
    expect(page.get_by_test_id("history")).to_contain_text("Seasonal staff")
    assert page.get_by_test_id("history").inner_text().count("Seasonal staff") == 3
