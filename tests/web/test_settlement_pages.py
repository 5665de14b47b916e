"""A network's settlement on a page: who hosted whose members, who pays whom to settle the
month, closing it; a member space's managers read their own lines; nobody else reads any."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from network.models import Role
from passes import selectors
from passes.models import SettlementMonth, Visit
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory, many_passes

pytestmark = pytest.mark.django_db


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def month_url(network, month: date, name: str = "web:settlement-month") -> str:
    return reverse(name, args=[network.slug, f"{month:%Y-%m}"])


def network_of(count: int, *, month: date, names: list[str] | None = None):
    """``count`` spaces in a network; the members of each visited the next one twice in
    ``month`` at 7,00 € a day, and those of the first also the last once."""
    names = names or [f"Espace {n:02d}" for n in range(count)]
    spaces = [SpaceFactory(name=name) for name in names]
    network = PassNetworkFactory(spaces=spaces, visit_value=Decimal("7.00"))
    plan = PlanFactory(network=network, allowance=20)
    for n, space in enumerate(spaces):
        pass_obj = PassFactory(plan=plan, issuing_space=space, valid_from=month)
        host = spaces[(n + 1) % count]
        Visit.objects.bulk_create(Visit(pass_obj=pass_obj, space=host, day=month + timedelta(days=d),
                                        value=Decimal("7.00")) for d in (0, 1))
        if n == 0:
            Visit.objects.create(pass_obj=pass_obj, space=spaces[-1], day=month + timedelta(days=2),
                                 value=Decimal("7.00"))
    coordinator = member_of(network.coordinator, Role.COORDINATOR)
    return network, spaces, coordinator


# --- Net transfers --------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7),
                          st.decimals(min_value=Decimal("-500"), max_value=Decimal("500"), places=2)),
                max_size=40))
def test_applying_the_transfers_brings_every_balance_to_zero_in_fewer_payments_than_spaces(rows):
    lines = [selectors.Line(issuing_space_id=a, host_space_id=b, visit_days=1, amount=amount)
             for a, b, amount in rows if a != b]
    balances = selectors.settlement_balances(lines)
    transfers = selectors.net_transfers(balances)
    after = dict(balances)
    for transfer in transfers:
        assert transfer.amount > 0 and transfer.debtor_id != transfer.creditor_id
        after[transfer.debtor_id] += transfer.amount
        after[transfer.creditor_id] -= transfer.amount
    assert all(balance == 0 for balance in after.values())
    out_of_balance = sum(1 for balance in balances.values() if balance != 0)
    assert len(transfers) <= max(0, out_of_balance - 1)


def test_a_space_that_hosts_without_sending_anyone_receives_from_the_others():
    lines = [selectors.Line(1, 3, amount=Decimal("84.00")), selectors.Line(2, 3, amount=Decimal("21.00")),
             selectors.Line(3, 1, amount=Decimal("14.00"))]
    transfers = selectors.net_transfers(selectors.settlement_balances(lines))
    assert transfers == [selectors.Transfer(1, 3, Decimal("70.00")),
                         selectors.Transfer(2, 3, Decimal("21.00"))]


# --- The page -------------------------------------------------------------------


def test_the_coordinator_reads_the_matrix_the_totals_and_who_pays_whom(client):
    month = last_month()
    network, _spaces, coordinator = network_of(3, month=month, names=["La Fabrique", "Mutualab", "Le Relais"])
    client.force_login(coordinator)
    response = client.get(month_url(network, month))
    assert response.status_code == 200
    page = response.content.decode()
    # Fabrique's members: 2 days at Mutualab and 1 at the Relais; Mutualab's: 2 at the Relais;
    # the Relais's: 2 at the Fabrique. Balances: Fabrique −7, Mutualab 0, Relais +7.
    assert ("<strong>La Fabrique</strong> verse <strong>7,00\u00a0€</strong> à "
            "<strong>Le Relais</strong>") in page
    assert len(response.context["view"].transfers) == 1
    totals = {row.space.name: (row.owes, row.due) for row in response.context["view"].totals}
    assert totals["La Fabrique"] == (Decimal("21.00"), Decimal("14.00"))
    assert "Clore le mois" in page


def test_closing_the_month_freezes_it_and_the_page_says_so(client):
    month = last_month()
    network, _spaces, coordinator = network_of(2, month=month)
    client.force_login(coordinator)
    response = client.post(month_url(network, month, "web:settlement-close"), follow=True)
    assert SettlementMonth.objects.filter(network=network, month=month).exists()
    page = response.content.decode()
    assert "Mois clôturé le" in page and "Clore le mois" not in page


def test_the_current_month_cannot_be_closed_and_the_page_says_why(client):
    month = timezone.localdate().replace(day=1)
    network, _spaces, coordinator = network_of(2, month=month)
    client.force_login(coordinator)
    response = client.post(month_url(network, month, "web:settlement-close"), follow=True)
    assert "Un mois ne se clôture qu&#x27;une fois terminé." in response.content.decode()
    assert not SettlementMonth.objects.exists()


def test_an_earlier_month_cannot_be_closed_after_a_later_one(client):
    month = last_month()
    network, _spaces, coordinator = network_of(2, month=month)
    SettlementMonth.objects.create(network=network, month=month, closed_at=timezone.now())
    earlier = (month - timedelta(days=1)).replace(day=1)
    client.force_login(coordinator)
    response = client.post(month_url(network, earlier, "web:settlement-close"), follow=True)
    assert "les mois se clôturent dans l&#x27;ordre" in response.content.decode()


def test_a_member_space_manager_reads_only_the_lines_of_their_space(client):
    month = last_month()
    network, spaces, _coordinator = network_of(4, month=month)
    manager = member_of(spaces[2].operator, Role.SPACE_MANAGER)
    client.force_login(manager)
    response = client.get(month_url(network, month))
    assert response.status_code == 200
    view = response.context["view"]
    assert all(spaces[2].id in (x.issuing_space_id, x.host_space_id) for x in view.lines)
    assert len(view.lines) == 2
    assert [row.space for row in view.totals] == [spaces[2]]
    assert all(spaces[2] in (debtor, creditor) for debtor, creditor, _amount in view.transfers)
    assert "Clore le mois" not in response.content.decode()
    # Nor may they close it.
    assert client.post(month_url(network, month, "web:settlement-close")).status_code == 404
    assert not SettlementMonth.objects.exists()
    # Another space's statement stays closed to them.
    other = reverse("web:settlement-statement", args=[network.slug, f"{month:%Y-%m}", spaces[0].slug])
    assert client.get(other).status_code == 404


def test_a_member_without_a_role_in_the_network_reads_nothing(client):
    """Not a pass holder of the network, nor another network's space manager: every settlement
    page, download and the closing answer 404, and nothing closes."""
    month = last_month()
    network, spaces, _coordinator = network_of(2, month=month)
    holder = network.plans.get().passes.first().holder
    outsider_manager = member_of(SpaceFactory().operator, Role.SPACE_MANAGER)
    pages = [month_url(network, month), month_url(network, month, "web:settlement-csv"),
             reverse("web:settlement-months", args=[network.slug]),
             reverse("web:settlement-statement", args=[network.slug, f"{month:%Y-%m}", spaces[0].slug]),
             reverse("web:plans", args=[network.slug])]
    for person in (holder, PersonFactory(), outsider_manager):
        client.force_login(person)
        for address in pages:
            assert client.get(address).status_code == 404, (person, address)
        assert client.post(month_url(network, month, "web:settlement-close")).status_code == 404
        assert client.get(reverse("web:networks")).context["networks"] == []
    assert not SettlementMonth.objects.exists()


def test_an_impossible_month_is_not_found(client):
    network, _spaces, coordinator = network_of(2, month=last_month())
    client.force_login(coordinator)
    for month in ("2026-13", "2026-00", "0000-05"):
        assert client.get(reverse("web:settlement-month", args=[network.slug, month])).status_code == 404
    assert client.get(reverse("web:settlement-month", args=[network.slug, "9999-12"])).status_code == 200


def test_the_months_list_shows_closed_and_open_months(client):
    month = last_month()
    network, _spaces, coordinator = network_of(2, month=month)
    SettlementMonth.objects.create(network=network, month=month, closed_at=timezone.now())
    client.force_login(coordinator)
    page = client.get(reverse("web:settlement-months", args=[network.slug])).content.decode()
    assert "En cours" in page and "Clôturé le" in page


def test_the_settlement_page_costs_the_same_queries_for_two_and_twenty_spaces(client):
    month = last_month()
    counts = []
    for count in (2, 20):
        network, _spaces, coordinator = network_of(count, month=month)
        SettlementMonth.objects.create(network=network, month=(month - timedelta(days=1)).replace(day=1),
                                       closed_at=timezone.now())
        client.force_login(coordinator)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(month_url(network, month)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14


# --- Downloads ------------------------------------------------------------------


def test_the_csv_opens_in_a_french_spreadsheet_and_neutralizes_formulas(client):
    month = last_month()
    network, _spaces, coordinator = network_of(2, month=month, names=["=HYPERLINK(1)", "Mutualab"])
    client.force_login(coordinator)
    response = client.get(month_url(network, month, "web:settlement-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:3] == ["Mois", "Espace émetteur", "Espace d'accueil"]
    first = rows[1]
    assert first[0] == f"{month:%d/%m/%Y}"
    assert first[1] == "'=HYPERLINK(1)"
    assert first[3:5] == ["3", "21,00"]
    assert first[8] == ""  # not closed yet


def test_a_space_prints_its_statement(client):
    month = last_month()
    network, spaces, _coordinator = network_of(2, month=month, names=["Alpha", "Beta"])
    client.force_login(member_of(spaces[0].operator, Role.SPACE_MANAGER))
    response = client.get(reverse("web:settlement-statement", args=[network.slug, f"{month:%Y-%m}",
                                                                    spaces[0].slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Décompte de Alpha" in page and "mois ouvert, montants provisoires" in page
    assert "Solde du mois" in page and "@media print" not in page  # the print rules live in the stylesheet


def test_the_settlement_page_costs_the_same_queries_for_ten_passes_or_a_thousand(client):
    month = last_month()
    network, spaces, coordinator = network_of(3, month=month)
    plan = network.plans.get()
    client.force_login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(month_url(network, month)).status_code == 200
        return len(captured)

    many_passes(plan=plan, issuing_space=spaces[0], count=7, visit_at=spaces[1], day=month)
    ten = queries()
    many_passes(plan=plan, issuing_space=spaces[1], count=990, visit_at=spaces[2], day=month)
    assert queries() == ten
    assert client.get(month_url(network, month)).context["view"].totals[1].owes_days == 992
