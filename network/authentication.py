"""How API callers prove who they are."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from network.models import Person


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, reading the person in one plain query.

    It runs on every authenticated API call; building the token-and-person join
    through the ORM cost twice the query itself, and a third of a desk check-in.
    """

    def authenticate_credentials(self, key):
        fields = Person._meta.concrete_fields
        columns = ", ".join(f"p.{connection.ops.quote_name(field.column)}" for field in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {Person._meta.db_table} p "  # noqa: S608 - names from the models
                f"JOIN {Token._meta.db_table} t ON t.user_id = p.id WHERE t.key = %s",
                [key],
            )
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide."))
        person = Person.from_db(connection.alias, [field.attname for field in fields], row)
        if not person.is_active:
            raise exceptions.AuthenticationFailed(_("Compte inactif ou supprimé."))
        return person, Token(key=key, user=person)
