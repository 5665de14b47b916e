"""A national Mois de l'ESS on one 2-core machine: 100,000 events, one million
subscribers polling hourly (about 280 feed requests per second, mostly 304).

Subscribers are spread over the feeds people actually subscribe to: 70 % an
organization's feed (2,000 organizations), 25 % a regional agenda (13 regions),
5 % the national campaign feed. 97 % of polls carry the ETag they already have
(hourly polls of feeds that change a few times a day); 3 % fetch the whole feed.
The load is open-loop at the target rate, so a slow server shows up as latency.
Target: p99 < 50 ms and no error.

Run: ``.venv/bin/python -m bench.national`` (``NATIONAL_SECONDS`` to change the 60 s run).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import timedelta

from bench.common import (
    Request,
    Row,
    emit,
    gunicorn,
    open_loop,
    print_table,
    run_inner,
)

EVENTS = 100_000
ORGANIZATIONS = 2_000
CAMPAIGN_EVENTS = 10_000
REGIONS = ["Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire",
           "Corse", "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie",
           "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d'Azur"]
RATE = 280


def populate() -> None:
    from django.utils import timezone

    from events.models import Campaign, Event, EventStatus, Moderation
    from network.models import Organization

    Organization.objects.bulk_create(
        Organization(name=f"Structure {n}", slug=f"s{n}", kind="association",
                     region=REGIONS[n % len(REGIONS)]) for n in range(ORGANIZATIONS)
    )
    orgs = list(Organization.objects.order_by("id"))
    today = timezone.localdate()
    campaign = Campaign.objects.create(title="Mois de l'ESS", slug="mois-ess", label="Mois de l'ESS",
                                       starts_on=today, ends_on=today + timedelta(days=30))
    start = timezone.now()
    batch = []
    for n in range(EVENTS):
        org = orgs[n % ORGANIZATIONS]
        begins = start + timedelta(minutes=37 * n)
        in_campaign = n < CAMPAIGN_EVENTS
        batch.append(Event(
            title=f"Rencontre n°{n}", slug=f"e{n}", organization=org, status=EventStatus.PUBLISHED,
            starts_at=begins, ends_at=begins + timedelta(hours=2), region=org.region,
            address=f"{n} rue de la Coopération", description="Café métiers, entrée libre.",
            campaign=campaign if in_campaign else None,
            moderation=Moderation.APPROVED if in_campaign else Moderation.NONE,
        ))
        if len(batch) == 5_000:
            Event.objects.bulk_create(batch)
            batch = []


def feed_paths() -> list[str]:
    from urllib.parse import quote

    return ([f"/feeds/organizations/s{n}.ics" for n in range(ORGANIZATIONS)]
            + [f"/feeds/events.ics?territory={quote(region)}" for region in REGIONS]
            + ["/feeds/campaigns/mois-ess.ics"])


def inner() -> None:
    import django

    django.setup()
    started = time.perf_counter()
    populate()
    populate_s = time.perf_counter() - started
    print(f"{EVENTS:,} events in {populate_s:.0f} s", flush=True)

    seconds = float(os.environ.get("NATIONAL_SECONDS", "60"))
    from feeds.publishing import feed_publish

    started = time.perf_counter()
    keys = ([f"organization:s{n}" for n in range(ORGANIZATIONS)]
            + [f"events:territory={region}" for region in REGIONS] + ["campaign:mois-ess"])
    paths = feed_paths()
    etags = {path: feed_publish(key=key).etag for key, path in zip(keys, paths, strict=True)}
    publish_s = time.perf_counter() - started
    print(f"{len(paths):,} feeds published in {publish_s:.0f} s", flush=True)

    with gunicorn(dict(os.environ)) as base:
        organizations, regions, campaign = paths[:ORGANIZATIONS], paths[ORGANIZATIONS:-1], paths[-1]
        rng = random.Random(2026)

        def next_request() -> Request:
            draw = rng.random()
            path = (rng.choice(organizations) if draw < 0.70
                    else rng.choice(regions) if draw < 0.95 else campaign)
            if rng.random() < 0.03:
                return Request(path)  # a new subscriber: no ETag yet
            return Request(path, headers={"If-None-Match": etags[path]})

        result = open_loop(base, next_request, rate=RATE, seconds=seconds)
    served = sum(result.statuses.values())
    not_modified = result.statuses.get(304, 0)
    print(f"{result.sent:,} requests scheduled, statuses {json.dumps(result.statuses)}, "
          f"errors {result.errors}, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms", flush=True)
    bad = result.errors + sum(v for k, v in result.statuses.items() if k >= 500)
    emit([
        Row("national polling: p99 latency at 280 req/s", result.p99_ms, None, "ms", "< 50 ms",
            ok=result.p99_ms < 50),
        Row("national polling: errors and 5xx", float(bad), None, "count", "0", ok=bad == 0),
        Row("national polling: share of 304", not_modified / max(served, 1), None, "share",
            "informative"),
        Row("national: publish 2,014 feeds (s)", publish_s, None, "s", "informative"),
    ])


def main() -> list[Row]:
    return run_inner("bench.national")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(main())
