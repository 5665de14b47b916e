"""Dates written the way people read them: "mardi 17 novembre 2026, 18 h 30".

Every filter takes an aware datetime and the zone to show it in (an event's or a
space's ``time_zone``; the site's zone when none is given). French is the
default; English reads "Tuesday 17 November 2026, 6:30 pm". Day and month names
come from Django's own catalogues.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time

from django import template
from django.utils import timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS

register = template.Library()

# A no-break space keeps "18 h 30" and "17 novembre" on one line on a phone.
NBSP = "\u00a0"


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _local(value: datetime, zone: str | None) -> datetime:
    tz = zoneinfo.ZoneInfo(zone) if zone else timezone.get_default_timezone()
    return value.astimezone(tz)


def day_text(day: date) -> str:
    """ "mardi 17 novembre 2026" / "Tuesday 17 November 2026"."""
    weekday, month = WEEKDAYS[day.weekday()], MONTHS[day.month]
    if _english():
        return f"{weekday} {day.day}{NBSP}{month} {day.year}"
    # French writes the first of the month as an ordinal: "1er novembre".
    number = "1er" if day.day == 1 else str(day.day)
    return f"{weekday} {number}{NBSP}{month} {day.year}"


def time_text(moment: datetime | time) -> str:
    """ "18 h 30", "18 h" / "6:30 pm", "6 pm"."""
    if _english():
        hour = moment.hour % 12 or 12
        suffix = "am" if moment.hour < 12 else "pm"
        minutes = f":{moment.minute:02d}" if moment.minute else ""
        return f"{hour}{minutes}{NBSP}{suffix}"
    minutes = f"{NBSP}{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour}{NBSP}h{minutes}"


@register.filter
def longdate(value: datetime | None, zone: str | None = None) -> str:
    """Day, date and time in ``zone``."""
    if value is None:
        return ""
    local = _local(value, zone)
    return f"{day_text(local.date())}, {time_text(local)}"


@register.filter
def longday(value: datetime | date | None, zone: str | None = None) -> str:
    """Day and date only; a ``date`` is shown as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, zone).date()
    return day_text(value)


@register.filter
def clock(value: datetime | None, zone: str | None = None) -> str:
    """Time of day only, in ``zone``."""
    if value is None:
        return ""
    return time_text(_local(value, zone))


@register.filter
def hour(value: time | None) -> str:
    """A wall-clock time (opening hours): "9 h 30" / "9:30 am"; "minuit" / "midnight" for a
    range that runs to the end of the day (``time.max``)."""
    if value is None:
        return ""
    if value == time.max:
        return "midnight" if _english() else "minuit"
    return time_text(value)
