"""Helpers of the spaces' templates: weekly hours as people read them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils import timezone

from spaces.models import Weekday

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def weekly_hours(space) -> list[tuple[StrOrPromise, list]]:
    """Monday to Sunday: each day's name and its opening ranges (empty: closed), from the
    prefetched ``opening_hours``."""
    days: dict[int, list] = {day: [] for day in range(7)}
    for hours in space.opening_hours.all():
        days[hours.weekday].append(hours)
    return [(Weekday(day).label, sorted(ranges, key=lambda h: h.opens)) for day, ranges in days.items()]


@register.filter
def coming_closures(space) -> list:
    """The prefetched closures not over yet at the space's own date (the selector keeps a
    day of margin, "today" differing between zones)."""
    today = space.local_date(timezone.now())
    return [closure for closure in space.closures.all() if closure.ends_on >= today]
