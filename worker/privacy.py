"""Messages in a person's data export and erasure."""

from __future__ import annotations

from network.models import Person
from worker.models import Message


def export(person: Person) -> dict:
    return {
        "messages": [
            {"kind": m.kind, "subject": m.subject, "created_at": m.created_at.isoformat(),
             "sent_at": m.sent_at.isoformat() if m.sent_at else None}
            for m in Message.objects.filter(to__iexact=person.email)
        ]
    }


def erase(person: Person) -> None:
    """Messages hold the address and the text sent: none is kept, sent or not."""
    Message.objects.filter(to__iexact=person.email).delete()
