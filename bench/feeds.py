"""Feeds with 10,000 events: publish cost and serving throughput, against baselines.

- full publish (cold VEVENT cache) vs. a plain icalendar build and django-ical;
- publish after one edit vs. the full publish (target ≤ 0.1×);
- warm feed requests/s (gunicorn, loopback) vs. WhiteNoise serving the same bytes (≥ 0.7×);
- 304 requests/s vs. a bare JsonResponse view through the same stack (≥ 0.8×).

The served figures are the medians of three rounds of each, taken in turn.

Run: ``.venv/bin/python -m bench.feeds`` (or ``bench/run`` for every benchmark).
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.common import Row, emit, gunicorn, median, print_table, run_inner, wrk

EVENTS = 10_000
# The served figures: rounds of each taken in turn, medians compared (bench.common.median).
ROUNDS = 3
SECONDS = 4


def make_events() -> None:
    from django.utils import timezone

    from events.models import Event, EventStatus
    from network.models import Organization

    orgs = [Organization.objects.create(name=f"Structure {n}", slug=f"structure-{n}",
                                        kind="association") for n in range(50)]
    start = timezone.now() + timedelta(days=1)
    Event.objects.bulk_create(
        Event(title=f"Café métiers n°{n}", slug=f"cafe-{n}", organization=orgs[n % 50],
              description="Rencontre informelle autour d'un métier de l'ESS.\nEntrée libre.",
              status=EventStatus.PUBLISHED, starts_at=start + timedelta(hours=3 * n),
              ends_at=start + timedelta(hours=3 * n + 2), address="5 place de la République, Lille",
              department="59")
        for n in range(EVENTS)
    )


def plain_icalendar_build() -> bytes:
    from icalendar import Calendar
    from icalendar import Event as VEvent

    from events.models import Event

    calendar = Calendar()
    calendar.add("prodid", "-//bench//")
    calendar.add("version", "2.0")
    for event in Event.objects.select_related("organization").order_by("starts_at"):
        vevent = VEvent()
        vevent.add("uid", f"event-{event.pk}@bench")
        vevent.add("dtstamp", event.updated_at)
        vevent.add("dtstart", event.starts_at)
        vevent.add("dtend", event.ends_at)
        vevent.add("summary", event.title)
        vevent.add("description", f"{event.description}\n\n{event.organization.name}")
        vevent.add("location", event.address)
        vevent.add("sequence", event.sequence)
        calendar.add_component(vevent)
    return calendar.to_ical()


def django_ical_build() -> bytes:
    from django.test import RequestFactory
    from django_ical.views import ICalFeed

    from events.models import Event

    class Feed(ICalFeed):
        product_id = "-//bench//"
        timezone = "Europe/Paris"

        def items(self):
            return Event.objects.select_related("organization").order_by("starts_at")

        def item_guid(self, item):
            return f"event-{item.pk}@bench"

        def item_title(self, item):
            return item.title

        def item_description(self, item):
            return f"{item.description}\n\n{item.organization.name}"

        def item_link(self, item):
            return f"/events/{item.slug}/"

        def item_start_datetime(self, item):
            return item.starts_at

        def item_end_datetime(self, item):
            return item.ends_at

        def item_location(self, item):
            return item.address

    return Feed()(RequestFactory().get("/feed.ics", HTTP_HOST="127.0.0.1")).content


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def inner() -> None:
    import django

    django.setup()
    from django.conf import settings

    from events.models import Event
    from feeds.models import EventEntry
    from feeds.publishing import feed_publish
    from feeds.tasks import publish_stale

    make_events()
    plain_s, plain = timed(plain_icalendar_build)
    django_ical_s, _ = timed(django_ical_build)
    EventEntry.objects.all().delete()
    full_s, feed = timed(lambda: feed_publish(key="events:"))
    event = Event.objects.order_by("id")[EVENTS // 2]
    event.title = "Café métiers déplacé"
    event.sequence += 1
    event.save()
    edit_s, published = timed(publish_stale)
    assert published == 1
    feed.refresh_from_db()
    body = bytes(feed.body)
    # The WhiteNoise baseline serves the very same bytes as a static file.
    Path(settings.STATIC_ROOT, "agenda.ics").write_bytes(body)
    print(f"feed: {len(body) / 1e6:.1f} MB, plain icalendar: {len(plain) / 1e6:.1f} MB", flush=True)

    rows = [
        Row("full publish, 10k events (s)", full_s, plain_s, "s vs plain icalendar", "informative"),
        Row("full publish vs django-ical (s)", full_s, django_ical_s, "s", "informative"),
        Row("publish after one edit (s)", edit_s, full_s, "s vs full publish", "≤ 0.10×",
            ok=edit_s <= 0.1 * full_s),
    ]
    import os

    env = dict(os.environ)
    with gunicorn(env) as base:
        wrk(f"{base}/feeds/events.ics", seconds=2)
        rounds: dict[str, list] = {"warm": [], "static": [], "not_modified": [], "bare": []}
        for _ in range(ROUNDS):
            rounds["warm"].append(wrk(f"{base}/feeds/events.ics", seconds=SECONDS))
            rounds["static"].append(wrk(f"{base}/static/agenda.ics", seconds=SECONDS))
            rounds["not_modified"].append(wrk(f"{base}/feeds/events.ics", seconds=SECONDS,
                                              headers={"If-None-Match": feed.etag}))
            rounds["bare"].append(wrk(f"{base}/bench/bare", seconds=SECONDS))
        warm, static, not_modified, bare = (median(rounds[name]) for name in rounds)
    rows += [
        Row(f"warm feed requests/s ({len(body) / 1e6:.1f} MB)", warm.requests_per_second,
            static.requests_per_second, "req/s vs WhiteNoise", "≥ 0.70×",
            ok=warm.requests_per_second >= 0.7 * static.requests_per_second),
        Row("304 requests/s", not_modified.requests_per_second, bare.requests_per_second,
            "req/s vs bare JsonResponse", "≥ 0.80×",
            ok=not_modified.requests_per_second >= 0.8 * bare.requests_per_second),
    ]
    emit(rows)


def main() -> list[Row]:
    return run_inner("bench.feeds")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(main())
