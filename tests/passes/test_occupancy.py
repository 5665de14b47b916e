"""Live occupancy is derived: the open check-ins of each space, counted when read, whatever
wrote them (API, admin, bulk update, the closing-time task, an erasure); a full space is
judged on the same count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from network.privacy import person_erase
from passes import services
from passes.models import CheckIn, Visit
from spaces.models import Space
from spaces.selectors import spaces_with_hours
from tests.passes.factories import PassFactory

pytestmark = pytest.mark.django_db


def counters() -> dict[str, int]:
    """Occupancy as the space list shows it."""
    return {space.slug: space.occupancy for space in spaces_with_hours() if space.occupancy}


def open_checkins() -> dict[str, int]:
    counted = Space.objects.annotate(open=Count("checkins", filter=Q(checkins__checked_out_at=None)))
    return {space.slug: space.open for space in counted if space.open}


def arrive(world, pass_obj, space=None):
    return services.checkin_attempt(code=pass_obj.code, space=(space or world.host).slug,
                                    actor=services.Actor(person=world.host_staff))[0]


@pytest.fixture
def present(world) -> list[CheckIn]:
    """Three members checked in at the host space."""
    passes = [PassFactory(plan=world.plan, issuing_space=world.home) for _ in range(3)]
    for pass_obj in passes:
        arrive(world, pass_obj)
    return [CheckIn.objects.select_related("pass_obj__holder").get(pass_obj=p) for p in passes]


def test_arrivals_count_and_a_second_scan_does_not(world, present):
    arrive(world, present[0].pass_obj)
    assert counters() == open_checkins() == {"accueil": 3}


def test_check_out_by_the_api_frees_a_desk(world, present, desk):
    response = desk.post(f"/api/v1/checkins/{present[0].id}/checkout/")
    assert response.status_code == 200
    assert counters() == open_checkins() == {"accueil": 2}
    assert desk.get("/api/v1/spaces/accueil/").json()["occupancy"] == 2


def test_closing_time_checks_everyone_out(world, present):
    world.host.opening_hours.all().delete()
    services.checkins_close_for_closing_time(now=timezone.now())
    assert counters() == open_checkins() == {}


def test_bulk_update_deletion_and_move_are_counted(world, present):
    CheckIn.objects.filter(pk=present[0].pk).update(checked_out_at=timezone.now())
    CheckIn.objects.filter(pk=present[1].pk).update(space=world.home)
    assert counters() == open_checkins() == {"accueil": 1, "maison": 1}
    CheckIn.objects.filter(pk=present[0].pk).update(checked_out_at=None)  # corrected by hand
    CheckIn.objects.filter(pk=present[1].pk).delete()
    assert counters() == open_checkins() == {"accueil": 2}


def test_visit_removed_and_person_erased_leave_the_space(world, present):
    services.visit_remove(visit=Visit.objects.get(pk=present[0].visit_id))
    person_erase(person=present[1].pass_obj.holder)
    assert counters() == open_checkins() == {"accueil": 1}


def test_the_last_desk_goes_and_departures_free_it(world, desk, present):
    world.host.desk_capacity = 4
    world.host.save()
    last = arrive(world, PassFactory(plan=world.plan, issuing_space=world.home))
    late = PassFactory(plan=world.plan, issuing_space=world.home)
    with pytest.raises(services.SpaceFull):
        arrive(world, late)
    CheckIn.objects.filter(pk=last.pk).update(checked_out_at=last.checked_in_at + timedelta(hours=1))
    assert arrive(world, late).space.slug == "accueil"
    assert counters() == {"accueil": 4}

