"""Events and registrations changing mark the feeds holding them for republishing.

Receivers rather than calls inside the events services: every write path
(services, admin, demo loader) changes feeds the same way, and the events app
does not need to know which feeds exist.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from events.models import Event, Registration
from events.signals import events_created
from feeds.models import EventEntry
from feeds.sources import feed_keys_for, feed_keys_for_many
from feeds.tasks import feeds_mark_stale


@receiver(post_save, sender=Event, dispatch_uid="feeds-event-saved")
def event_saved(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    if not raw:
        feeds_mark_stale(feed_keys_for(instance))


@receiver(events_created, dispatch_uid="feeds-events-created")
def events_created_together(sender, events: list[Event], **kwargs) -> None:
    feeds_mark_stale(feed_keys_for_many(events))


@receiver(m2m_changed, sender=Event.co_organizers.through, dispatch_uid="feeds-event-coorg")
@receiver(m2m_changed, sender=Event.themes.through, dispatch_uid="feeds-event-themes")
def event_relations_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    # Before a co-organizer leaves as well: until then its feeds (and its people's) are among
    # those the event reaches, and they must drop it.
    if (action.startswith("post_") or action in ("pre_remove", "pre_clear")) and isinstance(instance, Event):
        # Names and categories live in the VEVENT: drop it so it is re-serialized.
        EventEntry.objects.filter(event_id=instance.pk).delete()
        feeds_mark_stale(feed_keys_for(instance))


@receiver(post_delete, sender=Event, dispatch_uid="feeds-event-deleted")
def event_deleted(sender, instance: Event, **kwargs) -> None:
    EventEntry.objects.filter(event_id=instance.pk).delete()


@receiver(post_save, sender=Registration, dispatch_uid="feeds-registration-saved")
def registration_saved(sender, instance: Registration, raw: bool = False, **kwargs) -> None:
    if not raw and instance.person_id:
        feeds_mark_stale([f"person:{instance.person_id}"])
