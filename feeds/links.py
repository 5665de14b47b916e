"""The addresses people paste into their calendar apps."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings


def feed_links(path: str) -> dict[str, str]:
    """``feed_url`` (https), ``webcal_url`` (opens the calendar app) and ``google_calendar_url``
    (Google Calendar's "add by URL", which wants the webcal address)."""
    url = f"{settings.SITE_URL}{path}"
    parts = urlsplit(url)
    webcal = f"webcal://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    return {
        "feed_url": url,
        "webcal_url": webcal,
        "google_calendar_url": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    }
