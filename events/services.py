"""Writes about campaigns, events, series and registrations: every rule of shared events lives here.

Who may do what:

- an **organizer** (or admin) of the lead organization or of any co-organizer
  edits, cancels and exports the event;
- naming an organization co-organizer only **asks** it: its organizers (or
  admins) accept or decline, and until they accept it is no co-organizer (no
  rights, no feed, no filter); an organization the caller organizes for accepts
  at once;
- a **coordinator** of one of a campaign's coordinating organizations edits the
  campaign and moderates the events submitted to it within that organization's region
  (everywhere when it has none: ``selectors.events_moderated_by``);
- a **room** may be booked for an event when its space is operated by the
  event's lead organization, or by a person who organizes for (or manages the
  spaces of) the organization operating it: the caller's own roles, never a
  co-organizer the caller named. Anyone else gets ``room_not_bookable``.

Capacity is exact under concurrency: registration and cancellation lock the
event row (``select_for_update``) and recount from rows. Rooms are kept free
of double bookings by locking the room row before the overlap check, and on
PostgreSQL by an exclusion constraint as the last line of defence.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from events import images, messages
from events.images import PreparedImage
from events.messages import local_time
from events.models import (
    ACTIVE_REGISTRATION,
    Campaign,
    CoOrganization,
    CoOrganizationStatus,
    Event,
    EventStatus,
    Moderation,
    ModerationDecision,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
)
from events.recurrence import recurrence_dates
from events.reminders import reminder_rules_clean, reminders_sync
from events.selectors import can_moderate, can_moderate_event, can_organize, can_organize_series
from events.signals import events_created
from network.models import Organization, Person, Role
from network.selectors import has_role, organization_ids_for
from network.services import unique_slug
from spaces.models import Room, validate_time_zone

# Changes to these fields matter to attendees: they raise ``sequence`` and notify.
ATTENDEE_FIELDS = ("starts_at", "ends_at", "all_day", "time_zone", "room_id", "address", "status")
# An event's time and place: when its source moves them, a campaign may want it moderated again.
TIME_AND_PLACE = ("starts_at", "ends_at", "all_day", "time_zone", "room_id", "address")
# What an imported agenda gives its events (``imports/``): read-only in Essaim until an
# organizer detaches the event from its source.
IMPORTED_FIELDS = ("title", "description", "starts_at", "ends_at", "all_day", "time_zone", "address",
                   "online_url")
ROOM_CONSTRAINT = "event_room_no_overlap"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"
    message = _("Vous n'avez pas le rôle nécessaire pour cette action.")


class RoomTaken(DomainError):
    code = "room_taken"
    message = _("La salle est déjà réservée par « %(event)s » du %(start)s au %(end)s.")


class RoomNotBookable(DomainError):
    code = "room_not_bookable"
    message = _("Cette salle n'est réservable que par la structure qui gère son espace : "
                "ses organisateur·rices, ses gestionnaires d'espace ou ses propres événements.")


class CoOrganizationNotPending(DomainError):
    code = "co_organization_not_pending"
    message = _("Cette demande de co-organisation n'attend plus de réponse.")


class SubmissionsClosed(DomainError):
    code = "submissions_closed"
    message = _("La campagne n'accepte pas de proposition aujourd'hui (du %(opens)s au %(closes)s).")


class OutsideCampaign(DomainError):
    status = 400
    code = "outside_campaign"
    message = _("L'événement doit avoir lieu pendant la campagne (du %(starts)s au %(ends)s).")


class ImportedField(DomainError):
    code = "imported_field"
    message = _("« %(name)s » vient de l'agenda d'origine « %(source)s » : modifiez-le là-bas, ou détachez "
                "l'événement de sa source pour le modifier ici.")


class CapacityBelowConfirmed(DomainError):
    code = "capacity_below_confirmed"
    message = _("La capacité ne peut pas descendre sous les %(confirmed)s inscriptions confirmées.")


class EventCancelled(DomainError):
    code = "event_cancelled"
    message = _("Cet événement est annulé : il ne se modifie plus.")


class UnpublishWithRegistrations(DomainError):
    code = "has_registrations"
    message = _("Un événement qui a des inscriptions ne repasse pas en brouillon : annulez-le.")


class RegistrationClosed(DomainError):
    code = "registration_closed"
    message = _("Les inscriptions à cet événement sont closes.")


class AlreadyRegistered(DomainError):
    code = "already_registered"
    message = _("Cette personne est déjà inscrite à cet événement.")


class NotInCampaign(DomainError):
    code = "not_in_campaign"
    message = _("Cet événement n'est proposé à aucune campagne.")


# --- helpers ----------------------------------------------------------------

def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        validate_time_zone(name)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from error
    return zoneinfo.ZoneInfo(name)


def _check_organizer_of(actor: Person | None, organization: Organization) -> None:
    if not has_role(actor, organization.id, Role.ORGANIZER):
        raise NotAllowed(_("Vous n'êtes pas organisateur·rice de « %(name)s »."),
                         field="organization", name=organization.name)


def _check_can_organize(actor: Person | None, event: Event) -> None:
    if not can_organize(actor, event):
        raise NotAllowed(_("Seuls les organisateur·rices de l'événement peuvent le modifier."))


def _normalize_all_day(event: Event) -> None:
    """An all-day event runs from local midnight to the local midnight after its last day."""
    zone = _zone(event.time_zone)
    first = event.starts_at.astimezone(zone).date()
    last = max(first, (event.ends_at - timedelta(microseconds=1)).astimezone(zone).date())
    event.starts_at = datetime.combine(first, time(), zone)
    event.ends_at = datetime.combine(last + timedelta(days=1), time(), zone)


def _check_room(event: Event, *, actor: Person | None) -> None:
    """May this event use its room? Copies the space's territory onto the event.

    The event's lead organization books the rooms of the spaces it operates; otherwise
    only the caller's own roles in the operating organization count. Co-organizers
    lend no room: the caller names them, which proves nothing of their consent.
    """
    assert event.room_id is not None, "only an event with a room is checked"
    room = Room.objects.select_related("space").get(pk=event.room_id)
    operator_id = room.space.operator_id
    if operator_id != event.organization_id and not has_role(actor, operator_id, Role.ORGANIZER,
                                                             Role.SPACE_MANAGER):
        raise RoomNotBookable(field="room")
    event.region = room.space.region
    event.department = room.space.department
    event.commune_insee = room.space.commune_insee


def _check_room_free(event: Event) -> None:
    """Refuse an overlap in the room, naming the other event.

    The room row is locked first so that two bookings of one room are checked
    one after the other; the exclusion constraint catches whatever bypasses this.
    """
    if event.room_id is None or event.status == EventStatus.CANCELLED:
        return
    list(Room.objects.select_for_update().filter(pk=event.room_id).values_list("pk"))
    other = (
        Event.objects.filter(room_id=event.room_id, starts_at__lt=event.ends_at,
                             ends_at__gt=event.starts_at)
        .exclude(status=EventStatus.CANCELLED).exclude(pk=event.pk).first()
    )
    if other is not None:
        raise RoomTaken(field="room", event=other.title, start=local_time(other.starts_at, other.time_zone),
                        end=local_time(other.ends_at, other.time_zone))


def _check_not_imported(event: Event, changes: dict[str, Any]) -> None:
    """Refuse a change, by hand, of a field an imported event takes from its source."""
    item = getattr(event, "import_item", None)  # the link an imported agenda keeps (imports/)
    if item is None or item.detached_at is not None:
        return
    touched = [name for name in IMPORTED_FIELDS if name in changes and changes[name] != getattr(event, name)]
    if touched:
        field = Event._meta.get_field(touched[0])
        assert isinstance(field, models.Field), "imported fields are the event's own columns"
        raise ImportedField(field=touched[0], name=field.verbose_name,
                            source=item.source.name)


def _save(event: Event) -> None:
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as error:
        if ROOM_CONSTRAINT in str(error):
            raise RoomTaken(_("La salle est déjà réservée sur ce créneau."), field="room") from error
        raise


def _check_campaign(event: Event, *, campaign_changed: bool) -> None:
    """A submission falls in the campaign's window and the event in its period."""
    campaign = event.campaign
    if campaign is None:
        event.moderation = Moderation.NONE
        return
    if campaign_changed:
        today = timezone.localdate()
        opens, closes = campaign.submissions_open_on, campaign.submissions_close_on
        if (opens and today < opens) or (closes and today > closes):
            raise SubmissionsClosed(field="campaign", opens=opens.strftime("%d/%m/%Y") if opens else "…",
                                    closes=closes.strftime("%d/%m/%Y") if closes else "…")
        event.moderation = Moderation.PENDING if campaign.moderation_required else Moderation.APPROVED
        event.moderation_comment, event.moderated_by, event.moderated_at = "", None, None
    day = event.starts_at.astimezone(event.zone).date()
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise OutsideCampaign(field="starts_at", starts=campaign.starts_on.strftime("%d/%m/%Y"),
                              ends=campaign.ends_on.strftime("%d/%m/%Y"))


