"""Events changing: a moved event keeps its first start, brochures learn their events changed.

Receivers rather than calls in the events services, like the feeds': every write path
(services, admin, imports) is seen the same way.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from events.models import Event, EventStatus, Theme
from network.models import Organization
from programme.geocoding import needs_geocoding
from programme.models import Brochure, GeocodedAddress, Rescheduled
from programme.selectors import RELATIONS_VERSION

logger = logging.getLogger(__name__)


@receiver(pre_save, sender=Event, dispatch_uid="programme-event-moved")
def event_moved(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None or instance.status != EventStatus.PUBLISHED:
        return
    before = Event.objects.filter(pk=instance.pk).values_list("starts_at", "status").first()
    if before is None or before[1] != EventStatus.PUBLISHED or before[0] == instance.starts_at:
        return
    # The first planned start stays: moved twice is still "moved from" the announced date.
    Rescheduled.objects.get_or_create(event_id=instance.pk, defaults={"previous_starts_at": before[0]})


@receiver(m2m_changed, sender=Event.co_organizers.through, dispatch_uid="programme-event-coorg")
@receiver(m2m_changed, sender=Event.themes.through, dispatch_uid="programme-event-themes")
def event_relations_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        _relations_changed()


@receiver(post_save, sender=Organization, dispatch_uid="programme-organization-saved")
@receiver(post_save, sender=Theme, dispatch_uid="programme-theme-saved")
def name_changed(sender, instance, raw: bool = False, created: bool = False, **kwargs) -> None:
    # A new one is on no event yet; a renamed one may be printed as a co-organizer or a theme.
    if not raw and not created:
        _relations_changed()


def _relations_changed() -> None:
    """Organizers and themes are shown but leave an event's updated_at as it is: the
    fingerprints cannot see them, so every brochure is rebuilt on next request and every
    embedded agenda answers anew."""
    Brochure.objects.exclude(fingerprint="").update(fingerprint="")
    cache.set(RELATIONS_VERSION, time.time_ns(), timeout=None)


@receiver(post_save, sender=Event, dispatch_uid="programme-event-geocode")
def event_saved(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    if raw or not needs_geocoding(instance):
        return
    if GeocodedAddress.objects.filter(query=instance.address).exists():
        return
    transaction.on_commit(_wake_geocoder)


def _wake_geocoder() -> None:
    from programme.tasks import geocode_addresses

    try:
        geocode_addresses.apply_async(retry=False)
    except Exception as exc:  # broker down: the periodic run geocodes later
        logger.warning("programme: could not enqueue geocoding (%s); the periodic run will", exc)
