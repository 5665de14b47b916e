"""The secrets of the links sent by email.

Verification and password-reset links use Django's token generator: a link names the account
(``uid``) and carries an HMAC of its state and the time it was made. Nothing is stored; a link
expires after ``PASSWORD_RESET_TIMEOUT`` seconds and serves once, because what it signs changes
when it is used (the address becomes verified; the password hash changes). Invitation links
carry a random secret of which only the SHA-256 is kept.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from network.models import Person


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Person, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"


verification_tokens = EmailVerificationTokenGenerator()
reset_tokens = default_token_generator


def uid_for(person: Person) -> str:
    return urlsafe_base64_encode(force_bytes(person.pk))


def person_for_link(uid: str, token: str, generator: PasswordResetTokenGenerator) -> Person | None:
    """The active person a link was made for, or None when the link is unknown, used or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        return None
    person = Person.objects.filter(pk=pk, is_active=True).first()
    if person is None or not generator.check_token(person, token):
        return None
    return person


def new_secret() -> tuple[str, str]:
    """A random link secret and the hash that is stored."""
    secret = secrets.token_urlsafe(32)
    return secret, secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