# Relations a batch of events gets as rows its caller loaded (and checked): their foreign keys
# are left to the database rather than looked up again for every event.
BATCH_RELATIONS = ["organization", "campaign", "room", "series", "moderated_by"]


def _prepare(event: Event, *, actor: Person | None, room_changed: bool, campaign_changed: bool,
             batch: bool = False) -> None:
    """Normalize and check an event before it is saved (create and update share this).

    ``batch``: the event is one of many created together from rows the caller loaded; the
    table's check constraints and foreign keys are left to the database (``clean`` checks
    the same end-after-start rule first), since Django checks each with a query of its own.
    """
    _zone(event.time_zone)
    try:
        event.reminders = reminder_rules_clean(event.reminders)
    except ValidationError as error:
        raise ValidationError({"reminders": error.messages}) from error
    if event.starts_at and event.ends_at and event.all_day and event.ends_at > event.starts_at:
        _normalize_all_day(event)
    if event.room_id and room_changed:
        _check_room(event, actor=actor)
    elif not (event.room_id or event.region or event.department or event.commune_insee):
        lead = event.organization
        event.region, event.department, event.commune_insee = (
            lead.region, lead.department, lead.commune_insee)
    event.full_clean(exclude=["slug", *(BATCH_RELATIONS if batch else [])], validate_constraints=not batch)
    _check_campaign(event, campaign_changed=campaign_changed)
    _check_room_free(event)


