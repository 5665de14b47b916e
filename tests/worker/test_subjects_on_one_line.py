"""A line break in a title never stops a message: subjects are put on one line when a
message is recorded, and again when it is sent (rows recorded before that rule)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Event, EventStatus
from tests.factories import OrganizationFactory
from tests.services import free_port
from tests.worker.conftest import use_broker
from worker.models import Message
from worker.tasks import send_pending

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def closed_broker():
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def test_a_message_recorded_with_a_line_break_in_its_subject_is_still_sent():
    Message.objects.create(key="old:1", kind="event_reminder", to="ada@example.org",
                           subject="Rappel : « Forum\r\nBcc: everyone@example.org »", body_text="Bonjour")
    assert send_pending() == 1
    [sent] = mail.outbox
    assert sent.subject == "Rappel : « Forum Bcc: everyone@example.org »"
    assert sent.message()["Bcc"] is None
    assert Message.objects.get(key="old:1").sent_at is not None


def test_a_registration_to_an_event_titled_with_line_breaks_is_confirmed_by_email():
    start = timezone.now() + timedelta(days=5)
    event = Event.objects.create(title="Forum", slug="forum", organization=OrganizationFactory(),
                                 status=EventStatus.PUBLISHED, starts_at=start,
                                 ends_at=start + timedelta(hours=2))
    # Written before titles refused line breaks.
    Event.objects.filter(pk=event.pk).update(title="Forum\rde l'ESS\n")
    services.registration_create(event=Event.objects.get(pk=event.pk), name="Ada", email="ada@example.org")

    message = Message.objects.get(kind="registration_confirmed")
    assert message.subject == "Inscription confirmée — Forum de l'ESS"
    assert send_pending() == 1
    assert [m.subject for m in mail.outbox] == ["Inscription confirmée — Forum de l'ESS"]
