"""Reading a source's content into entries: one per event date, with the fields of an Essaim event.

iCal is parsed by ``icalendar`` and recurring events are expanded by
``recurring-ical-events`` over :data:`HORIZON` from now: overrides (RECURRENCE-ID) and
EXDATE honoured, VTIMEZONE and TZID honoured (Windows zone names too, as Outlook writes
them), floating times read in the source's zone (the organization's), all-day events kept
as whole days. An event that ended is not read: the past is not imported, and an event
that leaves the feed once over is not cancelled (``imports/services.py``).

CSV programmes are read by ``imports/programme.py`` into the same :class:`Reading`.
"""

from __future__ import annotations

import hashlib
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import recurring_ical_events
import x_wr_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar

from backend.api import DomainError
from backend.text import one_line, paragraphs
from backend.validators import time_zones
from events.models import TEXT_MAX

# Recurring events are expanded this far ahead.
HORIZON = timedelta(days=365)
# A source brings at most this many event dates; the later ones are left out, and said so.
MAX_EVENTS = 5000
# An event given without an end, or ending as it starts, lasts this long.
DEFAULT_DURATION = timedelta(hours=1)
URL_MAX = 200


class SourceUnreadable(DomainError):
    status = 400
    code = "source_unreadable"
    message = gettext_lazy("Le contenu n'est pas un agenda lisible.")


@dataclass
class Entry:
    """One event date read from a source: its key and the event fields it gives."""

    uid: str
    recurrence_key: str
    fields: dict[str, Any]
    cancelled: bool = False
    # The line of a CSV programme it comes from.
    row: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.uid, self.recurrence_key

    @property
    def digest(self) -> str:
        def plain(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, list):
                return sorted(str(v) for v in value)
            return value
        text = json.dumps({k: plain(v) for k, v in self.fields.items()} | {"cancelled": self.cancelled},
                          sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Ignored:
    """An event of the source left out, and why (shown in the preview)."""

    title: str
    starts_at: datetime | None
    reason: str
    row: int | None = None


@dataclass
class Reading:
    entries: list[Entry] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)

    @property
    def found(self) -> int:
        return len(self.entries) + len(self.ignored)


def keyword_matches(keyword: str, *texts: str) -> bool:
    """Whether ``keyword`` is in one of ``texts`` as a whole word, whatever the case
    ("ESS" is in "Café de l'ESS", not in "Jeunesse")."""
    if not keyword:
        return True
    pattern = re.compile(rf"(?<!\w){re.escape(keyword.strip())}(?!\w)", re.IGNORECASE)
    return any(pattern.search(text or "") for text in texts)


