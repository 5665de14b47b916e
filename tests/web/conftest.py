"""Fixtures for the web pages: a signed-in test client and a real Chromium.

The browser is Debian's ``chromium`` driven by Playwright, never a downloaded
one; without either, browser tests are skipped (and fail in CI).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from network.api import LoginRateThrottle

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


@pytest.fixture(autouse=True)
def fresh_login_budget():
    """Every test starts with the whole sign-in budget of the local address.

    Only this key is deleted: the cache may be the Redis that also carries the broker.
    """
    key = LoginRateThrottle.cache_format % {"scope": "login", "ident": "127.0.0.1"}
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per run: its sync API holds an event loop in this thread, so a second
    one cannot start while it runs."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    # The ORM calls the tests make between browser steps are still synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as running:
            yield running


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def camera_browser(playwright):
    """``camera_browser(video)``: a Chromium whose camera films ``video`` (a .y4m file) and
    that never asks before opening it."""
    launched = []

    def launch(video: Path):
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ])
        launched.append(chromium)
        return chromium

    yield launch
    for chromium in launched:
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A French-speaking visitor on a desktop screen; ``page.base`` is the server's URL."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` saves the whole page under ``test-artifacts/web/``."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def town(db):
    """Lille: an association that organizes, its room, a CRESS coordinating a campaign,
    a published event with ten seats, and the people who use the pages."""
    from events.models import Moderation
    from network.models import Role
    from tests.events.factories import CampaignFactory, EventFactory, RoomFactory
    from tests.factories import OrganizationFactory, PersonFactory, member_of

    apes = OrganizationFactory(name="APES", slug="apes")
    cress = OrganizationFactory(name="CRESS Hauts-de-France", slug="cress-hdf", kind="reseau")
    room = RoomFactory(space__operator=apes, space__name="Maison de l'ESS", name="Salle des réseaux")
    campaign = CampaignFactory(coordinators=[cress], title="Mois de l'ESS", slug="mois-ess")
    forum = EventFactory(organization=apes, title="Forum Entreprendre autrement", slug="forum",
                         capacity=10, format="forum", campaign=campaign, moderation=Moderation.APPROVED)
    return SimpleNamespace(
        apes=apes, cress=cress, room=room, campaign=campaign, forum=forum,
        organizer=member_of(apes, Role.ORGANIZER, email="orga@apes.test", full_name="Olga Orga"),
        coordinator=member_of(cress, Role.COORDINATOR, email="coord@cress.test", full_name="Chloé Coord"),
        member=PersonFactory(email="membre@essaim.test", full_name="Marc Membre"),
    )
