"""The agenda on a map: a marker per located event, and every event listed beside it.

The list is written by the server, so the page is whole when tiles or scripts fail;
Leaflet (a static file, no CDN) only adds the markers. Coordinates are the event's own,
its space's, or those the address API gave in the worker: nothing is geocoded here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from events.models import EventFormat, EventStatus, Theme
from programme.places import geocoded_for, place_of
from programme.selectors import BadFilter, Selection, describe, upcoming
from web.templatetags.essaim_dates import clock, longday

# More markers than this make the map unreadable and the page heavy; the list says so.
MAP_LIMIT = 1000


def _tile_origin() -> str:
    parts = urlsplit(settings.MAP_TILES_URL)
    return f"{parts.scheme}://{parts.netloc}"


@require_safe
def agenda_map(request: HttpRequest) -> HttpResponse:
    selection = Selection.from_params(request.GET)
    chosen = selection.as_dict()
    try:
        events = list(upcoming(selection)[:MAP_LIMIT + 1])
        errors: dict[str, list[str]] = {}
    except BadFilter as error:
        events, errors = [], error.errors
    more = len(events) > MAP_LIMIT
    events = events[:MAP_LIMIT]
    geocoded = geocoded_for(events)
    located, elsewhere, markers = [], [], []
    for event in events:
        place = place_of(event, geocoded)
        event.place = place  # type: ignore[attr-defined]
        if place.located and event.status == EventStatus.PUBLISHED:
            located.append(event)
            markers.append({
                "id": event.pk, "title": event.title, "url": event.get_absolute_url(),
                "lat": place.latitude, "lon": place.longitude,
                "when": ", ".join([longday(event.starts_at, event.time_zone),
                                   clock(event.starts_at, event.time_zone)]),
                "place": place.name or place.commune,
            })
        else:
            elsewhere.append(event)
    # Filters the form does not show (the campaign one came from, say) are named under the title.
    named = not errors and any(name in chosen for name in ("campaign", "organization", "territory"))
    response = render(request, "programme/map.html", {
        "selection_title": describe(selection) if named else None,
        "located": located, "elsewhere": elsewhere, "markers": markers, "more": more,
        "limit": MAP_LIMIT, "errors": errors, "chosen": chosen,
        "tiles_url": settings.MAP_TILES_URL, "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "themes": Theme.objects.all(), "formats": EventFormat.choices,
    }, status=400 if errors else 200)
    # Tiles come from their own server: the page's policy lets its images in, only here.
    response._csp_update = {"img-src": [_tile_origin()]}  # type: ignore[attr-defined]
    return response
