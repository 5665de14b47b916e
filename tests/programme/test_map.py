"""The agenda on a map: located events as markers, the others listed beside; addresses geocoded
by the worker through the national address API (a local stub here), never on the request path."""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from events.models import Event, EventStatus, Moderation
from programme import mapping
from programme.geocoding import geocode_pending
from programme.models import GeocodedAddress
from programme.tasks import build_requested_brochures, forget_brochures, geocode_addresses
from tests.events.factories import CampaignFactory, EventFactory, RoomFactory, in_days
from tests.factories import OrganizationFactory
from tests.programme import stubs
from worker.schedule import beat_schedule

pytestmark = pytest.mark.django_db

TOURCOING = "Maison des associations, 100 rue de Lille, 59200 Tourcoing"
ARRAS = "Maison de l'ESS, 10 rue Désiré Delansorne, 62000 Arras"
NOWHERE = "Salle des fêtes, 1 rue Inconnue, 59999 Nullepart"
GARE = "Place de la gare, 59000 Lille"


@pytest.fixture
def agenda(db):
    apes = OrganizationFactory(name="APES", slug="apes")
    room = RoomFactory(space__name="Mutualab", space__latitude="50.633000", space__longitude="3.066000")
    return {
        "room": EventFactory(organization=apes, title="Dans un tiers-lieu", room=room, starts_at=in_days(2)),
        "own": EventFactory(organization=apes, title="Place de la gare", address=GARE, latitude="50.636000",
                            longitude="3.070000", starts_at=in_days(3)),
        "geocoded": EventFactory(organization=apes, title="À Tourcoing", address=TOURCOING,
                                 starts_at=in_days(4)),
        "unknown": EventFactory(organization=apes, title="Adresse introuvable", address=NOWHERE,
                                starts_at=in_days(5)),
        "online": EventFactory(organization=apes, title="En visio", online_url="https://visio.example.org/a",
                               starts_at=in_days(6)),
        "cancelled": EventFactory(organization=apes, title="Annulé à Lille", address=GARE,
                                  latitude="50.636000", longitude="3.070000", status=EventStatus.CANCELLED,
                                  cancel_reason="Météo", starts_at=in_days(7)),
    }


def lists(html: str) -> tuple[list[str], list[str]]:
    def titles(list_id: str) -> list[str]:
        block = html[html.index(f'id="{list_id}"'):]
        block = block[:block.index("</ol>")]
        return re.findall(r'<a href="/evenements/[^"]+/">([^<]+)</a>', block)

    return titles("liste-carte"), titles("liste-hors-carte")


def markers(html: str) -> list[dict]:
    return json.loads(re.search(r'<script id="evenements-carte" type="application/json">(.*?)</script>',
                                html, re.S)[1])


def test_located_events_are_markers_and_the_others_are_listed_beside(client, agenda, settings, monkeypatch):
    GeocodedAddress.objects.create(query=TOURCOING, found=True, latitude="50.723000", longitude="3.161000",
                                   commune="Tourcoing", citycode="59599")

    def no_network(*args, **kwargs):
        raise AssertionError("the map page must not call the address API")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    settings.GEOCODER_URL = "http://127.0.0.1:9/search/"
    response = client.get(reverse("programme:map"))

    html = response.content.decode()
    on_map, beside = lists(html)
    assert on_map == ["Dans un tiers-lieu", "Place de la gare", "À Tourcoing"]
    assert beside == ["Adresse introuvable", "En visio", "Annulé à Lille"]
    points = {marker["title"]: (marker["lat"], marker["lon"]) for marker in markers(html)}
    assert points == {"Dans un tiers-lieu": (50.633, 3.066), "Place de la gare": (50.636, 3.07),
                      "À Tourcoing": (50.723, 3.161)}
    assert "https://tile.openstreetmap.org" in response.headers["Content-Security-Policy"]
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html


def test_tiles_come_from_the_configured_server(client, agenda, settings):
    settings.MAP_TILES_URL = "https://tuiles.example.org/osm/{z}/{x}/{y}.png"
    response = client.get(reverse("programme:map"))
    assert "img-src 'self' data: https://tuiles.example.org" in response.headers["Content-Security-Policy"]
    assert 'data-tiles="https://tuiles.example.org/osm/{z}/{x}/{y}.png"' in response.content.decode()


