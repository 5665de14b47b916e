"""Read-side queries about spaces: public listing with hours and live occupancy."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from network.models import Person, Role
from network.selectors import organization_ids_for
from spaces.models import Closure, Space


def spaces_with_hours() -> QuerySet[Space]:
    """Spaces with their weekly hours, the closures still to come and ``occupancy``
    (open check-ins, counted in the same query)."""
    # One day of margin: "today" differs between UTC and the spaces' zones.
    since = timezone.now().date() - timedelta(days=1)
    return (
        Space.objects.select_related("operator")
        .prefetch_related(
            "opening_hours", "rooms",
            Prefetch("closures", queryset=Closure.objects.filter(ends_on__gte=since)),
        )
        .annotate(occupancy=Count("checkins", filter=Q(checkins__checked_out_at__isnull=True)))
    )


def space_ids_managed_by(person: Person | None) -> set[int]:
    """Spaces whose operator organization counts ``person`` as a space manager (or admin)."""
    organizations = organization_ids_for(person, Role.SPACE_MANAGER)
    if not organizations:
        return set()
    return set(Space.objects.filter(operator_id__in=organizations).values_list("id", flat=True))


def can_manage_space(person: Person | None, space: Space) -> bool:
    return space.operator_id in organization_ids_for(person, Role.SPACE_MANAGER)
