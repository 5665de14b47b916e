"""Serving a stored feed: conditional GET (Django's own), HEAD, gzip only on request.

The view's cost is one indexed row read at most; everything else was computed
when the feed was published.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from feeds.store import StoredFeed

PUBLIC_MAX_AGE = 15 * 60
CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_response(request: HttpRequest, feed: StoredFeed, *, filename: str,
                  private: bool = False) -> HttpResponse:
    """The HTTP answer for ``feed``: 304, HEAD or the (gzipped when asked) bytes."""
    last_modified = int(feed.last_modified.timestamp())
    response = get_conditional_response(request, etag=feed.etag, last_modified=last_modified)
    if response is None:
        # Outlook has failed on gzip-encoded feeds: compress only when asked.
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        body = feed.body(gzip=gzip)
        response = HttpResponse(b"" if request.method == "HEAD" else body,
                                content_type=CONTENT_TYPE)
        response["Content-Length"] = str(len(body))
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        if gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = feed.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=300" if private else f"public, max-age={PUBLIC_MAX_AGE}"
    response["Vary"] = "Accept-Encoding"
    return response