def test_the_map_takes_the_agendas_filters(client, agenda):
    EventFactory(title="Café métiers", format="cafe_metiers", address=ARRAS, latitude="50.291000",
                 longitude="2.777500")
    html = client.get(reverse("programme:map"), {"format": "cafe_metiers"}).content.decode()
    assert lists(html) == (["Café métiers"], [])
    refused = client.get(reverse("programme:map"), {"format": "karaoke"})
    assert refused.status_code == 400 and "<code>format</code>" in refused.content.decode()


def test_the_map_names_the_campaign_it_shows(client, agenda):
    campaign = CampaignFactory(title="Mois de l'ESS", slug="mois-ess")
    EventFactory(title="Forum", campaign=campaign, moderation=Moderation.APPROVED, address=ARRAS,
                 starts_at=in_days(3))

    html = client.get(reverse("programme:map"), {"campaign": "mois-ess"}).content.decode()

    assert '<p class="lead">Mois de l&#x27;ESS</p>' in html
    assert 'name="campaign" value="mois-ess"' in html
    assert '<p class="lead">' not in client.get(reverse("programme:map")).content.decode()


def test_the_map_page_queries_do_not_grow_with_events(client, agenda, django_assert_max_num_queries):
    for n in range(40):
        EventFactory(title=f"Atelier {n}", address=f"{n} rue de Lille, 59000 Lille", starts_at=in_days(8 + n))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("programme:map")).status_code == 200


def test_the_worker_geocodes_each_address_once_through_the_address_api(agenda, settings):
    api = stubs.address_api({TOURCOING: (50.723, 3.161, "Tourcoing", "59599")})
    settings.GEOCODER_URL = f"{api.url}/search/"
    try:
        assert geocode_addresses() == 2
        assert geocode_pending() == 0, "known addresses are not asked again"
    finally:
        api.close()

    found = GeocodedAddress.objects.get(query=TOURCOING)
    assert found.found and (float(found.latitude), float(found.longitude)) == (50.723, 3.161)
    assert found.commune == "Tourcoing" and found.citycode == "59599"
    assert not GeocodedAddress.objects.get(query=NOWHERE).found
    asked = [parse_qs(urlsplit(path).query)["q"][0] for path in api.requests]
    assert sorted(asked) == sorted([TOURCOING, NOWHERE])


def test_an_unreachable_address_api_stores_nothing_and_the_next_run_goes_on(agenda, settings):
    settings.GEOCODER_URL = "http://127.0.0.1:9/search/"
    settings.GEOCODER_TIMEOUT = 0.5
    assert geocode_pending() == 0
    assert not GeocodedAddress.objects.exists()


def test_without_an_address_api_nothing_is_geocoded(agenda, settings):
    settings.GEOCODER_URL = ""
    assert geocode_addresses() == 0


def test_a_new_address_wakes_the_geocoder(agenda, settings, monkeypatch, django_capture_on_commit_callbacks):
    woken = []
    monkeypatch.setattr(geocode_addresses, "apply_async", lambda **kwargs: woken.append(kwargs))
    settings.GEOCODER_URL = "http://127.0.0.1:9/search/"
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(title="Nouvelle adresse", address=ARRAS)
        EventFactory(title="Avec ses coordonnées", address=ARRAS, latitude="50.291000", longitude="2.777500")
    assert len(woken) == 1


def test_the_programmes_periodic_tasks_are_scheduled():
    schedule = beat_schedule()
    assert schedule["programme-geocode-addresses"]["task"] == geocode_addresses.name
    assert schedule["programme-build-requested"]["task"] == build_requested_brochures.name
    assert schedule["programme-forget-brochures"]["task"] == forget_brochures.name


@pytest.fixture
def national(agenda, monkeypatch):
    """The agenda's six events in the Nord, with two in the Pas-de-Calais and one without a
    department: more than the map's limit (two, here)."""
    monkeypatch.setattr(mapping, "MAP_LIMIT", 2)
    apes = agenda["room"].organization
    EventFactory(organization=apes, title="À Arras", address=ARRAS, latitude="50.290000",
                 longitude="2.780000", department="62", starts_at=in_days(8))
    EventFactory(organization=apes, title="Plus tard à Arras", address=ARRAS, latitude="50.300000",
                 longitude="2.760000", department="62", starts_at=in_days(9))
    EventFactory(organization=apes, title="Sans département", online_url="https://visio.example.org/b",
                 department="", region="", commune_insee="", starts_at=in_days(10))


