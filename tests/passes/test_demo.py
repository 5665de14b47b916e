"""The ch'tipass demo: a usable network, past visits honouring the rules, a closed month."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone
from rest_framework.test import APIClient

from observatory.snapshots import snapshot_read
from passes import selectors
from passes.models import Kiosk, Pass, PassNetwork, PassStatus, SettlementMonth, Visit
from spaces.models import Closure, Space

pytestmark = pytest.mark.django_db


def test_demo_builds_the_chtipass_with_visits_and_a_closed_month(capsys):
    call_command("load_demo")
    network = PassNetwork.objects.get(slug="chtipass")
    assert network.spaces.count() == 5
    assert sorted(network.plans.values_list("kind", flat=True)) == ["day", "subscription", "subscription",
                                                                    "trial"]
    assert Pass.objects.filter(plan__network=network).count() >= 40
    closed = SettlementMonth.objects.get(network=network)
    statement = selectors.settlement_for(network=network, month=closed.month)
    counted = Visit.objects.filter(day__year=closed.month.year, day__month=closed.month.month) \
        .exclude(space=F("pass_obj__issuing_space")).count()
    assert sum(line.visit_days for line in statement.lines) == counted > 0

    # A year of flows, computed by the demo: its closed month is the settlement's.
    flows = snapshot_read(kind="flows", key=network.slug).data
    assert len(flows["months"]) >= 12 and len(flows["occupancy"]) >= 12
    assert {(i, h): n for i, h, n in flows["matrix"][f"{closed.month:%Y-%m}"]} == {
        (x.issuing_space_id, x.host_space_id): x.visit_days for x in statement.lines}

    member_pass = Pass.objects.get(holder__email="membre@essaim.demo")
    assert member_pass.status == PassStatus.ACTIVE
    assert selectors.remaining_allowance(member_pass) > 0

    # No demo visit breaks the per-space cap of the plan that has one.
    per_space = (Visit.objects.filter(pass_obj__plan__per_space_cap__isnull=False)
                 .exclude(space=F("pass_obj__issuing_space"))
                 .values("pass_obj", "space", "day__month").annotate(n=Count("id")))
    assert max(row["n"] for row in per_space) <= 2

    # The relay open around the clock takes a check-in in the last minute of the day too.
    relay = Space.objects.get(slug="relais-roncq")
    late = datetime.combine(date(2026, 11, 27), time(23, 59, 30), tzinfo=relay.zone)
    assert relay.is_open_at(late) and relay.is_open_at(late + timedelta(minutes=1))

    # Yesterday's walk-in and trial day at the relay, with their guests' names.
    guests = Pass.objects.filter(plan__network=network, plan__kind__in=["day", "trial"])
    assert sorted(guests.values_list("guest_name", flat=True)) == ["Aïcha Diallo", "Maxime Fournier"]
    assert {p.visits.get().day for p in guests} == {timezone.localdate() - timedelta(days=1)}

    # Today at the relay: members of other spaces arrived, one left, yesterday's walk-in was refused.
    day = selectors.desk_day(relay, day=relay.local_date(timezone.now()))
    assert day.checkins and any(c.checked_out_at for c in day.checkins)
    assert "pass_expired" in [attempt.outcome for attempt in day.refusals]
    assert Kiosk.objects.filter(space__slug="mutualab", revoked_at__isnull=False).exists()
    assert Closure.objects.filter(space__slug="mutualab").count() == 2

    token = capsys.readouterr().out.split("Authorization: Kiosk ")[1].split()[0]
    kiosk = APIClient()
    kiosk.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    assert kiosk.get("/api/v1/checkins/").status_code == 200