def _text(component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _categories(component) -> list[str]:
    found = component.get("CATEGORIES")
    if found is None:
        return []
    groups = found if isinstance(found, list) else [found]
    names: list[str] = []
    for group in groups:
        names += [str(name) for name in getattr(group, "cats", [group])]
    return names


def _zone_name(moment: datetime, fallback: str) -> str:
    key = getattr(moment.tzinfo, "key", None)
    return key if key in time_zones() and key != "UTC" else fallback


def _moment(value: datetime, zone: tzinfo) -> datetime:
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _url(text: str) -> str:
    text = text.strip()
    return text if text.startswith(("https://", "http://")) and len(text) <= URL_MAX else ""


def _recurring_uids(calendar: Calendar) -> set[str]:
    """UIDs whose dates are told apart by RECURRENCE-ID (recurring or overridden): the
    expansion gives every occurrence one, single events included, equal to their start,
    which must not become part of their key (moving them would make a new event)."""
    return {str(c.get("UID")) for c in calendar.walk("VEVENT")
            if c.get("RRULE") or c.get("RDATE") or c.get("RECURRENCE-ID")}


def _recurrence_key(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zoneinfo.ZoneInfo("UTC")).replace(tzinfo=None)
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _decode(data: bytes) -> str:
    """RFC 5545 says UTF-8; a few exporters still write Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _in_horizon(calendar: Calendar, *, now: datetime) -> list:
    """The VEVENTs that may fall between ``now`` and the horizon: single events as they are
    (the caller checks their dates), and the dates of recurring ones, expanded by
    ``recurring-ical-events`` (which copies each date: giving it only the recurring events
    spares that copy to the many single ones)."""
    if calendar.get("X-WR-TIMEZONE"):
        # What the expansion does by itself: floating times read in the calendar's own zone.
        calendar = x_wr_timezone.to_standard(calendar)
    recurring = _recurring_uids(calendar)
    singles = [c for c in calendar.walk("VEVENT") if str(c.get("UID")) not in recurring]
    if not recurring:
        return singles
    series = Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE" or (component.name == "VEVENT"
                                             and str(component.get("UID")) in recurring):
            series.add_component(component)
    return singles + list(recurring_ical_events.of(series, skip_bad_series=True).between(now, now + HORIZON))


def read_ical(data: bytes, *, time_zone: str, keyword: str = "", now: datetime) -> Reading:
    """The entries of an iCal document, from ``now`` to ``now`` + :data:`HORIZON`."""
    zone = zoneinfo.ZoneInfo(time_zone)
    try:
        calendar = Calendar.from_ical(_decode(data))
        if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
            raise SourceUnreadable(_("Le contenu n'est pas un agenda iCal (BEGIN:VCALENDAR manque)."))
        components = _in_horizon(calendar, now=now)
    except SourceUnreadable:
        raise
    except Exception as error:  # icalendar and the expansion raise many kinds on bad input
        raise SourceUnreadable(_("Le contenu n'est pas un agenda iCal lisible (%(error)s)."),
                               error=str(error)[:200]) from error
    recurring = _recurring_uids(calendar)
    reading = Reading()
    for component in components:
        title = one_line(_text(component, "SUMMARY"))[:200]
        start = component.get("DTSTART")
        if start is None:
            continue
        start_value = start.dt
        all_day = not isinstance(start_value, datetime)
        end_prop = component.get("DTEND")
        end_value = end_prop.dt if end_prop is not None else None
        if end_value is None and component.get("DURATION") is not None:
            end_value = start_value + component["DURATION"].dt
        if all_day:
            first = start_value
            last = end_value if isinstance(end_value, date) and not isinstance(end_value, datetime) else None
            starts_at = datetime.combine(first, time(), zone)
            ends_at = datetime.combine(last if last and last > first else first + timedelta(days=1),
                                       time(), zone)
            event_zone = time_zone
        else:
            starts_at = _moment(start_value, zone)
            ends_at = _moment(end_value, zone) if isinstance(end_value, datetime) else starts_at
            event_zone = _zone_name(starts_at, time_zone)
            if ends_at == starts_at:
                ends_at = starts_at + DEFAULT_DURATION
        if ends_at <= now or starts_at >= now + HORIZON:
            continue
        uid = one_line(_text(component, "UID"))[:500] or hashlib.sha256(
            f"{title}|{starts_at.isoformat()}".encode()).hexdigest()
        recurrence = component.get("RECURRENCE-ID")
        key = _recurrence_key(recurrence.dt) if recurrence is not None and uid in recurring else ""
        categories = _categories(component)
        if not title:
            reading.ignored.append(Ignored(uid[:80], starts_at, _("sans titre (SUMMARY vide)")))
            continue
        if _text(component, "CLASS").upper() in ("PRIVATE", "CONFIDENTIAL"):
            reading.ignored.append(Ignored(title, starts_at, _("privé dans l'agenda d'origine (CLASS)")))
            continue
        if not keyword_matches(keyword, title, *categories):
            reading.ignored.append(Ignored(title, starts_at, _("ne contient pas « %(keyword)s »")
                                           % {"keyword": keyword}))
            continue
        if ends_at < starts_at:
            reading.ignored.append(Ignored(title, starts_at, _("se termine avant de commencer (DTEND)")))
            continue
        fields = {
            "title": title,
            "description": paragraphs(_text(component, "DESCRIPTION"))[:TEXT_MAX],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "all_day": all_day,
            "time_zone": event_zone,
            "address": one_line(_text(component, "LOCATION"))[:300],
            "online_url": _url(_text(component, "URL")),
        }
        reading.entries.append(Entry(uid=uid, recurrence_key=key, fields=fields,
                                     cancelled=_text(component, "STATUS").upper() == "CANCELLED"))
    return cap(reading)


def cap(reading: Reading) -> Reading:
    """Keep the first :data:`MAX_EVENTS` entries by start; say so for the others."""
    reading.entries.sort(key=lambda e: (e.fields["starts_at"], e.uid, e.recurrence_key))
    for entry in reading.entries[MAX_EVENTS:]:
        reading.ignored.append(Ignored(entry.fields["title"], entry.fields["starts_at"],
                                       _("au-delà de %(max)s événements par source") % {"max": MAX_EVENTS}))
    del reading.entries[MAX_EVENTS:]
    return reading
