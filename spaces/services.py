"""Writes about spaces: weekly opening hours and exceptional closures."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.api import DomainError
from spaces.models import Closure, OpeningHours, Space, Weekday


class InvalidOpeningHours(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_opening_hours"
    message = _("L'heure de fermeture doit suivre l'heure d'ouverture.")


class OverlappingOpeningHours(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "opening_hours_overlap"
    message = _("Les horaires du %(day)s se chevauchent.")


class InvalidClosure(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_closure"
    message = _("La date de fin doit suivre la date de début.")


@dataclass(frozen=True)
class Range:
    weekday: int
    opens: time
    closes: time


def check_opening_ranges(ranges: list[Range]) -> None:
    """Refuses a range ending before it starts and two ranges of one weekday that overlap."""
    for item in ranges:
        if item.closes <= item.opens:
            raise InvalidOpeningHours(field="opening_hours")
    ordered = sorted(ranges, key=lambda r: (r.weekday, r.opens))
    for before, after in itertools.pairwise(ordered):
        if before.weekday == after.weekday and after.opens < before.closes:
            raise OverlappingOpeningHours(field="opening_hours",
                                          day=str(Weekday(before.weekday).label))


@transaction.atomic
def opening_hours_set(*, space: Space, ranges: list[Range]) -> list[OpeningHours]:
    """Replace the weekly opening hours of ``space`` with ``ranges``."""
    check_opening_ranges(ranges)
    space.opening_hours.all().delete()
    return OpeningHours.objects.bulk_create(
        OpeningHours(space=space, weekday=r.weekday, opens=r.opens, closes=r.closes)
        for r in sorted(ranges, key=lambda r: (r.weekday, r.opens))
    )


@transaction.atomic
def closure_add(*, space: Space, starts_on: date, ends_on: date, reason: str = "") -> Closure:
    """Close ``space`` for whole local days, both ends included."""
    if ends_on < starts_on:
        raise InvalidClosure(field="ends_on")
    return Closure.objects.create(space=space, starts_on=starts_on, ends_on=ends_on, reason=reason)
