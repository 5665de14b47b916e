"""A real worker (real Redis, real PostgreSQL) facing a mail server slower than the old
10-second timeout: RFC 5321's waits make it one delivery, not one per retry."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from tests.services import wait_until
from tests.worker.conftest import use_broker
from tests.worker.smtp import Behaviour, MisbehavingSmtp
from worker.models import Message
from worker.outbox import message_record

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FINAL_REPLY_AFTER = 15  # seconds; the old single timeout was 10


@pytest.fixture
def smtp_sink():
    """The worker's mail server (``celery_worker`` points the worker at ``smtp_sink``)."""
    server = MisbehavingSmtp(Behaviour(final_delay=FINAL_REPLY_AFTER))
    yield server
    server.stop()


def test_a_server_answering_the_body_after_15_seconds_gets_the_message_once_and_it_is_marked_sent(
    celery_worker, smtp_sink, redis_url
):
    # The worker keeps RFC 5321's waits (10 minutes for the final reply); its task may run
    # long enough for this one, with beat's scan every second trying to send it again.
    worker = celery_worker(redis_url, beat=True, env={
        "OUTBOX_TASK_TIME_LIMIT": "60", "OUTBOX_UNKNOWN_RETRY_SECONDS": "90"})
    with use_broker(redis_url, queue=worker.queue):
        with transaction.atomic():
            message = message_record(key="registration-confirmed:1", kind="registration_confirmed",
                                     to="ada@example.org", subject="Inscription confirmée",
                                     body_text="Vous êtes inscrite.")
        assert wait_until(lambda: smtp_sink.count == 1, timeout=30), worker.output()
        started = time.monotonic()
        assert wait_until(lambda: Message.objects.get(id=message.id).sent_at is not None,
                          timeout=FINAL_REPLY_AFTER + 15), worker.output()
        assert time.monotonic() - started >= FINAL_REPLY_AFTER - 2
        time.sleep(3)  # beat's scans meanwhile send nothing more

    message.refresh_from_db()
    assert smtp_sink.count == 1
    assert message.attempts == 0 and message.unknown_outcomes == 0 and message.last_error == ""
