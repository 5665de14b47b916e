"""Free addresses to coordinates through the French national address API, in the worker.

Never on the request path: pages read the ``GeocodedAddress`` rows this module writes.
Each distinct address is asked once (the table is the cache); an address the API could
not place is asked again after ``RETRY_NOT_FOUND``. The API's own answer format
(GeoJSON features with ``label``, ``score``, ``city``, ``citycode``) is also that of its
self-hosted copy (addok), so ``GEOCODER_URL`` may point at either.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from events.models import Event
from events.selectors import events_visible_to
from programme.models import GeocodedAddress

logger = logging.getLogger(__name__)

# Below this score the API's best guess is too unsure to put a pin on a map.
MIN_SCORE = 0.5
RETRY_NOT_FOUND = timedelta(days=7)
BATCH = 50


class GeocoderUnavailable(Exception):
    """The address API did not answer (down, slow, or not configured)."""


def geocoder_search(address: str) -> dict | None:
    """The API's best feature for ``address``, or None when it found nothing sure enough."""
    if not settings.GEOCODER_URL:
        raise GeocoderUnavailable("GEOCODER_URL is not set")
    url = settings.GEOCODER_URL + "?" + urllib.parse.urlencode({"q": address, "limit": 1})
    if not url.startswith(("http://", "https://")):
        raise GeocoderUnavailable("GEOCODER_URL must be an http(s) address")
    try:
        with urllib.request.urlopen(url, timeout=settings.GEOCODER_TIMEOUT) as response:  # noqa: S310
            answer = json.load(response)
    except (OSError, ValueError) as exc:
        raise GeocoderUnavailable(str(exc)) from exc
    for feature in answer.get("features", [])[:1]:
        properties = feature.get("properties", {})
        if float(properties.get("score", 0)) >= MIN_SCORE:
            return feature
    return None


def addresses_to_geocode(limit: int = BATCH) -> list[str]:
    """Free addresses of public events still to come, without coordinates of their own,
    never asked or not found a while ago."""
    wanted = (events_visible_to(None).filter(ends_at__gte=timezone.now(), room__isnull=True,
                                             latitude__isnull=True)
              .exclude(address="").values_list("address", flat=True).distinct())
    known = GeocodedAddress.objects.filter(
        Q(found=True) | Q(looked_up_at__gte=timezone.now() - RETRY_NOT_FOUND)).values_list("query", flat=True)
    return list(wanted.exclude(address__in=known).order_by("address")[:limit])


def geocode_address(address: str) -> GeocodedAddress:
    """Ask the API about ``address`` and remember its answer (raises :class:`GeocoderUnavailable`)."""
    feature = geocoder_search(address)
    values: dict = {"found": False, "latitude": None, "longitude": None, "commune": "", "citycode": ""}
    if feature is not None:
        longitude, latitude = feature["geometry"]["coordinates"][:2]
        properties = feature.get("properties", {})
        values = {"found": True, "latitude": Decimal(str(latitude)).quantize(Decimal("0.000001")),
                  "longitude": Decimal(str(longitude)).quantize(Decimal("0.000001")),
                  "commune": str(properties.get("city", ""))[:120],
                  "citycode": str(properties.get("citycode", ""))[:5]}
    row, _created = GeocodedAddress.objects.update_or_create(query=address, defaults=values)
    return row


def geocode_pending(limit: int = BATCH) -> int:
    """Geocode up to ``limit`` waiting addresses; stops at the first failure of the API
    (the next run goes on). Returns how many addresses were asked; none without ``GEOCODER_URL``."""
    if not settings.GEOCODER_URL:
        return 0
    asked = 0
    for address in addresses_to_geocode(limit):
        try:
            geocode_address(address)
        except GeocoderUnavailable as exc:
            logger.warning("programme: the address API did not answer (%s); next run", exc)
            break
        asked += 1
    return asked


def needs_geocoding(event: Event) -> bool:
    return bool(settings.GEOCODER_URL and event.address and not event.room_id and event.latitude is None)
