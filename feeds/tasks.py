"""Republishing stale feeds, coalesced.

Edits mark feeds stale in the database (:func:`feeds_mark_stale`). The first
edit of a burst enqueues one ``feeds.publish_stale`` a couple of seconds
later; edits inside that window only mark rows, so fifty edits in a second
give one publish per affected feed. A periodic run is the safety net for
wake-ups lost while the broker was down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from feeds.models import PublishedFeed
from feeds.publishing import FeedUnavailable, feed_publish

logger = logging.getLogger(__name__)

# A short countdown, far below the broker's visibility timeout.
COALESCE_SECONDS = 2


def feeds_mark_stale(keys: Iterable[str]) -> None:
    """Mark published feeds for republishing and ask the worker, after commit."""
    keys = sorted(set(keys))
    if not keys:
        return
    PublishedFeed.objects.filter(key__in=keys, stale_since__isnull=True).update(
        stale_since=timezone.now()
    )
    transaction.on_commit(request_publish)


def request_publish() -> None:
    if not cache.add("feeds:publish-requested", 1, timeout=COALESCE_SECONDS):
        return
    try:
        publish_stale.apply_async(countdown=COALESCE_SECONDS, retry=False)
    except Exception as exc:  # broker down: the periodic run publishes later
        cache.delete("feeds:publish-requested")
        logger.warning("feeds: could not enqueue publish (%s); the periodic run will", exc)


@shared_task(name="feeds.publish_stale", ignore_result=True)
def publish_stale() -> int:
    """Publish every stale feed once; returns how many were published.

    A feed that fails to build keeps its last bytes and stays stale for the next run;
    the others publish.
    """
    published = 0
    failed: set[str] = set()
    while True:
        with transaction.atomic():
            feed = (
                PublishedFeed.objects.select_for_update(skip_locked=True)
                .filter(stale_since__isnull=False)
                .exclude(key__in=failed)
                .order_by("stale_since")
                .first()
            )
            if feed is None:
                return published
            try:
                feed_publish(key=feed.key)
            except FeedUnavailable:
                failed.add(feed.key)
                continue
        published += 1