def _set_image(event: Event, image: PreparedImage | str) -> None:
    """Give the event an image checked by ``events/images.py`` (stored once per content), keep a
    stored one by name (a series' new date), or take it away with ``""``."""
    event.image.name = images.store(image) if isinstance(image, PreparedImage) else image
    if not event.image:
        event.image_alt = ""


# --- campaigns --------------------------------------------------------------

@transaction.atomic
def campaign_create(*, actor: Person, coordinators: Iterable[Organization], **fields: Any) -> Campaign:
    """Create a campaign; its creator must coordinate one of its coordinating organizations."""
    coordinators = list(coordinators)
    if not organization_ids_for(actor, Role.COORDINATOR) & {o.id for o in coordinators}:
        raise NotAllowed(_("Vous devez coordonner l'une des structures coordinatrices."),
                         field="coordinators")
    if not fields.get("slug"):
        fields["slug"] = unique_slug(Campaign, fields["title"])
    campaign = Campaign(**fields)
    campaign.full_clean()
    campaign.save()
    campaign.coordinators.set(coordinators)
    return campaign


@transaction.atomic
def campaign_update(*, actor: Person, campaign: Campaign, **changes: Any) -> Campaign:
    if not can_moderate(actor, campaign):
        raise NotAllowed(_("Seuls les coordinateur·rices de la campagne peuvent la modifier."))
    coordinators = changes.pop("coordinators", None)
    for name, value in changes.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    if coordinators is not None:
        if not coordinators:
            raise ValidationError({"coordinators": _("Au moins une structure coordinatrice.")})
        campaign.coordinators.set(coordinators)
    return campaign


# --- events -----------------------------------------------------------------

@transaction.atomic
def event_create(
    *, actor: Person, organization: Organization, title: str, starts_at: datetime, ends_at: datetime,
    co_organizers: Iterable[Organization] = (), themes: Iterable[Theme] = (),
    series: Series | None = None, recurrence_id: datetime | None = None,
    image: PreparedImage | str = "", **fields: Any,
) -> Event:
    """Create an event for ``organization``, which ``actor`` must organize for.

    Each of ``co_organizers`` is asked (see ``co_organizers_request``). ``image`` is an upload
    accepted by ``events.images.prepare`` (or the stored name of another date's image).

    Raises ``NotAllowed``, ``RoomNotBookable``, ``RoomTaken``, ``SubmissionsClosed``,
    ``OutsideCampaign`` or a ``ValidationError`` naming the field.
    """
    _check_organizer_of(actor, organization)
    _check_new_status(fields)
    event = Event(organization=organization, title=title, starts_at=starts_at, ends_at=ends_at,
                  series=series, recurrence_id=recurrence_id, **fields)
    _prepare(event, actor=actor, room_changed=True, campaign_changed=True)
    _set_image(event, image)
    _give_slugs([event])
    _save(event)
    co_organizers_request(actor=actor, event=event, organizations=co_organizers)
    event.themes.set(themes)
    return event


