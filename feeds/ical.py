"""Assembling RFC 5545 documents from VEVENTs serialized beforehand.

Every component is written by the icalendar library (escaping, folding, CRLF);
this module only concatenates finished components, so one edited event costs
one VEVENT serialization, not a whole calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from icalendar import Calendar, Timezone
from icalendar.prop import vDuration

PRODID = "-//Essaim//Agenda ESS//FR"
REFRESH = timedelta(hours=1)
END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """A complete VTIMEZONE (STANDARD and DAYLIGHT parts) covering the given years."""
    zone = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 12, 31)
    )
    return zone.to_ical()


def calendar_document(
    *,
    name: str,
    description: str,
    vevents: Iterable[bytes],
    zones: Iterable[str],
    years: tuple[int, int],
) -> bytes:
    """The bytes of a VCALENDAR holding ``vevents`` and a VTIMEZONE for each zone."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    head = calendar.to_ical()
    assert head.endswith(END)
    parts = [head[: -len(END)]]
    parts.extend(vtimezone(zone, *years) for zone in sorted(set(zones)))
    parts.extend(vevents)
    parts.append(END)
    return b"".join(parts)
