"""Every events model has a working admin (list, add, change)."""

from __future__ import annotations

import pytest

from tests.events.factories import CampaignFactory, EventFactory, RegistrationFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["campaign", "theme", "event", "series", "registration"])
def test_admin_pages_open(client, model):
    client.force_login(PersonFactory(is_staff=True, is_superuser=True))
    registration = RegistrationFactory(event=EventFactory(campaign=CampaignFactory(), moderation="pending"))
    assert client.get(f"/admin/events/{model}/").status_code == 200
    assert client.get(f"/admin/events/{model}/add/").status_code == 200
    if model in ("event", "registration"):
        pk = registration.event_id if model == "event" else registration.pk
        assert client.get(f"/admin/events/{model}/{pk}/change/").status_code == 200


def test_reminders_are_listed_read_only(client):
    from events import services

    client.force_login(PersonFactory(is_staff=True, is_superuser=True))
    registration = services.registration_create(event=EventFactory(), name="Ada", email="ada@example.org")
    assert client.get("/admin/events/reminder/").status_code == 200
    assert client.get("/admin/events/reminder/add/").status_code == 403
    reminder = registration.reminders.first()
    response = client.get(f"/admin/events/reminder/{reminder.pk}/change/")
    assert response.status_code == 200 and "1d@09:00 — Ada" in response.content.decode()
