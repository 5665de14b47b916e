"""Import a 5,000-event agenda, then sync it again unchanged, against icalendar's own parse.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/essaim .venv/bin/python -m bench.imports

The feed, served by a local HTTP server as a calendar tool would, holds 4,000 single events
and 100 weekly events of 10 dates each: 5,000 dates, spread over the coming year, with
zones, descriptions and places. Measured in the same run:

- the baseline: ``icalendar.Calendar.from_ical`` of the same bytes;
- the first import: fetch, parse, expand, 5,000 events and their links written through the
  events services (target ≤ 3× the baseline). Three rounds of each, taken in turn (each
  import but the last rolled back), medians compared;
- a re-sync of the unchanged feed, answered 304 (the server knows the ETag), and one of the
  same bytes from a server that sends no validator (read and hashed): each ≤ 0.05× the
  first import, writing no event, link, message or feed row.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.common import Row, emit, print_table, run_inner

SINGLE = 4_000
WEEKLY, DATES = 100, 10
ROUNDS = 3
IMPORT_TARGET, RESYNC_TARGET = 3.0, 0.05


def make_feed(today) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//imports//FR", "X-WR-CALNAME:Bench"]
    start = datetime.combine(today + timedelta(days=2), datetime.min.time())
    for n in range(SINGLE):
        moment = start + timedelta(hours=2 * n)
        lines += ["BEGIN:VEVENT", f"UID:single-{n}@bench.example.org", "DTSTAMP:20260101T000000Z",
                  f"DTSTART;TZID=Europe/Paris:{moment:%Y%m%dT%H%M%S}",
                  f"DTEND;TZID=Europe/Paris:{moment + timedelta(hours=1, minutes=30):%Y%m%dT%H%M%S}",
                  f"SUMMARY:Atelier de l'ESS n°{n}",
                  "DESCRIPTION:Un atelier ouvert à toutes et tous\\, sur inscription.\\nEntrée libre.",
                  "LOCATION:Maison de l'ESS\\, 5 place de la République\\, 59000 Lille",
                  "CATEGORIES:ESS,Atelier", "END:VEVENT"]
    for n in range(WEEKLY):
        moment = start + timedelta(days=n % 7, hours=18)
        lines += ["BEGIN:VEVENT", f"UID:weekly-{n}@bench.example.org", "DTSTAMP:20260101T000000Z",
                  f"DTSTART;TZID=W. Europe Standard Time:{moment:%Y%m%dT%H%M%S}",
                  f"DTEND;TZID=W. Europe Standard Time:{moment + timedelta(hours=2):%Y%m%dT%H%M%S}",
                  f"RRULE:FREQ=WEEKLY;COUNT={DATES}", f"SUMMARY:Café métiers n°{n}",
                  "LOCATION:Le Bar Commun\\, Lille", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class Server:
    """Serves the feed at ``/feed.ics`` (with an ETag) and ``/plain.ics`` (without)."""

    def __init__(self) -> None:
        self.body = b""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                etag = f'"{len(server.body)}"'
                if self.path == "/feed.ics" and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                if self.path == "/feed.ics":
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def inner() -> None:
    server = Server()
    os.environ["IMPORTS_LOOPBACK_PORTS"] = str(server.port)
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone
    from icalendar import Calendar

    from events.models import Event
    from feeds.models import PublishedFeed
    from imports import services
    from imports.models import SourceItem
    from network.models import Membership, Organization, Person, Role
    from worker.models import Message

    server.body = make_feed(timezone.localdate())
    organization = Organization.objects.create(name="Structure importatrice", slug="importatrice",
                                               kind="association", department="59")
    person = Person.objects.create(email="orga@bench.example.org", full_name="Orga Bench")
    Membership.objects.create(person=person, organization=organization, role=Role.ORGANIZER)

    def rows() -> tuple:
        return (Event.objects.count(), Event.objects.aggregate(Max("updated_at"))["updated_at__max"],
                SourceItem.objects.count(), Message.objects.count(),
                PublishedFeed.objects.filter(stale_since__isnull=False).count())

    class RolledBack(Exception):
        pass

    def import_once(keep: bool):
        source = services.source_create(actor=person, organization=organization, kind="url", name="ETag",
                                        url=f"http://127.0.0.1:{server.port}/feed.ics")
        if keep:
            return source, *timed(lambda: services.source_sync(source_id=source.pk))
        try:
            with transaction.atomic():
                spent, report = timed(lambda: services.source_sync(source_id=source.pk))
                raise RolledBack
        except RolledBack:
            source.delete()
            return source, spent, report

    parses, imports = [], []
    for n in range(ROUNDS):
        parses.append(timed(lambda: Calendar.from_ical(server.body))[0])
        with_etag, spent, report = import_once(keep=n == ROUNDS - 1)
        imports.append(spent)
        assert report.created == SINGLE + WEEKLY * DATES, report.as_dict()
    parse_s, import_s = statistics.median(parses), statistics.median(imports)
    print(f"imports bench: {len(server.body) / 1e6:.1f} MB, {report.created} events; icalendar parse "
          f"{parse_s:.2f} s, first import {import_s:.2f} s", flush=True)

    before = rows()
    not_modified_s, again = timed(lambda: services.source_sync(source_id=with_etag.pk))
    assert again.not_modified
    after_304 = rows()
    # The same source's bytes from a server that sends no validator: read, hashed, unchanged.
    with_etag.url = f"http://127.0.0.1:{server.port}/plain.ics"
    with_etag.save(update_fields=["url"])
    same_bytes_s, again = timed(lambda: services.source_sync(source_id=with_etag.pk))
    assert again.not_modified
    after_hash = rows()
    print(f"  re-sync: 304 in {not_modified_s * 1000:.0f} ms, same bytes in {same_bytes_s * 1000:.0f} ms; "
          f"rows unchanged: {before == after_304 == after_hash}", flush=True)

    emit([
        Row(f"import {report.created:,}-event feed (s)", import_s, parse_s, "s vs icalendar parse",
            f"≤ {IMPORT_TARGET:g}×", ok=import_s <= IMPORT_TARGET * parse_s),
        Row("re-sync unchanged, 304 (s)", not_modified_s, import_s, "s vs first import",
            f"≤ {RESYNC_TARGET:g}×, no row", ok=not_modified_s <= RESYNC_TARGET * import_s
            and before == after_304),
        Row("re-sync unchanged, same bytes (s)", same_bytes_s, import_s, "s vs first import",
            f"≤ {RESYNC_TARGET:g}×, no row", ok=same_bytes_s <= RESYNC_TARGET * import_s
            and before == after_hash),
    ])


def main() -> list[Row]:
    return run_inner("bench.imports")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(main())
