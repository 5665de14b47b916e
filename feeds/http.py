"""Serving a stored feed: conditional GET, HEAD, gzip only on request.

The view's cost is one indexed row read; everything else was computed when
the feed was published.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from feeds.store import StoredFeed

PUBLIC_MAX_AGE = 15 * 60
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _not_modified(request: HttpRequest, feed: StoredFeed) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or feed.etag in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(feed.last_modified.timestamp()) <= since


def feed_response(request: HttpRequest, feed: StoredFeed, *, filename: str,
                  private: bool = False) -> HttpResponse:
    """The HTTP answer for ``feed``: 304, HEAD or the (gzipped when asked) bytes."""
    headers = {
        "ETag": feed.etag,
        "Last-Modified": http_date(feed.last_modified.timestamp()),
        "Cache-Control": "private, max-age=300" if private else f"public, max-age={PUBLIC_MAX_AGE}",
        "Vary": "Accept-Encoding",
    }
    if _not_modified(request, feed):
        response = HttpResponseNotModified()
    else:
        # Outlook has failed on gzip-encoded feeds: compress only when asked.
        gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        body = feed.body(gzip=gzip)
        response = HttpResponse(b"" if request.method == "HEAD" else body,
                                content_type=CONTENT_TYPE)
        response["Content-Length"] = str(len(body))
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        if gzip:
            response["Content-Encoding"] = "gzip"
    for name, value in headers.items():
        response[name] = value
    return response
