"""Read-side queries about campaigns, events and registrations, and who may do what."""

from __future__ import annotations

from datetime import timedelta

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
    Registration,
    RegistrationStatus,
    Series,
)
from network.models import Person, Role
from network.selectors import organization_ids_for

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


def clash_hints(event: Event) -> list[Event]:
    """Other published events in the same territory within two hours: a coordination aid."""
    territory = (
        Q(commune_insee=event.commune_insee) if event.commune_insee
        else Q(department=event.department) if event.department
        else Q(region=event.region) if event.region
        else None
    )
    if territory is None:
        return []
    return list(
        Event.objects.filter(territory, status=EventStatus.PUBLISHED,
                             starts_at__lt=event.ends_at + CLASH_WINDOW,
                             ends_at__gt=event.starts_at - CLASH_WINDOW)
        .exclude(pk=event.pk)
        .select_related("organization")
        .order_by("starts_at")[:20]
    )


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
