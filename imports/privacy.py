"""Imported agendas in a person's data export and erasure."""

from __future__ import annotations

from imports.models import Source
from network.models import Person
from network.privacy import moment


def export(person: Person) -> dict:
    """The agendas that synchronize in the person's name (they added or last changed them)."""
    return {"sources": [
        {"organization": s.organization.slug, "name": s.name, "kind": s.kind, "url": s.url,
         "file": s.upload_name, "created_at": moment(s.created_at)}
        for s in Source.objects.filter(owner=person).select_related("organization").order_by("id")
    ]}


def erase(person: Person) -> None:
    """Nothing to delete: an agenda belongs to its organization. Once the account is gone it
    stops synchronizing in that name (``owner`` becomes empty) and says so on its page, until
    another organizer saves its options."""
