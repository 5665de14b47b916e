"""What search engines and social networks read on a public event page.

schema.org ``Event`` in JSON-LD, as Google documents it for event rich results:
dates with their offsets, the place with its address and coordinates (or the online
link), organizers, an offer with its price, the status and the attendance mode. The
description of a shared link's card says when and where before what.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from backend.links import absolute_url
from events.models import Event, EventStatus
from programme.models import GeocodedAddress
from programme.places import Place, place_of
from web.templatetags.essaim_dates import longdate, longday

SCHEMA = "https://schema.org/"
# A price written as free, in either language (the event form writes "Gratuit").
FREE_WORDS = {"gratuit", "gratuite", "free", "entrée libre", "entree libre", "0", "0 €"}
_AMOUNT = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(?:€|euros?|eur\b)", re.IGNORECASE)
DESCRIPTION_MAX = 500
# Social networks cut a card's description about here (X/Twitter at 200 characters).
SHARE_MAX = 200
# Fewer characters of the description than this say nothing: the card is then its head alone.
SHARE_WHAT_MIN = 20


def price_of(price_text: str) -> Decimal | None:
    """0 for a free event, the first amount in euros of a paying one, None when not stated
    as an amount ("Prix libre", or nothing written)."""
    text = price_text.strip().lower()
    if text in FREE_WORDS:
        return Decimal(0)
    if found := _AMOUNT.search(text):
        try:
            return Decimal(found[1].replace(",", "."))
        except InvalidOperation:
            return None
    return None


def _moment(event: Event, value: datetime, *, end: bool = False) -> str:
    """ISO 8601 in the event's zone with its offset; the date alone for an all-day event."""
    if event.all_day:
        last = value - timedelta(microseconds=1) if end else value
        return last.astimezone(event.zone).date().isoformat()
    return value.astimezone(event.zone).isoformat()


def _venue(place: Place) -> dict[str, Any]:
    venue: dict[str, Any] = {"@type": "Place", "name": place.name or place.commune or place.full_address}
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "FR"}
    if place.street:
        address["streetAddress"] = place.street
    if place.postcode:
        address["postalCode"] = place.postcode
    if place.commune:
        address["addressLocality"] = place.commune
    if place.region:
        address["addressRegion"] = place.region
    venue["address"] = address
    if place.located:
        venue["geo"] = {"@type": "GeoCoordinates", "latitude": place.latitude, "longitude": place.longitude}
    return venue


def attendance_mode(place: Place) -> str:
    if place.online_url and place.has_venue:
        return "MixedEventAttendanceMode"
    if place.online_url:
        return "OnlineEventAttendanceMode"
    return "OfflineEventAttendanceMode"


def previous_start(event: Event) -> datetime | None:
    """When a moved event was first planned: its series date, or the start it had when moved."""
    if event.recurrence_id and event.recurrence_id != event.starts_at:
        return event.recurrence_id
    try:
        moved_from = event.rescheduled.previous_starts_at
    except Event.rescheduled.RelatedObjectDoesNotExist:
        return None
    # Moved back to the date first announced: not rescheduled any more.
    return moved_from if moved_from != event.starts_at else None


def event_structured_data(event: Event, *, geocoded: dict[str, GeocodedAddress] | None = None,
                          seats_left: int | None = None) -> dict[str, Any]:
    """The schema.org ``Event`` of a published or cancelled event (needs ``organization``,
    ``co_organizers`` and ``room__space`` loaded). ``seats_left`` 0 marks the offer sold out."""
    url = absolute_url(event.get_absolute_url())
    place = place_of(event, geocoded)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": _moment(event, event.starts_at),
        "endDate": _moment(event, event.ends_at, end=True),
        "eventAttendanceMode": SCHEMA + attendance_mode(place),
    }
    organizers = [event.organization, *event.co_organizers.all()]
    # Without a description of its own, an event is described by its format and organizers.
    description = " ".join(event.description.split()) or _("%(format)s organisé par %(names)s") % {
        "format": event.get_format_display(), "names": ", ".join(o.name for o in organizers)}
    data["description"] = (description[:DESCRIPTION_MAX - 1] + "…"
                           if len(description) > DESCRIPTION_MAX else description)
    locations: list[dict[str, Any]] = []
    if place.has_venue:
        locations.append(_venue(place))
    if place.online_url:
        locations.append({"@type": "VirtualLocation", "url": place.online_url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    moved_from = previous_start(event)
    if event.status == EventStatus.CANCELLED:
        data["eventStatus"] = SCHEMA + "EventCancelled"
    elif moved_from is not None:
        data["eventStatus"] = SCHEMA + "EventRescheduled"
        data["previousStartDate"] = _moment(event, moved_from)
    else:
        data["eventStatus"] = SCHEMA + "EventScheduled"
    image_url = getattr(event, "image_url", "")
    if image_url:
        data["image"] = [absolute_url(image_url)]
    data["organizer"] = [
        {"@type": "Organization", "name": organization.name,
         "url": absolute_url(reverse("web:organization", args=[organization.slug]))}
        for organization in organizers
    ]
    offer: dict[str, Any] = {
        "@type": "Offer", "url": url,
        "availability": SCHEMA + ("SoldOut" if seats_left == 0 else "InStock"),
        "validFrom": (event.registration_opens_at or event.created_at).astimezone(event.zone).isoformat(),
    }
    price = price_of(event.price_text)
    if price is not None:
        offer["price"] = f"{price:.2f}".removesuffix(".00")
        offer["priceCurrency"] = "EUR"
        if price == 0:
            data["isAccessibleForFree"] = True
    data["offers"] = offer
    return data


def share_description(event: Event, *, geocoded: dict[str, GeocodedAddress] | None = None) -> str:
    """The description of a shared link's card, in the active language: "jeudi 12 novembre
    2026, 18 h 30 · Lille — " (the commune, or "En ligne") then the start of the description."""
    place = place_of(event, geocoded)
    when = (longday(event.starts_at, event.time_zone) if event.all_day
            else longdate(event.starts_at, event.time_zone))
    where = place.commune or (_("En ligne") if place.online_url and not place.has_venue else "")
    head = " · ".join(filter(None, [_("Annulé") if event.status == EventStatus.CANCELLED else "",
                                    when, where]))
    description = " ".join(event.description.split())
    room = SHARE_MAX - len(head) - len(" — ")
    if not description or room < SHARE_WHAT_MIN:
        return Truncator(head).chars(SHARE_MAX)
    return f"{head} — " + Truncator(description).chars(room)


def json_ld(data: dict[str, Any]) -> SafeString:
    """``data`` to put inside ``<script type="application/ld+json">``: no "<", ">" or "&" can
    end the script element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escape)
    return mark_safe(text)  # noqa: S308 - escaped above
