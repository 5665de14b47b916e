"""The check-in reads "is the space open now" in SQL, in its one pass-day query; the pages and
the automatic check-out ask the model. Both must always agree."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from passes import selectors
from spaces.models import Closure
from tests.passes.factories import SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "Pacific/Noumea"])
def test_the_query_and_the_model_agree_on_opening_hours_across_dst_and_closures(world, zone):
    hours = [(day, time(9), time(12, 30)) for day in range(5)]
    hours += [(day, time(14), time(18)) for day in range(5)] + [(5, time(0), time(23, 59))]
    space = SpaceFactory(time_zone=zone, hours=hours)
    world.network.spaces.add(space)
    Closure.objects.create(space=space, starts_on=date(2026, 3, 30), ends_on=date(2026, 3, 31))

    # Every 20 minutes from Friday 27 to Wednesday 1 April 2026: Europe's DST change is on the
    # Sunday, a closure on Monday and Tuesday, whole days on Saturday.
    moment = datetime(2026, 3, 27, tzinfo=ZoneInfo("UTC"))
    disagreements, open_moments = [], 0
    while moment < datetime(2026, 4, 1, tzinfo=ZoneInfo("UTC")):
        in_sql = selectors.pass_day(pass_obj=world.pass_obj, space=space, moment=moment,
                                    bounds=None).open_now
        open_moments += in_sql
        if in_sql != space.is_open_at(moment):
            disagreements.append(moment.astimezone(ZoneInfo(zone)))
        moment += timedelta(minutes=20)
    assert disagreements == []
    assert open_moments > 50
