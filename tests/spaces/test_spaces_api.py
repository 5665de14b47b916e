"""Public spaces: opening hours, closures, live occupancy; managers edit hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from network.models import Role
from passes import services as pass_services
from spaces.models import OpeningHours
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(db):
    return SpaceFactory(slug="mutualab", hours=[(0, time(9), time(12)), (0, time(14), time(18))])


def test_space_list_is_public_with_hours_and_live_occupancy(api, django_assert_max_num_queries):
    spaces = [SpaceFactory() for _ in range(3)]
    plan = PlanFactory(network=PassNetworkFactory(spaces=spaces))
    staff = member_of(spaces[0].operator, Role.SPACE_MANAGER)
    for _ in range(2):
        pass_services.checkin_attempt(code=PassFactory(plan=plan, issuing_space=spaces[0]).code,
                                      space=spaces[0].slug, actor=pass_services.Actor(person=staff))
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/spaces/").json()
    by_slug = {s["slug"]: s for s in body["results"]}
    assert by_slug[spaces[0].slug]["occupancy"] == 2
    assert by_slug[spaces[1].slug]["occupancy"] == 0
    assert by_slug[spaces[0].slug]["open_now"] is True
    assert len(by_slug[spaces[0].slug]["opening_hours"]) == 7


def test_closures_to_come_are_listed_and_past_ones_are_not(api, space):
    today = timezone.localdate()
    space.closures.create(starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=20))
    space.closures.create(starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=4),
                          reason="Travaux")
    closures = api.get("/api/v1/spaces/mutualab/").json()["closures"]
    assert [c["reason"] for c in closures] == ["Travaux"]


def test_open_at_follows_the_space_zone_across_dst(space):
    space.opening_hours.all().delete()
    OpeningHours.objects.create(space=space, weekday=6, opens=time(9), closes=time(18))
    utc = ZoneInfo("UTC")
    # 29 March 2026, summer time from 02:00: 09:00 in Paris is 07:00 UTC.
    assert not space.is_open_at(datetime(2026, 3, 29, 6, 59, tzinfo=utc))
    assert space.is_open_at(datetime(2026, 3, 29, 7, 0, tzinfo=utc))
    # A week before, still winter time: 09:00 in Paris is 08:00 UTC.
    assert not space.is_open_at(datetime(2026, 3, 22, 7, 30, tzinfo=utc))
    space.time_zone = "America/Montreal"
    assert not space.is_open_at(datetime(2026, 3, 29, 7, 0, tzinfo=utc))


def put_hours(client, hours):
    return client.put("/api/v1/spaces/mutualab/opening-hours/", {"opening_hours": hours}, format="json")


def test_space_manager_replaces_the_weekly_hours(space, login):
    manager = login(member_of(space.operator, Role.SPACE_MANAGER))
    response = put_hours(manager, [{"weekday": 1, "opens": "08:30", "closes": "19:00"},
                                   {"weekday": 0, "opens": "09:00", "closes": "12:00"},
                                   {"weekday": 0, "opens": "12:00", "closes": "18:00"}])
    assert response.status_code == 200, response.json()
    assert [(h["weekday"], h["opens"]) for h in response.json()["opening_hours"]] == [
        (0, "09:00:00"), (0, "12:00:00"), (1, "08:30:00")]


def test_hours_open_until_midnight_close_at_24_00(space, login):
    manager = login(member_of(space.operator, Role.SPACE_MANAGER))
    response = put_hours(manager, [{"weekday": 5, "opens": "18:00", "closes": "24:00"}])
    assert response.status_code == 200, response.json()
    assert response.json()["opening_hours"] == [{"weekday": 5, "opens": "18:00:00", "closes": "24:00:00"}]
    assert space.opening_hours.get().closes == time.max
    saturday = datetime(2026, 11, 28, 22, 59, 59, tzinfo=UTC)  # 23:59:59 in Paris
    assert space.is_open_at(saturday)
    assert not space.is_open_at(saturday + timedelta(seconds=1))


@pytest.mark.parametrize(("hours", "code"), [
    ([{"weekday": 0, "opens": "09:00", "closes": "13:00"},
      {"weekday": 0, "opens": "12:00", "closes": "18:00"}], "opening_hours_overlap"),
    ([{"weekday": 2, "opens": "18:00", "closes": "09:00"}], "invalid_opening_hours"),
    ([{"weekday": 2, "opens": "09:00", "closes": "09:00"}], "invalid_opening_hours"),
    ([{"weekday": 7, "opens": "09:00", "closes": "18:00"}], "invalid"),
    ([{"weekday": 1, "opens": "9h", "closes": "18:00"}], "invalid"),
])
def test_bad_opening_hours_are_refused_and_nothing_changes(space, login, hours, code):
    manager = login(member_of(space.operator, Role.SPACE_MANAGER))
    response = put_hours(manager, hours)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "opening_hours" in response.json()["fields"]
    assert space.opening_hours.count() == 2


def test_overlap_message_names_the_day(space, login):
    manager = login(member_of(space.operator, Role.SPACE_MANAGER))
    response = put_hours(manager, [{"weekday": 4, "opens": "09:00", "closes": "13:00"},
                                   {"weekday": 4, "opens": "10:00", "closes": "11:00"}])
    assert "vendredi" in response.json()["detail"]


def test_only_the_space_managers_edit_hours_and_closures(space, login):
    stranger = login(PersonFactory())
    assert put_hours(stranger, []).status_code == 403
    response = stranger.post("/api/v1/spaces/mutualab/closures/",
                             {"starts_on": "2026-12-24", "ends_on": "2026-12-26"}, format="json")
    assert response.status_code == 403


def test_closure_ending_before_it_starts_is_refused(space, login):
    manager = login(member_of(space.operator, Role.SPACE_MANAGER))
    response = manager.post("/api/v1/spaces/mutualab/closures/",
                            {"starts_on": "2026-12-26", "ends_on": "2026-12-24"}, format="json")
    assert response.status_code == 400
    assert "ends_on" in response.json()["fields"]
    ok = manager.post("/api/v1/spaces/mutualab/closures/",
                      {"starts_on": "2026-12-24", "ends_on": "2026-12-26", "reason": "Noël"}, format="json")
    assert ok.status_code == 201


def test_admin_refuses_overlapping_hours_too(space, client):
    admin = PersonFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    form = {
        "name": space.name, "slug": space.slug, "operator": space.operator_id, "address": space.address,
        "time_zone": "Europe/Paris", "desk_capacity": 10, "amenities": "[]",
        "opening_hours-TOTAL_FORMS": 2, "opening_hours-INITIAL_FORMS": 0,
        "opening_hours-0-weekday": 3, "opening_hours-0-opens": "09:00", "opening_hours-0-closes": "13:00",
        "opening_hours-1-weekday": 3, "opening_hours-1-opens": "12:00", "opening_hours-1-closes": "18:00",
        "closures-TOTAL_FORMS": 0, "closures-INITIAL_FORMS": 0,
        "rooms-TOTAL_FORMS": 0, "rooms-INITIAL_FORMS": 0,
    }
    space.opening_hours.all().delete()
    response = client.post(f"/admin/spaces/space/{space.id}/change/", form)
    assert response.status_code == 200
    assert "se chevauchent" in response.content.decode()
    assert not space.opening_hours.exists()


def test_a_space_placed_by_its_latitude_alone_is_refused_on_its_longitude():
    """What the administration's form says when one of the two is left empty."""
    space = SpaceFactory()
    space.latitude = Decimal("50.6")
    with pytest.raises(ValidationError) as refused:
        space.full_clean()
    assert refused.value.message_dict == {"longitude": ["Latitude et longitude vont ensemble."]}
    space.longitude = Decimal("3.1")
    space.full_clean()
