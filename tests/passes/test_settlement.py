"""Monthly settlement: issuing space × host space, closed months frozen, adjustments next month."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from network.models import Role
from passes import selectors, services
from passes.models import SettlementLine, Visit
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def lille(db):
    """Three spaces; passes sold by each; visits in September and October 2026."""
    t = SimpleNamespace()
    t.spaces = {slug: SpaceFactory(slug=slug) for slug in ("a", "b", "c")}
    t.network = PassNetworkFactory(spaces=list(t.spaces.values()))
    plan = PlanFactory(network=t.network, price=Decimal("100"), allowance=8)  # 12.50 a visit
    t.staff = {slug: member_of(s.operator, Role.SPACE_MANAGER) for slug, s in t.spaces.items()}
    t.passes = {slug: [PassFactory(plan=plan, issuing_space=s, valid_from=date(2026, 1, 1)) for _ in range(3)]
              for slug, s in t.spaces.items()}

    def visit(pass_obj, host, day):
        checkin, _ = services.checkin_attempt(
            code=pass_obj.code, space=t.spaces[host].slug, actor=services.Actor(person=t.staff[host]),
            now=datetime.combine(day, datetime.min.time(), PARIS).replace(hour=10))
        services.checkin_checkout(checkin=checkin, now=checkin.checked_in_at.replace(hour=16))

    t.visit = visit

    # September: a's members go to b 4 times and to c twice; b's to a once; c's stay home.
    for i, day in enumerate((1, 2, 3, 4)):
        t.visit(t.passes["a"][i % 3], "b", date(2026, 9, day))
    t.visit(t.passes["a"][0], "c", date(2026, 9, 8))
    t.visit(t.passes["a"][1], "c", date(2026, 9, 8))
    t.visit(t.passes["b"][0], "a", date(2026, 9, 9))
    t.visit(t.passes["c"][0], "c", date(2026, 9, 10))
    # October: b's members go to c three times.
    for day in (5, 6, 7):
        t.visit(t.passes["b"][1], "c", date(2026, 10, day))
    t.coordinator = member_of(t.network.coordinator, Role.COORDINATOR)
    return t


def matrix(body):
    return {(row["issuing_space"], row["host_space"]): row for row in body["lines"]}


def test_totals_equal_the_visit_days_counted_per_pair_of_spaces(lille, login):
    t = lille
    body = login(t.coordinator).get(f"/api/v1/settlements/?network={t.network.slug}&month=2026-09").json()
    lines = matrix(body)
    assert set(lines) == {("a", "b"), ("a", "c"), ("b", "a")}  # visits at the issuing space excluded
    for (issuing, host), row in lines.items():
        counted = Visit.objects.filter(pass_obj__issuing_space__slug=issuing, space__slug=host,
                                       day__month=9).count()
        assert row["visit_days"] == counted
        assert Decimal(row["amount"]) == counted * Decimal("12.50")
    assert lines[("a", "b")]["visit_days"] == 4
    assert body["totals"]["visit_days"] == 7
    assert body["totals"]["amount"] == "87.50"
    assert body["closed_at"] is None


def test_the_settlement_csv_opens_in_a_french_spreadsheet(lille, login):
    t = lille
    response = login(t.coordinator).get(
        f"/api/v1/settlements/?network={t.network.slug}&month=2026-09&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith("\ufeff")  # so that a French spreadsheet reads UTF-8
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:4] == ["issuing_space", "host_space", "visit_days", "amount"]
    assert rows[1][3].count(",") == 1 and "." not in rows[1][3]  # a decimal comma
    assert rows[-1][:4] == ["total", "", "7", "87,50"]


def test_closed_month_is_frozen_and_later_corrections_go_to_the_next_month(lille, login):
    t = lille
    client = login(t.coordinator)
    closed = client.post("/api/v1/settlements/close/", {"network": t.network.slug, "month": "2026-09"},
                         format="json")
    assert closed.status_code == 201
    assert closed.json()["closed_at"].endswith(("+01:00", "+02:00"))  # at local time, as elsewhere
    # A September visit cancelled after the closing…
    services.visit_remove(visit=Visit.objects.filter(space=t.spaces["b"], day__month=9).first())
    september = client.get(f"/api/v1/settlements/?network={t.network.slug}&month=2026-09").json()
    assert matrix(september)[("a", "b")]["visit_days"] == 4  # …leaves September as closed
    october = matrix(client.get(f"/api/v1/settlements/?network={t.network.slug}&month=2026-10").json())
    assert october[("a", "b")]["visit_days"] == 0
    assert october[("a", "b")]["adjustment_days"] == -1
    assert october[("a", "b")]["adjustment_amount"] == "-12.50"
    assert october[("b", "c")]["visit_days"] == 3
    # Once October is closed with its adjustment, November owes nothing more for September.
    services.settlement_month_close(network=t.network, month=date(2026, 10, 1), by=t.coordinator,
                                    now=datetime(2026, 11, 20, tzinfo=PARIS))
    november = selectors.settlement_for(network=t.network, month=date(2026, 11, 1))
    assert all(line.adjustment_days == 0 for line in november.lines)


def test_closing_a_month_twice_or_out_of_order_is_refused(lille):
    t = lille
    now = datetime(2026, 11, 20, tzinfo=PARIS)
    services.settlement_month_close(network=t.network, month=date(2026, 10, 1), by=t.coordinator, now=now)
    with pytest.raises(services.MonthClosed):
        services.settlement_month_close(network=t.network, month=date(2026, 10, 1), by=None, now=now)
    with pytest.raises(services.LaterMonthClosed):
        services.settlement_month_close(network=t.network, month=date(2026, 9, 1), by=None, now=now)
    assert SettlementLine.objects.count() == 1


def test_a_month_not_over_cannot_be_closed(lille):
    t = lille
    with pytest.raises(services.MonthNotOver):
        services.settlement_month_close(network=t.network, month=date(2026, 10, 1), by=None,
                                        now=datetime(2026, 10, 31, 12, tzinfo=PARIS))


def test_network_visit_value_replaces_plan_price_over_allowance(lille, login):
    t = lille
    t.network.visit_value = Decimal("9.00")
    t.network.save()
    t.visit(t.passes["c"][2], "a", date(2026, 11, 2))
    body = login(t.coordinator).get(f"/api/v1/settlements/?network={t.network.slug}&month=2026-11").json()
    assert matrix(body)[("c", "a")]["amount"] == "9.00"


def test_space_managers_see_only_their_lines_and_others_are_refused(lille, login):
    t = lille
    body = login(t.staff["c"]).get(f"/api/v1/settlements/?network={t.network.slug}&month=2026-09").json()
    assert set(matrix(body)) == {("a", "c")}
    response = login(PersonFactory()).get(f"/api/v1/settlements/?network={t.network.slug}&month=2026-09")
    assert response.status_code == 403
    closing = login(t.staff["c"]).post("/api/v1/settlements/close/",
                                       {"network": t.network.slug, "month": "2026-09"}, format="json")
    assert closing.status_code == 403


@pytest.mark.parametrize("query", ["month=2026-09", "network=nope&month=2026-09",
                                   "network={slug}&month=2026-13", "network={slug}&month=septembre"])
def test_bad_settlement_query_names_the_field(lille, login, query):
    t = lille
    response = login(t.coordinator).get("/api/v1/settlements/?" + query.format(slug=t.network.slug))
    assert response.status_code == 400
    assert set(response.json()["fields"]) <= {"network", "month"}


@pytest.mark.parametrize(("month", "message"), [
    ("2026-13", "Mois attendu au format AAAA-MM."), ("2026-9", "Mois attendu au format AAAA-MM."),
    ("2101-01", "Date hors des limites : entre 1970 et 2100."),
    ("1969-12", "Date hors des limites : entre 1970 et 2100.")])
def test_a_settlement_month_not_written_aaaa_mm_or_out_of_bounds_is_a_400_saying_which(
        lille, login, month, message):
    client = login(lille.coordinator)
    for response in (client.get("/api/v1/settlements/", {"network": lille.network.slug, "month": month}),
                     client.post("/api/v1/settlements/close/",
                                 {"network": lille.network.slug, "month": month}, format="json")):
        assert response.status_code == 400
        assert response.json()["fields"] == {"month": [message]}
