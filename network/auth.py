"""Who is asking: the person behind a request, typed for the views and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from network.models import Person


def signed_in(request: HttpRequest | Request) -> Person:
    """The signed-in person, for views behind a sign-in (``login_required``,
    ``IsAuthenticated``): an anonymous visitor never gets this far, and is refused if one does."""
    user = request.user
    if not isinstance(user, Person):
        raise PermissionDenied
    return user


def viewer(request: HttpRequest | Request) -> Person | None:
    """The signed-in person, or None for an anonymous visitor (the selectors' "nobody")."""
    user = request.user
    return user if isinstance(user, Person) else None