def departments(html: str) -> list[tuple[str, str, str]]:
    block = html[html.index('id="liste-departements"'):]
    block = block[:block.index("</ol>")]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="muted">([^<]+)</span>', block)


def department_markers(html: str) -> list[dict]:
    return json.loads(re.search(r'<script id="departements-carte" type="application/json">(.*?)</script>',
                                html, re.S)[1])


def test_past_the_limit_the_map_counts_events_by_department_and_each_opens_its_own_map(client, national):
    GeocodedAddress.objects.create(query=TOURCOING, found=True, latitude="50.723000", longitude="3.161000",
                                   commune="Tourcoing", citycode="59599")

    html = client.get(reverse("programme:map"), {"organization": "apes"}).content.decode()

    assert departments(html) == [
        ("/carte/?organization=apes&amp;territory=59", "Nord (59)", "6 événements"),
        ("/carte/?organization=apes&amp;territory=62", "Pas-de-Calais (62)", "2 événements")]
    assert re.search(r'id="sans-departement">\s*1 événement sans département', html)
    assert 'id="liste-carte"' not in html and 'id="evenements-carte"' not in html
    # At the mean of the located published events: the room's, the own, the geocoded ones (not
    # the cancelled one, nor the unknown address).
    nord, pas_de_calais = department_markers(html)
    assert (nord["label"], nord["count"]) == ("Nord (59)", 6)
    assert nord["url"] == "/carte/?organization=apes&territory=59"
    assert nord["title"] == "Nord (59) : 6 événements"
    assert nord["lat"] == pytest.approx((50.633 + 50.636 + 50.723) / 3)
    assert nord["lon"] == pytest.approx((3.066 + 3.07 + 3.161) / 3)
    assert (pas_de_calais["lat"], pas_de_calais["lon"]) == (pytest.approx(50.295), pytest.approx(2.77))


def test_a_departments_link_narrows_the_map_to_its_events(client, national):
    html = client.get(reverse("programme:map"), {"territory": "62"}).content.decode()
    assert lists(html) == (["À Arras", "Plus tard à Arras"], [])
    assert "Pas-de-Calais (62)" in html


def test_no_line_counts_events_without_a_department_when_there_are_none(client, national):
    Event.objects.filter(department="").delete()
    html = client.get(reverse("programme:map")).content.decode()
    assert "liste-departements" in html and "sans-departement" not in html


def test_a_department_with_no_located_event_is_listed_without_a_marker(client, national):
    EventFactory(title="À Amiens, lieu à préciser", address="Salle des fêtes", department="80")
    html = client.get(reverse("programme:map")).content.decode()
    assert [label for _url, label, _count in departments(html)] == [
        "Nord (59)", "Pas-de-Calais (62)", "Somme (80)"]
    assert [marker["code"] for marker in department_markers(html)] == ["59", "62"]


def test_under_the_limit_the_map_shows_its_events_as_before(client, national, monkeypatch):
    monkeypatch.setattr(mapping, "MAP_LIMIT", 9)
    html = client.get(reverse("programme:map")).content.decode()
    assert lists(html) == (
        ["Dans un tiers-lieu", "Place de la gare", "À Arras", "Plus tard à Arras"],
        ["À Tourcoing", "Adresse introuvable", "En visio", "Annulé à Lille", "Sans département"])
    assert "liste-departements" not in html and "departements-carte" not in html
    monkeypatch.setattr(mapping, "MAP_LIMIT", 8)
    assert "liste-departements" in client.get(reverse("programme:map")).content.decode()


def test_a_department_too_large_is_cut_at_the_limit_as_it_has_no_finer_map(client, national):
    html = client.get(reverse("programme:map"), {"territory": "59"}).content.decode()
    assert "liste-departements" not in html
    assert lists(html)[0] == ["Dans un tiers-lieu", "Place de la gare"]
    assert "Seuls les 2 premiers événements sont montrés" in html


def test_the_overview_queries_do_not_grow_with_events(client, national, django_assert_max_num_queries):
    for n in range(40):
        EventFactory(title=f"Atelier {n}", address=f"{n} rue de Lille, 59000 Lille", starts_at=in_days(8 + n),
                     department=f"{n % 5 + 10}")
    with django_assert_max_num_queries(9):
        html = client.get(reverse("programme:map")).content.decode()
    assert len(departments(html)) == 7
