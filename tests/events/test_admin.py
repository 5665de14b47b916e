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


def _change_form_data(page) -> dict:
    """What the admin's change page would post back unchanged: the form, its inlines and their
    management forms."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({f"{management.prefix}-{key}": value for key, value in management.initial.items()})
        for row in inline.formset.forms:
            data.update({f"{row.prefix}-{name}": row[name].value() or "" for name in row.fields})
    return data


def test_staff_moving_an_event_in_the_admin_moves_its_reminders_and_its_sequence(client):
    from datetime import timedelta

    from django.utils import timezone

    from events import services
    from events.models import Event

    client.force_login(PersonFactory(is_staff=True, is_superuser=True))
    event = EventFactory(capacity=None)
    registration = services.registration_create(event=event, name="Ada", email="ada@example.org")
    data = _change_form_data(client.get(f"/admin/events/event/{event.pk}/change/"))
    new_start = event.starts_at + timedelta(days=2)
    for name, value in (("starts_at", new_start), ("ends_at", new_start + timedelta(hours=2))):
        local = timezone.localtime(value)  # the admin's widgets read the current time zone
        data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        data.pop(name, None)

    response = client.post(f"/admin/events/event/{event.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(pk=event.pk)
    assert event.starts_at == new_start.replace(microsecond=0) and event.sequence == 1
    assert registration.reminders.get(kind="2h").due_at == event.starts_at - timedelta(hours=2)
