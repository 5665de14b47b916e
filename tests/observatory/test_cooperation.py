"""The cooperation observatory on a small network counted by hand: who organized public
events with whom, how often, which kinds cooperate, which organization bridges the groups."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zoneinfo
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from backend.throttling import ComputationRateThrottle
from events.models import CoOrganizationStatus, EventStatus
from observatory import cooperation, tasks
from observatory.cooperation import Filters, cooperation_data
from observatory.models import Snapshot
from observatory.snapshots import snapshot_refresh
from tests.events.factories import EventFactory, RegistrationFactory, co_organize
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
YEAR = 2025


def on(month: int, day: int, year: int = YEAR) -> datetime:
    return datetime(year, month, day, 18, 30, tzinfo=PARIS)


def event(lead, *partners, when=None, status=EventStatus.PUBLISHED, department="59", **fields):
    region = {"59": "Hauts-de-France", "62": "Hauts-de-France", "72": "Pays de la Loire", "": ""}[department]
    made = EventFactory(organization=lead, starts_at=when or on(3, 10), status=status, department=department,
                        region=region, commune_insee="", **fields)
    for partner in partners:
        co_organize(made, partner)
    return made


@pytest.fixture
def network():
    """Lille and Arras (A, B, C) on one side, Sarthe (D, E) on the other, F a national
    network without a region; A also works with D and F, and is the only way from B and C
    to the rest."""
    a = OrganizationFactory(name="Association Alpha", kind="association", region="Hauts-de-France",
                            department="59")
    b = OrganizationFactory(name="SCOP Bêta", kind="scop", region="Hauts-de-France", department="59")
    c = OrganizationFactory(name="Ville de Gamma", kind="collectivite", region="Hauts-de-France",
                            department="62")
    d = OrganizationFactory(name="Association Delta", kind="association", region="Pays de la Loire",
                            department="72")
    e = OrganizationFactory(name="Commune d'Epsilon", kind="collectivite", region="Pays de la Loire",
                            department="72")
    f = OrganizationFactory(name="Réseau Phi", kind="reseau", region="", department="")
    event(a, b, c, when=on(3, 10))                         # A–B, A–C, B–C
    event(a, b, when=on(6, 2))                             # A–B again
    event(d, e, when=on(4, 1), department="72")            # D–E
    event(f, d, a, when=on(9, 15), department="72")        # F–D, F–A, D–A
    event(e, f, when=on(10, 5), department="")             # E–F, online: E's territory (Sarthe)
    # None of these count: a draft, a cancelled event, requests not accepted, another year.
    event(a, c, status=EventStatus.DRAFT)
    event(a, c, status=EventStatus.CANCELLED, cancel_reason="Reporté.")
    asked = event(a)
    co_organize(asked, e, status=CoOrganizationStatus.PENDING)
    co_organize(asked, d, status=CoOrganizationStatus.DECLINED)
    event(a, c, when=on(3, 10, YEAR - 1))
    # People around these organizations, who must never appear.
    member_of(a, "organizer", email="zoe.secrete@example.org", full_name="Zoé Secrète")
    RegistrationFactory(event=asked, name="Yves Inscrit", email="yves.inscrit@example.org")
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f)


def table(data: dict, slug: str) -> dict:
    return next(t for t in data["tables"] if t["slug"] == slug)


def links(data: dict) -> dict[frozenset, int]:
    return {frozenset(row[:2]): row[2] for row in table(data, "liens")["rows"]}


def pair(*names: str) -> frozenset:
    return frozenset(names)


def test_links_weigh_the_public_events_organized_together(network):
    data = cooperation_data(Filters(year=YEAR))
    assert links(data) == {
        pair("Association Alpha", "SCOP Bêta"): 2, pair("Association Alpha", "Ville de Gamma"): 1,
        pair("SCOP Bêta", "Ville de Gamma"): 1, pair("Association Delta", "Commune d'Epsilon"): 1,
        pair("Réseau Phi", "Association Delta"): 1, pair("Réseau Phi", "Association Alpha"): 1,
        pair("Association Delta", "Association Alpha"): 1, pair("Commune d'Epsilon", "Réseau Phi"): 1,
    }
    assert table(data, "liens")["rows"][0] == ["Association Alpha", "SCOP Bêta", 2]
    summary = data["view"]["summary"]
    assert (summary["organizations"], summary["links"]) == (6, 8)
    # Six published events that year (the one whose requests were not accepted included), five co-organized.
    assert (summary["events"], summary["co_organized"]) == (6, 5)


def test_the_kinds_that_cooperate_are_counted_by_pair(network):
    rows = {row[0]: row[1:] for row in table(cooperation_data(Filters(year=YEAR)), "types")["rows"]}
    assert rows == {
        "Association × Coopérative (SCOP)": [1, 2],
        "Association × Collectivité": [2, 2],
        "Association × Réseau (CRESS, fédération…)": [2, 2],
        "Association × Association": [1, 1],
        "Collectivité × Coopérative (SCOP)": [1, 1],
        "Collectivité × Réseau (CRESS, fédération…)": [1, 1],
    }


def test_the_organization_joining_the_two_groups_is_the_first_bridge(network):
    rows = table(cooperation_data(Filters(year=YEAR)), "structures")["rows"]
    first = rows[0]
    assert first[0] == "Association Alpha"
    assert first[3] == 4 and first[4] == 3  # four partners, three co-organized events
    assert first[5] > rows[1][5]
    cut_points = [row[0] for row in rows if row[6]]
    assert cut_points == ["Association Alpha"]  # without it, B and C are cut off from the rest


def test_the_page_names_the_main_bridges_first_and_reads_one_row(
        network, client, django_assert_max_num_queries):
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    with django_assert_max_num_queries(1):
        html = client.get("/observatoire/", {"year": YEAR}).content.decode()
    bridges = html[html.index('class="bridges"'):]
    named = bridges.index("Association Alpha (score 60,0 %, point d'articulation)")
    assert named < bridges.index("<table")


def test_territory_filters_read_the_event_s_place_or_its_lead_s_when_it_has_none(network):
    sarthe = links(cooperation_data(Filters(region="Pays de la Loire", year=YEAR)))
    assert sarthe == {
        pair("Association Delta", "Commune d'Epsilon"): 1, pair("Réseau Phi", "Association Delta"): 1,
        pair("Réseau Phi", "Association Alpha"): 1, pair("Association Delta", "Association Alpha"): 1,
        pair("Commune d'Epsilon", "Réseau Phi"): 1}
    nord = links(cooperation_data(Filters(region="Hauts-de-France", department="59", year=YEAR)))
    assert nord == {pair("Association Alpha", "SCOP Bêta"): 2, pair("Association Alpha", "Ville de Gamma"): 1,
                    pair("SCOP Bêta", "Ville de Gamma"): 1}


def test_a_kind_keeps_the_links_where_an_organization_of_that_kind_takes_part(network):
    data = cooperation_data(Filters(kind="scop", year=YEAR))
    assert links(data) == {pair("Association Alpha", "SCOP Bêta"): 2, pair("SCOP Bêta", "Ville de Gamma"): 1}


def test_a_period_counts_the_events_starting_within_its_days(network):
    spring = Filters(start=date(YEAR, 3, 1), end=date(YEAR, 4, 30))
    assert links(cooperation_data(spring)) == {
        pair("Association Alpha", "SCOP Bêta"): 1, pair("Association Alpha", "Ville de Gamma"): 1,
        pair("SCOP Bêta", "Ville de Gamma"): 1, pair("Association Delta", "Commune d'Epsilon"): 1}


def test_year_on_year_shows_the_network_growing(network):
    rows = table(cooperation_data(Filters(year=YEAR)), "annees")["rows"]
    assert rows == [[str(YEAR - 1), 2, 1, 1, 1, 100.0], [str(YEAR), 6, 8, 6, 5, 83.3]]


def circles(svg: str) -> list[tuple[float, float, float, str]]:
    return [(float(x), float(y), float(r), name) for x, y, r, name in re.findall(
        r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)" fill="#\w+"><title>([^<]+)</title>', svg)]


def test_the_drawing_places_every_organization_inside_the_canvas_the_same_way_each_time(network):
    first = cooperation_data(Filters(year=YEAR))["view"]["drawing"]
    assert first == cooperation_data(Filters(year=YEAR))["view"]["drawing"]
    drawn = circles(first["svg"])
    assert len(drawn) == 6 and first["svg"].count("<line ") == 8
    assert all(0 < x < 1000 and 0 < y < 720 for x, y, _r, _name in drawn)
    biggest = max(drawn, key=lambda circle: circle[2])
    assert biggest[3] == "Association Alpha (4 liens)"


def test_a_large_network_draws_its_most_linked_organizations_and_says_so(monkeypatch, network, client):
    monkeypatch.setattr(cooperation, "DRAWN", 3)
    drawing = cooperation_data(Filters(year=YEAR))["view"]["drawing"]
    assert (drawing["drawn"], drawing["total"]) == (3, 6)
    assert circles(drawing["svg"])[0][3] == "Association Alpha (4 liens)"
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    html = client.get("/observatoire/", {"year": YEAR}).content.decode()
    assert "le dessin montre les 3 qui ont le plus de partenaires" in html


def test_no_person_appears_in_any_output(network, client, api):
    key = Filters(year=YEAR).key
    snapshot_refresh(kind=cooperation.KIND, key=key)
    outputs = [
        json.dumps(Snapshot.objects.get(kind=cooperation.KIND, key=key).data, ensure_ascii=False),
        client.get("/observatoire/", {"year": YEAR}).content.decode(),
        client.get("/observatoire/", {"year": YEAR, "format": "json"}).content.decode(),
        *(client.get("/observatoire/", {"year": YEAR, "format": "csv", "table": slug}).content
          .decode("utf-8-sig") for slug in ("liens", "structures", "types", "annees")),
        json.dumps(api.get("/api/v1/observatory/cooperation/", {"year": YEAR}).json(), ensure_ascii=False),
    ]
    assert "Association Alpha" in outputs[1]
    for output in outputs:
        for secret in ("Zoé", "Secrète", "zoe.secrete", "Yves", "yves.inscrit", "@"):
            assert secret not in output


def test_csv_downloads_open_in_a_french_spreadsheet(network, client):
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    response = client.get("/observatoire/", {"year": YEAR, "format": "csv", "table": "structures"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Structure", "Type", "Région", "Liens (partenaires)"]
    assert rows[1][0] == "Association Alpha" and rows[1][6] == "oui"
    assert "," in rows[1][5]  # the bridging score with a decimal comma
    assert len(rows) == 7


def test_a_filter_never_asked_for_is_computed_by_the_worker_meanwhile_the_page_says_so(
        network, client, django_capture_on_commit_callbacks, monkeypatch):
    worker = []
    monkeypatch.setattr(tasks.refresh_snapshot, "delay", lambda *args: worker.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get("/observatoire/", {"region": "Pays de la Loire", "year": YEAR})
    assert "en cours de calcul" in page.content.decode()
    assert '<meta http-equiv="refresh"' in page.content.decode()  # and asks again by itself
    assert worker == [(cooperation.KIND, "region=Pays+de+la+Loire&year=2025")]
    tasks.refresh_snapshot(*worker[0])
    page = client.get("/observatoire/", {"region": "Pays de la Loire", "year": YEAR})
    html = page.content.decode()
    assert "en cours de calcul" not in html
    assert "<svg" in html and "Commune d&#x27;Epsilon" in html


def test_one_address_asks_for_so_many_new_filters_and_then_waits_while_computed_ones_stay_open(
        network, client, api, monkeypatch):
    monkeypatch.setattr(ComputationRateThrottle, "rate", "3/hour", raising=False)
    monkeypatch.setattr(tasks.refresh_snapshot, "delay", lambda *args: None)
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    answers = [client.get("/observatoire/", {"year": YEAR, "start": f"{YEAR}-01-{day:02d}",
                                             "end": f"{YEAR}-12-31"}) for day in (1, 2, 3, 4)]
    assert [page.status_code for page in answers] == [200, 200, 200, 429]
    refused = answers[3].content.decode()
    assert "Trop de nouveaux calculs demandés depuis votre adresse : réessayez dans 60 minutes" in refused
    assert '<meta http-equiv="refresh"' not in refused
    # Asked for before (even if not computed yet), or computed: not counted, always answered.
    assert client.get("/observatoire/", {"year": YEAR, "start": f"{YEAR}-01-01",
                                         "end": f"{YEAR}-12-31"}).status_code == 200
    assert client.get("/observatoire/", {"year": YEAR}).status_code == 200
    too_many = api.get("/api/v1/observatory/cooperation/", {"region": "Hauts-de-France"})
    assert too_many.status_code == 429 and too_many.json()["code"] == "too_many_computations"
    assert 3500 < int(too_many["Retry-After"]) <= 3600 and int(answers[3]["Retry-After"]) > 3500
    assert client.get("/observatoire/", {"region": "Hauts-de-France", "format": "json"}).status_code == 429
    assert Snapshot.objects.filter(kind=cooperation.KIND).count() == 4


def test_the_api_answers_the_snapshot_and_names_a_bad_filter(network, api):
    url = "/api/v1/observatory/cooperation/"
    assert api.get(url, {"year": YEAR}).status_code == 202
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    body = api.get(url, {"year": YEAR}).json()
    assert body["status"] == "ready" and body["licence"].startswith("Licence Ouverte")
    assert body["summary"]["links"] == 8
    for params, field in [({"year": "deux-mille"}, "year"), ({"region": "Atlantide"}, "region"),
                          ({"kind": "club"}, "kind"), ({"department": "999"}, "department"),
                          ({"start": f"{YEAR}-05-01", "end": f"{YEAR}-04-01"}, "end"),
                          ({"start": f"{YEAR}-05-01"}, "end"), ({"region": ""}, "region")]:
        response = api.get(url, params)
        assert response.status_code == 400, params
        assert list(response.json()["fields"]) == [field]


def test_a_bad_filter_on_the_page_is_named_beside_the_form(client):
    response = client.get("/observatoire/", {"year": "deux-mille"})
    assert response.status_code == 400
    assert 'href="#f-year"' in response.content.decode()


def test_the_daily_refresh_computes_france_for_three_years_and_each_region_with_events(network):
    EventFactory(starts_at=on(1, 15, date.today().year), region="Pays de la Loire", department="72")
    year = date.today().year
    assert cooperation.daily_keys() == [f"year={year - 2}", f"year={year - 1}", f"year={year}",
                                        f"region=Pays+de+la+Loire&year={year}"]


def test_a_snapshot_key_reads_back_as_its_filter():
    filters = Filters(region="Hauts-de-France", department="59", kind="scic", start=date(2025, 1, 1),
                      end=date(2025, 6, 30))
    assert Filters.from_key(filters.key) == filters


def test_the_demo_shows_a_network_with_its_bridges_as_soon_as_it_is_loaded(client):
    call_command("load_demo", stdout=io.StringIO())
    html = client.get("/observatoire/").content.decode()
    assert "en cours de calcul" not in html and "<svg" in html
    data = Snapshot.objects.get(kind=cooperation.KIND, key=Filters(year=date.today().year).key).data["fr"]
    summary = data["view"]["summary"]
    assert summary["links"] >= 20 and summary["groups"] >= 2 and summary["cut_points"] >= 1


def charts(html: str) -> str:
    """The page's charts, their SVG decoded from their ``data:`` URIs."""
    return "".join(base64.b64decode(uri).decode() for uri in re.findall(
        r'src="data:image/svg\+xml;charset=utf-8;base64,([^"]+)"', html))


