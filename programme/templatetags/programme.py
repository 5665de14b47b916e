"""Tags that put the programme's publications on the site's own pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from programme.brochure import brochure_printable
from programme.models import GeocodedAddress
from programme.places import geocoded_for
from programme.selectors import BadFilter, Selection
from programme.structured_data import event_structured_data, json_ld, share_description

register = template.Library()


def _geocoded(event) -> dict[str, GeocodedAddress]:
    """The address API's answer for ``event``'s address, looked up once per page: the share
    description and the structured data both need it."""
    if not hasattr(event, "_geocoded"):
        event._geocoded = geocoded_for([event])
    return event._geocoded


@register.simple_tag
def event_json_ld(event) -> SafeString:
    """The ``<script type="application/ld+json">`` of a public event (drafts have none)."""
    if event.status not in ("published", "cancelled"):
        return SafeString("")
    seats_left = None
    if event.capacity is not None and hasattr(event, "confirmed_count"):
        seats_left = max(0, event.capacity - event.confirmed_count)
    data = event_structured_data(event, geocoded=_geocoded(event), seats_left=seats_left)
    return format_html('<script type="application/ld+json">{}</script>', json_ld(data))


@register.simple_tag
def event_share_description(event) -> str:
    """When, where and what, for the cards of social networks (``og:description``)."""
    return share_description(event, geocoded=_geocoded(event))


@register.inclusion_tag("programme/_links.html")
def programme_links(filters: dict | None = None, **more: str) -> dict:
    """Print, embed and map links for an agenda selection (the agenda's ``chosen`` filters,
    or a single filter given by name, such as ``campaign=slug``)."""
    selection = Selection.from_params({**(filters or {}), **more})
    query = selection.query
    try:
        printable = brochure_printable(selection)
    except BadFilter:
        printable = False
    # Nothing to come (a past campaign): no empty brochure nor empty map is offered.
    return {"query": query, "amp": "&" if query else "", "printable": printable}
