"""Registrations (and a coordinator's moderation decisions) in a person's data export and erasure."""

from __future__ import annotations

from django.utils import timezone

from events import services
from events.models import ACTIVE_REGISTRATION, EventMessage, ModerationDecision, Registration
from network.models import Person
from network.privacy import moment

ERASED_NAME = "Personne supprimée"


def export(person: Person) -> dict:
    return {
        "registrations": [
            {"event": r.event.title, "starts_at": moment(r.event.starts_at, r.event.zone), "name": r.name,
             "email": r.email, "status": r.status, "position": r.position, "entry_code": r.code,
             "registered_at": moment(r.created_at),
             "checked_in_at": moment(r.checked_in_at, r.event.zone)}
            for r in Registration.objects.filter(person=person).select_related("event")
        ],
        # As an organizer: what they wrote to registrants (it stays, without the name, once the
        # account goes: the registrants received it).
        "messages_to_registrants": [
            {"event": m.event.title, "audience": m.audience, "subject": m.subject, "body": m.body,
             "recipients": m.recipients, "sent_at": moment(m.created_at)}
            for m in EventMessage.objects.filter(sent_by=person).select_related("event")
        ],
        # As a coordinator: the decisions taken (they stay, without the name, once the account goes).
        "moderation_decisions": [
            {"event": d.event.title, "campaign": d.campaign.title, "decision": d.decision,
             "comment": d.comment, "decided_at": moment(d.decided_at)}
            for d in ModerationDecision.objects.filter(decided_by=person).select_related("event", "campaign")
        ],
    }


def erase(person: Person) -> None:
    """Cancel upcoming registrations (seats go to the waitlist), then keep every
    registration only as an anonymous line: organizers' attendance counts stay right."""
    upcoming = Registration.objects.filter(ACTIVE_REGISTRATION, person=person,
                                           event__starts_at__gt=timezone.now())
    for registration in upcoming:
        services.registration_cancel(registration=registration, actor=person)
    for registration in Registration.objects.filter(person=person):
        registration.person = None
        registration.name = ERASED_NAME
        registration.email = f"supprime-{registration.pk}@invalid.example"
        registration.save(update_fields=["person", "name", "email"])
