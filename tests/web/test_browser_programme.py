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


@pytest.fixture
def mapped_agenda(db):
    from tests.events.factories import RoomFactory

    apes = OrganizationFactory(name="APES", slug="apes")
    room = RoomFactory(space__name="Mutualab", space__latitude="50.633000", space__longitude="3.066000")
    EventFactory(organization=apes, title="Dans un tiers-lieu", room=room, starts_at=in_days(2))
    EventFactory(organization=apes, title="À Roubaix", address="La Condition Publique, 14 place Faidherbe, "
                 "59100 Roubaix", latitude="50.682600", longitude="3.170000", starts_at=in_days(3))
    EventFactory(organization=apes, title="En visio", online_url="https://visio.example.org/a",
                 starts_at=in_days(4))
    EventFactory(organization=apes, title="Lieu à venir", address="Salle des fêtes", starts_at=in_days(5))


def test_the_map_shows_markers_and_lists_every_event_when_tiles_are_unreachable(page, mapped_agenda, settings,
                                                                              screenshot):
    from tests.services import free_port

    settings.MAP_TILES_URL = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"  # nothing listens there

    page.goto(f"{page.base}/carte/")

    page.locator(".leaflet-marker-icon").first.wait_for()
    assert page.locator(".leaflet-marker-icon").count() == 2
    assert sorted(page.locator(".leaflet-marker-icon").evaluate_all("els => els.map(e => e.title)")) == [
        "Dans un tiers-lieu", "À Roubaix"]
    assert page.locator("#liste-carte a").all_inner_texts() == ["Dans un tiers-lieu", "À Roubaix"]
    assert page.locator("#liste-hors-carte a").all_inner_texts() == ["En visio", "Lieu à venir"]
    # The events without a position are a section of their own, not the end of a scroll box…
    scrolled = page.locator("#liste-hors-carte").evaluate(
        "list => { for (let box = list.parentElement; box; box = box.parentElement) {"
        " if (['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) return box.className; }"
        " return null; }")
    assert scrolled is None
    # …and the filters sit side by side, as the agenda's do.
    theme, kind = page.locator("#m-theme").bounding_box(), page.locator("#m-format").bounding_box()
    assert theme["y"] == kind["y"] and theme["x"] + theme["width"] <= kind["x"]
    page.locator(".leaflet-marker-icon[title='À Roubaix']").click()
    assert page.locator(".leaflet-popup-content a").inner_text() == "À Roubaix"
    screenshot(page, "programme-map-without-tiles")


def test_events_at_one_venue_are_grouped_under_their_count_and_open_on_a_click(page, db, settings,
                                                                             screenshot):
    from tests.events.factories import RoomFactory
    from tests.services import free_port

    settings.MAP_TILES_URL = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    apes = OrganizationFactory(name="APES", slug="apes")
    room = RoomFactory(space__name="Maison de l'ESS", space__latitude="50.633000",
                       space__longitude="3.066000")
    for n in range(5):
        EventFactory(organization=apes, title=f"Café métiers n° {n}", room=room, starts_at=in_days(n + 1))
    EventFactory(organization=apes, title="À Roubaix", latitude="50.682600", longitude="3.170000",
                 address="14 place Faidherbe, 59100 Roubaix", starts_at=in_days(7))

    page.goto(f"{page.base}/carte/")
    cluster = page.locator(".marker-cluster")
    cluster.wait_for()
    assert cluster.count() == 1 and cluster.inner_text() == "5"
    assert page.locator(".leaflet-marker-icon[title='À Roubaix']").count() == 1
    assert page.locator("#liste-carte a").count() == 6
    cluster.click()
    page.locator(".leaflet-marker-icon[title='Café métiers n° 0']").wait_for()
    screenshot(page, "programme-map-cluster-opened")


