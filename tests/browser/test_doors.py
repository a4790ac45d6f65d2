"""Doors in a real browser: the owner grants a group a door on the group's page, a member
signed in with SSO unlocks it from My doors, and the event appears on the door's page;
the pages do not scroll sideways at 390 px or 1280 px."""

import pytest
from playwright.sync_api import expect

from accounts.actor import Actor
from accounts.services.people import person_suspend
from tests.access.people_sessions import person_session_cookie
from tests.access.support import make_door, make_group, make_person, make_place
from tests.browser.conftest import login, screenshot
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_grant_in_the_console_then_the_member_unlocks_and_the_event_shows(
    page, browser, live_server, org, owner
):
    place = make_place(org, "Berlin HQ", "Europe/Berlin")
    door = make_door(place, "Front door")
    ada = make_person(org, "ada@acme.example.com", given_name="Ada", family_name="Lovelace")
    group = make_group(org, "Engineering", [ada])

    # The owner grants Engineering the front door, at any time.
    login(page, owner.email, PASSWORD)
    page.click("nav.sidenav >> text=Groups")
    page.click("text=Engineering")
    expect(page.get_by_test_id("group-grants")).to_contain_text("This group opens no door.")
    editor = page.get_by_test_id("grant-editor")
    editor.get_by_label("Door").select_option(label="Berlin HQ · Front door")
    editor.get_by_role("button", name="Grant").click()
    expect(page.locator(".messages")).to_contain_text("Engineering can now open Front door.")
    expect(page.get_by_test_id("group-grants")).to_contain_text("Open now")
    screenshot(page, "group-grants")

    # Ada, signed in with SSO (a person session), unlocks it from My doors.
    me = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    me.add_cookies([person_session_cookie(ada, live_server.url)])
    my = me.new_page()
    my.goto("/me/doors/")
    doors = my.get_by_test_id("my-doors")
    expect(doors).to_contain_text("Front door")
    expect(doors).to_contain_text("Open to you now")
    _no_sideways_scroll(my)
    doors.locator('[data-door="Front door"]').get_by_role("button", name="Unlock").click()
    expect(my.locator(".messages")).to_contain_text("Front door unlocked.")
    screenshot(my, "my-doors")

    # The owner sees the event on the door's page.
    page.goto(f"/o/acme/doors/{door.pk}/")
    events = page.get_by_test_id("events")
    expect(events).to_contain_text("ada@acme.example.com")
    expect(events).to_contain_text("Allowed")
    expect(events).to_contain_text("Web (My doors)")
    expect(page.get_by_test_id("openers")).to_contain_text("Engineering")
    screenshot(page, "door-page")

    # The IdP suspends her: My doors ends at the next request.
    person_suspend(person=ada, actor=Actor.scim())
    my.goto("/me/doors/")
    expect(my.locator("h1")).to_have_text("Sign in with SSO")
    me.close()
    assert group.grants.count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_access_pages_do_not_scroll_sideways(page, org, owner, width):
    place = make_place(org, "Berlin HQ", "Europe/Berlin")
    door = make_door(place, "Front door with a rather long name for a narrow screen")
    ada = make_person(org, "ada.lovelace.with.a.long.user.name@acme.example.com")
    group = make_group(org, "Engineering", [ada])
    page.set_viewport_size({"width": width, "height": 900})
    login(page, owner.email, PASSWORD)
    for url in (
        "/o/acme/doors/",
        f"/o/acme/doors/{door.pk}/",
        f"/o/acme/doors/{door.pk}/why/?person={ada.scim_id}",
        f"/o/acme/groups/{group.scim_id}/",
        f"/o/acme/people/{ada.scim_id}/",
        "/o/acme/settings/api-keys/",
    ):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        _no_sideways_scroll(page)
    screenshot(page, f"api-keys-{width}")


def test_the_api_reference_renders_from_local_files(page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .title")).to_contain_text("KisiSCIM access API")
    base = page.url.split("/api/")[0]
    assert all(url.startswith(base) for url in requests), requests
