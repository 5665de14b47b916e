"""Messages in a person's data export and erasure."""

from __future__ import annotations

from network.models import Person
from network.privacy import moment
from worker.models import Message


def export(person: Person) -> dict:
    return {
        "messages": [
            {"kind": m.kind, "subject": m.subject, "created_at": moment(m.created_at),
             "sent_at": moment(m.sent_at)}
            for m in Message.objects.filter(to__iexact=person.email)
        ]
    }


def erase(person: Person) -> None:
    """Messages hold the address and the text sent: none is kept, sent or not."""
    Message.objects.filter(to__iexact=person.email).delete()
