"""The observatory on a national data set: every snapshot computed, then its pages under load.

On the data set of ``bench.national`` (100,000 events by 2,000 organizations, 10,000 of them
in this year's Mois de l'ESS) with what the observatory reads besides: organizations of every
kind, a previous edition of the campaign (8,000 events last November), 30,000 co-organizations,
registrations to the campaign's events, and a pass network of 20 spaces with a year of
visit-days and check-ins (about 100,000).

1. every snapshot the daily refresh computes (``snapshots_refresh_daily``), timed in one
   process, beside the feed publish of the campaign on the same data (a known cost of reading
   the campaign's events once);
2. the campaign's figures page and the observatory's page, served from their snapshots by
   gunicorn as deployed, open loop at 20 requests/s; beside the bare DRF endpoint at the same
   rate (the machine's floor).

Targets: every snapshot ≤ 60 s on 2 cores; pages p99 < 100 ms at 20 requests/s.

Run: ``.venv/bin/python -m bench.observatory`` (or ``bench/run bench.observatory``).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import timedelta

from bench.common import Request, Row, emit, gunicorn, open_loop, print_table, run_inner

PREVIOUS_EVENTS = 8_000
CO_ORGANIZATIONS = 30_000
REGISTRATIONS_PER_EVENT = 4
SPACES = 20
PASSES = 2_000
RATE = 20
SECONDS = float(os.environ.get("OBSERVATORY_SECONDS", "30"))
PAGES = ["/campagnes/mois-ess/chiffres/", "/observatoire/"]


def populate() -> None:
    """bench.national's events, and what the observatory reads besides."""
    from bench.national import populate as national

    national()
    organizations()
    previous_edition()
    co_organizations()
    registrations()
    coworking()


def organizations() -> None:
    from network.models import Organization, OrganizationKind

    ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
    kinds = [kind for kind, _label in OrganizationKind.choices]
    for n, kind in enumerate(kinds):
        Organization.objects.filter(id__in=ids[n::len(kinds)]).update(kind=kind)


def previous_edition() -> None:
    from django.utils import timezone

    from events.models import Campaign, Event, EventStatus, Moderation

    current = Campaign.objects.get(slug="mois-ess")
    start = timezone.now() - timedelta(days=365)
    previous = Campaign.objects.create(title="Mois de l'ESS (édition précédente)", slug="mois-ess-precedent",
                                       label="Mois de l'ESS", starts_on=start.date(),
                                       ends_on=start.date() + timedelta(days=30))
    Campaign.objects.filter(pk=current.pk).update(previous_edition=previous)
    lead = list(Event.objects.filter(campaign=current)
                .values_list("organization_id", "region")[:PREVIOUS_EVENTS])
    Event.objects.bulk_create(
        (Event(title=f"Rencontre de l'an dernier n°{n}", slug=f"p{n}", organization_id=org,
               status=EventStatus.PUBLISHED, region=region, campaign=previous,
               moderation=Moderation.APPROVED, starts_at=start + timedelta(minutes=5 * n),
               ends_at=start + timedelta(minutes=5 * n, hours=2), address=f"{n} rue de l'Entraide")
         for n, (org, region) in enumerate(lead)), batch_size=5_000)


def co_organizations() -> None:
    from django.utils import timezone

    from events.models import CoOrganization, CoOrganizationStatus, Event

    rng = random.Random(2026)
    events = list(Event.objects.values_list("id", "organization_id"))
    organizations = sorted({org for _event, org in events})
    now = timezone.now()
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < CO_ORGANIZATIONS:
        event, lead = rng.choice(events)
        # Partners are mostly near the lead (same block of ids), sometimes anywhere.
        partner = (organizations[(organizations.index(lead) + rng.randint(1, 12)) % len(organizations)]
                   if rng.random() < 0.9 else rng.choice(organizations))
        if partner != lead:
            pairs.add((event, partner))
    CoOrganization.objects.bulk_create(
        (CoOrganization(event_id=event, organization_id=org, status=CoOrganizationStatus.ACCEPTED,
                        requested_at=now, decided_at=now) for event, org in pairs), batch_size=5_000)
    through = Event.co_organizers.through
    through.objects.bulk_create((through(event_id=event, organization_id=org) for event, org in pairs),
                                batch_size=5_000)


def registrations() -> None:
    from events.models import Event, Registration, RegistrationStatus

    event_ids = list(Event.objects.filter(campaign__slug="mois-ess").values_list("id", flat=True))
    Registration.objects.bulk_create(
        (Registration(event_id=event, name=f"Personne {n}-{k}", email=f"p{n}-{k}@bench.invalid",
                      status=RegistrationStatus.CONFIRMED)
         for n, event in enumerate(event_ids) for k in range(REGISTRATIONS_PER_EVENT)),
        batch_size=5_000)


