"""Read-side queries about campaigns, events and registrations, and who may do what."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from backend.codes import normalize_short_code
from events.models import (
    ACTIVE_REGISTRATION,
    Campaign,
    CoOrganization,
    CoOrganizationStatus,
    Event,
    EventMessage,
    EventStatus,
    Moderation,
    ModerationDecision,
    Registration,
    RegistrationStatus,
    Series,
)
from network.models import Person, Role
from network.selectors import organization_ids_for
from network.territories import REGIONS, commune_from_address, department_name, departments_of, region_of

# Clash hints look this far before and after an event.
CLASH_WINDOW = timedelta(hours=2)

PUBLIC_STATUSES = [EventStatus.PUBLISHED, EventStatus.CANCELLED]


def organizing_ids(event: Event) -> set[int]:
    """The lead organization and the accepted co-organizers (uses the prefetch when there is one)."""
    return {event.organization_id, *(o.id for o in event.co_organizers.all())}


def can_organize(person: Person | None, event: Event) -> bool:
    """Organizers of the lead organization or of any co-organizer edit the event."""
    return bool(organization_ids_for(person, Role.ORGANIZER) & organizing_ids(event))


def can_organize_series(person: Person | None, series: Series, events=None) -> bool:
    """Organizers of the series' organization, or of any organizer of one of its dates."""
    mine = organization_ids_for(person, Role.ORGANIZER)
    if series.organization_id in mine:
        return True
    events = series.events.prefetch_related("co_organizers") if events is None else events
    return any(mine & organizing_ids(event) for event in events)


def can_moderate(person: Person | None, campaign: Campaign | None) -> bool:
    """Coordinates one of the campaign's coordinating organizations (edits the campaign, reads
    its moderation comments). Deciding on an event also asks for its territory:
    :func:`can_moderate_event`."""
    if campaign is None:
        return False
    coordinators = {o.id for o in campaign.coordinators.all()}
    return bool(organization_ids_for(person, Role.COORDINATOR) & coordinators)


def sees_moderation(person: Person | None, event: Event) -> bool:
    """Moderation is between the event's organizers and the campaign's coordinators: anyone else
    sees a published event as an event of its organizers, with the campaign label once approved."""
    return can_organize(person, event) or can_moderate(person, event.campaign)


def moderation_visible_to(person: Person | None) -> Q:
    """The events whose moderation state ``person`` may see (see :func:`sees_moderation`)."""
    visible = Q(pk__in=[])
    organizer_of = organization_ids_for(person, Role.ORGANIZER)
    if organizer_of:
        visible |= events_organized_by(organizer_of)
    coordinator_of = organization_ids_for(person, Role.COORDINATOR)
    if coordinator_of:
        visible |= Q(campaign__in=Campaign.objects.filter(coordinators__in=coordinator_of).values("id"))
    return visible


# --- moderation by territory --------------------------------------------------

def moderation_territories(person: Person | None) -> dict[int, set[str] | None]:
    """Campaign id → the regions ``person`` moderates in it; ``None`` means everywhere.

    A coordinator moderates a campaign through each coordinating organization they
    coordinate, within that organization's region (named, or the one of its department).
    An organization with neither is national: its coordinators moderate everywhere.
    """
    coordinator_of = organization_ids_for(person, Role.COORDINATOR)
    if not coordinator_of:
        return {}
    territories: dict[int, set[str] | None] = {}
    rows = (Campaign.coordinators.through.objects.filter(organization_id__in=coordinator_of)
            .values_list("campaign_id", "organization__region", "organization__department"))
    for campaign_id, region, department in rows:
        region = region or region_of(department)
        if not region:
            territories[campaign_id] = None
        elif territories.get(campaign_id, set()) is not None:
            territories.setdefault(campaign_id, set()).add(region)  # type: ignore[union-attr]
    return territories


def in_regions(regions: set[str]) -> Q:
    """Events of these regions, by the region's name or by their department."""
    return Q(region__in=regions) | Q(department__in=departments_of(regions))


