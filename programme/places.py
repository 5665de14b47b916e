"""Where an event happens, read once for every publication (search engines, brochure, map).

A room's space gives its address and coordinates; a free address gives its own, or those
the national address API found for it (``programme.geocoding``, never on the request
path). The commune is the town of a French address's last part ("…, 59000 Lille"),
else the one the address API named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from events.models import Event
from programme.models import GeocodedAddress

# "59000 Lille", "75011 Paris 11e Arrondissement", "2A004 …" is not a postcode: codes are 5 digits.
_POSTCODE_TOWN = re.compile(r"^(?P<postcode>\d{5})\s+(?P<town>\S.*)$")


@dataclass(frozen=True)
class Place:
    name: str
    street: str
    postcode: str
    commune: str
    latitude: float | None
    longitude: float | None
    online_url: str
    region: str

    @property
    def has_venue(self) -> bool:
        return bool(self.name or self.street or self.commune)

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def full_address(self) -> str:
        town = " ".join(filter(None, [self.postcode, self.commune]))
        return ", ".join(filter(None, [self.street, town]))


def split_address(address: str) -> tuple[str, str, str, str]:
    """``(name, street, postcode, town)`` of "Name, street, 59000 Town"; the parts it cannot
    tell stay empty. A first part is a name only when a street follows it."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    postcode = town = ""
    if parts and (found := _POSTCODE_TOWN.match(parts[-1])):
        postcode, town = found["postcode"], found["town"].strip()
        parts = parts[:-1]
    name = parts.pop(0) if len(parts) >= 2 else ""
    return name, ", ".join(parts), postcode, town


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def geocoded_for(events: Iterable[Event]) -> dict[str, GeocodedAddress]:
    """The address API's answers for the free addresses of ``events``, in one query."""
    addresses = {event.address.strip() for event in events if not event.room_id and event.address.strip()}
    if not addresses:
        return {}
    return {row.query: row for row in GeocodedAddress.objects.filter(query__in=addresses, found=True)}


def place_of(event: Event, geocoded: dict[str, GeocodedAddress] | None = None) -> Place:
    """The place of ``event`` (needs ``room__space`` loaded); ``geocoded`` from :func:`geocoded_for`."""
    geocoded = geocoded or {}
    latitude, longitude = _float(event.latitude), _float(event.longitude)
    if event.room is not None:
        space = event.room.space
        _name, street, postcode, town = split_address(space.address)
        name = f"{space.name} — {event.room.name}"
        if latitude is None:
            latitude, longitude = _float(space.latitude), _float(space.longitude)
    else:
        name, street, postcode, town = split_address(event.address.strip())
        if not name and not postcode and street:
            # An address the pattern does not read ("Salle des fêtes"): keep it whole as the name.
            name, street = street, ""
    found = geocoded.get(event.address.strip()) if not event.room_id else None
    if found is not None:
        if latitude is None:
            latitude, longitude = _float(found.latitude), _float(found.longitude)
        town = town or found.commune
    return Place(name=name, street=street, postcode=postcode, commune=town, latitude=latitude,
                 longitude=longitude, online_url=event.online_url, region=event.region)


def commune_label(place: Place) -> str:
    """The heading an event is filed under in a printed programme."""
    if place.commune:
        return place.commune
    if place.online_url and not place.has_venue:
        return _("En ligne")
    return _("Lieu à préciser")
