"""In a real browser: an organizer fills in every field of the event form with an image, and the
public sees the event as its organizers published it, without any moderation state."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from events.models import CoOrganizationStatus, Event, Moderation
from tests.events.factories import EventFactory, in_days
from tests.factories import OrganizationFactory
from tests.web.test_browser_events import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def poster(path, *, gps: bool = True):
    """A landscape photo, as a phone makes it: EXIF with the place it was taken."""
    image = Image.new("RGB", (1600, 900), (230, 120, 40))
    for x in range(0, 1600, 100):
        image.paste((40, 90, 160), (x, 300, x + 50, 600))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (50.0, 37.0, 0.0), 3: "E", 4: (3.0, 3.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def test_organizer_fills_every_field_with_an_image_and_the_public_page_shows_it(
        page, town, tmp_path, media, screenshot):
    OrganizationFactory(name="Coopérative Énergie Citoyenne", slug="energie")
    OrganizationFactory(name="Réseau des Ressourceries", slug="ressourceries")
    day = in_days(15)
    sign_in(page, "orga@apes.test", "/mes-evenements/")
    page.get_by_role("link", name="Créer un événement").click()

    page.locator("#id_title").fill("Forum de la coopération")
    page.locator("#id_description").fill("Une soirée pour rencontrer les coopératives du territoire.")
    page.locator("#id_format").select_option("forum")
    page.locator("#id_status").select_option("published")
    page.locator("#id_image").set_input_files(str(poster(tmp_path / "affiche.jpg")))
    page.locator("#id_image_alt").fill("Affiche orange et bleue du forum")
    page.locator("#id_audience").fill("Porteur·ses de projet et curieux·ses")
    page.locator("#id_price_text").fill("5 €, gratuit pour les adhérent·es")
    page.locator("#id_accessibility").fill("Salle de plain-pied, boucle magnétique.")
    page.locator("#id_starts_at").fill(day.strftime("%Y-%m-%dT18:30"))
    page.locator("#id_ends_at").fill(day.strftime("%Y-%m-%dT21:00"))
    zones = page.locator("#id_time_zone option").all_inner_texts()
    assert zones[0].startswith("France métropolitaine (Paris)") and len(zones) > 300
    assert page.locator("#id_time_zone").input_value() == "Europe/Paris"
    page.locator("#id_address").fill("5 place de la République, 59000 Lille")
    page.locator("#id_online_url").fill("https://visio.example.org/forum")
    page.locator("#id_capacity").fill("40")
    page.locator("#id_registration_opens_at").fill(
        (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT09:00"))
    page.locator("#id_registration_closes_at").fill((day - timedelta(days=1)).strftime("%Y-%m-%dT12:00"))

    # The co-organizer picker: the lead is not offered; a search finds a partner whatever the accents.
    picker = page.locator("#id_co_organizers")
    assert not picker.get_by_text("APES", exact=True).is_visible()
    page.get_by_role("searchbox", name="Rechercher une structure par son nom").fill("energie")
    assert picker.locator(".picker-option:visible").all_inner_texts() == ["Coopérative Énergie Citoyenne"]
    picker.get_by_label("Coopérative Énergie Citoyenne").check()
    assert "Choisies : Coopérative Énergie Citoyenne" in picker.locator(".picker-chosen").inner_text()
    screenshot(page, "event-form-every-field")

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url("**/modifier/")
    assert "Coopérative Énergie Citoyenne : demande envoyée, en attente de sa réponse" in page.locator(
        ".co-organization-states").inner_text()
    event = Event.objects.get(title="Forum de la coopération")
    assert event.image and event.image_alt == "Affiche orange et bleue du forum"
    assert [c.status for c in event.co_organizations.all()] == [CoOrganizationStatus.PENDING]
    stored = Image.open(media / event.image.name)
    assert not stored.getexif()
    assert page.locator(".current-image img").evaluate("img => img.naturalWidth") > 0

    # The public page, as an anonymous visitor sees it.
    visitor = page.context.browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.goto(f"{page.base}/evenements/{event.slug}/")
    image = public.get_by_role("img", name="Affiche orange et bleue du forum")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1600
    facts = public.locator(".facts").inner_text()
    for text in ("Forum", "APES", "Porteur·ses de projet et curieux·ses", "5 €, gratuit pour les adhérent·es",
                 "boucle magnétique", "https://visio.example.org/forum"):
        assert text in facts
    assert "Clôture" in public.locator("section[aria-labelledby=inscription]").inner_text()
    assert public.get_by_role("button", name="M'inscrire").is_visible()
    og_image = public.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image.endswith(event.image_url)
    assert public.request.get(page.base + event.image_url).headers["content-type"] == "image/jpeg"
    screenshot(public, "event-public-page-with-image")

    public.goto(f"{page.base}/agenda/")
    thumb = public.locator(".event-item", has_text="Forum de la coopération").locator(".event-thumb")
    # A lazy image loads once in view; decode() waits for it.
    thumb.scroll_into_view_if_needed()
    assert thumb.evaluate("img => img.decode().then(() => img.naturalWidth)") == 480
    visitor.close()


def test_a_bad_image_is_refused_on_its_field_in_the_browser(page, town, tmp_path, settings):
    settings.EVENT_IMAGE_MAX_BYTES = 1_000_000
    day = in_days(15)
    sign_in(page, "orga@apes.test", "/mes-evenements/nouveau/")
    page.locator("#id_title").fill("Atelier réemploi")
    page.locator("#id_starts_at").fill(day.strftime("%Y-%m-%dT18:30"))
    page.locator("#id_ends_at").fill(day.strftime("%Y-%m-%dT20:00"))

    # "Gratuit" ticked leaves nothing to type as a price.
    page.get_by_label("Gratuit").check()
    assert page.locator("#id_price_text").is_disabled()
    page.get_by_label("Gratuit").uncheck()
    assert page.locator("#id_price_text").is_enabled()

    # Too heavy: said at once, before any upload.
    heavy = tmp_path / "lourde.jpg"
    heavy.write_bytes(b"\xff\xd8\xff" + b"\0" * 2_000_000)
    page.locator("#id_image").set_input_files(str(heavy))
    field = page.locator(".field", has=page.locator("#id_image"))
    assert "L'image pèse 2 Mo : 1 Mo au plus." in field.locator(".error").inner_text()
    assert page.locator("#id_image").input_value() == ""

    # Not an image, under a .jpg name: refused by the server, on the field, the rest kept.
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 5000)
    page.locator("#id_image").set_input_files(str(fake))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    error = page.locator("#id_image_error").inner_text()
    assert "Ce fichier n'est pas une image : JPEG, PNG, WebP ou GIF attendus." in error
    assert page.locator("#id_title").input_value() == "Atelier réemploi"
    assert page.locator(".form-errors").get_by_role("link", name="Image").is_visible()
    screenshot_path = tmp_path / "refused.png"
    page.screenshot(path=str(screenshot_path), full_page=True)
    assert not Event.objects.filter(title="Atelier réemploi").exists()


def test_an_anonymous_visitor_never_sees_a_moderation_state(page, town):
    pending = EventFactory(organization=town.apes, title="Forum en attente", slug="en-attente",
                           campaign=town.campaign, moderation=Moderation.PENDING)
    refused = EventFactory(organization=town.apes, title="Forum refusé", slug="refuse",
                           campaign=town.campaign, moderation=Moderation.REJECTED,
                           moderation_comment="Hors du territoire.")
    for event in (pending, refused):
        page.goto(f"{page.base}/evenements/{event.slug}/")
        text = page.locator("main").inner_text()
        assert event.title in text and "APES" in text
        for state in ("En attente de modération", "Refusé par la campagne", "Mois de l'ESS",
                      "Hors du territoire"):
            assert state not in text
        data = page.request.get(f"{page.base}/api/v1/events/{event.pk}/").json()
        assert "moderation" not in data and data["campaign"] is None and data["label"] == ""
        feed = page.request.get(f"{page.base}/feeds/events/{event.pk}.ics").text()
        assert "STATUS:CONFIRMED" in feed and "Mois de l'ESS" not in feed
    listed = page.request.get(f"{page.base}/api/v1/events/?moderation=pending").json()
    assert listed["count"] == 0

    # The lead organization's organizer does see where the event stands.
    sign_in(page, "orga@apes.test", "/evenements/refuse/")
    assert page.get_by_text("Refusé par la campagne").is_visible()
