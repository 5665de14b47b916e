"""Claiming, sending, retrying and unsubscribing, in this process (any database).

Tasks are called as plain functions here; the real worker runs them in
``test_real_worker.py``.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from tests.services import free_port, require_postgres, run_in_threads
from tests.worker.conftest import use_broker
from worker import outbox, tasks, wake
from worker.models import Message, NotificationPreference
from worker.outbox import (
    MAX_ATTEMPTS,
    message_claim,
    message_id_header,
    message_record,
    messages_claim_due,
    outbox_wake,
    unsubscribe_url,
)
from worker.schedule import beat_schedule
from worker.tasks import send_message, send_pending
from worker.wake import wake_for_message


@pytest.fixture(autouse=True)
def closed_broker():
    """Scans called here enqueue follow-ups: let them fail fast instead of reaching a broker."""
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        yield


def make(n: int = 1, **fields) -> list[Message]:
    return [message_record(key=f"k:{i}", kind="test", to=f"p{i}@example.org", subject=f"S{i}",
                           body_text="Bonjour", **fields) for i in range(n)]


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("smtp down")

    def close(self):
        pass


@pytest.mark.django_db
def test_a_claimed_message_cannot_be_claimed_again_until_its_lease_ends():
    [message] = make()
    assert message_claim(message_id=message.id)
    assert not message_claim(message_id=message.id)
    assert messages_claim_due(limit=10) == []
    Message.objects.filter(id=message.id).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert messages_claim_due(limit=10) == [message.id]


def test_an_outbox_task_is_stopped_before_the_claim_of_the_message_it_sends_runs_out(settings):
    """No message is sent by two live workers: the message being sent is claimed for longer
    than an outbox task may run, and a task may wait every SMTP step's longest wait after half
    a batch's lease; a batch claimed under a crash comes back within two minutes."""
    for task in (send_message, send_pending):
        assert task.soft_time_limit < task.time_limit < settings.OUTBOX_UNKNOWN_RETRY_SECONDS
        longest_message = sum(settings.EMAIL_TIMEOUTS.values())
        assert task.soft_time_limit > settings.OUTBOX_LEASE_SECONDS / 2 + longest_message
    assert settings.OUTBOX_LEASE_SECONDS <= 120
    assert settings.EMAIL_TIMEOUTS["data_termination"] == 600  # RFC 5321 §4.5.3.2.6


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again():
    [message] = make()
    send_message(message.id)
    send_message(message.id)
    Message.objects.filter(id=message.id).update(claimed_until=None)
    assert send_pending() == 0
    assert len(mail.outbox) == 1
    assert not message_claim(message_id=message.id)


@pytest.mark.django_db
def test_send_pending_sends_every_due_message_once_oldest_first_with_stable_message_ids(monkeypatch):
    monkeypatch.setattr(tasks, "BATCH_SIZE", 3)
    messages = make(7)
    assert send_pending() == 7
    assert send_pending() == 0
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id_header(m) for m in messages]
    assert not Message.objects.filter(sent_at=None).exists()


def test_the_message_id_depends_on_the_key_only(settings):
    settings.SITE_URL = "https://essaim.example.org"
    first, again = Message(key="reminder:1:day-before"), Message(key="reminder:1:day-before", to="x@y.z")
    assert message_id_header(first) == message_id_header(again)
    assert message_id_header(first).endswith("@essaim.example.org>")
    assert message_id_header(first) != message_id_header(Message(key="reminder:2:day-before"))


@pytest.mark.django_db
def test_only_non_essential_messages_carry_a_one_click_unsubscribe_link():
    essential = message_record(key="a", kind="t", to="a@example.org", subject="s", body_text="b")
    notice = message_record(key="b", kind="t", to="b@example.org", subject="s", body_text="b",
                            essential=False, body_html="<p>b</p>",
                            attachments=[{"filename": "e.ics", "content": "BEGIN:VCALENDAR",
                                          "mimetype": "text/calendar"}])
    send_pending()
    sent = {m.to[0]: m for m in mail.outbox}
    assert "List-Unsubscribe" not in sent[essential.to].extra_headers
    headers = sent[notice.to].extra_headers
    assert headers["List-Unsubscribe"] == f"<{unsubscribe_url('b@example.org')}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent[notice.to].alternatives[0][1] == "text/html"
    assert sent[notice.to].attachments == [("e.ics", "BEGIN:VCALENDAR", "text/calendar")]


@pytest.mark.django_db
def test_unsubscribing_stops_non_essential_notices_but_not_essential_messages(client):
    path = unsubscribe_url("Ada@Example.org").removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert page.status_code == 200 and b'method="post"' in page.content
    assert not NotificationPreference.objects.exists()  # link scanners only GET

    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    message_record(key="notice", kind="t", to="ada@example.org", subject="s", body_text="b", essential=False)
    message_record(key="cancelled", kind="t", to="ada@example.org", subject="s", body_text="b")
    assert send_pending() == 1
    assert [m.subject for m in mail.outbox] == ["s"]
    notice = Message.objects.get(key="notice")
    assert notice.suppressed and notice.sent_at is not None


