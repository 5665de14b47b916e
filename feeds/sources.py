"""What each feed holds, and each event's VEVENT, serialized once per version.

Series are published as one VEVENT per date (each date is its own event with
its own UID), so every calendar client shows exactly the dates the API lists,
moved and cancelled dates included, without RRULE/EXDATE/RECURRENCE-ID
interpretation differences between clients.

Public feeds hold published events from 31 days ago onward, and cancelled ones
for 31 days after their cancellation (Google then removes them, Apple strikes
them through). They never carry ORGANIZER or ATTENDEE: clients would email
replies to the organizers.
"""

from __future__ import annotations

import logging
from collections.abc import Set
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event as VEvent
from icalendar import vGeo

from backend.links import absolute_url
from backend.text import one_line, paragraphs
from events.models import Campaign, Event, EventStatus, Moderation, RegistrationStatus
from events.selectors import events_organized_by
from feeds.ical import writing_zone
from feeds.models import EventEntry
from feeds.publishing import FeedContent, register_source
from network.models import Organization, Person, Role
from network.selectors import organization_ids_for
from spaces.models import Space

logger = logging.getLogger(__name__)

KEEP = timedelta(days=31)


def uid_for(event: Event) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"event-{event.pk}@{host}"


def _geo(latitude: Decimal | None, longitude: Decimal | None) -> tuple[float, float] | None:
    """The GEO of a place with a latitude; a latitude alone cannot be written."""
    if latitude is None:
        return None
    if longitude is None:
        raise ValueError("a latitude without a longitude")
    return float(latitude), float(longitude)


def _location(event: Event) -> tuple[str, tuple[float, float] | None]:
    if (room := event.room) is not None:
        space = room.space
        return f"{space.name} — {room.name}, {space.address}", _geo(space.latitude, space.longitude)
    return event.address or event.online_url, _geo(event.latitude, event.longitude)


def serialize_event(event: Event, *, tentative: bool = False) -> bytes:
    """One VEVENT. Needs ``organization``, ``co_organizers``, ``themes``, ``campaign``
    and ``room__space`` loaded."""
    vevent = VEvent()
    vevent.add("uid", uid_for(event))
    # DTSTAMP is the last modification, not "now": an unchanged feed stays byte-identical.
    vevent.add("dtstamp", event.updated_at.astimezone(ZoneInfo("UTC")))
    vevent.add("created", event.created_at.astimezone(ZoneInfo("UTC")))
    vevent.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
    vevent.add("sequence", event.sequence)
    zone: tzinfo
    if event.all_day:
        zone = event.zone
        first = event.starts_at.astimezone(zone).date()
        last = (event.ends_at - timedelta(microseconds=1)).astimezone(zone).date()
        vevent.add("dtstart", first)
        vevent.add("dtend", last + timedelta(days=1))
    else:
        zone = writing_zone(event.starts_at, event.ends_at, event.zone)
        vevent.add("dtstart", event.starts_at.astimezone(zone))
        vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("summary", one_line(event.title))
    organizers = [event.organization.name, *(o.name for o in event.co_organizers.all())]
    lines = [event.description.strip()] if event.description.strip() else []
    if event.status == EventStatus.CANCELLED and event.cancel_reason:
        lines.append(_("Annulé : %(reason)s") % {"reason": event.cancel_reason})
    lines.append(_("Organisé par : %(names)s") % {"names": ", ".join(organizers)})
    lines.append(absolute_url(event.get_absolute_url()))
    vevent.add("description", paragraphs("\n\n".join(lines)))
    location, geo = _location(event)
    if location:
        vevent.add("location", one_line(location))
    if geo:
        vevent.add("geo", vGeo(geo))
    vevent.add("url", absolute_url(event.get_absolute_url()))
    categories = [theme.name for theme in event.themes.all()]
    if event.label:
        categories.append(event.label)
    if categories:
        vevent.add("categories", [one_line(category) for category in categories])
    if event.status == EventStatus.CANCELLED:
        vevent.add("status", "CANCELLED")
    elif tentative:
        vevent.add("status", "TENTATIVE")
    else:
        vevent.add("status", "CONFIRMED")
    return vevent.to_ical()


