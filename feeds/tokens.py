"""Personal feed tokens: 256 random bits, stored as SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction

from feeds.models import CalendarToken
from network.models import Person


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_regenerate(*, person: Person) -> str:
    """Give ``person`` a new private feed token; the previous URL stops working at once.

    The clear token is returned once and never stored.
    """
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(person=person, defaults={"digest": _digest(token)})
    return token


def calendar_token_revoke(*, person: Person) -> None:
    CalendarToken.objects.filter(person=person).delete()


def person_for_calendar_token(token: str) -> Person | None:
    """The person whose private feed ``token`` opens, or None."""
    if not token or len(token) > 100:
        return None
    digest = _digest(token)
    row = CalendarToken.objects.select_related("person").filter(digest=digest).first()
    if row is None or not hmac.compare_digest(row.digest, digest) or not row.person.is_active:
        return None
    return row.person