@pytest.mark.django_db
def test_a_forged_unsubscribe_token_is_404(client):
    token = unsubscribe_url("ada@example.org").rstrip("/").rsplit("/", 1)[1]
    payload = signing.b64_encode(b'"bob@example.org"').decode()
    forged = payload + token[token.index(":"):]
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    unsalted = signing.Signer().sign_object("bob@example.org")
    assert client.post(f"/notifications/unsubscribe/{unsalted}/").status_code == 404
    assert client.post("/notifications/unsubscribe/not-signed/").status_code == 404


@pytest.mark.django_db
def test_a_failed_send_is_kept_on_the_row_and_retried_after_a_backoff(settings):
    settings.EMAIL_BACKEND = "tests.worker.test_outbox.FailingBackend"
    [message] = make()
    assert send_pending() == 0
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert "smtp down" in message.last_error
    assert message.claimed_until > timezone.now() + timedelta(seconds=50)
    assert send_pending() == 0
    assert Message.objects.get(id=message.id).attempts == 1  # waiting its backoff

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Message.objects.filter(id=message.id).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert send_pending() == 1


@pytest.mark.django_db
def test_a_message_failing_max_attempts_times_is_abandoned_and_shown_in_healthz(client):
    message, _ = make(2)
    Message.objects.filter(id=message.id).update(attempts=MAX_ATTEMPTS)
    assert send_pending() == 1
    assert not message_claim(message_id=message.id)
    assert client.get("/healthz").json()["outbox"] == {
        "unsent": 0, "abandoned": 1, "unknown": 0, "oldest_unsent_seconds": None,
    }


@pytest.mark.django_db
def test_healthz_shows_outbox_depth_and_the_age_of_the_oldest_unsent_message(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    make(3)
    Message.objects.filter(key="k:0").update(created_at=timezone.now() - timedelta(minutes=10))
    Message.objects.filter(key="k:2").update(sent_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503  # the broker decides, not the outbox
    outbox_stats = response.json()["outbox"]
    assert outbox_stats["unsent"] == 2 and outbox_stats["abandoned"] == 0
    assert 599 <= outbox_stats["oldest_unsent_seconds"] <= 620


def test_waking_the_worker_with_the_broker_down_neither_raises_nor_waits(caplog):
    started = time.monotonic()
    for message_id in range(20):
        wake_for_message(message_id)
    # One refused connection each, no retries: kombu's own retries would take 6 s per call.
    assert time.monotonic() - started < 2.0
    assert "broker unreachable" in caplog.text


@pytest.mark.django_db
def test_a_scan_facing_a_backlog_enqueues_one_more_scan_and_no_more(monkeypatch):
    monkeypatch.setattr(tasks, "BATCH_SIZE", 3)
    enqueued = []
    monkeypatch.setattr(wake, "enqueue", lambda name, *args, **options: enqueued.append(name))
    make(2)
    assert send_pending() == 2
    assert enqueued == []
    Message.objects.all().delete()
    make(7)
    assert send_pending() == 7
    assert enqueued == ["worker.send_pending"]


def test_beat_runs_the_outbox_scan_every_minute_and_drops_stale_scans():
    entry = beat_schedule()["worker.send_pending"]
    assert entry["task"] == send_pending.name == "worker.send_pending"
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] == 60.0
    assert send_message.name == "worker.send_message" and send_message.acks_late


@pytest.mark.django_db
def test_bulk_recording_wakes_one_scan_instead_of_a_task_per_message(
    monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr(wake, "enqueue", lambda name, *args, **options: enqueued.append(name))
    with django_capture_on_commit_callbacks(execute=True):
        make(1)
    assert enqueued == ["worker.send_message"]
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            message_record(key=f"bulk:{i}", kind="t", to="a@example.org", subject="s", body_text="b",
                           wake=False)
        outbox_wake()
    assert enqueued == ["worker.send_pending"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_time_send_each_message_once(monkeypatch):
    require_postgres()
    # Small batches so that the two scans interleave many times.
    monkeypatch.setattr(tasks, "BATCH_SIZE", 5)
    Message.objects.bulk_create(
        Message(key=f"k:{i}", kind="t", to=f"p{i}@example.org", subject="s", body_text="b")
        for i in range(300)
    )
    sent = run_in_threads(2, lambda _i: send_pending())
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == len(set(ids)) == 300
    assert sum(sent) == 300 and min(sent) > 0, sent
    assert outbox.outbox_stats()["unsent"] == 0