# Ids per query when looking rows up by id: well under SQLite's variable limit.
CHUNK = 5_000


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def vevents_for(rows: list[tuple[int, str]], *, tentative_ids: Set[int] = frozenset()) -> list[bytes]:
    """The VEVENTs of the events ``rows`` name (``(id, version)`` in feed order), reusing
    each event's stored serialization when its version has not changed: one edit
    re-serializes one event. Only changed events are loaded as models.

    An event that cannot be written (a row forced past validation) is logged and left out,
    so that it cannot stop the feeds holding it from publishing."""
    versions = {pk: f"{version}:{int(pk in tentative_ids)}" for pk, version in rows}
    ids = list(versions)
    stored: dict[int, tuple[str, bytes]] = {}
    for chunk in _chunks(ids):
        for event_id, version, vevent in EventEntry.objects.filter(event_id__in=chunk).values_list(
            "event_id", "version", "vevent"
        ):
            stored[event_id] = (version, vevent)
    changed_ids = [pk for pk in ids if stored.get(pk, (None,))[0] != versions[pk]]
    fresh: dict[int, bytes] = {}
    for chunk in _chunks(changed_ids):
        for event in _with_relations(Event.objects.filter(id__in=chunk)):
            try:
                fresh[event.pk] = serialize_event(event, tentative=event.pk in tentative_ids)
            except Exception:
                logger.exception("feeds: event %s cannot be written in a calendar; left out", event.pk)
    for chunk in _chunks(list(fresh)):
        EventEntry.objects.filter(event_id__in=chunk).delete()
        EventEntry.objects.bulk_create(
            EventEntry(event_id=pk, version=versions[pk], vevent=fresh[pk]) for pk in chunk
        )
    unwritable = set(changed_ids) - set(fresh)
    return [fresh[pk] if pk in fresh else bytes(stored[pk][1]) for pk in ids if pk not in unwritable]


