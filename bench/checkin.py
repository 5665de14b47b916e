"""Check-in throughput and latency against a bare DRF endpoint, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/essaim REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.checkin      # or bench/run bench.checkin

On a throwaway database (PostgreSQL when ``DATABASE_URL`` names it): a space open
all day, an unlimited plan, 92,500 passes with a year of history (two past visit-days
each, checked in and out), a desk account and a kiosk; gunicorn as deployed
(gunicorn.conf.py: 3 sync workers, loopback, persistent connections, DEBUG off, the
project's middleware).

The history matters: a network in use has history, statistics and vacuumed tables, so the
seed writes the history, then runs VACUUM ANALYZE (a machine may run PostgreSQL with
autovacuum off) and a CHECKPOINT (so that the timed checkpoint after a bulk load does not
land inside the rounds) before the server starts.

1. saturation, with ``wrk``: requests/s of ``GET /bench/bare-drf/`` (DRF, no
   authentication, one ``SELECT 1``) and of ``POST /api/v1/checkins/`` by the desk
   (Token), in five alternating rounds of each (the medians are compared), then by the
   kiosk (``Kiosk <token>``); a new pass each time, all at one space, and nobody leaving
   during the run: a rush at the desk is arrivals, departures come one by one over the day
   (bulk check-outs inside the rounds would measure those updates, not arrivals).
2. latency of desk check-ins sent open loop at 20 per second (each request timed from when
   it was due, so a slow server cannot hide its queue): four times the morning rush of a
   national network of 20,000 pass holders; then of the bare endpoint at the same rate:
   its p99 is the floor that the machine, the load generator on the same two cores and
   gunicorn set, whatever the view does.

Target: p99 < 25 ms at 20 desk check-ins per second. Saturation throughput beside the bare
endpoint's is informative: a busy desk checks in a few people a minute.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from itertools import count

from bench.common import (
    LoadResult,
    Request,
    Row,
    emit,
    gunicorn,
    median,
    open_loop,
    print_table,
    run_inner,
    wrk,
)

SECONDS = int(os.environ.get("CHECKIN_SECONDS", "5"))
WARMUP_SECONDS = 2
HISTORY_DAYS = 2  # past visit-days per pass
CODE = "bench{:027d}"  # 32 characters, the shape of a real QR code
SPACE = "bench-space"
ROUNDS = 5
RATE = 20  # desk check-ins per second, open loop
# Disjoint ranges of pass numbers, so that every request checks a new pass in: a pass
# checked in again the same day would take the cheaper path of the same visit-day. Each
# range has room for RATE_CAP check-ins a second, and a run faster than that stops.
RATE_CAP = 2_500
PER_ROUND = RATE_CAP * SECONDS
WARMUP = 0
DESK = RATE_CAP * WARMUP_SECONDS
KIOSK = DESK + ROUNDS * PER_ROUND
OPEN_LOOP = KIOSK + PER_ROUND  # the open-loop rush (RATE per second, for twice as long)
PASSES = OPEN_LOOP + PER_ROUND

LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "AUTHORIZATION"
end
function request()
  local n = BASE + offset + counter * 2
  counter = counter + 1
  return wrk.format(nil, "/api/v1/checkins/", nil,
    string.format('{"pass_code": "bench%027d", "space": "SPACE"}', n))
end
"""


def checked(result: LoadResult) -> LoadResult:
    """``result``, once sure that its requests stayed within their range of passes.

    wrk's two threads take every other pass number each, so the range is used up to twice
    the busier thread's count, and a run lasts a little longer than asked: a quarter of
    margin covers both."""
    if result.requests_per_second * 1.25 > RATE_CAP:
        raise SystemExit(f"{result.requests_per_second:.0f} check-ins/s outrun the passes seeded "
                         f"for {RATE_CAP}/s: raise RATE_CAP in bench/checkin.py")
    return result


def script(authorization: str, base: int) -> str:
    return (LUA.replace("AUTHORIZATION", authorization).replace("BASE", str(base))
            .replace("SPACE", SPACE))


def seed() -> tuple[str, str]:
    """The space, plan and passes; returns (desk token, kiosk token)."""
    from datetime import date
    from datetime import time as clock

    from rest_framework.authtoken.models import Token

    from network.models import Membership, Organization, Person, Role
    from passes.models import Pass, PassNetwork, Period, Plan
    from passes.services import kiosk_create
    from spaces.models import OpeningHours, Space

    operator = Organization.objects.create(slug="bench", name="Bench", kind="association")
    space = Space.objects.create(slug=SPACE, name="Bench", operator=operator, address="-",
                                 desk_capacity=10_000_000)
    OpeningHours.objects.bulk_create(OpeningHours(space=space, weekday=d, opens=clock(0),
                                                  closes=clock.max) for d in range(7))
    network = PassNetwork.objects.create(slug="bench", name="Bench", coordinator=operator,
                                         visit_value=10)
    network.spaces.add(space)
    plan = Plan.objects.create(network=network, slug="bench", name="Bench", price=0,
                               period=Period.UNLIMITED, allowance=None, validity_days=3650)
    desk = Person.objects.create(email="desk@bench.invalid")
    Membership.objects.create(person=desk, organization=operator, role=Role.SPACE_MANAGER)
    for start in range(0, PASSES, 5000):
        holders = Person.objects.bulk_create(Person(email=f"m{n}@bench.invalid", full_name=f"M {n}")
                                             for n in range(start, min(start + 5000, PASSES)))
        Pass.objects.bulk_create(
            Pass(holder=h, plan=plan, issuing_space=space, valid_from=date(2020, 1, 1),
                 valid_until=date(2099, 1, 1), code=CODE.format(n), short_code=f"{n:08d}")
            for n, h in enumerate(holders, start)
        )
    history(space)
    _, kiosk_token = kiosk_create(space=space, name="Entrée")
    return Token.objects.create(user=desk).key, kiosk_token


