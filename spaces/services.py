"""Writes about spaces: weekly opening hours, exceptional closures, rooms, desks and self
check-in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, time

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.api import DomainError
from spaces.models import Closure, OpeningHours, Room, Space, Weekday


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


class InvalidRoom(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_room"


class RoomInUse(DomainError):
    code = "room_in_use"
    message = _("Des événements sont programmés dans cette salle : elle ne peut pas être retirée.")


class InvalidSpaceSettings(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_space_settings"


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


@transaction.atomic
def closure_remove(*, closure: Closure) -> None:
    """Reopen the days of ``closure`` (a past closure stays in the records of its visits)."""
    closure.delete()


@transaction.atomic
def space_settings_update(*, space: Space, desk_capacity: int, self_checkin_allowed: bool) -> Space:
    """Set the number of desks (what makes a space full) and whether members check themselves in.

    Fewer desks than people present is allowed: those present stay, arrivals wait for a desk.
    """
    if desk_capacity < 0:
        raise InvalidSpaceSettings(_("Le nombre de postes ne peut pas être négatif."),
                                   field="desk_capacity")
    space.desk_capacity, space.self_checkin_allowed = desk_capacity, self_checkin_allowed
    space.save(update_fields=["desk_capacity", "self_checkin_allowed"])
    return space


def _check_room(*, name: str, capacity: int) -> None:
    if not name.strip():
        raise InvalidRoom(_("Une salle a un nom."), field="name")
    if capacity < 1:
        raise InvalidRoom(_("Une salle accueille au moins une personne."), field="capacity")


@transaction.atomic
def room_create(*, space: Space, name: str, capacity: int) -> Room:
    """A room of ``space``, its identifier made from its name (unique within the space)."""
    _check_room(name=name, capacity=capacity)
    base = slugify(name)[:70] or "salle"
    taken = set(space.rooms.filter(slug__startswith=base).values_list("slug", flat=True))
    slug = base
    number = 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return Room.objects.create(space=space, name=name.strip(), slug=slug, capacity=capacity)


@transaction.atomic
def room_update(*, room: Room, name: str, capacity: int) -> Room:
    """Rename a room or change its capacity; its identifier (in links and the API) stays."""
    _check_room(name=name, capacity=capacity)
    room.name, room.capacity = name.strip(), capacity
    room.save(update_fields=["name", "capacity"])
    return room


@transaction.atomic
def room_remove(*, room: Room) -> None:
    """Remove a room no event was ever booked in (an event keeps its room for its history)."""
    if room.events.exists():
        raise RoomInUse()
    room.delete()