def _with_relations(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("organization", "campaign", "room__space").prefetch_related(
        "co_organizers", "themes"
    )


def public_events(now: datetime | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    recent = now - KEEP
    return Event.objects.filter(
        Q(status=EventStatus.PUBLISHED, ends_at__gte=recent)
        | Q(status=EventStatus.CANCELLED, cancelled_at__gte=recent, ends_at__gte=recent)
    )


def _content(name: str, description: str, events: QuerySet[Event],
             tentative_ids: Set[int] = frozenset()) -> FeedContent:
    """One pass over plain rows gives the order, the versions, the zones, the years
    covered and the last modification; VEVENTs come from the per-event cache."""
    rows = list(events.order_by("starts_at", "id").values_list(
        "id", "sequence", "updated_at", "starts_at", "ends_at", "time_zone", "all_day"))
    zoned = [(zone, starts_at, ends_at) for *_, starts_at, ends_at, zone, all_day in rows
             if not all_day and _written_in(zone, starts_at, ends_at)]
    now_year = timezone.now().year
    return FeedContent(
        name=name, description=description,
        vevents=vevents_for([(pk, f"{seq}:{updated.isoformat()}") for pk, seq, updated, *_ in rows],
                            tentative_ids=tentative_ids),
        zones={zone for zone, *_ in zoned},
        years=(min((starts_at.year for _, starts_at, _ in zoned), default=now_year),
               max((ends_at.year for *_, ends_at in zoned), default=now_year)),
        last_modified=max((row[2] for row in rows), default=None),
    )


def _written_in(zone: str, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether an event's times are written in its zone, which the feed then describes."""
    try:
        return writing_zone(starts_at, ends_at, ZoneInfo(zone)) is not UTC
    except (ValueError, KeyError):  # a zone name written past validation: see vevents_for
        return False


EVENT_FILTERS = {
    "campaign": lambda value: Q(campaign__slug=value, moderation=Moderation.APPROVED),
    "organization": lambda value: events_organized_by(
        Organization.objects.filter(slug=value).values("id")),
    "space": lambda value: Q(room__space__slug=value),
    "theme": lambda value: Q(themes__slug=value),
    "territory": lambda value: Q(region=value) | Q(department=value) | Q(commune_insee=value),
    "format": lambda value: Q(format=value),
}


@register_source("events")
def agenda(query: str) -> FeedContent:
    """``/feeds/events.ics`` with its optional filters (``query`` is canonical, see views)."""
    events = public_events()
    for pair in filter(None, query.split("&")):
        name, _sep, value = pair.partition("=")
        if name in EVENT_FILTERS:
            events = events.filter(EVENT_FILTERS[name](value))
    return _content(_("Agenda de l'ESS"), _("Les événements publiés sur Essaim."),
                    events.distinct())


@register_source("organization")
def organization(slug: str) -> FeedContent | None:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return None
    # Two indexed lookups rather than one OR over a subquery, which scans every event.
    ids = {*org.lead_events.values_list("id", flat=True),
           *org.co_organized_events.values_list("id", flat=True)}
    events = public_events().filter(id__in=ids)
    return _content(org.name, _("Les événements de %(name)s et ceux qu'elle co-organise.")
                    % {"name": org.name}, events)


@register_source("campaign")
def campaign(slug: str) -> FeedContent | None:
    found = Campaign.objects.filter(slug=slug).first()
    if found is None:
        return None
    events = public_events().filter(campaign=found, moderation=Moderation.APPROVED)
    return _content(found.title, found.description or found.title, events)


@register_source("space")
def space(slug: str) -> FeedContent | None:
    found = Space.objects.filter(slug=slug).first()
    if found is None:
        return None
    return _content(found.name, _("Les événements accueillis à %(name)s.") % {"name": found.name},
                    public_events().filter(room__space=found))


@register_source("event")
def single_event(pk: str) -> FeedContent | None:
    events = Event.objects.filter(pk=int(pk), status__in=[EventStatus.PUBLISHED,
                                                            EventStatus.CANCELLED])
    if not events.exists():
        return None
    return _content(events[0].title, events[0].title, events)


@register_source("person")
def person(pk: str) -> FeedContent | None:
    """A person's private feed: their registrations and their organizations' events;
    drafts and their organizations' events pending moderation are marked TENTATIVE (an event
    they only attend shows no moderation state)."""
    found = Person.objects.filter(pk=int(pk), is_active=True).first()
    if found is None:
        return None
    recent = timezone.now() - KEEP
    registered = Q(registrations__person=found, registrations__status__in=[
        RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED])
    mine = events_organized_by(organization_ids_for(found, Role.ORGANIZER))
    events = Event.objects.filter(registered | mine, ends_at__gte=recent).distinct()
    tentative = set(
        events.filter(Q(status=EventStatus.DRAFT) | (mine & Q(moderation=Moderation.PENDING)))
        .values_list("id", flat=True)
    )
    return _content(_("Mon agenda Essaim"), _("Mes inscriptions et les événements de mes structures."),
                    events, tentative_ids=tentative)


def feed_keys_for(event: Event) -> list[str]:
    """Every published feed an edit of ``event`` may change (none before a first is published:
    one query then, where the keys take seven)."""
    from feeds.models import PublishedFeed

    if not PublishedFeed.objects.exists():
        return []
    keys = [f"event:{event.pk}"]
    keys += [f"organization:{slug}" for slug in Organization.objects.filter(
        Q(lead_events=event) | Q(co_organized_events=event)).values_list("slug", flat=True)]
    if event.campaign is not None:
        keys.append(f"campaign:{event.campaign.slug}")
    if event.room is not None:
        keys.append(f"space:{event.room.space.slug}")
    keys += list(PublishedFeed.objects.filter(key__startswith="events:").values_list("key", flat=True))
    people = set(event.registrations.exclude(person=None).values_list("person_id", flat=True))
    org_ids = [event.organization_id, *event.co_organizers.values_list("id", flat=True)]
    from network.models import Membership

    people |= set(Membership.objects.filter(organization_id__in=org_ids).values_list(
        "person_id", flat=True))
    keys += [f"person:{pk}" for pk in people]
    return keys


def feed_keys_for_many(events: list[Event]) -> list[str]:
    """Every published feed that events just created together may change (no registration
    yet, so no registrant's feed; none before a first is published)."""
    from feeds.models import PublishedFeed
    from network.models import Membership

    if not PublishedFeed.objects.exists():
        return []
    ids = [event.pk for event in events]
    org_ids = {event.organization_id for event in events}
    keys = [f"event:{pk}" for pk in ids]
    keys += [f"organization:{slug}" for slug in Organization.objects.filter(id__in=org_ids)
             .values_list("slug", flat=True)]
    keys += [f"campaign:{slug}" for slug in Campaign.objects.filter(
        id__in={event.campaign_id for event in events if event.campaign_id}).values_list("slug", flat=True)]
    keys += list(PublishedFeed.objects.filter(key__startswith="events:").values_list("key", flat=True))
    keys += [f"person:{pk}" for pk in set(Membership.objects.filter(organization_id__in=org_ids)
                                          .values_list("person_id", flat=True))]
    return keys
