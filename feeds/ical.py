"""Assembling RFC 5545 documents from VEVENTs serialized beforehand.

Every component is written by the icalendar library (escaping, folding, CRLF);
this module only concatenates finished components, so one edited event costs
one VEVENT serialization, not a whole calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from icalendar.prop import vDuration

from backend.text import one_line

PRODID = "-//Essaim//Agenda ESS//FR"
REFRESH = timedelta(hours=1)
END = b"END:VCALENDAR\r\n"
# A feed's VTIMEZONEs cover the years of its events within these bounds, so a row far in
# the future cannot fill a feed with transitions; times outside them are written in UTC.
# 1970 also keeps out local mean times (Paris was +00:09:21 until 1911): RFC 3339 offsets
# are whole minutes.
FIRST_YEAR, LAST_YEAR = 1970, 2100


def writing_zone(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> tzinfo:
    """The zone an event's times are written in: its own, or UTC outside the years a
    VTIMEZONE covers or when the zone's offset then is not a whole number of minutes."""
    if starts_at.year < FIRST_YEAR or ends_at.year > LAST_YEAR:
        return UTC
    for moment in (starts_at, ends_at):
        offset = moment.astimezone(zone).utcoffset()
        if offset is None or offset % timedelta(minutes=1):
            return UTC
    return zone


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
    calendar.add("name", one_line(name))
    calendar.add("x-wr-calname", one_line(name))
    calendar.add("x-wr-caldesc", one_line(description))
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    head = calendar.to_ical()
    assert head.endswith(END)
    parts = [head[: -len(END)]]
    parts.extend(vtimezone(zone, *years) for zone in sorted(set(zones)))
    parts.extend(vevents)
    parts.append(END)
    return b"".join(parts)