def _check_new_status(fields: dict[str, Any]) -> None:
    if fields.get("status") == EventStatus.CANCELLED:
        raise ValidationError({"status": _("Un événement se crée en brouillon ou publié.")})


def _give_slugs(events: list[Event]) -> None:
    """A unique slug for each of ``events``, from its title and local day, in one query unless
    two share a title and a day or a slug is taken already."""
    bases = [slugify(f"{e.title} {e.starts_at.astimezone(e.zone).date().isoformat()}")[:94].strip("-")
             or "x" for e in events]
    used = set(Event.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    for event, base in zip(events, bases, strict=True):
        slug, n = base, 1
        while slug in used or (n > 1 and Event.objects.filter(slug=slug).exists()):
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        event.slug = slug


@transaction.atomic
def events_create_many(*, actor: Person, organization: Organization,
                       drafts: list[dict[str, Any]]) -> list[Event | DomainError | ValidationError]:
    """Create many events of ``organization`` together (an imported agenda).

    Each draft (the fields of :func:`event_create`, ``themes`` included) passes the same
    checks as ``event_create``; the events that pass are inserted in one statement. Returns,
    in the order of ``drafts``, each created event or the refusal that kept it out: one
    refusal does not stop the others. Drafts name no co-organizer (nobody is asked) and
    belong to no series. The feeds hear of the batch once (``events_created``).
    """
    _check_organizer_of(actor, organization)
    results: list[Event | DomainError | ValidationError] = []
    created: list[tuple[Event, list[Theme]]] = []
    for draft in drafts:
        fields = dict(draft)
        themes = list(fields.pop("themes", ()))
        try:
            _check_new_status(fields)
            event = Event(organization=organization, **fields)
            _prepare(event, actor=actor, room_changed=True, campaign_changed=True, batch=True)
        except (DomainError, ValidationError) as error:
            results.append(error)
            continue
        results.append(event)
        created.append((event, themes))
    events = [event for event, _themes in created]
    if events:
        _give_slugs(events)
        Event.objects.bulk_create(events)
        Event.themes.through.objects.bulk_create(
            [Event.themes.through(event_id=event.pk, theme_id=theme.pk)
             for event, themes in created for theme in themes])
        events_created.send(sender=Event, events=events)
    return results


@transaction.atomic
def event_update(*, actor: Person, event: Event, by_source: bool = False, **changes: Any) -> Event:
    """Change an event; time, place or status changes raise ``sequence`` and notify registrants.

    Growing the capacity promotes the waitlist; it may not drop below the
    confirmed registrations. ``image`` replaces the image (see ``event_create``) or, ``""``,
    takes it away. ``by_source``: the change comes from the agenda the event is imported
    from; an approved event it moves goes back to moderation when its campaign asks for
    that (``Campaign.resubmit_on_source_change``).
    """
    event = (Event.objects.select_for_update(of=("self",)).select_related("organization", "campaign")
             .get(pk=event.pk))
    _check_can_organize(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise EventCancelled()
    if changes.get("status") == EventStatus.CANCELLED:
        raise ValidationError({"status": _("Annulez avec l'action d'annulation, qui demande un motif.")})
    if not by_source:
        _check_not_imported(event, changes)
    co_organizers = changes.pop("co_organizers", None)
    themes = changes.pop("themes", None)
    image = changes.pop("image", None)
    before = {name: getattr(event, name) for name in ATTENDEE_FIELDS}
    old_campaign, old_capacity, old_moderation = event.campaign_id, event.capacity, event.moderation
    old_reminders = list(event.reminders)
    for name, value in changes.items():
        setattr(event, name, value)

    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    if event.status == EventStatus.DRAFT and before["status"] != EventStatus.DRAFT and (
            event.registrations.filter(ACTIVE_REGISTRATION).exists()):
        raise UnpublishWithRegistrations(field="status")
    if event.capacity is not None and event.capacity < confirmed:
        raise CapacityBelowConfirmed(field="capacity", confirmed=confirmed)

    _prepare(event, actor=actor, room_changed=event.room_id != before["room_id"],
             campaign_changed=event.campaign_id != old_campaign)
    if old_moderation == Moderation.REJECTED and event.campaign_id == old_campaign:
        # Editing a refused event submits it again.
        event.moderation = Moderation.PENDING
    if image is not None:
        _set_image(event, image)
    changed = [name for name in ATTENDEE_FIELDS if getattr(event, name) != before[name]]
    if (by_source and old_moderation == Moderation.APPROVED and event.campaign_id == old_campaign
            and event.campaign is not None and event.campaign.resubmit_on_source_change
            and set(TIME_AND_PLACE) & set(changed)):
        event.moderation = Moderation.PENDING
        event.moderation_comment, event.moderated_by, event.moderated_at = "", None, None
    if changed:
        event.sequence += 1
    _save(event)
    if co_organizers is not None:
        co_organizers_request(actor=actor, event=event, organizations=co_organizers)
    if themes is not None:
        event.themes.set(themes)
    if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
        _promote(event)
    if changed and event.status == EventStatus.PUBLISHED and before["status"] == EventStatus.PUBLISHED:
        messages.notify_all(event, key=f"event-changed:{event.id}:{event.sequence}", kind="event_changed",
                            subject=_("Changement d'horaire ou de lieu"),
                            line=_("L'horaire ou le lieu de l'événement a changé."))
    # Reminders depend on the start, the zone, the status and the rules (promotions sync their own).
    if {"starts_at", "time_zone", "status"} & set(changed) or event.reminders != old_reminders:
        reminders_sync(event=event)
    return event


# --- co-organization ----------------------------------------------------------

def _co_organizers_follow(event: Event) -> None:
    """``Event.co_organizers`` is the set of accepted requests: the one place it is written."""
    event.co_organizers.set(list(event.co_organizations.filter(
        status=CoOrganizationStatus.ACCEPTED).values_list("organization_id", flat=True)))


@transaction.atomic
def co_organizers_request(*, actor: Person, event: Event, organizations: Iterable[Organization]) -> None:
    """Make ``organizations`` the event's invited co-organizers (the lead is skipped).

    A newly named organization gets a pending request and its organizers an email;
    one named again after declining is asked again. An organization the actor
    organizes for accepts at once (the actor holds the role that answers), and so
    does one that accepted another date of the same series. Requests of
    organizations no longer named are withdrawn, except declined ones, kept as the
    answer given.
    """
    wanted = {o.id: o for o in organizations if o.id != event.organization_id}
    existing = {c.organization_id: c for c in event.co_organizations.select_for_update()}
    for org_id, request in existing.items():
        if org_id not in wanted and request.status != CoOrganizationStatus.DECLINED:
            request.delete()
    series_answers = {}
    if event.series_id:
        series_answers = dict(
            CoOrganization.objects.filter(event__series_id=event.series_id, organization_id__in=wanted,
                                          status=CoOrganizationStatus.ACCEPTED)
            .exclude(event=event).values_list("organization_id", "decided_by_id"))
    now = timezone.now()
    asked = []
    for org_id, organization in wanted.items():
        found = existing.get(org_id)
        if found is not None and found.status != CoOrganizationStatus.DECLINED:
            continue
        request = found or CoOrganization(event=event, organization=organization)
        request.requested_by, request.requested_at = actor, now
        request.status, request.decided_by_id, request.decided_at = CoOrganizationStatus.PENDING, None, None
        if has_role(actor, org_id, Role.ORGANIZER):
            request.status, request.decided_by_id, request.decided_at = (
                CoOrganizationStatus.ACCEPTED, actor.pk, now)
        elif org_id in series_answers:
            request.status, request.decided_by_id, request.decided_at = (
                CoOrganizationStatus.ACCEPTED, series_answers[org_id], now)
        request.save()
        if request.status == CoOrganizationStatus.PENDING:
            asked.append(request)
    _co_organizers_follow(event)
    for request in asked:
        messages.co_organization_requested(request)


@transaction.atomic
def co_organization_decide(*, actor: Person, co_organization: CoOrganization,
                           accept: bool) -> CoOrganization:
    """The invited organization's organizers (or admins) accept or decline; the lead is told.

    Accepting answers a pending request; declining also withdraws from an event
    accepted earlier. The answer to a date of a series holds for the series' dates
    that have not ended. Raises ``NotAllowed`` or ``CoOrganizationNotPending``.
    """
    request = (CoOrganization.objects.select_for_update(of=("self",))
               .select_related("event", "organization").get(pk=co_organization.pk))
    if not has_role(actor, request.organization_id, Role.ORGANIZER):
        raise NotAllowed(_("Seuls les organisateur·rices de « %(name)s » répondent à cette demande."),
                         name=request.organization.name)
    answerable = ([CoOrganizationStatus.PENDING] if accept
                  else [CoOrganizationStatus.PENDING, CoOrganizationStatus.ACCEPTED])
    if request.status not in answerable:
        raise CoOrganizationNotPending()
    now = timezone.now()
    same = Q(pk=request.pk)
    if request.event.series_id:
        same |= Q(event__series_id=request.event.series_id, event__ends_at__gt=now)
    answered = list(CoOrganization.objects.select_for_update(of=("self",)).select_related("event")
                    .filter(same, organization_id=request.organization_id, status__in=answerable))
    for each in answered:
        each.status = CoOrganizationStatus.ACCEPTED if accept else CoOrganizationStatus.DECLINED
        each.decided_by, each.decided_at = actor, now
        each.save(update_fields=["status", "decided_by", "decided_at"])
        _co_organizers_follow(each.event)
    request.refresh_from_db()
    messages.co_organization_decided(request, dates=len(answered))
    return request


@transaction.atomic
def event_cancel(*, actor: Person, event: Event, reason: str) -> Event:
    """Cancel an event: it stays visible as cancelled, registration closes, registrants are told."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_can_organize(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise EventCancelled(_("Cet événement est déjà annulé."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'annulation.")})
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.full_clean()
    event.save()
    messages.notify_all(event, key=f"event-cancelled:{event.id}", kind="event_cancelled",
                        subject=_("Événement annulé"), line=_("L'événement est annulé. Motif : %(reason)s"),
                        reason=reason)
    reminders_sync(event=event)
    return event


@transaction.atomic
def event_moderate(*, actor: Person, event: Event, approve: bool, comment: str = "") -> Event:
    """A coordinator of the event's campaign, within their territory, approves it (it carries
    the label) or refuses it (with a reason). The decision joins the event's history and its
    organizers are told once; the same decision sent again changes nothing."""
    event = Event.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=event.pk)
    if event.campaign is None:
        raise NotInCampaign()
    if not can_moderate_event(actor, event):
        raise NotAllowed(_("Seuls les coordinateur·rices de la campagne, sur leur territoire, "
                           "décident de ses événements."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Expliquez le refus aux organisateur·rices.")})
    decision = Moderation.APPROVED if approve else Moderation.REJECTED
    if (event.moderation, event.moderation_comment) == (decision, comment):
        return event
    event.moderation = decision
    event.moderation_comment = comment
    event.moderated_by = actor
    event.moderated_at = timezone.now()
    event.full_clean(exclude=["slug"])
    event.save(update_fields=["moderation", "moderation_comment", "moderated_by", "moderated_at",
                              "updated_at"])
    ModerationDecision.objects.create(event=event, campaign=event.campaign, decision=decision,
                                      comment=comment, decided_by=actor, decided_at=event.moderated_at)
    messages.campaign_decision(event)
    return event


@transaction.atomic
def events_moderate(*, actor: Person, events: Iterable[Event], approve: bool,
                    comment: str = "") -> list[Event]:
    """The same decision (and reason) on several events at once, all or none: each goes
    through :func:`event_moderate`, so each is checked and its organizers told once."""
    titles = {event.pk: event.title for event in events}
    if not titles:
        raise ValidationError({"events": _("Choisissez au moins un événement.")})
    decided = []
    # One after the other in id order: two bulk decisions lock their rows in the same order.
    for pk in sorted(titles):
        try:
            decided.append(event_moderate(actor=actor, event=Event(pk=pk), approve=approve, comment=comment))
        except DomainError as error:
            error.detail = f"« {titles[pk]} » : {error.detail}"
            raise
    return decided


# --- series -----------------------------------------------------------------

@transaction.atomic
def series_create(*, actor: Person, organization: Organization, rrule: str, title: str,
                  starts_at: datetime, ends_at: datetime, **fields: Any) -> Series:
    """Create a series and one event per date (each with its own registrations)."""
    _check_organizer_of(actor, organization)
    _check_no_window(fields)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La date de fin doit suivre la date de début.")})
    time_zone = fields.get("time_zone", "Europe/Paris")
    dates = recurrence_dates(rrule=rrule, starts_at=starts_at, time_zone=time_zone)
    series = Series.objects.create(title=title, organization=organization, rrule=rrule.strip(),
                                   starts_at=dates[0], duration=ends_at - starts_at, time_zone=time_zone)
    for start in dates:
        event_create(actor=actor, organization=organization, title=title, starts_at=start,
                     ends_at=start + series.duration, series=series, recurrence_id=start, **fields)
    return series


def _check_no_window(fields: dict[str, Any]) -> None:
    """A registration window is dates of its own, which a series' many dates cannot share."""
    for name in ("registration_opens_at", "registration_closes_at"):
        if fields.get(name):
            raise ValidationError({name: _(
                "Les dates d'inscription valent pour un seul événement : pour une série, réglez-les "
                "date par date une fois la série créée.")})


def _template_fields(event: Event) -> dict[str, Any]:
    """What a new date of a series copies from an existing one."""
    names = ["description", "format", "audience", "accessibility", "price_text", "online_url", "status",
             "campaign", "room", "address", "latitude", "longitude", "region", "department",
             "commune_insee", "capacity", "reminders", "image_alt"]
    fields = {name: getattr(event, name) for name in names}
    fields["image"] = event.image.name
    # Pending requests carry over too: the new date asks (without a second email).
    fields["co_organizers"] = [c.organization for c in event.co_organizations.exclude(
        status=CoOrganizationStatus.DECLINED).select_related("organization")]
    fields["themes"] = list(event.themes.all())
    if fields["status"] == EventStatus.CANCELLED:
        fields["status"] = EventStatus.PUBLISHED
    return fields


@transaction.atomic
def series_update(*, actor: Person, series: Series, rrule: str | None = None, **changes: Any) -> Series:
    """Change a series from now on: past dates stay as they were.

    Future dates are matched to the new rule by local day. A matched date takes
    the changes (and the series' time, unless it was moved on its own); a new
    day gets a new event; a day the rule no longer produces is cancelled (or
    deleted while still a draft). Cancelled dates stay cancelled.
    """
    _check_no_window(changes)
    series = Series.objects.select_for_update().select_related("organization").get(pk=series.pk)
    now = timezone.now()
    occurrences = list(series.events.select_related("organization", "campaign")
                       .prefetch_related("co_organizers", "themes").order_by("recurrence_id"))
    if not can_organize_series(actor, series, occurrences):
        raise NotAllowed(_("Seuls les organisateur·rices de la série peuvent la modifier."))
    zone = _zone(changes.get("time_zone", series.time_zone))
    starts_at = changes.pop("starts_at", None)
    ends_at = changes.pop("ends_at", None)
    first = starts_at or series.starts_at
    duration = (ends_at - first) if ends_at else series.duration
    if duration <= timedelta(0):
        raise ValidationError({"ends_at": _("La date de fin doit suivre la date de début.")})
    dates = recurrence_dates(rrule=rrule or series.rrule, starts_at=first, time_zone=str(zone))

    future = {e.recurrence_id.astimezone(zone).date(): e for e in occurrences
              if e.recurrence_id and e.recurrence_id > now}
    template = next(iter(future.values()), occurrences[-1] if occurrences else None)
    base = _template_fields(template) if template else {}
    for start in (d for d in dates if d > now):
        day: date = start.date()
        event = future.pop(day, None)
        if event is None:
            fields = {**base, **changes}
            fields.pop("title", None)
            event_create(actor=actor, organization=series.organization,
                         title=changes.get("title", series.title), starts_at=start,
                         ends_at=start + duration, series=series, recurrence_id=start, **fields)
            continue
        if event.status == EventStatus.CANCELLED:
            continue
        update = dict(changes)
        moved = event.starts_at != event.recurrence_id
        if not moved:
            update.update(starts_at=start, ends_at=start + duration)
        update["recurrence_id"] = start
        event_update(actor=actor, event=event, **update)
    for event in future.values():
        if event.status == EventStatus.DRAFT:
            event.delete()
        elif event.status == EventStatus.PUBLISHED:
            event_cancel(actor=actor, event=event, reason=gettext("Date retirée de la série."))

    series.rrule = (rrule or series.rrule).strip()
    series.starts_at = dates[0]
    series.duration = duration
    series.time_zone = str(zone)
    series.title = changes.get("title", series.title)
    series.save()
    return series


# --- registrations ----------------------------------------------------------

def registration_refusal(event: Event, *, now: datetime | None = None,
                         by_organizer: bool = False) -> RegistrationClosed | None:
    """Why registering to ``event`` is refused at ``now`` (default: now), or None when it is open.

    The registration window's one home: ``registration_create`` raises it, and the event's page
    shows it in place of the form. An organizer adding someone by hand (``by_organizer``) is not
    held to the window, only to a published, not cancelled event.
    """
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return RegistrationClosed(_("L'événement est annulé : les inscriptions sont closes."))
    if event.status != EventStatus.PUBLISHED:
        return RegistrationClosed(_("L'événement n'est pas publié."))
    if by_organizer:
        return None
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationClosed(_("Les inscriptions ouvrent le %(when)s."),
                                  when=local_time(event.registration_opens_at, event.time_zone))
    if now >= event.registration_deadline:
        return RegistrationClosed(_("Les inscriptions sont closes depuis le %(when)s."),
                                  when=local_time(event.registration_deadline, event.time_zone))
    return None


@transaction.atomic
def registration_create(*, event: Event, person: Person | None = None, name: str = "",
                        email: str = "", added_by: Person | None = None) -> Registration:
    """Register a person (or a name and email) for an event: a seat if one is left, else the waitlist.

    The event row is locked, then seats are recounted from rows, so the
    capacity holds under any number of parallel registrations. ``added_by`` is an
    organizer of the event adding someone by hand: the registration window does
    not bind them (someone turns up at the door), the capacity and waitlist do.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    now = timezone.now()
    if added_by is not None:
        _check_can_organize(added_by, event)
    refusal = registration_refusal(event, now=now, by_organizer=added_by is not None)
    if refusal is not None:
        raise refusal
    if person is not None:
        email = person.email
        name = name or person.get_full_name()
    email = email.strip().lower()
    if not email or not name:
        raise ValidationError({"email" if not email else "name": _("Nom et adresse e-mail requis.")})
    active = event.registrations.filter(ACTIVE_REGISTRATION)
    if active.filter(email=email).exists() or (person and active.filter(person=person).exists()):
        raise AlreadyRegistered(field="email")

    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    registration = Registration(event=event, person=person, name=name, email=email,
                                email_confirmed_at=now if person else None)
    if event.capacity is None or confirmed < event.capacity:
        registration.status = RegistrationStatus.CONFIRMED
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.position = event.registrations.filter(status=RegistrationStatus.WAITLISTED).count() + 1
    registration.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:
        # Only reachable without the event lock (e.g. a raw insert): the partial unique index holds.
        raise AlreadyRegistered(field="email") from error
    messages.notify_registered(registration)
    reminders_sync(event=event, registrations=[registration])
    return registration


def _promote(event: Event) -> list[Registration]:
    """Fill free seats from the head of the waitlist; the caller holds the event lock."""
    if event.status == EventStatus.CANCELLED:
        return []
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("position")
    if event.capacity is not None:
        confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        free = event.capacity - confirmed
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting.select_related("person", "event"))
    if not promoted:
        return []
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
        status=RegistrationStatus.CONFIRMED, position=None, promoted_at=now)
    event.registrations.filter(status=RegistrationStatus.WAITLISTED).update(
        position=F("position") - len(promoted))
    for registration in promoted:
        registration.status, registration.position = RegistrationStatus.CONFIRMED, None
        messages.notify(registration, key=f"registration-promoted:{registration.id}",
                        kind="registration_promoted", subject=_("Une place s'est libérée"),
                        line=_("Une place s'est libérée : votre inscription est confirmée."),
                        attach_ics=True)
    reminders_sync(event=event, registrations=promoted)
    return promoted


def can_cancel_registration(actor: Person | None, registration: Registration) -> bool:
    if actor is not None and actor.is_authenticated and registration.person_id == actor.pk:
        return True
    return can_organize(actor, registration.event)


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: Person | None = None,
                        token: str | None = None) -> Registration:
    """Cancel a registration (its person, the event's organizers, or the secret link's holder).

    A freed seat goes to the head of the waitlist until the event starts (after
    that it is too late to come); a waitlist place moves the people behind it up.
    Cancelling twice changes nothing.
    """
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_related("person", "event").get(pk=registration.pk)
    if token is None and not can_cancel_registration(actor, registration):
        raise NotAllowed(_("Seuls la personne inscrite et les organisateur·rices annulent une inscription."))
    if token is not None and not secrets.compare_digest(token, registration.token):
        raise NotAllowed()
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    was, position = registration.status, registration.position
    registration.status, registration.position = RegistrationStatus.CANCELLED, None
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "position", "cancelled_at"])
    if was == RegistrationStatus.WAITLISTED:
        event.registrations.filter(status=RegistrationStatus.WAITLISTED, position__gt=position).update(
            position=F("position") - 1)
    messages.notify(registration, key=f"registration-cancelled:{registration.id}",
                    kind="registration_cancelled", subject=_("Inscription annulée"),
                    line=_("Votre inscription est annulée."))
    reminders_sync(event=event, registrations=[registration])
    if was == RegistrationStatus.CONFIRMED and registration.cancelled_at < event.starts_at:
        _promote(event)
    return registration


@transaction.atomic
def registration_confirm_email(*, token: str) -> Registration:
    """The secret link proves a guest's address (idempotent)."""
    registration = Registration.objects.select_for_update().get(token=token)
    if registration.email_confirmed_at is None:
        registration.email_confirmed_at = timezone.now()
        registration.save(update_fields=["email_confirmed_at"])
    return registration
