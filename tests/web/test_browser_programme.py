"""In a real browser: a partner's website on another origin shows the embedded agenda."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.models import Moderation
from tests.events.factories import CampaignFactory, EventFactory, in_days
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner_site(tmp_path):
    """``partner_site(html)``: the address of a page with ``html`` as its body, served from
    another origin (another local port) than Essaim."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(html: str, name: str = "agenda.html") -> str:
        (tmp_path / name).write_text(
            f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Partenaire</title></head>"
            f"<body><h1>Le site du partenaire</h1>{html}<p id='after'>Pied de page</p></body></html>",
            encoding="utf-8")
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield publish
    server.shutdown()


def test_a_partner_page_on_another_origin_embeds_the_agenda_and_shows_its_events(
        page, live_server, partner_site, settings, screenshot):
    settings.SITE_URL = live_server.url
    apes = OrganizationFactory(name="APES", slug="apes")
    campaign = CampaignFactory(slug="mois-ess")
    for n in range(12):
        EventFactory(organization=apes, title=f"Atelier coopératif n° {n + 1}", starts_at=in_days(2 + n),
                     campaign=campaign, moderation=Moderation.APPROVED)
    EventFactory(title="Un autre événement", starts_at=in_days(3))

    # The partner copies the snippet from the composer.
    page.goto(f"{live_server.url}/integrer/?campaign=mois-ess")
    snippet = page.locator("#snippet").input_value()
    assert "data-essaim-agenda" in snippet
    page.frame_locator("iframe.embed-preview").get_by_text("Atelier coopératif n° 1", exact=True).wait_for()

    page.goto(partner_site(snippet))
    agenda = page.frame_locator("iframe[data-essaim-agenda]")
    agenda.get_by_text("Atelier coopératif n° 12").wait_for()
    assert agenda.locator(".event h3").count() == 12
    assert agenda.get_by_text("Un autre événement").count() == 0
    # The sizing script fits the iframe to the twelve events: no scroll bar inside.
    page.wait_for_function(
        "() => document.querySelector('iframe[data-essaim-agenda]').getBoundingClientRect().height > 700")
    frame_height = page.evaluate("document.querySelector('iframe[data-essaim-agenda]').clientHeight")
    inner = page.frames[1].evaluate("document.documentElement.scrollHeight")
    assert abs(frame_height - inner) <= 2
    screenshot(page, "programme-embedded-on-a-partner-site")

    # Any other page of Essaim refuses to show inside the partner's page.
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(partner_site(f"<iframe id='other' src='{live_server.url}/agenda/'></iframe>", "autre.html"))
    page.wait_for_timeout(500)
    assert page.frame_locator("#other").get_by_text("Atelier coopératif n° 1").count() == 0
    assert any("frame" in text and "'none'" in text for text in refused), refused