def within_territory(regions: set[str] | None) -> Q:
    """The events a coordinator of ``regions`` (``None``: everywhere) answers for. An event
    with neither region nor department cannot be placed: every coordinator answers for it."""
    return Q() if regions is None else in_regions(regions) | Q(region="", department="")


def events_moderated_by(person: Person | None) -> Q:
    """The rule of who decides on what: a campaign's events within the coordinator's
    territory (see :func:`moderation_territories` and :func:`within_territory`)."""
    allowed = Q(pk__in=[])
    for campaign_id, regions in moderation_territories(person).items():
        allowed |= Q(campaign_id=campaign_id) & within_territory(regions)
    return allowed


def can_moderate_event(person: Person | None, event: Event) -> bool:
    """May ``person`` approve or refuse ``event``? (the rule is :func:`events_moderated_by`)."""
    if event.campaign_id is None or not organization_ids_for(person, Role.COORDINATOR):
        return False
    return Event.objects.filter(events_moderated_by(person), pk=event.pk).exists()


def moderation_regions(person: Person | None) -> list[str]:
    """The regions a coordinator may filter the queue on: theirs, or all for a national one."""
    territories = moderation_territories(person)
    if any(regions is None for regions in territories.values()):
        return list(REGIONS)
    return sorted(set().union(*territories.values()))  # type: ignore[arg-type]


def decisions_prefetch() -> Prefetch:
    """The history as ``event.decisions``, latest first, with who decided."""
    return Prefetch("moderation_decisions", to_attr="decisions",
                    queryset=ModerationDecision.objects.select_related("decided_by", "campaign"))


def moderation_queue(person: Person | None, *, moderation: str = Moderation.PENDING, campaign: str = "",
                     region: str = "", department: str = "") -> QuerySet[Event]:
    """Submitted (published or cancelled) events ``person`` decides on, with their place,
    organizers and decision history, in a fixed number of queries. Drafts are not submitted
    yet. ``moderation`` "" means every state."""
    queue = Event.objects.filter(events_moderated_by(person), status__in=PUBLIC_STATUSES)
    if moderation:
        queue = queue.filter(moderation=moderation)
    if campaign:
        queue = queue.filter(campaign__slug=campaign)
    if region:
        queue = queue.filter(in_regions({region}))
    if department:
        queue = queue.filter(department=department)
    return (queue.select_related("organization", "campaign", "room__space")
            .prefetch_related("co_organizers", decisions_prefetch())
            .order_by("starts_at", "id"))


def place_of(event: Event) -> dict[str, str]:
    """Where the event takes place, by name: the commune its address (or its room's space's)
    names, its department and region; ``display`` reads "Lille (Nord), Hauts-de-France"."""
    address = event.room.space.address if event.room is not None else event.address
    commune = commune_from_address(address)
    department = department_name(event.department) if event.department else ""
    where = f"{commune} ({department})" if commune and department else commune or department
    return {"commune": commune, "commune_insee": event.commune_insee, "department": event.department,
            "department_name": department, "region": event.region,
            "display": ", ".join(part for part in (where, event.region) if part)}


def decisions_of(event: Event) -> QuerySet[ModerationDecision]:
    return event.moderation_decisions.select_related("decided_by", "campaign")


def _co_organized_by(organization_ids) -> QuerySet:
    return Event.co_organizers.through.objects.filter(
        organization_id__in=organization_ids
    ).values("event_id")


def events_organized_by(organization_ids) -> Q:
    """Events whose lead or co-organizer is among ``organization_ids``, without duplicate rows."""
    return Q(organization_id__in=organization_ids) | Q(id__in=_co_organized_by(organization_ids))


def events_visible_to(person: Person | None) -> QuerySet[Event]:
    """Published and cancelled events for everyone; drafts only for their organizers.

    Coordinators moderate what is published: a draft is not yet submitted.
    """
    visible = Q(status__in=PUBLIC_STATUSES)
    organizer_of = organization_ids_for(person, Role.ORGANIZER)
    if organizer_of:
        visible |= events_organized_by(organizer_of)
    return Event.objects.filter(visible)


