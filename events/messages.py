"""The emails of shared events, written in each recipient's language.

Every function records its message in the outbox (``worker/outbox.py``) inside
the caller's transaction, under a deterministic key: a retried or repeated
change records each message once, and its Message-ID is stable. The outbox adds
the HTML part and, for non-essential notices, the one-click unsubscribe link.

A message to a registrant carries the registration it is about (``depends_on``).
Reminders and "a seat is free" notices are checked again just before they are
sent (the conditions at the end of this module): one whose registration or event
changed meanwhile is dropped unsent, with the reason on its row.
"""

from __future__ import annotations

import base64
import io
import zoneinfo
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.links import absolute_url
from events.models import (
    ACTIVE_REGISTRATION,
    CoOrganization,
    CoOrganizationStatus,
    Event,
    EventMessage,
    EventStatus,
    Moderation,
    Registration,
    RegistrationStatus,
    Reminder,
)
from feeds.sources import single_event
from network.models import Membership, Person, Role
from worker.models import Message
from worker.outbox import message_condition, message_prepare, message_record, messages_record_many


def local_time(moment: datetime, zone_name: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name)).strftime("%d/%m/%Y %H:%M")


def registration_link(registration: Registration) -> str:
    """The page of the secret link: see, confirm or cancel without an account."""
    return settings.SITE_URL + reverse("web:registration", args=[registration.token])


def _language(registration: Registration) -> str:
    return registration.person.language if registration.person is not None else "fr"


def _place(event: Event) -> str:
    if event.room is not None:
        return f"{event.room.name}, {event.room.space.name}"
    return event.address or event.online_url


def _event_lines(event: Event) -> list[str]:
    lines = [gettext("« %(title)s », le %(when)s.") % {
        "title": event.title, "when": local_time(event.starts_at, event.time_zone)}]
    if place := _place(event):
        lines.append(gettext("Lieu : %(place)s") % {"place": place})
    lines.append(absolute_url(event.get_absolute_url()))
    return lines


def _ics_attachment(event: Event) -> list[dict]:
    content = single_event(str(event.pk))
    if content is None:
        return []
    return [{"filename": f"{event.slug}.ics", "content": content.document().decode(),
             "mimetype": "text/calendar"}]


def _entry_qr_attachment(registration: Registration) -> dict:
    """The entry code as a QR code picture, to show at the door from the phone."""
    buffer = io.BytesIO()
    segno.make(registration.code, error="m", micro=False).save(buffer, kind="png", scale=8, border=3)
    return {"filename": f"entree-{registration.code}.png", "mimetype": "image/png", "encoding": "base64",
            "content": base64.b64encode(buffer.getvalue()).decode()}


def notify(registration: Registration, *, key: str, kind: str, subject: Promise, line: Promise,
           attach_ics: bool = False, **params: Any) -> None:
    """Record one message to a registrant (``subject`` and ``line`` are lazy, translated here).

    A message with the event attached (a seat is confirmed) also carries the entry code.
    """
    event = registration.event
    language = _language(registration)
    with translation.override(language):
        parts = [
            gettext("Bonjour %(name)s,") % {"name": registration.name},
            str(line) % params if params else str(line),
            "\n".join(_event_lines(event)),
        ]
        if attach_ics:
            parts.append(gettext("Votre code d'entrée : %(code)s. Présentez-le à l'accueil, ou son QR code "
                                 "(joint, et sur la page de votre inscription).")
                         % {"code": registration.code})
        parts.append(gettext("Voir ou annuler votre inscription : %(link)s") % {
            "link": registration_link(registration)})
        body = "\n\n".join(parts)
        message_record(key=key, kind=kind, to=registration.email, language=language,
                       subject=f"{subject} — {event.title}", body_text=body,
                       attachments=[*_ics_attachment(event), _entry_qr_attachment(registration)]
                       if attach_ics else None,
                       depends_on={"registration": registration.id})


