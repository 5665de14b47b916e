"""Reading published feeds on the request path, cheaply.

Thousands of calendar clients poll the same few feeds, mostly to hear "304
Not Modified". Each web process therefore keeps, for a couple of seconds, which
version (ETag) of a feed is current, and keeps the bytes of recent versions in
a bounded memory cache keyed by ETag. A poll costs no database query most of
the time, a changed feed is visible within ``FRESHNESS`` seconds, and bytes are
never served for a version the database no longer names.

This module only reads; ``feeds.publishing`` writes and calls :func:`forget`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from feeds.models import PublishedFeed

FRESHNESS = 2.0
BODY_CACHE_BYTES = 64 * 1024 * 1024

_lock = threading.Lock()
_versions: dict[str, tuple[float, StoredFeed]] = {}
_bodies: OrderedDict[tuple[int, str, bool], bytes] = OrderedDict()
_body_bytes = 0


@dataclass(frozen=True)
class StoredFeed:
    id: int
    key: str
    etag: str
    last_modified: datetime

    def body(self, *, gzip: bool) -> bytes:
        """The bytes of this version (gzipped or not); those of the current version if it
        was republished since, and nothing if the feed is gone."""
        cache_key = (self.id, self.etag, gzip)
        with _lock:
            body = _bodies.get(cache_key)
            if body is not None:
                _bodies.move_to_end(cache_key)
                return body
        found = (PublishedFeed.objects.filter(id=self.id, etag=self.etag)
                 .values_list("gzip_body" if gzip else "body", flat=True).first())
        if found is None:
            # Republished between our two reads: serve the current version instead.
            forget(self.key)
            current = stored_feed(self.key)
            return current.body(gzip=gzip) if current else b""
        body = bytes(found)
        _remember_body(cache_key, body)
        return body


def _remember_body(cache_key: tuple[int, str, bool], body: bytes) -> None:
    global _body_bytes
    with _lock:
        if cache_key in _bodies or len(body) > BODY_CACHE_BYTES:
            return
        _bodies[cache_key] = body
        _body_bytes += len(body)
        while _body_bytes > BODY_CACHE_BYTES:
            _old_key, old = _bodies.popitem(last=False)
            _body_bytes -= len(old)


def forget(key: str) -> None:
    """Drop what this process knows of ``key`` (called after publishing here)."""
    with _lock:
        _versions.pop(key, None)


def clear() -> None:
    global _body_bytes
    with _lock:
        _versions.clear()
        _bodies.clear()
        _body_bytes = 0


def stored_feed(key: str) -> StoredFeed | None:
    """The current version of feed ``key``, or None if it was never published."""
    now = time.monotonic()
    with _lock:
        cached = _versions.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = PublishedFeed.objects.filter(key=key).values_list("id", "etag", "last_modified").first()
    if row is None:
        return None
    feed = StoredFeed(id=row[0], key=key, etag=row[1], last_modified=row[2])
    with _lock:
        _versions[key] = (now + FRESHNESS, feed)
    return feed
