"""Clash hints: published events close by (within EVENT_CLASH_RADIUS_KM, or the same department
without coordinates) and within two hours of each other."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.selectors import clash_hints, clash_hints_for, distance_km
from tests.events.factories import EventFactory, RoomFactory, in_days

pytestmark = pytest.mark.django_db

LILLE = ("50.631600", "3.059800")
ROUBAIX = ("50.695600", "3.168900")  # about 10 km from Lille
DUNKERQUE = ("51.034400", "2.376800")  # the Nord too, about 65 km away


def at(place, **fields):
    latitude, longitude = place
    return EventFactory(latitude=latitude, longitude=longitude, **fields)


def test_two_events_ten_kilometres_apart_the_same_evening_clash_across_communes():
    evening = in_days(5, 18, 30)
    lille = at(LILLE, starts_at=evening, commune_insee="59350")
    roubaix = at(ROUBAIX, starts_at=evening + timedelta(hours=1), commune_insee="59512")
    assert 9 < distance_km((50.6316, 3.0598), (50.6956, 3.1689)) < 11
    assert clash_hints(lille) == [roubaix]
    assert clash_hints(roubaix) == [lille]


def test_the_same_department_far_away_does_not_clash_when_both_have_coordinates():
    evening = in_days(5, 18, 30)
    lille = at(LILLE, starts_at=evening)
    at(DUNKERQUE, starts_at=evening)
    assert clash_hints(lille) == []


def test_the_radius_is_a_setting(settings):
    evening = in_days(5, 18, 30)
    lille = at(LILLE, starts_at=evening)
    at(ROUBAIX, starts_at=evening)
    settings.EVENT_CLASH_RADIUS_KM = 5
    assert clash_hints(lille) == []


def test_without_coordinates_the_same_department_clashes_and_another_does_not():
    evening = in_days(5, 18, 30)
    here = EventFactory(starts_at=evening, department="59", commune_insee="59350")
    same_department = at(DUNKERQUE, starts_at=evening, department="59", commune_insee="59183")
    EventFactory(starts_at=evening, department="62", commune_insee="62041", region="Hauts-de-France")
    assert clash_hints(here) == [same_department]


def test_a_rooms_space_gives_the_event_its_coordinates():
    evening = in_days(5, 18, 30)
    room = RoomFactory(space__latitude=ROUBAIX[0], space__longitude=ROUBAIX[1])
    in_the_room = EventFactory(room=room, starts_at=evening, address="")
    lille = at(LILLE, starts_at=evening)
    assert clash_hints(in_the_room) == [lille]


def test_events_more_than_two_hours_apart_or_unpublished_do_not_clash():
    evening = in_days(5, 18, 30)
    lille = at(LILLE, starts_at=evening)
    at(LILLE, starts_at=evening + timedelta(hours=4, minutes=1))  # ends 22:30 → starts 22:31
    at(LILLE, starts_at=evening, status="draft")
    at(LILLE, starts_at=evening, status="cancelled", cancel_reason="Reporté.")
    assert clash_hints(lille) == []


def test_hints_for_many_events_take_one_query(django_assert_num_queries):
    events = [at(LILLE, starts_at=in_days(days, 18, 30)) for days in (3, 3, 9, 9, 20)]
    with django_assert_num_queries(1):
        hints = clash_hints_for(events)
    assert [len(hints[e.pk]) for e in events] == [1, 1, 1, 1, 0]
