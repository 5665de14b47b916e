"""Two syncs of one source at once (real parallel transactions, PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from events.models import Event
from imports import services
from imports.models import SourceItem
from tests.imports.conftest import feed
from tests.services import require_postgres


def _together(jobs):
    barrier = threading.Barrier(len(jobs))
    results = []

    def run(job):
        try:
            barrier.wait()
            results.append(job())
        except Exception as error:  # the test looks at every outcome
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_syncs_of_one_source_started_at_once_produce_each_event_once(feed_server, add_source):
    require_postgres()
    feed_server.routes["/cal.ics"] = feed("recurring.ics")
    source = add_source(url=feed_server.url("/cal.ics"))

    results = _together([lambda: services.source_sync(source_id=source.pk)] * 4)

    assert all(isinstance(r, services.SyncReport) for r in results), results
    assert sum(r.created for r in results) == 5
    assert sum(r.not_modified for r in results) == 3
    assert Event.objects.filter(import_item__source=source).count() == 5
    assert SourceItem.objects.filter(source=source).count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_forced_syncs_at_once_still_create_each_event_once(feed_server, add_source):
    require_postgres()
    feed_server.routes["/cal.ics"] = feed("recurring.ics")
    source = add_source(url=feed_server.url("/cal.ics"))

    results = _together([lambda: services.source_sync(source_id=source.pk, force=True)] * 3)

    assert all(isinstance(r, services.SyncReport) for r in results), results
    assert Event.objects.filter(import_item__source=source).count() == 5
