"""The worker: beat's scan claims due sources with a conditional UPDATE; a sync on demand."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events.models import Event
from imports import services, tasks
from imports.models import Source
from tests.imports.conftest import feed
from tests.services import require_postgres, wait_until
from tests.worker.conftest import celery_worker, smtp_sink, use_broker  # noqa: F401 (fixtures)
from worker.schedule import beat_schedule


@pytest.fixture
def enqueued(monkeypatch):
    """The tasks the code publishes, instead of a broker."""
    published: list[tuple] = []
    monkeypatch.setattr(tasks.wake, "enqueue", lambda name, args=(), **options: published.append(
        (name, args, options.get("kwargs", {}))))
    monkeypatch.setattr(services.wake, "enqueue", tasks.wake.enqueue)
    return published


def due(source, ago=timedelta(seconds=1)):
    Source.objects.filter(pk=source.pk).update(next_sync_at=timezone.now() - ago)


def test_beat_runs_the_scan_of_due_sources_every_minute():
    entry = beat_schedule()["imports.sync_due"]
    assert entry["task"] == "imports.sync_due" and entry["schedule"] == 60.0


def test_the_scan_enqueues_each_due_source_once_however_often_it_runs(add_source, enqueued):
    first = add_source(url="https://example.org/a.ics")
    second = add_source(url="https://example.org/b.ics")
    later = add_source(url="https://example.org/c.ics")
    Source.objects.filter(pk=later.pk).update(next_sync_at=timezone.now() + timedelta(minutes=5))

    assert tasks.sync_due() == 2
    assert tasks.sync_due() == 0

    assert sorted(args for _name, args, _kw in enqueued) == [(first.pk,), (second.pk,)]
    claimed = Source.objects.get(pk=first.pk).next_sync_at - timezone.now()
    assert services.LEASE - timedelta(seconds=5) < claimed <= services.LEASE


def test_paused_and_file_sources_are_not_scanned(add_source, apes, enqueued):
    paused = add_source(url="https://example.org/a.ics")
    services.source_pause(actor=apes.organizer, source=paused, paused=True)
    add_source(kind="ics", upload=feed("google.ics"), upload_name="agenda.ics")

    assert tasks.sync_due() == 0


def test_a_claim_whose_sync_never_ran_is_due_again_after_the_lease(add_source, enqueued):
    source = add_source(url="https://example.org/a.ics")
    assert tasks.sync_due() == 1
    due(source, ago=timedelta(0))  # the lease ran out
    assert tasks.sync_due() == 1
    assert len(enqueued) == 2


def test_sync_now_is_sent_to_the_worker_after_commit_and_reads_the_agenda_again(
        feed_server, add_source, apes, enqueued, django_capture_on_commit_callbacks):
    feed_server.routes["/cal.ics"] = feed("google.ics")
    source = add_source(url=feed_server.url("/cal.ics"))
    services.source_sync(source_id=source.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.source_sync_request(actor=apes.organizer, source=source)
    assert enqueued == [("imports.sync_source", (source.pk,), {"claim": True})]

    tasks.sync_source(source.pk, claim=True)
    source.refresh_from_db()
    assert source.last_report["unchanged"] == 2 and not source.last_report["not_modified"]
    assert source.next_sync_at > timezone.now() + timedelta(minutes=55)


def test_sync_now_leaves_a_source_another_worker_claimed_to_it(feed_server, add_source):
    feed_server.routes["/cal.ics"] = feed("google.ics")
    source = add_source(url=feed_server.url("/cal.ics"))
    assert services.source_claim(source_id=source.pk)

    tasks.sync_source(source.pk, claim=True)

    assert feed_server.requests == []


def test_a_failing_sync_is_recorded_not_raised_to_the_worker(feed_server, add_source):
    source = add_source(url=feed_server.url("/missing.ics"))

    tasks.sync_source(source.pk)

    source.refresh_from_db()
    assert source.failures == 1 and "404" in source.last_error


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_claim_each_source_once(add_source, enqueued):
    require_postgres()
    for n in range(20):
        add_source(url=f"https://example.org/{n}.ics")
    barrier = threading.Barrier(4)
    counts = []

    def scan():
        try:
            barrier.wait()
            counts.append(tasks.sync_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sum(counts) == 20
    assert len({args for _name, args, _kw in enqueued}) == 20


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_and_beat_import_a_due_source(celery_worker, redis_url, feed_server, add_source):  # noqa: F811
    worker = celery_worker(redis_url, beat=True, env={
        "IMPORTS_SCAN_SECONDS": "1", "IMPORTS_LOOPBACK_PORTS": str(feed_server.port)})
    feed_server.routes["/cal.ics"] = feed("recurring.ics")
    with use_broker(redis_url, queue=worker.queue), transaction.atomic():
        source = add_source(url=feed_server.url("/cal.ics"))

    assert wait_until(lambda: Event.objects.filter(import_item__source=source).count() == 5, timeout=60)
    source.refresh_from_db()
    assert source.last_success_at is not None and source.failures == 0