def event_list(person: Person | None) -> QuerySet[Event]:
    """Visible events with everything a listing shows, in a fixed number of queries."""
    return (
        events_visible_to(person)
        .select_related("organization", "campaign", "room__space", "series")
        .prefetch_related("co_organizers", "themes", "campaign__coordinators", open_co_organizations())
        .annotate(
            confirmed_count=Count("registrations", filter=Q(
                registrations__status=RegistrationStatus.CONFIRMED), distinct=True),
            waitlist_count=Count("registrations", filter=Q(
                registrations__status=RegistrationStatus.WAITLISTED), distinct=True),
        )
    )


def open_co_organizations() -> Prefetch:
    """The requests not (or no longer) accepted, as ``event.open_co_organizations``: shown to
    the event's organizers beside its accepted co-organizers."""
    return Prefetch("co_organizations", to_attr="open_co_organizations",
                    queryset=CoOrganization.objects.exclude(status=CoOrganizationStatus.ACCEPTED)
                    .select_related("organization").order_by("organization__name"))


def co_organizations_of(event: Event) -> QuerySet[CoOrganization]:
    """Every organization the event invited, with its answer."""
    return event.co_organizations.select_related("organization", "decided_by").order_by(
        "organization__name")


def co_organization_requests_for(person: Person | None) -> QuerySet[CoOrganization]:
    """Requests to the organizations ``person`` organizes for (or administers): pending
    first, by date of the event, then the answered ones, latest answer first."""
    return (
        CoOrganization.objects.filter(organization_id__in=organization_ids_for(person, Role.ORGANIZER))
        .select_related("event__organization", "event__room__space", "organization", "requested_by",
                        "decided_by")
        .annotate(answered=Case(When(status=CoOrganizationStatus.PENDING, then=Value(0)),
                                default=Value(1), output_field=IntegerField()))
        .order_by("answered", F("decided_at").desc(nulls_last=True), "event__starts_at", "id")
    )


# --- clash hints ----------------------------------------------------------------

def coordinates(event: Event) -> tuple[float, float] | None:
    """Where the event is, in degrees: its own address's point, else its room's space's."""
    if event.latitude is not None and event.longitude is not None:
        return float(event.latitude), float(event.longitude)
    space = event.room.space if event.room is not None else None
    if space is not None and space.latitude is not None and space.longitude is not None:
        return float(space.latitude), float(space.longitude)
    return None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) on a sphere of the Earth's mean radius."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _close_in_space(a: Event, b: Event) -> bool:
    """Within ``EVENT_CLASH_RADIUS_KM`` when both have coordinates; otherwise the same
    department (the same region when one of them has no department)."""
    here, there = coordinates(a), coordinates(b)
    if here is not None and there is not None:
        return distance_km(here, there) <= settings.EVENT_CLASH_RADIUS_KM
    if a.department and b.department:
        return a.department == b.department
    return bool(a.region) and a.region == b.region


def _close_in_time(a: Event, b: Event) -> bool:
    return b.starts_at < a.ends_at + CLASH_WINDOW and b.ends_at > a.starts_at - CLASH_WINDOW


def clash_hints_for(events: Iterable[Event]) -> dict[int, list[Event]]:
    """For each event (by id), the other published events close by around the same time
    (two hours either side, see :func:`_close_in_space`): a coordination aid, not a refusal.

    One query for any number of events: the candidates are read for every time window
    at once, then matched here.
    """
    events = list(events)
    if not events:
        return {}
    spans = sorted((e.starts_at - CLASH_WINDOW, e.ends_at + CLASH_WINDOW) for e in events)
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    windows = Q(pk__in=[])
    for start, end in merged:
        windows |= Q(starts_at__lt=end, ends_at__gt=start)
    candidates = list(Event.objects.filter(windows, status=EventStatus.PUBLISHED)
                      .select_related("organization", "room__space").order_by("starts_at", "id"))
    return {event.pk: [other for other in candidates if other.pk != event.pk
                       and _close_in_time(event, other) and _close_in_space(event, other)][:20]
            for event in events}


