"""The frame of every page in a real browser: a skip link first for the keyboard, and the
navigation as a menu on a phone that becomes the side bar on a laptop."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, org, owner):
    login(page, owner.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Dashboard")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    screenshot(page, "layout-skip-link")

    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    # The next Tab goes on from the content, past the navigation.
    page.keyboard.press("Tab")
    expect(page.locator("main#content :focus")).to_have_count(1)


def test_the_sign_in_page_has_its_skip_link_too(page, org):
    page.goto("/login/")
    # The email field takes the focus at once; the skip link is the one stop before it.
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


def test_the_navigation_is_a_menu_on_a_phone_and_a_side_bar_on_a_laptop(page, org, owner):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, owner.email, PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    menu = nav.get_by_text("Menu", exact=True)
    people = nav.get_by_role("link", name="People", exact=True)
    expect(menu).to_be_visible()
    expect(people).to_be_hidden()

    menu.click()
    expect(people).to_be_visible()
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    screenshot(page, "layout-menu-open-390")
    people.click()
    expect(page.locator("h1")).to_have_text("People")
    # A new page starts with the menu closed again.
    expect(people).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 860})
    expect(menu).to_be_hidden()
    expect(people).to_be_visible()
    expect(people).to_have_attribute("aria-current", "page")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(people).to_be_hidden()
