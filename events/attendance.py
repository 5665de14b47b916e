"""Writes about an event's attendees, for its organizers: writing to registrants and the
door check-in. Adding someone by hand and cancelling go through ``events.services``
(``registration_create(added_by=…)``, ``registration_cancel``), the one home of the
capacity and waitlist rules.

Who may: the organizers (or admins) of the lead organization or of an accepted
co-organizer, like every other write on the event.

Attendance is exact under concurrency: a check-in locks the registration row
before reading ``checked_in_at``, so two phones scanning the same code at once
record one entry and the second one answers "already in".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from backend.codes import is_short_code, normalize_short_code
from events import messages
from events.messages import local_time
from events.models import Audience, Event, EventMessage, EventStatus, Registration, RegistrationStatus
from events.selectors import can_organize
from events.services import NotAllowed
from network.models import Person

# Messages an event's organizers may send in any 24 hours: enough for a change of
# room, a reminder to bring something and a thank-you; not a newsletter.
MESSAGES_PER_DAY = 5
MESSAGE_WINDOW = timedelta(hours=24)


class MessageLimit(DomainError):
    status = 429
    code = "message_limit"
    message = _("%(limit)s messages par 24 heures au plus pour un événement : le prochain pourra partir "
                "le %(when)s.")


class NoRecipient(DomainError):
    code = "no_recipient"
    message = _("Personne à qui écrire : aucune inscription dans « %(audience)s ».")


class CheckInRefused(DomainError):
    """The door refuses a code; ``code`` says why."""


class UnknownCode(CheckInRefused):
    status = 404
    code = "unknown_code"
    message = _("Code inconnu : aucune inscription ne porte le code %(code)s.")


class WrongEvent(CheckInRefused):
    code = "wrong_event"
    message = _("Ce code est celui d'un autre événement : « %(title)s », le %(when)s.")


class RegistrationCancelledRefused(CheckInRefused):
    code = "registration_cancelled"
    message = _("Inscription annulée le %(when)s : %(name)s n'a plus de place.")


class WaitlistedRefused(CheckInRefused):
    code = "waitlisted"
    message = _("%(name)s est en liste d'attente (n° %(position)s) : pas de place confirmée.")


class EventCancelledRefused(CheckInRefused):
    code = "event_cancelled"
    message = _("L'événement est annulé.")


def _check_can_organize(actor: Person | None, event: Event) -> None:
    if not can_organize(actor, event):
        raise NotAllowed(_("Réservé aux organisateur·rices de l'événement."))


# --- writing to registrants ------------------------------------------------------

def _content_key(audience: str, subject: str, body: str) -> str:
    return hashlib.sha256("\x00".join([audience, subject, body]).encode()).hexdigest()[:32]


@transaction.atomic
def registrants_write(*, actor: Person, event: Event, audience: str, subject: str, body: str,
                      key: str = "") -> tuple[EventMessage, bool]:
    """Write to the event's registrants: confirmed, waitlisted or all active ones.

    Each recipient's email is an outbox row with a stable key, sent once. ``key``
    identifies the submission (the form's, or the API caller's); without one, the
    same text to the same audience is the same message. Submitting a key again
    returns the message already recorded and ``False``.

    Raises ``NotAllowed``, ``MessageLimit`` (429), ``NoRecipient`` or a
    ``ValidationError`` naming the field.
    """
    # The event row serializes submissions: a double click finds the first one's row.
    event = Event.objects.select_for_update(of=("self",)).select_related("organization").get(pk=event.pk)
    _check_can_organize(actor, event)
    subject, body = (subject or "").strip(), (body or "").strip()
    key = key or _content_key(audience, subject, body)
    existing = EventMessage.objects.filter(event=event, key=key).first()
    if existing is not None:
        return existing, False
    message = EventMessage(event=event, audience=audience, subject=subject, body=body, key=key,
                           sent_by=actor)
    message.full_clean(exclude=["event", "sent_by"])
    now = timezone.now()
    recent = list(event.messages.filter(created_at__gt=now - MESSAGE_WINDOW)
                  .order_by("created_at").values_list("created_at", flat=True))
    if len(recent) >= MESSAGES_PER_DAY:
        raise MessageLimit(limit=MESSAGES_PER_DAY,
                           when=local_time(recent[0] + MESSAGE_WINDOW, event.time_zone))
    statuses = {
        Audience.CONFIRMED: [RegistrationStatus.CONFIRMED],
        Audience.WAITLISTED: [RegistrationStatus.WAITLISTED],
        Audience.ALL: [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
    }[Audience(audience)]
    registrations = list(event.registrations.filter(status__in=statuses)
                         .select_related("person", "event__room__space").order_by("id"))
    if not registrations:
        raise NoRecipient(field="audience", audience=Audience(audience).label)
    message.recipients = len(registrations)
    message.save()
    messages.organizer_message(message, registrations)
    return message, True


# --- door check-in ------------------------------------------------------------------

@dataclass(frozen=True)
class DoorEntry:
    """What the door shows: whose code it was, and whether this scan let them in."""

    registration: Registration
    first_time: bool

    @property
    def at(self) -> datetime:
        assert self.registration.checked_in_at is not None
        return self.registration.checked_in_at


def code_clean(code: str) -> str:
    """A typed or scanned entry code, normalized; a ``ValidationError`` on ``code`` otherwise."""
    code = normalize_short_code(code or "")
    if not is_short_code(code):
        raise ValidationError({"code": _("Code mal formé : 8 lettres et chiffres, comme sur la "
                                         "confirmation d'inscription.")})
    return code


@transaction.atomic
def registration_check_in(*, actor: Person, event: Event, code: str) -> DoorEntry:
    """Mark the holder of ``code`` present at ``event``; a second scan changes nothing.

    Refusals name the reason: ``UnknownCode``, ``WrongEvent``, ``EventCancelledRefused``,
    ``RegistrationCancelledRefused``, ``WaitlistedRefused``.
    """
    _check_can_organize(actor, event)
    code = code_clean(code)
    registration = (Registration.objects.select_for_update(of=("self",)).select_related("event")
                    .filter(code=code).first())
    if registration is None:
        raise UnknownCode(field="code", code=code)
    other = registration.event
    if other.pk != event.pk:
        raise WrongEvent(field="code", title=other.title, when=local_time(other.starts_at, other.time_zone))
    if other.status == EventStatus.CANCELLED:
        raise EventCancelledRefused(field="code")
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationCancelledRefused(field="code", name=registration.name, when=local_time(
            registration.cancelled_at or timezone.now(), event.time_zone))
    if registration.status == RegistrationStatus.WAITLISTED:
        raise WaitlistedRefused(field="code", name=registration.name, position=registration.position)
    if registration.checked_in_at is not None:
        return DoorEntry(registration=registration, first_time=False)
    registration.checked_in_at, registration.checked_in_by = timezone.now(), actor
    registration.save(update_fields=["checked_in_at", "checked_in_by"])
    return DoorEntry(registration=registration, first_time=True)


@transaction.atomic
def registration_check_in_undo(*, actor: Person, event: Event, code: str) -> Registration:
    """Take back an entry recorded by mistake (the wrong line read out, the wrong QR code);
    the code may then be checked in again. Taking back twice changes nothing."""
    _check_can_organize(actor, event)
    code = code_clean(code)
    registration = (Registration.objects.select_for_update(of=("self",))
                    .filter(code=code, event=event).first())
    if registration is None:
        raise UnknownCode(field="code", code=code)
    if registration.checked_in_at is not None:
        registration.checked_in_at, registration.checked_in_by = None, None
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
    return registration