def coworking() -> None:
    from datetime import date, datetime
    from datetime import time as clock

    from django.utils import timezone

    from network.models import Organization
    from passes.models import Channel, CheckIn, Pass, PassNetwork, Period, Plan, Visit
    from spaces.models import Space

    operators = list(Organization.objects.order_by("id")[:SPACES])
    spaces = [Space.objects.create(slug=f"espace-{n}", name=f"Espace {n}", operator=org, address="-",
                                   desk_capacity=40) for n, org in enumerate(operators)]
    network = PassNetwork.objects.create(slug="reseau", name="Réseau", coordinator=operators[0],
                                         visit_value=12)
    network.spaces.add(*spaces)
    plan = Plan.objects.create(network=network, slug="mensuel", name="Mensuel", price=50,
                               period=Period.MONTH, allowance=10, validity_days=3650)
    Pass.objects.bulk_create(
        Pass(plan=plan, issuing_space=spaces[n % SPACES], valid_from=date(2020, 1, 1),
             valid_until=date(2099, 1, 1), code=f"bench{n:027d}", short_code=f"{n:08d}",
             guest_name=f"Membre {n}")
        for n in range(PASSES))
    today = timezone.localdate()
    rng = random.Random(7)
    days: set[tuple[int, int, date]] = set()
    for pass_id, home in Pass.objects.values_list("id", "issuing_space_id"):
        for _ in range(50):
            host = home if rng.random() < 0.8 else spaces[rng.randrange(SPACES)].id
            days.add((pass_id, host, today - timedelta(days=rng.randint(1, 364))))
    visits = Visit.objects.bulk_create(
        (Visit(pass_obj_id=p, space_id=s, day=d, value=12) for p, s, d in days), batch_size=5_000)
    CheckIn.objects.bulk_create(
        (CheckIn(pass_obj_id=v.pass_obj_id, space_id=v.space_id, visit=v, channel=Channel.DESK,
                 checked_in_at=timezone.make_aware(datetime.combine(v.day, clock(8 + v.pk % 4))),
                 checked_out_at=timezone.make_aware(datetime.combine(v.day, clock(16 + v.pk % 3))))
         for v in visits), batch_size=5_000)


def inner() -> None:
    import django

    django.setup()
    from django.db import connection

    from feeds.publishing import feed_publish
    from observatory.snapshots import snapshots_refresh_daily

    started = time.perf_counter()
    populate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"data set in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    feed_publish(key="campaign:mois-ess")
    publish_s = time.perf_counter() - started
    started = time.perf_counter()
    stored = snapshots_refresh_daily()
    snapshot_s = time.perf_counter() - started
    print(f"{stored} snapshots in {snapshot_s:.1f} s; campaign feed published in {publish_s:.1f} s",
          flush=True)

    # Pages name their static files through the manifest, as deployed.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], check=True)
    with gunicorn(dict(os.environ)) as base:
        import urllib.request

        for path in PAGES:
            took = []
            for _ in range(5):
                started = time.perf_counter()
                with urllib.request.urlopen(base + path) as response:  # noqa: S310 - loopback http
                    assert response.status == 200, path
                    size = len(response.read())
                took.append(time.perf_counter() - started)
            print(f"{path}: {sorted(took)[2] * 1000:.0f} ms alone (median of 5), {size:,} bytes", flush=True)
        rng = random.Random(2026)
        pages = open_loop(base, lambda: Request(rng.choice(PAGES)), rate=RATE, seconds=SECONDS)
        bare = open_loop(base, lambda: Request("/bench/bare-drf/"), rate=RATE, seconds=SECONDS)
    bad = pages.errors + sum(v for k, v in pages.statuses.items() if k != 200)
    print(f"pages at {RATE}/s: p50 {pages.p50_ms:.1f} ms, p99 {pages.p99_ms:.1f} ms, statuses "
          f"{pages.statuses}, errors {pages.errors}; bare DRF p99 {bare.p99_ms:.1f} ms", flush=True)
    emit([
        Row(f"every snapshot ({stored}), national data (s)", snapshot_s, publish_s,
            "s vs the campaign feed's publish", "≤ 60 s", ok=snapshot_s <= 60),
        Row(f"figures pages p99 at {RATE}/s", pages.p99_ms, bare.p99_ms, "ms vs bare DRF view",
            "< 100 ms", ok=pages.p99_ms < 100 and bad == 0),
    ])


def main() -> list[Row]:
    return run_inner("bench.observatory")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(main())
