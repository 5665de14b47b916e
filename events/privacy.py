"""Registrations (and a coordinator's moderation decisions) in a person's data export and erasure."""

from __future__ import annotations

from django.utils import timezone

from events import services
from events.models import ACTIVE_REGISTRATION, ModerationDecision, Registration
from network.models import Person
from network.privacy import moment

ERASED_NAME = "Personne supprimée"


def export(person: Person) -> dict:
    return {
        "registrations": [
            {"event": r.event.title, "starts_at": moment(r.event.starts_at, r.event.zone), "name": r.name,
             "email": r.email, "status": r.status, "position": r.position,
             "registered_at": moment(r.created_at)}
            for r in Registration.objects.filter(person=person).select_related("event")
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