def notify_registered(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        notify(registration, key=f"registration-confirmed:{registration.id}",
               kind="registration_confirmed", subject=_("Inscription confirmée"),
               line=_("Votre inscription est confirmée. L'événement est joint pour votre agenda."),
               attach_ics=True)
    else:
        notify(registration, key=f"registration-waitlisted:{registration.id}",
               kind="registration_waitlisted", subject=_("Liste d'attente"),
               line=_("L'événement est complet : vous êtes n° %(position)s en liste d'attente."),
               position=registration.position)


def notify_all(event: Event, *, key: str, kind: str, subject: Promise, line: Promise, **params: Any) -> None:
    """The same notice to every active registrant of ``event``."""
    registrations = event.registrations.filter(ACTIVE_REGISTRATION).select_related(
        "person", "event__room__space")
    for registration in registrations:
        notify(registration, key=f"{key}:{registration.id}", kind=kind, subject=subject, line=line,
               **params)


def organizer_message(message: EventMessage, registrations: list[Registration]) -> None:
    """Record what the organizers wrote, once per registrant, in one statement.

    Essential (no unsubscribe link): it is about an event the person registered for.
    A registration cancelled before its copy leaves drops that copy.
    """
    event = message.event
    sender = message.sent_by.get_full_name() if message.sent_by else ""
    prepared = []
    for registration in registrations:
        language = _language(registration)
        with translation.override(language):
            signature = gettext("%(name)s, pour %(organization)s") if sender else "%(organization)s"
            signature %= {"name": sender, "organization": event.organization.name}
            body = "\n\n".join([
                gettext("Bonjour %(name)s,") % {"name": registration.name},
                message.body,
                f"— {signature}",
                gettext("Vous recevez ce message des organisateur·rices de l'événement, auquel vous êtes "
                        "inscrit·e :"),
                "\n".join(_event_lines(event)),
                gettext("Voir ou annuler votre inscription : %(link)s") % {
                    "link": registration_link(registration)},
            ])
            prepared.append(message_prepare(
                key=f"event-message:{message.id}:{registration.id}", kind="event_message",
                to=registration.email, language=language, subject=f"{message.subject} — {event.title}",
                body_text=body, depends_on={"registration": registration.id}))
    messages_record_many(prepared)


def _organizers_of(organization_ids) -> list[Person]:
    """The active organizers and admins of these organizations, each once."""
    people = {m.person for m in Membership.objects.filter(
        Q(role=Role.ORGANIZER) | Q(role=Role.ADMIN), organization_id__in=organization_ids,
        person__is_active=True).select_related("person")}
    return sorted(people, key=lambda p: p.pk)


def edit_link(event: Event) -> str:
    """The event's edit page: where its organizers act on a message about it."""
    return absolute_url(reverse("web:event-edit", kwargs={"slug": event.slug}))


def campaign_decision(event: Event) -> None:
    """Tell the event's organizers (lead and co-organizing structures) what the coordinator
    decided, with a link to the edit page (editing a refused event submits it again). A
    service message: no unsubscribe link."""
    organizations = [event.organization_id, *event.co_organizers.values_list("id", flat=True)]
    approved = event.moderation == Moderation.APPROVED
    stamp = f"{event.moderated_at:%Y%m%dT%H%M%S%f}"
    campaign = event.campaign
    assert campaign is not None, "only a campaign's events are moderated"
    for person in _organizers_of(organizations):
        with translation.override(person.language):
            if approved:
                subject = gettext("Événement approuvé pour « %(campaign)s »")
                line = gettext("« %(title)s » est approuvé : il porte le label %(label)s.")
            else:
                subject = gettext("Événement refusé pour « %(campaign)s »")
                line = gettext("« %(title)s » n'est pas retenu dans la campagne.")
            values = {"campaign": campaign.title, "title": event.title,
                      "label": campaign.label or campaign.title}
            parts = [gettext("Bonjour,"), line % values]
            if event.moderation_comment:
                parts.append(gettext("Commentaire de la coordination : %(comment)s")
                             % {"comment": event.moderation_comment})
            if approved:
                parts.append(gettext("Voir ou modifier l'événement : %(link)s") % {"link": edit_link(event)})
            else:
                parts.append(gettext("Modifiez l'événement pour le proposer à nouveau : %(link)s")
                             % {"link": edit_link(event)})
            message_record(key=f"campaign-decision:{event.id}:{stamp}:{person.pk}", kind="campaign_decision",
                           to=person.email, language=person.language, subject=subject % values,
                           body_text="\n\n".join(parts))


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M%S%f}"


def co_organization_requested(request: CoOrganization) -> None:
    """Ask the invited organization's organizers and admins to accept or decline.

    The dates of a series make one request to a person: every date's message has the
    key of the series' first pending request for that organization.
    """
    event = request.event
    anchor = request
    if event.series_id:
        anchor = CoOrganization.objects.filter(
            event__series_id=event.series_id, organization_id=request.organization_id,
            status=CoOrganizationStatus.PENDING).order_by("id").first() or request
    lead, invited = event.organization, request.organization
    for person in _organizers_of([invited.pk]):
        with translation.override(person.language):
            values = {"lead": lead.name, "invited": invited.name, "title": event.title}
            parts = [gettext("Bonjour,"),
                     gettext("%(lead)s propose à %(invited)s de co-organiser « %(title)s ».") % values,
                     "\n".join(_event_lines(event))]
            if event.series_id:
                parts.append(gettext("C'est une date d'une série : votre réponse vaut pour toutes ses "
                                     "dates à venir."))
            parts += [gettext("Tant que vous n'avez pas accepté, %(invited)s n'est pas co-organisatrice : "
                              "aucun droit sur l'événement, et son nom n'y apparaît pas.") % values,
                      gettext("Accepter ou décliner : %(link)s") % {
                          "link": absolute_url(reverse("web:co-organizations"))}]
            message_record(
                key=f"co-organization-request:{anchor.pk}:{_stamp(anchor.requested_at)}:{person.pk}",
                kind="co_organization_request", to=person.email, language=person.language,
                subject=gettext("Demande de co-organisation : « %(title)s »") % values,
                body_text="\n\n".join(parts))


