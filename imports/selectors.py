"""Read-side queries about imported agendas."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from events.models import Event
from imports.models import Source, SourceItem
from network.models import Person, Role
from network.selectors import organization_ids_for


def sources_managed_by(person: Person | None) -> QuerySet[Source]:
    """The sources of the organizations ``person`` organizes for (or administers)."""
    return (Source.objects.filter(organization_id__in=organization_ids_for(person, Role.ORGANIZER))
            .select_related("organization", "campaign", "owner").prefetch_related("themes")
            .annotate(event_count=Count("items", filter=Q(items__detached_at=None)))
            .order_by("organization__name", "name", "id"))


def import_item_of(event: Event) -> SourceItem | None:
    """The link of an event still synced from a source (not detached), with its source."""
    return SourceItem.objects.filter(event=event, detached_at=None).select_related("source").first()


def source_upcoming_events(source: Source) -> QuerySet[Event]:
    """The source's events that have not ended, first to come first."""
    return (Event.objects.filter(import_item__source=source, ends_at__gte=timezone.now())
            .select_related("import_item").order_by("starts_at", "id"))
