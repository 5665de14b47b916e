"""The agenda on a map: a marker per located event, and every event listed beside it; past
:data:`MAP_LIMIT` events, a marker per department instead, each opening that department's map.

The lists are written by the server, so the page is whole when tiles or scripts fail;
Leaflet (a static file, no CDN) only adds the markers. Coordinates are the event's own,
its space's, or those the address API gave in the worker: nothing is geocoded here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from events.models import EventFormat, EventStatus, Theme
from network.territories import department_name
from programme.places import geocoded_for, place_of
from programme.selectors import BadFilter, Selection, describe, upcoming
from web.templatetags.essaim_dates import clock, longday

# More markers than this make the map unreadable and the page heavy: past it, departments.
MAP_LIMIT = 1000


@dataclass(frozen=True)
class Department:
    """A department's share of a selection too large for a marker per event."""

    code: str
    label: str  # "Nord (59)"
    count: int  # its upcoming events, cancelled ones too: what its own map lists
    url: str  # the map of the same selection within the department
    latitude: float | None  # the mean position of its located published events, if any
    longitude: float | None

    @property
    def count_label(self) -> str:
        return ngettext("%(count)s événement", "%(count)s événements", self.count) % {"count": self.count}


def _narrows(selection: Selection) -> bool:
    """Whether a department is narrower than ``selection``'s territory: not when it already
    is a department or a commune (codes; a region is a name)."""
    return not selection.as_dict().get("territory", "")[:1].isdigit()


def departments_of(selection: Selection) -> tuple[list[Department], int]:
    """The departments of ``selection``'s upcoming events, by code, and how many events have
    no department.

    Costs two queries whatever the selection holds, plus one for the address API's answers:
    the counts are grouped in the database; the positions are :func:`place_of`'s, read in one
    pass over the published events that have a department (a few columns each, their free
    addresses' answers looked up together by :func:`geocoded_for`), so the mean follows every
    rule that places an event's marker. Raises :class:`BadFilter` as :func:`upcoming` does.
    """
    events = upcoming(selection, listing=False)
    counts = dict(events.order_by().values_list("department").annotate(count=Count("id")))
    placed = list(
        events.filter(status=EventStatus.PUBLISHED).exclude(department="").select_related("room__space")
        .only("department", "room", "address", "latitude", "longitude", "online_url", "region",
              "room__name", "room__space__name", "room__space__address", "room__space__latitude",
              "room__space__longitude"))
    geocoded = geocoded_for(placed)
    positions: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for event in placed:
        place = place_of(event, geocoded)
        if place.latitude is not None and place.longitude is not None:
            positions[event.department].append((place.latitude, place.longitude))
    departments = []
    for code in sorted(code for code in counts if code):
        narrowed = Selection.from_params({**selection.as_dict(), "territory": code})
        points = positions.get(code, [])
        departments.append(Department(
            code=code, label=f"{department_name(code)} ({code})", count=counts[code],
            url=f"{reverse('programme:map')}?{narrowed.query}",
            latitude=sum(lat for lat, _lon in points) / len(points) if points else None,
            longitude=sum(lon for _lat, lon in points) / len(points) if points else None))
    return departments, counts.get("", 0)


def _tile_origin() -> str:
    parts = urlsplit(settings.MAP_TILES_URL)
    return f"{parts.scheme}://{parts.netloc}"


@require_safe
def agenda_map(request: HttpRequest) -> HttpResponse:
    selection = Selection.from_params(request.GET)
    chosen = selection.as_dict()
    departments: list[Department] | None = None
    undepartmented = 0
    try:
        # One row past the limit, without the listing's relations, tells a selection too large.
        if _narrows(selection) and upcoming(selection, listing=False)[MAP_LIMIT:MAP_LIMIT + 1].exists():
            departments, undepartmented = departments_of(selection)
            events = []
        else:
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
        "departments": departments, "undepartmented": undepartmented,
        "total": sum(department.count for department in departments or []) + undepartmented,
        "department_markers": [
            {"code": department.code, "label": department.label, "count": department.count,
             "title": _("%(department)s : %(events)s") % {
                 "department": department.label, "events": department.count_label}, "url": department.url,
             "lat": department.latitude, "lon": department.longitude}
            for department in departments or [] if department.latitude is not None],
        "tiles_url": settings.MAP_TILES_URL, "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "themes": Theme.objects.all(), "formats": EventFormat.choices,
    }, status=400 if errors else 200)
    # Tiles come from their own server: the page's policy lets its images in, only here.
    response._csp_update = {"img-src": [_tile_origin()]}  # type: ignore[attr-defined]
    return response