def clash_hints(event: Event) -> list[Event]:
    """The clash hints of one event (see :func:`clash_hints_for`)."""
    return clash_hints_for([event])[event.pk]


def campaigns_visible() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related("coordinators").order_by("-starts_on", "title").annotate(
        approved_count=Count("events", filter=Q(events__moderation="approved",
                                                events__status__in=PUBLIC_STATUSES))
    )


def registrations_of(event: Event) -> QuerySet[Registration]:
    return event.registrations.select_related("person").order_by("created_at", "id")


def registrations_search(event: Event, *, query: str = "", status: str = "") -> QuerySet[Registration]:
    """The attendees list: by name, address or entry code; ``status`` one of the statuses,
    "" for the active ones (confirmed and waitlisted), "all" for every one."""
    rows = registrations_of(event)
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    elif status != "all":
        rows = rows.filter(ACTIVE_REGISTRATION)
    query = query.strip()
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(email__icontains=query)
                           | Q(code=normalize_short_code(query)))
    return rows


def attendance_of(event: Event, *, now=None) -> dict[str, int | None]:
    """Counts of the event's registrations in one query: ``confirmed``, ``waitlisted``,
    ``cancelled``, ``attended`` (confirmed and checked in) and, once the event has
    started, ``no_shows`` (confirmed, never checked in; ``None`` before the start)."""
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    counts = event.registrations.aggregate(
        confirmed=Count("id", filter=confirmed),
        waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=RegistrationStatus.CANCELLED)),
        attended=Count("id", filter=confirmed & Q(checked_in_at__isnull=False)),
    )
    started = event.starts_at <= (now or timezone.now())
    counts["no_shows"] = counts["confirmed"] - counts["attended"] if started else None
    return counts


def presence(registration: Registration, *, started: bool) -> str:
    """"entré·e", "absent·e" (a confirmed seat never checked in once the event has started), or ""."""
    if registration.checked_in_at is not None:
        return "entré·e"
    if started and registration.status == RegistrationStatus.CONFIRMED:
        return "absent·e"
    return ""


def campaign_attendance(campaign: Campaign, *, now=None) -> dict:
    """What the door counted at the campaign's approved, published events: totals and by
    department. ``no_shows`` only counts events that have started."""
    now = now or timezone.now()
    rows = Registration.objects.filter(event__campaign=campaign, event__moderation="approved",
                                       event__status=EventStatus.PUBLISHED,
                                       status=RegistrationStatus.CONFIRMED)
    measures = {
        "events": Count("event", distinct=True),
        "events_checked_in": Count("event", filter=Q(checked_in_at__isnull=False), distinct=True),
        "confirmed": Count("id"),
        "attended": Count("id", filter=Q(checked_in_at__isnull=False)),
        "no_shows": Count("id", filter=Q(checked_in_at__isnull=True, event__starts_at__lte=now)),
    }
    totals = rows.aggregate(**measures)
    by_department = list(rows.values(department=F("event__department")).annotate(**measures)
                         .order_by("department"))
    return {**totals, "by_department": by_department}


def recent_check_ins(event: Event, *, limit: int) -> QuerySet[Registration]:
    return event.registrations.filter(checked_in_at__isnull=False).order_by("-checked_in_at", "-id")[:limit]


def event_messages_of(event: Event) -> QuerySet[EventMessage]:
    return event.messages.select_related("sent_by").order_by("-created_at", "-id")


def series_visible_to(person: Person | None) -> QuerySet[Series]:
    return Series.objects.filter(events__in=events_visible_to(person)).distinct()


def registrations_visible_to(person: Person) -> QuerySet[Registration]:
    """A person's own registrations and those of the events they organize."""
    organized = Event.objects.filter(events_organized_by(organization_ids_for(person, Role.ORGANIZER)))
    return Registration.objects.filter(Q(person=person) | Q(event__in=organized)).select_related("event")
