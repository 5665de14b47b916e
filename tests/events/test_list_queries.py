"""The event list costs the same number of queries for 10 events as for 100."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Theme
from tests.events.factories import CampaignFactory, EventFactory, RegistrationFactory, RoomFactory
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def _make_events(count: int, *, lead, partner, campaign, themes, room_space):
    for n in range(count):
        event = EventFactory(organization=lead, campaign=campaign, moderation="approved",
                             room=RoomFactory(space=room_space) if n % 3 == 0 else None)
        event.co_organizers.add(partner)
        event.themes.add(*themes)
        RegistrationFactory(event=event)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "organizer"])
def test_event_list_query_count_does_not_grow_with_the_number_of_events(
        api, login, django_assert_num_queries, signed_in):
    lead, partner = OrganizationFactory(), OrganizationFactory()
    context = {"lead": lead, "partner": partner, "campaign": CampaignFactory(),
               "themes": list(Theme.objects.all()[:3]), "room_space": RoomFactory(space__operator=lead).space}
    client = login(member_of(lead)) if signed_in else api
    url = "/api/v1/events/?page_size=200"

    _make_events(10, **context)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).json()["count"] == 10

    _make_events(90, **context)
    assert len(ten.captured_queries) <= 9, [q["sql"][:80] for q in ten.captured_queries]
    with django_assert_num_queries(len(ten.captured_queries)):
        assert client.get(url).json()["count"] == 100
