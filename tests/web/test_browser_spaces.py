"""In a real browser: a visitor reads the spaces directory, then switches to English."""

from __future__ import annotations

import pytest

from spaces.models import Room, Space
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_opens_the_spaces_directory_and_switches_to_english(page, screenshot):
    space = Space.objects.create(name="Mutualab", slug="mutualab", operator=OrganizationFactory(),
                                 address="5 place de la République, 59000 Lille", desk_capacity=60)
    Room.objects.create(space=space, name="Grande salle", slug="grande-salle", capacity=60)

    page.goto(page.base + "/")
    page.get_by_role("link", name="Espaces", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Les espaces"
    assert "Grande salle — 60 places" in page.locator("#mutualab").inner_text()

    # The skip link is the first stop of the keyboard and leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/espaces/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Spaces"
    assert "Grande salle — 60 seats" in page.locator("#mutualab").inner_text()
    assert page.get_by_role("button", name="Français").is_visible()
    screenshot(page, "spaces-directory-in-english")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "spaces-directory-on-a-phone")


def test_without_javascript_no_dead_copy_button_shows(browser, live_server):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/agenda/")
    assert page.locator("#agenda-url").is_visible()
    assert not page.get_by_role("button", name="Copier").is_visible()
    context.close()
