"""Publishing feeds: build, store with an ETag, and serve the current version.

Feed kinds register a *source* by key prefix (``events``, ``organization``…):
a function that takes the rest of the key and returns a :class:`FeedContent`,
or None when the feed does not exist (unknown slug). Publishing stores the
bytes only when they changed, so an unchanged feed keeps its ETag and
Last-Modified and clients get 304s. A feed that fails to build keeps its last
published bytes.

Imports run one way: ``ical``, ``store`` ← ``publishing`` ← ``sources``, ``tasks`` ← ``signals``, ``views``.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from feeds.ical import calendar_document
from feeds.models import PublishedFeed
from feeds.store import StoredFeed, forget, stored_feed

logger = logging.getLogger(__name__)


class FeedUnavailable(Exception):
    """The feed ``key`` could not be built (the cause is logged); its last bytes stay."""


@dataclass
class FeedContent:
    name: str
    description: str
    vevents: list[bytes]
    zones: set[str] = field(default_factory=set)
    years: tuple[int, int] = (2025, 2027)
    last_modified: datetime | None = None

    def document(self) -> bytes:
        """The whole VCALENDAR."""
        return calendar_document(name=self.name, description=self.description, vevents=self.vevents,
                                 zones=self.zones, years=self.years)


Source = Callable[[str], FeedContent | None]
SOURCES: dict[str, Source] = {}


def register_source(prefix: str) -> Callable[[Source], Source]:
    def decorator(function: Source) -> Source:
        SOURCES[prefix] = function
        return function

    return decorator


def build_content(key: str) -> FeedContent | None:
    prefix, _, rest = key.partition(":")
    source = SOURCES.get(prefix)
    return source(rest) if source else None


def feed_publish(*, key: str) -> PublishedFeed | None:
    """Build the feed ``key`` and store it if its bytes changed; None if it does not exist.

    The row is locked before the content is read, so an edit committed while we
    build marks the feed stale again instead of being lost. Raises
    :class:`FeedUnavailable` when the build fails: the stored bytes stay as they were.
    """
    try:
        with transaction.atomic():
            feed = PublishedFeed.objects.select_for_update().filter(key=key).first()
            try:
                content = build_content(key)
                body = content.document() if content is not None else b""
            except Exception as exc:
                logger.exception("feeds: %s could not be built; it keeps its last published bytes", key)
                raise FeedUnavailable(key) from exc
            if content is None:
                if feed is not None:
                    feed.delete()
                return None
            return _store(feed or PublishedFeed(key=key), body, content.last_modified)
    except IntegrityError:
        # Two first requests built the same new feed at once; the other one stored it.
        return PublishedFeed.objects.filter(key=key).first()


def _store(feed: PublishedFeed, body: bytes, last_modified: datetime | None) -> PublishedFeed:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if feed.pk is not None and feed.etag == etag:
        if feed.stale_since is not None:
            feed.stale_since = None
            feed.save(update_fields=["stale_since", "built_at"])
        return feed
    feed.body = body
    # mtime=0: the same bytes always compress to the same bytes.
    feed.gzip_body = gzip.compress(body, compresslevel=6, mtime=0)
    feed.etag = etag
    feed.last_modified = (last_modified or timezone.now()).replace(microsecond=0)
    feed.stale_since = None
    feed.save()
    # Now for this process, and again once other transactions can see the new row.
    forget(feed.key)
    transaction.on_commit(lambda: forget(feed.key))
    return feed


def feed_current(*, key: str) -> StoredFeed | None:
    """The version of feed ``key`` to serve, or None if there is no such feed; a feed never
    published yet is built once, here (raises :class:`FeedUnavailable` if that fails)."""
    feed = stored_feed(key)
    if feed is None and feed_publish(key=key) is not None:
        feed = stored_feed(key)
    return feed
