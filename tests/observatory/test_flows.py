"""Coworking flows on a hand-built network: every figure against a count done by hand, the
matrix against the settlement's own statement, small counts hidden, nobody named, and only
the network's coordinators and its spaces' managers reading them unless the network publishes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from network.models import Person, Role
from observatory import flows
from observatory.disclosure import HIDDEN
from observatory.snapshots import snapshot_refresh
from passes import selectors
from passes.models import Channel, CheckIn, Pass, PassNetwork, PlanKind, Visit
from spaces.models import Space
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory, many_passes

pytestmark = pytest.mark.django_db

PARIS = timezone.get_default_timezone()
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@dataclass
class Network:
    network: PassNetwork
    a: Space
    b: Space
    c: Space
    alice: Pass
    bob: Pass
    march: list[Pass]
    coordinator: Person
    manager: Person


def _visit(pass_obj: Pass, space: Space, day: date, hours: tuple[time, time] | None = None) -> Visit:
    visit = Visit.objects.create(pass_obj=pass_obj, space=space, day=day, value=Decimal("10.00"))
    if hours is not None:
        CheckIn.objects.create(pass_obj=pass_obj, space=space, visit=visit, channel=Channel.DESK,
                               checked_in_at=datetime.combine(day, hours[0], tzinfo=PARIS),
                               checked_out_at=datetime.combine(day, hours[1], tzinfo=PARIS))
    return visit


@pytest.fixture
def hand(db) -> Network:
    return hand_built()


def hand_built() -> Network:
    """Three spaces; Alice (sold by A) works at A, then twice at B in January, at C in
    February; Bob (sold by B) comes to A in January and stays home in February; six members
    of A all come to B on 2 March; a walk-in day at C (not a member) in January."""
    a, b, c = SpaceFactory(name="Atelier"), SpaceFactory(name="Bazar"), SpaceFactory(name="Cabane")
    network = PassNetworkFactory(spaces=[a, b, c])
    plan = PlanFactory(network=network)
    alice = PassFactory(plan=plan, issuing_space=a, holder__full_name="Alice Secrète",
                        holder__email="alice.secrete@example.org", valid_from=date(2025, 1, 1))
    bob = PassFactory(plan=plan, issuing_space=b, holder__full_name="Bob Caché",
                      holder__email="bob.cache@example.org", valid_from=date(2025, 1, 1))
    _visit(alice, a, date(2026, 1, 5))
    # Tuesday 6 January: Alice at B 9:40-11:10, Bob at A 10:00-12:00.
    _visit(alice, b, date(2026, 1, 6), (time(9, 40), time(11, 10)))
    _visit(alice, b, date(2026, 1, 7))
    _visit(alice, c, date(2026, 2, 3))
    _visit(bob, a, date(2026, 1, 6), (time(10), time(12)))
    _visit(bob, b, date(2026, 2, 10))
    walk_in = PlanFactory(network=network, kind=PlanKind.DAY, allowance=1, validity_days=1)
    _visit(PassFactory(plan=walk_in, issuing_space=c, holder=None, guest_name="Invitée Anonyme"),
           c, date(2026, 1, 8))
    march = many_passes(plan=plan, issuing_space=a, count=6, visit_at=b, day=date(2026, 3, 2))
    return Network(network=network, a=a, b=b, c=c, alice=alice, bob=bob, march=march,
                   coordinator=member_of(network.coordinator, Role.COORDINATOR),
                   manager=member_of(a.operator, Role.SPACE_MANAGER))


def _data(hand: Network) -> dict:
    return snapshot_refresh(kind=flows.KIND, key=hand.network.slug).data


def _presences(data: dict, month: str, space: Space | None = None) -> list[list[int]]:
    """[weekday, hour, presences] of ``month``, at ``space`` or everywhere."""
    counts: dict[tuple[int, int], int] = {}
    for space_id, weekday, hour, n in data["occupancy"][month]:
        if space is None or space_id == space.id:
            counts[(weekday, hour)] = counts.get((weekday, hour), 0) + n
    return [[weekday, hour, n] for (weekday, hour), n in sorted(counts.items())]


def test_the_flows_matrix_is_the_settlements_visit_days_month_by_month(hand):
    data = _data(hand)
    for month in (JAN, FEB, MAR):
        statement = selectors.settlement_compute(network=hand.network, month=month)
        settled = {(x.issuing_space_id, x.host_space_id): x.visit_days for x in statement.lines}
        assert {(i, h): n for i, h, n in data["matrix"][f"{month:%Y-%m}"]} == settled
    assert {(i, h): n for i, h, n in data["matrix"]["2026-01"]} == {
        (hand.a.id, hand.b.id): 2, (hand.b.id, hand.a.id): 1}


def test_members_in_several_spaces_and_first_visits_elsewhere_are_counted_by_hand(hand):
    data = _data(hand)
    # January: Alice (A and B) and Bob (A); the walk-in is no member. February: one space each.
    assert data["members"] == {"2026-01": [2, 1], "2026-02": [2, 0], "2026-03": [6, 0]}
    # Alice and Bob first went elsewhere in January (Alice's C in February is not a first).
    assert data["first_elsewhere"] == {"2026-01": 2, "2026-03": 6}


def test_occupancy_counts_each_hour_a_check_in_overlaps_in_local_time(hand):
    data = _data(hand)
    tuesday = 1
    # Alice 9:40-11:10 → 9, 10, 11; Bob 10:00-12:00 → 10, 11 (he left as 12 h began).
    assert _presences(data, "2026-01") == [[tuesday, 9, 1], [tuesday, 10, 2], [tuesday, 11, 2]]
    assert _presences(data, "2026-01", hand.a) == [[tuesday, 10, 1], [tuesday, 11, 1]]
    assert _presences(data, "2026-01", hand.b) == [[tuesday, 9, 1], [tuesday, 10, 1], [tuesday, 11, 1]]


def test_a_forgotten_check_out_stops_at_midnight_and_each_space_counts_in_its_own_time(hand):
    import zoneinfo

    reunion = SpaceFactory(name="Réunion", time_zone="Indian/Reunion")
    hand.network.spaces.add(reunion)
    plan = hand.alice.plan
    late, quick, far = (PassFactory(plan=plan, issuing_space=space, valid_from=date(2025, 1, 1))
                        for space in (hand.a, hand.b, reunion))
    wednesday = date(2026, 4, 1)

    def stay(pass_obj, space, start: datetime, end: datetime) -> None:
        visit = _visit(pass_obj, space, start.date())
        CheckIn.objects.create(pass_obj=pass_obj, space=space, visit=visit, channel=Channel.DESK,
                               checked_in_at=start, checked_out_at=end)

    # In at 22:30, checked out by nobody until 8:00 the next day: 22 h and 23 h only.
    stay(late, hand.a, datetime.combine(wednesday, time(22, 30), tzinfo=PARIS),
         datetime.combine(date(2026, 4, 2), time(8), tzinfo=PARIS))
    # A quarter of an hour, then in and out at once: the arrival's hour, twice.
    stay(quick, hand.b, datetime.combine(wednesday, time(14, 5), tzinfo=PARIS),
         datetime.combine(wednesday, time(14, 20), tzinfo=PARIS))
    stay(hand.bob, hand.b, datetime.combine(wednesday, time(14), tzinfo=PARIS),
         datetime.combine(wednesday, time(14), tzinfo=PARIS))
    # 9:00-10:00 in Réunion is 7:00-8:00 in Paris: counted at 9 h.
    island = zoneinfo.ZoneInfo("Indian/Reunion")
    stay(far, reunion, datetime.combine(wednesday, time(9), tzinfo=island),
         datetime.combine(wednesday, time(10), tzinfo=island))
    data = _data(hand)
    assert _presences(data, "2026-04") == [[2, 9, 1], [2, 14, 2], [2, 22, 1], [2, 23, 1]]
    assert _presences(data, "2026-04", reunion) == [[2, 9, 1]]


def test_counts_of_one_to_four_people_show_as_less_than_five(hand):
    shown = flows.figures(_data(hand), first=JAN, last=MAR, draw=False)
    names = [row[0] for row in shown.matrix.rows]
    atelier = shown.matrix.rows[names.index("Atelier")]
    # Atelier's members at Bazar: 2 in January and 6 in March; at Cabane, Alice once.
    assert atelier[1:] == ["—", 8, HIDDEN, 9]
    bazar = shown.matrix.rows[names.index("Bazar")]
    assert bazar[1:] == [HIDDEN, "—", 0, HIDDEN]
    assert shown.members.rows[0][1:] == [HIDDEN, HIDDEN, "—"]  # no share that gives away the one
    assert shown.members.rows[2][1:] == [6, 0, 0]
    assert [row[1] for row in shown.first_elsewhere.rows] == [HIDDEN, 0, 6]
    tuesday = shown.occupancy.rows[1]
    assert tuesday[0] == "Mardi" and HIDDEN in tuesday and not any(isinstance(v, int) and 0 < v < 5
                                                                for v in tuesday[1:])
    matrix = shown.api["matrix"]
    assert {"issuing_space": hand.a.slug, "host_space": hand.b.slug, "visit_days": 8} in matrix
    assert {"issuing_space": hand.b.slug, "host_space": hand.a.slug, "visit_days": HIDDEN} in matrix


def _client(person: Person | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def test_coordinators_and_managers_read_the_flows_and_nobody_else(hand):
    _data(hand)
    url = f"/reseaux/{hand.network.slug}/flux/"
    assert _client(hand.coordinator).get(url).status_code == 200
    assert _client(hand.manager).get(url).status_code == 200
    assert _client(PersonFactory()).get(url).status_code == 404
    assert _client(None).get(url).status_code == 404
    assert _client(None).get(url + "?format=csv&table=matrice").status_code == 404
    assert _client(hand.manager).post(url + "recalculer/").status_code == 404
    assert _client(hand.manager).post(url + "publication/", {"public": "1"}).status_code == 404


def test_once_the_network_publishes_them_anyone_reads_the_flows(hand):
    _data(hand)
    url = f"/reseaux/{hand.network.slug}/flux/"
    response = _client(hand.coordinator).post(url + "publication/", {"public": "1"})
    assert response.status_code == 302
    hand.network.refresh_from_db()
    assert hand.network.public_flows
    public = _client(None).get(url)
    assert public.status_code == 200
    assert b"Recalculer" not in public.content and "Règlements".encode() not in public.content
    assert _client(None).post(url + "recalculer/").status_code == 302  # to the sign-in page
    assert _client(PersonFactory()).post(url + "recalculer/").status_code == 404


def test_a_coordinator_asks_for_fresh_figures(hand, monkeypatch, django_capture_on_commit_callbacks):
    from observatory import tasks

    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(tasks.refresh_snapshot, "delay", lambda *args: asked.append(args))
    url = f"/reseaux/{hand.network.slug}/flux/"
    with django_capture_on_commit_callbacks(execute=True):
        first = _client(hand.coordinator).get(url)
    assert b"en cours de calcul" in first.content
    assert b'<meta http-equiv="refresh"' in first.content
    assert asked == [(flows.KIND, hand.network.slug)]  # a first visit asks the worker
    tasks.refresh_snapshot(*asked.pop())
    page = _client(hand.coordinator).get(url)
    assert b"Recalculer" in page.content and b"en cours de calcul" not in page.content
    assert b'http-equiv="refresh"' not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(hand.coordinator).post(url + "recalculer/")
    assert response.status_code == 302 and asked == [(flows.KIND, hand.network.slug)]
    assert b"Un nouveau calcul est en cours" in _client(hand.coordinator).get(url).content


def test_a_manager_reads_the_presences_of_one_space(hand):
    _data(hand)
    url = f"/reseaux/{hand.network.slug}/flux/?from=2026-01&to=2026-03&space={hand.b.slug}"
    page = _client(hand.manager).get(url).content.decode()
    assert "Présences par jour de la semaine et heure : Bazar" in page
    assert f'<option value="{hand.b.slug}" selected>Bazar</option>' in page
    rows = _csv(_client(hand.manager).get(url + "&format=csv&table=occupation"))
    tuesday = dict(zip(rows[0], rows[2], strict=True))
    assert (tuesday["Jour"], tuesday["9\u00a0h"], tuesday["12\u00a0h"]) == ("Mardi", "< 5", "0")
    refused = _client(hand.manager).get(url.replace(hand.b.slug, "ailleurs"))
    assert refused.status_code == 400 and "pas un espace du réseau" in refused.content.decode()


def _csv(response) -> list[list[str]]:
    text = response.content.decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_no_output_names_a_person(hand):
    _data(hand)
    client = _client(hand.coordinator)
    url = f"/reseaux/{hand.network.slug}/flux/?from=2026-01&to=2026-03"
    outputs = [client.get(url).content, client.get(url + "&format=json").content]
    outputs += [client.get(f"{url}&format=csv&table={table}").content
                for table in ("matrice", "occupation", "membres", "premieres-visites")]
    people = Person.objects.filter(passes__plan__network=hand.network)
    secrets = ["Invitée Anonyme", *people.values_list("full_name", flat=True),
               *people.values_list("email", flat=True)]
    assert len(secrets) == 17  # the guest, and the eight members' names and addresses
    for output in outputs:
        text = output.decode()
        assert not [secret for secret in secrets if secret in text]


def test_each_table_downloads_as_a_csv_a_french_spreadsheet_opens(hand):
    _data(hand)
    url = f"/reseaux/{hand.network.slug}/flux/?from=2026-01&to=2026-03&format=csv&table=matrice"
    response = _client(hand.manager).get(url)
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["Membres de… (espace émetteur)", "Atelier", "Bazar", "Cabane", "Total"]
    assert rows[1] == ["Atelier", "—", "8", "< 5", "9"]
    assert rows[-1][0] == "Total"
    for query, field in (("&table=inconnu", "table"), ("&format=xls", "format")):
        refused = _client(hand.manager).get(url.replace("&format=csv", "") + query
                                            if field == "format" else url + query)
        assert refused.status_code == 400 and refused.content.decode().startswith(f"{field} :")


def test_a_month_that_is_not_one_is_refused_on_the_page_naming_it(hand):
    _data(hand)
    response = _client(hand.coordinator).get(f"/reseaux/{hand.network.slug}/flux/?from=2026-13")
    assert response.status_code == 400
    assert b"Mois attendu au format AAAA-MM" in response.content
    assert b'id="f-from" type="month" name="from"' in response.content
    url = f"/reseaux/{hand.network.slug}/flux/?from=2026-03&to=2026-01"
    reversed_range = _client(hand.coordinator).get(url)
    assert reversed_range.status_code == 400


# --- The API ---------------------------------------------------------------------


def _url(hand: Network, query: str = "") -> str:
    return f"/api/v1/networks/{hand.network.slug}/flows/{query}"


def test_the_api_gives_the_flows_of_the_months_asked_for(hand, login):
    snapshot_refresh(kind=flows.KIND, key=hand.network.slug)
    body = login(hand.coordinator).get(_url(hand, "?from=2026-01&to=2026-03")).json()
    assert (body["from"], body["to"], body["pending"]) == ("2026-01", "2026-03", False)
    assert {"issuing_space": hand.a.slug, "host_space": hand.b.slug, "visit_days": 8} in body["matrix"]
    assert [row["members"] for row in body["first_elsewhere"]] == [HIDDEN, 0, 6]
    assert body["members"][2] == {"month": "2026-03", "members": 6, "multi_space": 0,
                                  "multi_space_percent": 0}
    assert body["members"][0]["multi_space_percent"] is None  # it would give away Alice
    assert {"weekday": 1, "hour": 10, "presences": HIDDEN} in body["occupancy"]
    only_a = login(hand.coordinator).get(_url(hand, f"?from=2026-01&to=2026-03&space={hand.a.slug}")).json()
    assert only_a["space"] == hand.a.slug
    assert [(row["weekday"], row["hour"]) for row in only_a["occupancy"]] == [(1, 10), (1, 11)]
    people = Person.objects.filter(passes__plan__network=hand.network)
    text = json.dumps(body, ensure_ascii=False)
    secrets = [*people.values_list("full_name", flat=True), *people.values_list("email", flat=True)]
    assert len(secrets) == 16 and not [secret for secret in secrets if secret in text]


def test_a_bad_month_or_space_is_a_400_naming_it(hand, login):
    client = login(hand.manager)
    for query, field in (("?from=2026-13", "from"), ("?to=janvier", "to"), ("?from=1890-01", "from"),
                         ("?from=2026-05&to=2026-01", "to"), ("?space=ailleurs", "space")):
        response = client.get(_url(hand, query))
        assert response.status_code == 400, query
        assert list(response.json()["fields"]) == [field]


def test_a_month_not_written_aaaa_mm_or_out_of_bounds_is_one_refusal_of_the_api(hand, login):
    client = login(hand.manager)
    for month in ("2026-13", "2026-1", "0000-01", "1969-12", "2101-01"):
        body = client.get(_url(hand, f"?from={month}")).json()
        assert (body["code"], body["fields"]) == ("bad_month", {"from": [
            "Mois attendu au format AAAA-MM (par exemple 2026-01)."]}), month


def test_only_the_network_reads_its_flows_until_it_publishes_them(hand, login, api):
    assert login(hand.coordinator).get(_url(hand)).status_code == 200
    assert login(hand.manager).get(_url(hand)).status_code == 200
    assert login(PersonFactory()).get(_url(hand)).status_code == 404
    assert api.get(_url(hand)).status_code == 404
    flows.flows_publish(network=hand.network, public=True)
    assert api.get(_url(hand)).status_code == 200


def test_the_page_reads_the_snapshot_in_a_few_queries_whatever_the_months(hand,
                                                                          django_assert_max_num_queries):
    _data(hand)
    client = _client(hand.coordinator)
    url = f"/reseaux/{hand.network.slug}/flux/"
    client.get(url)
    for query in ("", "?from=2020-01&to=2026-12"):
        # The session, the person, their roles and spaces, the network, who reads it, the snapshot.
        with django_assert_max_num_queries(12):
            assert client.get(url + query).status_code == 200


def test_the_page_draws_its_figures_once_per_snapshot_months_and_language(hand, monkeypatch):
    _data(hand)
    drawn = []
    draw = flows.figures

    def drawing(*args, **kwargs):
        drawn.append(kwargs)
        return draw(*args, **kwargs)

    monkeypatch.setattr(flows, "figures", drawing)
    client = _client(hand.coordinator)
    url = f"/reseaux/{hand.network.slug}/flux/"
    first = client.get(url)
    again = client.get(url)
    assert again.context["shown"] == first.context["shown"] and len(drawn) == 1
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    client.get(url + "?from=2020-01&to=2026-12")
    assert len(drawn) == 3
    snapshot_refresh(kind=flows.KIND, key=hand.network.slug)
    client.get(url)
    assert len(drawn) == 4, "figures computed again are drawn again"
