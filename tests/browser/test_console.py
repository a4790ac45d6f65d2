"""The console in a real browser: sign in, see the dashboard, people and groups."""

import pytest

from accounts.models import Person
from accounts.services.people import EmailData, person_create
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_signs_in_and_browses_people(page, org, owner, other_org):
    person_create(
        org=org,
        user_name="Ada.Lovelace@acme.example.com",
        given_name="Ada",
        family_name="Lovelace",
        emails=[EmailData("ada@acme.example.com", "work", True)],
        source=Person.Source.SCIM,
    )
    person_create(org=other_org, user_name="secret@globex.example.com", given_name="Hidden")

    login(page, owner.email, PASSWORD)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.get_by_test_id("count-active").inner_text() == "1"

    page.click("nav.sidenav >> text=People")
    assert page.locator("table").inner_text().count("Ada.Lovelace@acme.example.com") == 1
    assert "secret@globex" not in page.content()
    screenshot(page, "console-people")
