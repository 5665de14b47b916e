"""Absolute addresses: pages linked from emails and feeds, and the calendar-feed links.

Below the apps, so that ``events``, ``spaces`` and ``network`` give their feed links
without importing ``feeds``, and ``feeds`` links to event pages without importing
``events``' messages.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings
from rest_framework import serializers


def absolute_url(path: str) -> str:
    """``path`` (as ``reverse`` or ``get_absolute_url`` give it) on the public site."""
    return f"{settings.SITE_URL}{path}"


def feed_links(path: str) -> dict[str, str]:
    """``feed_url`` (https), ``webcal_url`` (opens the calendar app) and ``google_calendar_url``
    (Google Calendar's "add by URL", which wants the webcal address)."""
    url = absolute_url(path)
    parts = urlsplit(url)
    webcal = f"webcal://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return {
        "feed_url": url,
        "webcal_url": webcal,
        "google_calendar_url": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    }


class FeedLinksMixin(serializers.Serializer):
    """Adds ``feed_url``, ``webcal_url`` and ``google_calendar_url`` to an API object;
    the serializer says which feed with ``feed_path(obj)``."""

    feed_url = serializers.SerializerMethodField()
    webcal_url = serializers.SerializerMethodField()
    google_calendar_url = serializers.SerializerMethodField()

    def feed_path(self, obj) -> str:
        raise NotImplementedError

    def _links(self, obj) -> dict[str, str]:
        cache = self.__dict__.setdefault("_feed_links", {})
        if obj.pk not in cache:
            cache[obj.pk] = feed_links(self.feed_path(obj))
        return cache[obj.pk]

    def get_feed_url(self, obj) -> str:
        return self._links(obj)["feed_url"]

    def get_webcal_url(self, obj) -> str:
        return self._links(obj)["webcal_url"]

    def get_google_calendar_url(self, obj) -> str:
        return self._links(obj)["google_calendar_url"]