def history(space) -> None:
    """Visit-days over the past year, each with its check-in and check-out; then, on
    PostgreSQL, the state of a database in use: vacuumed, analysed, checkpointed."""
    from datetime import datetime
    from datetime import time as clock

    from django.db import connection
    from django.utils import timezone

    from passes.models import Channel, CheckIn, Pass, Visit

    today = timezone.localdate()
    pass_ids = list(Pass.objects.values_list("id", flat=True))
    for start in range(0, len(pass_ids), 5000):
        visits = Visit.objects.bulk_create(
            Visit(pass_obj_id=pass_id, space=space, value=10,
                  day=today - timedelta(days=1 + (n * 7 + k * 151) % 364))
            for n, pass_id in enumerate(pass_ids[start:start + 5000], start)
            for k in range(HISTORY_DAYS)
        )
        CheckIn.objects.bulk_create(
            CheckIn(pass_obj_id=visit.pass_obj_id, space=space, visit=visit, channel=Channel.DESK,
                    checked_in_at=timezone.make_aware(datetime.combine(visit.day, clock(9))),
                    checked_out_at=timezone.make_aware(datetime.combine(visit.day, clock(17))))
            for visit in visits
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def inner() -> None:
    import django

    django.setup()
    desk_token, kiosk_token = seed()
    desk = f"Token {desk_token}"
    numbers = count(OPEN_LOOP)

    def next_checkin() -> Request:
        body = json.dumps({"pass_code": CODE.format(next(numbers)), "space": SPACE}).encode()
        return Request("/api/v1/checkins/", "POST", body=body,
                       headers={"Content-Type": "application/json", "Authorization": desk})

    workers = os.environ.get("CHECKIN_WORKERS")  # unset: gunicorn.conf.py's count
    with gunicorn(dict(os.environ), workers=int(workers) if workers else None) as base:
        wrk(f"{base}/bench/bare-drf/", seconds=2)
        checked(wrk(base, seconds=WARMUP_SECONDS, script=script(desk, WARMUP)))
        # Rounds alternate, and each figure is the median of its rounds, so that a slow
        # moment of the machine weighs on both sides rather than on one.
        bares, checkins = [], []
        for round_ in range(ROUNDS):
            bares.append(wrk(f"{base}/bench/bare-drf/", seconds=SECONDS))
            checkins.append(checked(wrk(base, seconds=SECONDS,
                                        script=script(desk, DESK + round_ * PER_ROUND))))
        bare, checkin = median(bares), median(checkins)
        kiosk = checked(wrk(base, seconds=SECONDS, script=script(f"Kiosk {kiosk_token}", KIOSK)))
        rush = open_loop(base, next_checkin, rate=RATE, seconds=2 * SECONDS, connections=16)
        floor = open_loop(base, lambda: Request("/bench/bare-drf/"), rate=RATE,
                          seconds=2 * SECONDS, connections=16)
    print(f"bare DRF {bare.requests_per_second:.0f} req/s (p99 {bare.p99_ms:.1f} ms); "
          f"desk check-in {checkin.requests_per_second:.0f} req/s (p99 {checkin.p99_ms:.1f} ms, "
          f"{checkin.errors} non-2xx); kiosk check-in {kiosk.requests_per_second:.0f} req/s "
          f"({kiosk.errors} non-2xx); at {RATE} req/s: p50 {rush.p50_ms:.1f} ms, "
          f"p99 {rush.p99_ms:.1f} ms (bare DRF p99 {floor.p99_ms:.1f} ms), statuses {rush.statuses}, "
          f"errors {rush.errors}", flush=True)
    answered_ok = (checkin.errors == kiosk.errors == rush.errors == 0
                   and set(rush.statuses) == {201})
    rows = [
        Row("desk check-in requests/s", checkin.requests_per_second, bare.requests_per_second,
            "req/s vs bare DRF view", "informative", ok=answered_ok),
        Row("kiosk check-in requests/s", kiosk.requests_per_second, bare.requests_per_second,
            "req/s vs bare DRF view", "informative"),
        Row(f"desk check-in p99 at {RATE}/s", rush.p99_ms, floor.p99_ms,
            "ms vs bare DRF view at that rate", "< 25 ms", ok=answered_ok and rush.p99_ms < 25),
    ]
    emit(rows)


def main() -> list[Row]:
    return run_inner("bench.checkin")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        rows = main()
        print_table(rows)
        sys.exit(0 if all(row.ok is not False for row in rows) else 1)