def co_organization_decided(request: CoOrganization, *, dates: int = 1) -> None:
    """Tell the lead organization's organizers and admins what the invited organization answered
    (a service message about their own event: no unsubscribe link), linking to the edit page."""
    decided_at = request.decided_at
    assert decided_at is not None, "an answered request carries the time of its answer"
    event = request.event
    accepted = request.status == CoOrganizationStatus.ACCEPTED
    for person in _organizers_of([event.organization_id]):
        with translation.override(person.language):
            values = {"invited": request.organization.name, "title": event.title, "count": dates}
            if accepted:
                subject = gettext("%(invited)s co-organise « %(title)s »")
                line = gettext("%(invited)s accepte de co-organiser « %(title)s ».")
            else:
                subject = gettext("%(invited)s ne co-organise pas « %(title)s »")
                line = gettext("%(invited)s décline la co-organisation de « %(title)s » : son nom n'y "
                               "apparaît pas et elle n'a aucun droit sur l'événement.")
            parts = [gettext("Bonjour,"), line % values]
            if dates > 1:
                parts.append(gettext("Cette réponse vaut pour les %(count)s dates à venir de la série.")
                             % values)
            parts.append(gettext("Voir l'événement et les réponses des structures invitées : %(link)s")
                         % {"link": edit_link(event)})
            message_record(
                key=f"co-organization-decision:{request.pk}:{_stamp(decided_at)}:{person.pk}",
                kind="co_organization_decision", to=person.email, language=person.language,
                subject=subject % values, body_text="\n\n".join(parts))


def reminder_message(reminder: Reminder) -> Message:
    """The unsaved message of a due reminder (the scan records them in bulk).

    The key holds the event's ``sequence``: a reminder sent, then due again because
    the event moved, is a new message; the same due reminder is always the same one.
    """
    registration = reminder.registration
    event = registration.event
    language = _language(registration)
    zone = event.zone
    local = event.starts_at.astimezone(zone)
    days = (local.date() - timezone.now().astimezone(zone).date()).days
    with translation.override(language):
        if days == 0:
            soon = gettext("Rappel : « %(title)s » aujourd'hui à %(time)s")
        elif days == 1:
            soon = gettext("Rappel : « %(title)s » demain à %(time)s")
        else:
            soon = gettext("Rappel : « %(title)s » le %(when)s")
        subject = soon % {"title": event.title, "when": date_format(local.date(), "DATE_FORMAT"),
                          "time": date_format(local, "TIME_FORMAT")}
        body = "\n\n".join([
            gettext("Bonjour %(name)s,") % {"name": registration.name},
            gettext("Vous êtes inscrit·e à cet événement :"),
            "\n".join(_event_lines(event)),
            gettext("Un empêchement ? Libérez votre place pour la liste d'attente : %(link)s")
            % {"link": registration_link(registration)},
        ])
        return message_prepare(
            key=f"reminder:{reminder.id}:{event.sequence}", kind="event_reminder",
            to=registration.email, language=language, subject=subject, body_text=body,
            essential=False, depends_on={"registration": registration.id, "sequence": event.sequence})


def reminder_lapse(registration: Registration, *, now: datetime) -> str:
    """Why a reminder of ``registration`` no longer applies at ``now``, or "". The scan that
    records reminders and the outbox that sends them both ask."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return gettext("l'inscription n'est plus confirmée")
    if registration.event.status != EventStatus.PUBLISHED:
        return gettext("l'événement n'est plus publié")
    if registration.event.starts_at <= now:
        return gettext("l'événement a commencé")
    return ""


def _registration(message: Message) -> Registration | None:
    return (Registration.objects.select_related("event")
            .filter(id=message.depends_on.get("registration")).first())


@message_condition("event_reminder")
def _reminder_applies(message: Message) -> str:
    registration = _registration(message)
    if registration is None:
        return gettext("l'inscription n'existe plus")
    if reason := reminder_lapse(registration, now=timezone.now()):
        return reason
    if registration.event.sequence != message.depends_on.get("sequence"):
        # Its date, place or status changed: the text is out of date (a new reminder follows).
        return gettext("l'événement a changé depuis")
    return ""


@message_condition("registration_promoted")
def _promotion_applies(message: Message) -> str:
    registration = _registration(message)
    if registration is None:
        return gettext("l'inscription n'existe plus")
    if registration.status != RegistrationStatus.CONFIRMED:
        return gettext("l'inscription n'est plus confirmée")
    if registration.event.status == EventStatus.CANCELLED:
        return gettext("l'événement est annulé")
    return ""


@message_condition("event_message")
def _organizer_message_applies(message: Message) -> str:
    registration = _registration(message)
    if registration is None:
        return gettext("l'inscription n'existe plus")
    if registration.status == RegistrationStatus.CANCELLED:
        return gettext("l'inscription est annulée")
    return ""
