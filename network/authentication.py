"""How API callers prove who they are."""

from __future__ import annotations

import functools

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from backend import prepared, rows
from network.models import Person

# What an API call never reads of its caller: left deferred (read if ever asked for), since
# loading them cost a sixth of the token's read (two time stamps and the password hash).
UNREAD = frozenset({"password", "last_login", "date_joined"})

# Why a token is refused, by the names that network_token_person (migration 0002) gives.
REFUSALS = {
    "unknown_token": _("Jeton invalide."),
    "inactive_person": _("Compte inactif ou supprimé."),
}


@functools.cache
def person_by_token() -> str:
    """The query reading a token's person (written once per process)."""
    return (f"SELECT {rows.select(Person, 'p', UNREAD)} FROM {Person._meta.db_table} p "  # noqa: S608
            f"JOIN {Token._meta.db_table} t ON t.user_id = p.id WHERE t.key = %s")


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, reading the person in one plain query.

    It runs on every authenticated API call; building the token-and-person join
    through the ORM cost twice the query itself, and a third of a desk check-in.
    """

    def authenticate_credentials(self, key):
        row = prepared.row("essaim_person_by_token", person_by_token(), [key])
        if row is None:
            raise refused("unknown_token")
        person = rows.instance(Person, row, UNREAD)
        if not person.is_active:
            raise refused("inactive_person")
        token = rows.partial(Token, key=key, user_id=person.id)
        token.user = person
        return person, token

    @classmethod
    def key_of(cls, request) -> str | None:
        """The key of a well-formed ``Token`` header; None for any other header (or none),
        which :meth:`authenticate` answers as DRF does."""
        words = authentication.get_authorization_header(request).split()
        if len(words) != 2 or words[0].lower() != cls.keyword.lower().encode():
            return None
        try:
            return words[1].decode()
        except UnicodeError:
            return None


def refused(reason: str) -> exceptions.AuthenticationFailed:
    """The 401 for a token refused for ``reason`` (a key of :data:`REFUSALS`)."""
    return exceptions.AuthenticationFailed(REFUSALS[reason])

