"""Group events under the day they happen on, in their own time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date

from events.models import Event


def by_local_day(events: Iterable[Event]) -> list[tuple[date, list[Event]]]:
    """``[(day, [events…]), …]`` in day order; an event belongs to the local date it starts on."""
    days: dict[date, list[Event]] = {}
    for event in events:
        day = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone)).date()
        days.setdefault(day, []).append(event)
    return sorted(days.items(), key=lambda item: item[0])
