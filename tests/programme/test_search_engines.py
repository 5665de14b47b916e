"""What search engines and news readers get: schema.org Event JSON-LD, the sitemap, campaign feeds."""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import datetime, timedelta
from html import unescape
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, EventStatus, Moderation
from programme.typography import NBSP
from tests.events.factories import CampaignFactory, EventFactory, RoomFactory, co_organize, in_days
from tests.factories import OrganizationFactory, Role, member_of

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
# Google Search Central, "Event (Event, Place, VirtualLocation) structured data": the
# properties Google requires, and those it recommends, for an event rich result.
REQUIRED = {"name", "startDate", "location"}
RECOMMENDED = {"description", "endDate", "eventAttendanceMode", "eventStatus", "offers", "organizer"}
OFFER_RECOMMENDED = {"availability", "price", "priceCurrency", "url", "validFrom"}
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?[+-]\d\d:\d\d$")


def json_ld(client, event: Event) -> dict:
    html = client.get(reverse("web:event", args=[event.slug])).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


def assert_meets_google_event_rules(data: dict, *, priced: bool = True) -> None:
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    missing = REQUIRED - data.keys()
    assert not missing, f"required properties missing: {missing}"
    missing = RECOMMENDED - data.keys()
    assert not missing, f"recommended properties missing: {missing}"
    assert ISO_WITH_OFFSET.match(data["startDate"]) and ISO_WITH_OFFSET.match(data["endDate"])
    locations = data["location"] if isinstance(data["location"], list) else [data["location"]]
    for location in locations:
        if location["@type"] == "Place":
            assert location["name"] and location["address"]["@type"] == "PostalAddress"
            assert location["address"]["addressCountry"] == "FR"
        else:
            assert location["@type"] == "VirtualLocation" and location["url"].startswith("https://")
    mode = data["eventAttendanceMode"].removeprefix(SCHEMA)
    kinds = {location["@type"] for location in locations}
    assert mode == {frozenset({"Place"}): "OfflineEventAttendanceMode",
                    frozenset({"VirtualLocation"}): "OnlineEventAttendanceMode",
                    frozenset({"Place", "VirtualLocation"}): "MixedEventAttendanceMode"}[frozenset(kinds)]
    assert data["eventStatus"].removeprefix(SCHEMA) in {
        "EventScheduled", "EventCancelled", "EventRescheduled", "EventPostponed", "EventMovedOnline"}
    for organizer in data["organizer"]:
        assert organizer["name"] and organizer["url"].startswith("http")
    offer = data["offers"]
    expected = OFFER_RECOMMENDED if priced else OFFER_RECOMMENDED - {"price", "priceCurrency"}
    assert not expected - offer.keys(), f"offer properties missing: {expected - offer.keys()}"
    assert offer["availability"].removeprefix(SCHEMA) in {"InStock", "SoldOut", "PreOrder"}
    if priced:
        assert re.match(r"^\d+(\.\d\d)?$", offer["price"]) and offer["priceCurrency"] == "EUR"


@pytest.fixture
def lille(db):
    apes = OrganizationFactory(name="APES", slug="apes")
    mel = OrganizationFactory(name="Métropole européenne de Lille", slug="mel")
    room = RoomFactory(space__name="Maison de l'ESS",
                       space__address="235 boulevard Paul Painlevé, 59000 Lille",
                       space__latitude="50.619000", space__longitude="3.075000", name="Salle des réseaux")
    return apes, mel, room


