"""Messages that depend on a state are checked again just before they are sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Event, Registration, Reminder
from events.reminders import reminders_send_due
from tests.events.factories import EventFactory
from tests.services import free_port
from tests.worker.conftest import use_broker
from worker.models import Message
from worker.tasks import send_pending

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def closed_broker():
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def recorded_reminder(**event_fields) -> tuple[Event, Message]:
    """An event, one confirmed registration, and its reminder recorded in the outbox (not sent)."""
    event = EventFactory(title="Atelier compostage", **event_fields)
    registration = services.registration_create(event=event, name="Ada", email="ada@example.org")
    send_pending()  # the confirmation
    mail.outbox.clear()
    Reminder.objects.filter(registration=registration, kind="2h").update(
        due_at=timezone.now() - timedelta(minutes=1))
    assert reminders_send_due() == 1
    return event, Message.objects.get(kind="event_reminder")


def reminders_sent() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Rappel")]


def test_a_reminder_recorded_then_its_registration_cancelled_is_not_sent_and_the_row_says_why():
    _event, reminder = recorded_reminder()
    registration = Registration.objects.get(id=reminder.depends_on["registration"])
    cancelled = services.registration_cancel(registration=registration, token=registration.token)
    send_pending()
    assert reminders_sent() == []
    assert [m.subject for m in mail.outbox] == [f"Inscription annulée — {cancelled.event.title}"]
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    assert reminder.dropped_reason == "l'inscription n'est plus confirmée"
    assert reminder.state == "non envoyé : ne s'applique plus"


def test_a_reminder_never_leaves_after_its_event_started():
    event, reminder = recorded_reminder()
    Event.objects.filter(id=event.id).update(starts_at=timezone.now() - timedelta(minutes=1))
    send_pending()
    assert reminders_sent() == []
    reminder.refresh_from_db()
    assert reminder.dropped_reason == "l'événement a commencé"


def test_a_reminder_of_an_event_moved_since_is_not_sent_with_the_old_time():
    event, reminder = recorded_reminder()
    Event.objects.filter(id=event.id).update(sequence=event.sequence + 1)  # as a change of time does
    send_pending()
    assert reminders_sent() == []
    reminder.refresh_from_db()
    assert reminder.dropped_reason == "l'événement a changé depuis"


def test_a_reminder_that_still_applies_is_sent():
    _event, reminder = recorded_reminder()
    assert send_pending() == 1
    assert len(reminders_sent()) == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None and reminder.dropped_reason == ""


def test_a_free_seat_notice_to_someone_who_cancelled_since_is_not_sent():
    event = EventFactory(title="Café métiers", capacity=1)
    first = services.registration_create(event=event, name="Ada", email="ada@example.org")
    waiting = services.registration_create(event=event, name="Bob", email="bob@example.org")
    send_pending()
    services.registration_cancel(registration=first, token=first.token)  # Bob is promoted
    waiting.refresh_from_db()
    services.registration_cancel(registration=waiting, token=waiting.token)
    mail.outbox.clear()
    send_pending()
    promoted = Message.objects.get(kind="registration_promoted")
    assert promoted.sent_at is None and promoted.dropped_reason == "l'inscription n'est plus confirmée"
    assert not any(m.subject.startswith("Une place s'est libérée") for m in mail.outbox)
