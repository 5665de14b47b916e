"""Delivery outcomes against a local SMTP server that misbehaves, in this process (any database).

Each SMTP step's wait is shortened here (the defaults are RFC 5321's minutes); what is
checked is which wait applies where, and what the outbox makes of each outcome.
"""

from __future__ import annotations

import email
import email.policy
import signal
from datetime import timedelta
from unittest import mock

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.db.models.functions import Now
from django.utils import timezone

from tests.services import free_port
from tests.worker.conftest import use_broker
from tests.worker.smtp import Behaviour, MisbehavingSmtp
from worker.models import MAX_UNKNOWN, Message
from worker.outbox import message_claim, message_id_header, message_record, messages_claim_due, messages_retry
from worker.tasks import send_message, send_pending

pytestmark = pytest.mark.django_db

QUICK = {"connection": 1, "mail": 1, "rcpt": 1, "data_initiation": 1, "data_block": 1, "data_termination": 1}


@pytest.fixture(autouse=True)
def closed_broker():
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        yield


@pytest.fixture
def smtp(settings):
    server = MisbehavingSmtp()
    settings.EMAIL_BACKEND = "worker.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUTS = dict(QUICK)
    yield server
    server.stop()


def record() -> Message:
    return message_record(key="registration-confirmed:1", kind="registration_confirmed",
                          to="ada@example.org", subject="Inscription confirmée", body_text="Bonjour")


def due_again(message: Message) -> None:
    """As if the long delay before the one more try had passed."""
    Message.objects.filter(id=message.id).update(claimed_until=timezone.now() - timedelta(seconds=1))


def test_a_final_reply_slower_than_every_other_wait_is_waited_for_and_the_message_sent_once(smtp, settings):
    settings.EMAIL_TIMEOUTS["data_termination"] = 5
    smtp.behaviour = Behaviour(final_delay=2)
    message = record()
    assert send_pending() == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 0 and message.unknown_outcomes == 0
    assert smtp.count == 1


def test_a_final_reply_that_never_comes_is_unknown_tried_once_more_after_a_long_delay_then_left_to_a_person(
    smtp, settings, client
):
    smtp.behaviour = Behaviour(final_delay=2)
    message = record()
    assert send_pending() == 0
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 0 and message.unknown_outcomes == 1
    assert "TimeoutError" in message.last_error or "timed out" in message.last_error
    long_delay = timedelta(seconds=settings.OUTBOX_UNKNOWN_RETRY_SECONDS)
    assert message.claimed_until > timezone.now() + long_delay - timedelta(minutes=1)
    assert client.get("/healthz").json()["outbox"]["unknown"] == 1
    send_pending()
    send_message(message.id)
    assert smtp.count == 1  # no retry before the long delay

    due_again(message)
    assert send_pending() == 0
    due_again(message)
    assert send_pending() == 0
    send_message(message.id)
    message.refresh_from_db()
    assert message.unknown_outcomes == MAX_UNKNOWN and message.state == "issue inconnue : à décider"
    assert smtp.count == 2
    assert client.get("/healthz").json()["outbox"] == {
        "unsent": 0, "abandoned": 0, "unknown": 1, "oldest_unsent_seconds": None}

    # A person asks for one more try: it goes, once.
    smtp.behaviour = Behaviour()
    messages_retry(message_ids=[message.id])
    assert send_pending() == 1
    assert smtp.count == 3


def test_a_connection_dropped_after_the_body_is_unknown_counted_in_healthz_and_sent_at_most_once_more(
    smtp, client
):
    smtp.behaviour = Behaviour(drop_after_body=True)
    message = record()
    send_message(message.id)
    message.refresh_from_db()
    assert message.sent_at is None and message.unknown_outcomes == 1 and message.attempts == 0
    assert "SMTPServerDisconnected" in message.last_error
    assert client.get("/healthz").json()["outbox"]["unknown"] == 1

    smtp.behaviour = Behaviour()
    due_again(message)
    assert send_pending() == 1
    assert send_pending() == 0
    assert smtp.count == 2
    ids = {email.message_from_bytes(body, policy=email.policy.default)["Message-ID"]
           for body in smtp.received}
    assert ids == {message_id_header(message)}
    assert client.get("/healthz").json()["outbox"]["unknown"] == 0


@pytest.mark.parametrize("step", ["greeting", "MAIL", "RCPT", "DATA", "final"])
@pytest.mark.parametrize("reply", ["451 4.3.0 essayez plus tard", "554 5.7.1 refusé"])
def test_a_refusal_at_any_step_is_a_failure_retried_after_a_backoff(smtp, step, reply):
    smtp.behaviour = Behaviour(refuse={step: reply})
    message = record()
    assert send_pending() == 0
    message.refresh_from_db()
    assert message.attempts == 1 and message.unknown_outcomes == 0 and message.sent_at is None
    assert reply[:3] in message.last_error
    assert message.claimed_until > timezone.now() + timedelta(seconds=50)
    assert smtp.count == 0

    smtp.behaviour = Behaviour()
    due_again(message)
    assert send_pending() == 1
    assert smtp.count == 1


def test_the_time_limit_reached_while_waiting_for_the_final_reply_is_an_unknown_outcome(smtp, settings):
    settings.EMAIL_TIMEOUTS["data_termination"] = 10
    smtp.behaviour = Behaviour(final_delay=3)
    message = record()

    def soft_time_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, soft_time_limit)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        assert send_pending() == 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    message.refresh_from_db()
    assert message.unknown_outcomes == 1 and message.attempts == 0
    assert "SoftTimeLimitExceeded" in message.last_error


def test_a_message_whose_worker_stopped_while_sending_is_an_unknown_outcome_sent_at_most_once_more(smtp):
    """What a worker killed mid-send, or one that lost the database before marking the message
    sent, leaves: the row still says "being sent" once its long claim is over."""
    message = record()
    Message.objects.filter(id=message.id).update(sending_since=Now(), claimed_until=None)
    assert send_pending() == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.unknown_outcomes == 1
    assert smtp.count == 1

    again = message_record(key="registration-confirmed:2", kind="registration_confirmed",
                           to="bob@example.org", subject="Inscription confirmée", body_text="Bonjour")
    Message.objects.filter(id=again.id).update(sending_since=Now(), unknown_outcomes=1)
    assert send_pending() == 0
    again.refresh_from_db()
    assert again.unknown_outcomes == MAX_UNKNOWN and again.sent_at is None and again.sending_since is None
    assert smtp.count == 1


class SendsNothing:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        return 0


def test_a_backend_that_sends_nothing_is_a_failure_not_a_success(settings):
    settings.EMAIL_BACKEND = "tests.worker.test_delivery.SendsNothing"
    message = record()
    assert send_pending() == 0
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert "sent nothing" in message.last_error


def test_a_worker_whose_clock_runs_a_day_late_or_early_neither_takes_a_leased_message_nor_leases_by_it():
    message = record()
    assert message_claim(message_id=message.id)
    for skew in (timedelta(days=1), -timedelta(days=1)):
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() + skew):
            assert not message_claim(message_id=message.id)
            assert messages_claim_due(limit=10) == []
    message.refresh_from_db()
    Message.objects.filter(id=message.id).update(claimed_until=None)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=1)):
        assert messages_claim_due(limit=10) == [message.id]
    message.refresh_from_db()
    assert abs(message.claimed_until - timezone.now() - timedelta(seconds=120)) < timedelta(seconds=30)
