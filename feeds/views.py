"""Feed URLs. Each answers stored bytes (see ``feeds.http``)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from feeds.http import feed_response
from feeds.publishing import FeedUnavailable, feed_current
from feeds.tokens import person_for_calendar_token

EVENT_FILTERS = ("campaign", "organization", "space", "theme", "territory", "format")


def events_feed_key(params) -> str:
    """The key of the agenda feed for these filters, in a canonical order."""
    chosen = [(name, params.get(name, "").strip()) for name in EVENT_FILTERS]
    query = "&".join(f"{name}={value}" for name, value in chosen if value)
    return f"events:{query}"


def _serve(request, key: str, filename: str, *, private: bool = False):
    try:
        feed = feed_current(key=key)
    except FeedUnavailable:
        # Never published and failing to build (logged): calendar apps try again later.
        return HttpResponse(status=503, headers={"Retry-After": "300"})
    if feed is None:
        raise Http404("no such feed")
    return feed_response(request, feed, filename=filename, private=private)


@require_safe
def events(request):
    return _serve(request, events_feed_key(request.GET), "essaim-agenda.ics")


@require_safe
def organization(request, slug: str):
    return _serve(request, f"organization:{slug}", f"{slug}.ics")


@require_safe
def campaign(request, slug: str):
    return _serve(request, f"campaign:{slug}", f"{slug}.ics")


@require_safe
def space(request, slug: str):
    return _serve(request, f"space:{slug}", f"{slug}.ics")


@require_safe
def event(request, pk: int):
    return _serve(request, f"event:{pk}", f"evenement-{pk}.ics")


@require_safe
def personal(request, token: str):
    person = person_for_calendar_token(token)
    if person is None:
        raise Http404("no such feed")
    return _serve(request, f"person:{person.pk}", "mon-agenda-essaim.ics", private=True)
