"""Event reminders sent by a real worker with beat, real Redis and a real SMTP server."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import Registration, Reminder
from tests.events.factories import EventFactory
from tests.services import wait_until
from tests.worker.conftest import use_broker
from worker.models import Message
from worker.outbox import message_id_header

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def due_reminders(count: int) -> None:
    """``count`` confirmed registrations, each with one reminder due a minute ago."""
    event = EventFactory(capacity=None, title="Café métiers du numérique")
    registrations = Registration.objects.bulk_create(
        [Registration(event=event, name=f"Personne {n}", email=f"personne{n}@example.org",
                      status="confirmed") for n in range(count)])
    Reminder.objects.bulk_create(
        [Reminder(registration=r, kind="2h", due_at=timezone.now() - timedelta(minutes=1))
         for r in registrations])


def test_a_due_reminder_is_sent_once_and_a_cancelled_one_never(celery_worker, smtp_sink, redis_url):
    worker = celery_worker(redis_url, beat=True)
    with use_broker(redis_url, queue=worker.queue):
        event = EventFactory(title="Atelier compostage")
        kept = services.registration_create(event=event, name="Ada", email="ada@example.org")
        dropped = services.registration_create(event=event, name="Bob", email="bob@example.org")
        services.registration_cancel(registration=dropped, token=dropped.token)
        Reminder.objects.update(due_at=timezone.now() - timedelta(minutes=1))

        assert wait_until(lambda: smtp_sink.count >= 5, timeout=60), worker.output()
        time.sleep(3)  # a few more beat ticks: nothing else goes out

    subjects = Counter((m["To"], m["Subject"].strip().split(" — ")[0].split(" « ")[0])
                       for m in smtp_sink.messages())
    assert subjects == Counter({
        ("ada@example.org", "Inscription confirmée"): 1, ("bob@example.org", "Inscription confirmée"): 1,
        ("bob@example.org", "Inscription annulée"): 1, ("ada@example.org", "Rappel :"): 2,
    })
    assert Reminder.objects.get(registration=kept, kind="2h").sent_at is not None


def test_a_thousand_due_reminders_survive_a_sigkilled_worker_and_none_is_sent_twice(
    celery_worker, smtp_sink, redis_url
):
    """The worker (with beat) is SIGKILLed while sending; restarted, it sends the rest.

    Turning a reminder into a message is one transaction, so a kill there loses
    nothing and doubles nothing; the outbox's own window (a message accepted by
    SMTP, the worker killed before marking it) allows one copy per pool process,
    under the same Message-ID.
    """
    due_reminders(1000)
    worker = celery_worker(redis_url, beat=True)
    with use_broker(redis_url, queue=worker.queue):
        assert wait_until(lambda: smtp_sink.count >= 200, timeout=90), worker.output()
        worker.kill()
        assert smtp_sink.count < 1000, "the worker was not killed mid-way"

        worker.start(beat=True)
        assert wait_until(lambda: not (Message.objects.filter(sent_at=None).exists()
                                       or Reminder.objects.filter(sent_at=None).exists()),
                          timeout=120), worker.output()
        time.sleep(1.5)

    ids = smtp_sink.message_ids()
    expected = {message_id_header(m) for m in Message.objects.filter(kind="event_reminder")}
    assert len(expected) == 1000 and set(ids) == expected
    assert len(ids) - 1000 <= worker.concurrency, Counter(ids).most_common(3)
