"""The outbox against a real worker process, real Redis and a real SMTP server."""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.db import transaction

from tests.services import wait_until
from tests.worker.conftest import use_broker
from worker.models import Message, NotificationPreference
from worker.outbox import message_id_header, message_record

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def record(n: int, *, prefix: str = "test", **fields) -> None:
    with transaction.atomic():
        for i in range(n):
            message_record(
                key=f"{prefix}:{i}", kind="test", to=f"personne{i}@example.org",
                subject=f"Message {i}", body_text="Bonjour", **fields,
            )


def unsent() -> int:
    return Message.objects.filter(sent_at=None).count()


def test_a_recorded_message_is_sent_once_by_the_real_worker(celery_worker, smtp_sink, redis_url, client):
    worker = celery_worker(redis_url)
    with use_broker(redis_url, queue=worker.queue):
        with transaction.atomic():
            message = message_record(
                key="registration-confirmed:1", kind="registration_confirmed", to="ada@example.org",
                subject="Inscription confirmée", body_text="Vous êtes inscrite.",
                body_html="<p>Vous êtes inscrite.</p>", essential=False,
                attachments=[{"filename": "event.ics", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                              "mimetype": "text/calendar"}],
            )
        assert wait_until(lambda: unsent() == 0, timeout=30)
        # Recording it again, and an extra wake-up, send nothing more.
        with transaction.atomic():
            message_record(key="registration-confirmed:1", kind="registration_confirmed",
                           to="ada@example.org", subject="x", body_text="x")
        from worker.tasks import send_message, send_pending

        send_message.delay(message.id)
        send_pending.delay()
        time.sleep(2)

    [sent] = smtp_sink.messages()
    assert smtp_sink.count == 1
    assert sent["Message-ID"] == message_id_header(message)
    assert sent["To"] == "ada@example.org"
    unsubscribe = urlsplit(sent["List-Unsubscribe"].strip(" <>"))
    assert client.post(unsubscribe.path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.get(email="ada@example.org").non_essential is False
    parts = {part.get_content_type(): part for part in sent.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= parts.keys()
    assert parts["text/calendar"].get_filename() == "event.ics"


def test_a_thousand_messages_survive_a_sigkilled_worker_and_none_is_sent_twice(
    celery_worker, smtp_sink, redis_url
):
    """Every message is sent after the worker is killed mid-way and restarted.

    Delivery is at least once: a pool process killed after the SMTP server accepted a
    message and before the UPDATE that marks it sent leaves it unsent, and it goes out
    again under the same Message-ID. Each pool process has at most one message in that
    window, so at most ``concurrency`` copies; everything else is sent exactly once.
    """
    worker = celery_worker(redis_url)
    with use_broker(redis_url, queue=worker.queue):
        record(1000)
        assert wait_until(lambda: smtp_sink.count >= 300, timeout=60), worker.output()
        worker.kill()
        delivered_before_kill = smtp_sink.count
        assert delivered_before_kill < 1000, "the worker was not killed mid-way"

        # Restarted with beat: the queued wake-ups resume, the scan picks up the messages
        # the killed processes had claimed once their lease ends.
        worker.start(beat=True)
        assert wait_until(lambda: unsent() == 0, timeout=90), worker.output()
        time.sleep(1.5)

    ids = smtp_sink.message_ids()
    expected = {message_id_header(m) for m in Message.objects.all()}
    assert set(ids) == expected and len(expected) == 1000
    copies = {mid: n for mid, n in Counter(ids).items() if n > 1}
    assert len(ids) - 1000 <= worker.concurrency, copies
    assert all(n == 2 for n in copies.values())


def test_recording_with_redis_stopped_commits_at_once_and_is_sent_when_redis_returns(
    celery_worker, smtp_sink, redis_server
):
    worker = celery_worker(redis_server.url, beat=True)
    with use_broker(redis_server.url, queue=worker.queue):
        redis_server.stop()
        started = time.monotonic()
        record(1, prefix="broker-down")
        # One refused connection, no retries: kombu's own retries would take 6 s per message.
        assert time.monotonic() - started < 2.0
        assert unsent() == 1
        time.sleep(1)
        assert smtp_sink.count == 0

        redis_server.start()
        assert wait_until(lambda: smtp_sink.count == 1, timeout=60)
        # The row is marked sent just after the server accepted the message.
        assert wait_until(lambda: unsent() == 0, timeout=10)
    assert smtp_sink.count == 1


def test_a_registration_with_redis_stopped_answers_201_and_is_confirmed_when_redis_returns(
    celery_worker, smtp_sink, redis_server, api
):
    from tests.events.factories import EventFactory

    worker = celery_worker(redis_server.url, beat=True)
    with use_broker(redis_server.url, queue=worker.queue):
        event = EventFactory(title="Forum Entreprendre autrement")
        redis_server.stop()
        started = time.monotonic()
        response = api.post(f"/api/v1/events/{event.id}/registrations/",
                            {"name": "Ada", "email": "ada@example.org"}, format="json")
        assert response.status_code == 201, response.content
        assert time.monotonic() - started < 5
        time.sleep(1)
        assert smtp_sink.count == 0

        redis_server.start()
        assert wait_until(lambda: smtp_sink.count == 1, timeout=60), worker.output()
    [sent] = smtp_sink.messages()
    assert sent["To"] == "ada@example.org"
    assert sent["Subject"].strip().startswith("Inscription confirmée")