def test_figures_are_stored_in_every_language_whichever_asked_for_them(network):
    with translation.override("en"):
        snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    data = Snapshot.objects.get(kind=cooperation.KIND).data
    assert set(data) == {"fr", "en"}
    assert table(data["fr"], "structures")["headers"][:2] == ["Structure", "Type"]
    assert table(data["en"], "structures")["headers"][:2] == ["Organization", "Type"]
    assert data["fr"]["view"]["filters"]["territory"] == "Toute la France"
    assert data["en"]["view"]["filters"]["territory"] == "All of France"
    # Measured once: the same figures in both.
    assert table(data["fr"], "liens")["rows"] == table(data["en"], "liens")["rows"]


def test_an_english_visitor_reads_the_observatory_in_english_a_french_one_in_french(network, client, api):
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    english = client.get("/observatoire/", {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for words in ("Links between organizations", "Partner organization", "Association × Local authority",
                  "All of France", "Association Alpha (4 links)", "Network of the organizations"):
        assert words in english, words
    assert "Liens entre structures" not in english and "Association × Collectivité" not in english
    assert "Co-organized events by pair of types" in charts(english) and "Événements" not in charts(english)
    french = client.get("/observatoire/", {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for words in ("Liens entre structures", "Association × Collectivité", "Association Alpha (4 liens)"):
        assert words in french, words
    assert "Événements co-organisés par paire de types" in charts(french)
    rows = list(csv.reader(io.StringIO(client.get(
        "/observatoire/", {"year": YEAR, "format": "csv", "table": "structures"},
        HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Organization", "Type", "Region", "Links (partners)"]
    body = api.get("/api/v1/observatory/cooperation/", {"year": YEAR}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["tables"][0]["title"] == "Links between organizations"


def test_figures_stored_in_their_former_shape_read_as_not_computed(network, client):
    Snapshot.objects.create(kind=cooperation.KIND, key=Filters(year=YEAR).key, version=1,
                            computed_at=timezone.now(), data={"view": {}, "tables": []})
    page = client.get("/observatoire/", {"year": YEAR})
    assert page.status_code == 200 and "en cours de calcul" in page.content.decode()
    assert client.get("/observatoire/", {"year": YEAR, "format": "json"}).status_code == 202