def test_the_map_draws_tiles_from_the_configured_server(page, mapped_agenda, settings):
    from tests.programme import stubs

    tiles = stubs.tiles()
    settings.MAP_TILES_URL = tiles.url + "/{z}/{x}/{y}.png"
    try:
        page.goto(f"{page.base}/carte/")
        page.locator("img.leaflet-tile-loaded").first.wait_for()
        assert any(path.endswith(".png") for path in tiles.requests)
    finally:
        tiles.close()


def test_without_scripts_the_brochure_page_waits_then_says_ready_and_downloads(
        browser, live_server, monkeypatch, screenshot):
    from programme import brochure as brochures
    from programme import printing

    asked = []
    monkeypatch.setattr(brochures, "_enqueue", lambda task, key: asked.append(key))
    monkeypatch.setattr(printing, "REFRESH_SECONDS", 1)
    apes = OrganizationFactory(name="APES", slug="apes")
    EventFactory(organization=apes, title="Forum de l'ESS", starts_at=in_days(3),
                 address="Gare Saint-Sauveur, 17 boulevard Jean-Baptiste Lebas, 59000 Lille")
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/programme/imprimer/?organization=apes&size=a5")
        assert "en cours de préparation" in page.locator("main").inner_text()
        assert asked == ["a5:fr:organization=apes"]

        brochures.brochure_build(key=asked[0])
        # The page's own refresh (a meta tag: no script runs here) finds it ready.
        page.get_by_role("heading", name="Votre programme est prêt").wait_for()
        screenshot(page, "programme-brochure-ready")
        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger le programme").click()
        assert download.value.suggested_filename == "programme-apes-a5.pdf"
        page.reload()
        assert page.get_by_role("heading", name="Votre programme est prêt").is_visible()
    finally:
        context.close()


def test_a_past_campaign_offers_nothing_to_print_and_its_boxes_keep_apart(page, db):
    CampaignFactory(title="Mois de l'ESS 2020", slug="mois-ess-2020")

    page.goto(f"{page.base}/campagnes/mois-ess-2020/")

    links = page.locator(".programme-links")
    assert links.get_by_role("link", name="A4").count() == 0
    subscribe = page.locator(".subscribe").bounding_box()
    assert links.bounding_box()["y"] >= subscribe["y"] + subscribe["height"] + 8


def test_past_the_limit_the_map_shows_a_marker_per_department_and_lists_them_when_tiles_are_unreachable(
        page, mapped_agenda, settings, monkeypatch, screenshot):
    from programme import mapping
    from tests.services import free_port

    settings.MAP_TILES_URL = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"  # nothing listens there
    monkeypatch.setattr(mapping, "MAP_LIMIT", 2)
    EventFactory(title="À Arras", address="10 rue Désiré Delansorne, 62000 Arras", latitude="50.290000",
                 longitude="2.780000", department="62", starts_at=in_days(6))
    EventFactory(title="Webinaire", online_url="https://visio.example.org/b", department="", region="",
                 commune_insee="", starts_at=in_days(7))

    page.goto(f"{page.base}/carte/")

    markers = page.locator(".department-marker a")
    markers.first.wait_for()
    assert markers.evaluate_all("links => links.map(a => [a.textContent, a.title])") == [
        ["4", "Nord (59) : 4 événements"], ["1", "Pas-de-Calais (62) : 1 événement"]]
    assert page.locator("#liste-departements a").all_inner_texts() == ["Nord (59)", "Pas-de-Calais (62)"]
    assert page.locator("#sans-departement").inner_text() == "1 événement sans département"
    assert page.locator(".leaflet-marker-icon[title]").count() == 0, "no marker per event"
    screenshot(page, "programme-map-by-department")

    page.locator(".department-marker a", has_text="1").click()
    page.wait_for_url("**/carte/?territory=62")
    page.locator(".leaflet-marker-icon[title='À Arras']").wait_for()
    assert page.locator("#liste-carte a").all_inner_texts() == ["À Arras"]