def test_a_normal_event_meets_googles_event_rules(client, lille):
    apes, mel, room = lille
    forum = EventFactory(organization=apes, title="Forum de l'ESS", description="Rencontrer les structures.",
                         room=room, price_text="5 €, gratuit pour les adhérent·es", capacity=40)
    co_organize(forum, mel)

    data = json_ld(client, forum)

    assert_meets_google_event_rules(data)
    assert data["startDate"].endswith(("+01:00", "+02:00"))
    assert data["location"]["name"] == "Maison de l'ESS — Salle des réseaux"
    assert data["location"]["address"]["streetAddress"] == "235 boulevard Paul Painlevé"
    assert data["location"]["address"]["postalCode"] == "59000"
    assert data["location"]["address"]["addressLocality"] == "Lille"
    assert data["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 50.619, "longitude": 3.075}
    assert [o["name"] for o in data["organizer"]] == ["APES", "Métropole européenne de Lille"]
    assert data["offers"]["price"] == "5" and data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["url"].endswith(f"/evenements/{forum.slug}/")


def test_a_cancelled_event_says_so(client, lille):
    apes, _mel, _room = lille
    event = EventFactory(organization=apes, address="Gare Saint-Sauveur, 17 boulevard Jean-Baptiste Lebas, "
                         "59000 Lille", status=EventStatus.CANCELLED, cancel_reason="Intempéries",
                         cancelled_at=timezone.now(), price_text="Gratuit")

    data = json_ld(client, event)

    assert_meets_google_event_rules(data)
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert data["location"]["name"] == "Gare Saint-Sauveur"
    assert data["location"]["address"]["addressLocality"] == "Lille"


def test_an_online_event_has_a_virtual_location(client, lille):
    apes, _mel, _room = lille
    event = EventFactory(organization=apes, online_url="https://visio.example.org/ess", price_text="Gratuit",
                         description="En visioconférence.")

    data = json_ld(client, event)

    assert_meets_google_event_rules(data)
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://visio.example.org/ess"}
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"


def test_a_free_event_offers_a_price_of_zero(client, lille):
    apes, _mel, room = lille
    event = EventFactory(organization=apes, room=room, price_text="Gratuit", description="Entrée libre.",
                         online_url="https://visio.example.org/direct")

    data = json_ld(client, event)

    assert_meets_google_event_rules(data)
    assert data["offers"]["price"] == "0" and data["isAccessibleForFree"] is True
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [location["@type"] for location in data["location"]] == ["Place", "VirtualLocation"]


def test_a_full_event_is_sold_out_and_a_price_not_in_euros_is_left_out(client, lille):
    apes, _mel, room = lille
    event = EventFactory(organization=apes, room=room, price_text="Prix libre", capacity=1, description="x")
    services.registration_create(event=event, person=None, name="Ada", email="ada@example.org")

    data = json_ld(client, event)

    assert_meets_google_event_rules(data, priced=False)
    assert data["offers"]["availability"] == SCHEMA + "SoldOut"
    assert "price" not in data["offers"]


def test_a_moved_event_is_rescheduled_from_its_first_date(client, lille):
    apes, _mel, room = lille
    organizer = member_of(apes, Role.ORGANIZER)
    event = EventFactory(organization=apes, room=room, description="x")
    first = event.starts_at
    services.event_update(actor=organizer, event=event, starts_at=first + timedelta(days=7),
                          ends_at=event.ends_at + timedelta(days=7))
    services.event_update(actor=organizer, event=event, starts_at=first + timedelta(days=8),
                          ends_at=event.ends_at + timedelta(days=8))

    data = json_ld(client, event)

    assert data["eventStatus"] == SCHEMA + "EventRescheduled"
    assert data["previousStartDate"] == first.astimezone(event.zone).isoformat()

    services.event_update(actor=organizer, event=event, starts_at=first, ends_at=first + timedelta(hours=2))
    assert json_ld(client, event)["eventStatus"] == SCHEMA + "EventScheduled"


def test_all_day_events_give_their_dates(client, lille):
    apes, _mel, room = lille
    start = in_days(5).replace(hour=0, minute=0)
    event = EventFactory(organization=apes, room=room, all_day=True, starts_at=start,
                         ends_at=start + timedelta(days=2))

    data = json_ld(client, event)

    assert data["startDate"] == start.date().isoformat()
    assert data["endDate"] == (start + timedelta(days=1)).date().isoformat()


def test_a_title_cannot_close_the_script_element(client, lille):
    apes, _mel, room = lille
    event = EventFactory(organization=apes, room=room, title="</script><script>alert(1)</script>")
    html = client.get(reverse("web:event", args=[event.slug])).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(client, event)["name"] == "</script><script>alert(1)</script>"


def test_a_draft_page_carries_no_structured_data(client, lille):
    apes, _mel, room = lille
    organizer = member_of(apes, Role.ORGANIZER)
    draft = EventFactory(organization=apes, room=room, status=EventStatus.DRAFT)
    client.force_login(organizer)
    html = client.get(reverse("web:event", args=[draft.slug])).content.decode()
    assert "application/ld+json" not in html


def test_the_sitemap_lists_public_pages_and_never_drafts(client, lille, django_assert_max_num_queries):
    apes, _mel, room = lille
    public = EventFactory(organization=apes, room=room)
    draft = EventFactory(organization=apes, status=EventStatus.DRAFT)
    campaign = CampaignFactory()
    for _ in range(20):
        EventFactory(organization=apes)

    def locations(path: str) -> set[str]:
        response = client.get(path)
        assert response.status_code == 200
        document = ElementTree.fromstring(response.content)  # noqa: S314 - our own sitemap
        return {element.text for element in document.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}

    sections = locations("/sitemap.xml")
    assert "http://testserver/sitemap-events.xml" in sections and len(sections) == 4
    with django_assert_max_num_queries(4):
        events = locations("/sitemap-events.xml")
    assert f"http://127.0.0.1:8000/evenements/{public.slug}/" in events
    assert f"http://127.0.0.1:8000/evenements/{draft.slug}/" not in events
    assert f"http://127.0.0.1:8000/campagnes/{campaign.slug}/" in locations("/sitemap-campaigns.xml")
    assert "http://127.0.0.1:8000/structures/apes/" in locations("/sitemap-organizations.xml")
    assert "http://127.0.0.1:8000/agenda/" in locations("/sitemap-pages.xml")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_campaign_feed_lists_its_newly_approved_events_latest_first(client, lille, kind):
    apes, _mel, _room = lille
    campaign = CampaignFactory(title="Mois de l'ESS", slug="mois-ess")
    now = timezone.now()
    older = EventFactory(organization=apes, title="Approuvé la semaine dernière", campaign=campaign,
                         moderation=Moderation.APPROVED, moderated_at=now - timedelta(days=7))
    newer = EventFactory(organization=apes, title="Approuvé hier", campaign=campaign,
                         moderation=Moderation.APPROVED, moderated_at=now - timedelta(days=1))
    EventFactory(organization=apes, title="En attente", campaign=campaign, moderation=Moderation.PENDING)
    EventFactory(organization=apes, title="Brouillon", campaign=campaign, moderation=Moderation.APPROVED,
                 status=EventStatus.DRAFT)
    EventFactory(organization=apes, title="Autre campagne", moderation=Moderation.APPROVED,
                 campaign=CampaignFactory())

    response = client.get(f"/feeds/campaigns/mois-ess.{kind}")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(newer.title) < body.index(older.title)
    for absent in ("En attente", "Brouillon", "Autre campagne"):
        assert absent not in body
    assert f"http://127.0.0.1:8000/evenements/{newer.slug}/" in body
    assert client.get(f"/feeds/campaigns/inconnue.{kind}").status_code == 404


def test_an_event_with_an_image_shows_it_to_search_engines_and_social_networks(client, lille):
    apes, _mel, room = lille
    event = EventFactory(organization=apes, room=room, description="Avec une affiche.")
    Event.objects.filter(pk=event.pk).update(image="events/affiche-forum.jpg", image_alt="L'affiche du forum")

    data = json_ld(client, event)
    html = client.get(reverse("web:event", args=[event.slug])).content.decode()

    image = "http://127.0.0.1:8000" + reverse("web:image", kwargs={"name": "affiche-forum.jpg"})
    assert data["image"] == [image]
    assert f'<meta property="og:image" content="{image}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta property="og:title" content="{event.title}">' in html


def test_an_event_without_an_image_has_a_summary_card(client, lille):
    apes, _mel, room = lille
    event = EventFactory(organization=apes, room=room)
    html = client.get(reverse("web:event", args=[event.slug])).content.decode()
    assert '<meta name="twitter:card" content="summary">' in html and "og:image" not in html
    assert "image" not in json_ld(client, event)


def _card_descriptions(html: str) -> set[str]:
    return {unescape(found) for found in re.findall(
        r'<meta (?:property="og:description"|name="twitter:description") content="([^"]*)">', html)}


def test_a_shared_link_says_when_and_where_before_what(client, lille):
    apes, _mel, room = lille
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    forum = EventFactory(organization=apes, room=room, description="Rencontrer les structures " * 20,
                         starts_at=datetime(2030, 11, 14, 18, 30, tzinfo=paris),
                         ends_at=datetime(2030, 11, 14, 20, 0, tzinfo=paris))
    webinar = EventFactory(organization=apes, address="", online_url="https://visio.example.org/ess",
                           description="", starts_at=datetime(2030, 11, 15, 12, 30, tzinfo=paris),
                           ends_at=datetime(2030, 11, 15, 13, 30, tzinfo=paris))

    forum_html = client.get(reverse("web:event", args=[forum.slug])).content.decode()
    [card] = _card_descriptions(forum_html)
    plain = card.replace(NBSP, " ")
    assert plain.startswith("jeudi 14 novembre 2030, 18 h 30 · Lille — Rencontrer les structures")
    assert len(card) <= 200 and card.endswith("…")

    english = client.get(reverse("web:event", args=[webinar.slug]),
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert {card.replace(NBSP, " ") for card in _card_descriptions(english)} == {
        "Friday 15 November 2030, 12:30 pm · Online"}


def test_a_shared_link_whose_head_fills_the_card_is_the_head_alone(client, lille):
    apes, _mel, _room = lille
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    head = "jeudi 14 novembre 2030, 18 h 30 · "
    town = "Saint-Martin-" + "x" * (198 - len(head) - len("Saint-Martin-"))
    event = EventFactory(organization=apes, address=f"1 place de la Mairie, 59000 {town}",
                         description="Rencontrer les structures de l'ESS du territoire.",
                         starts_at=datetime(2030, 11, 14, 18, 30, tzinfo=paris),
                         ends_at=datetime(2030, 11, 14, 20, 0, tzinfo=paris))

    [card] = _card_descriptions(client.get(reverse("web:event", args=[event.slug])).content.decode())

    assert card.replace(NBSP, " ") == head + town


def test_an_event_page_looks_its_address_up_once(client, lille):
    apes, _mel, _room = lille
    event = EventFactory(organization=apes, address="1 place de la Mairie, 59000 Lille")

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("web:event", args=[event.slug]))

    assert len([query for query in queries if "programme_geocodedaddress" in query["sql"]]) == 1
