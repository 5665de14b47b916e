"""The outbox: recording messages, and the one way they are sent.

Apps call :func:`message_record` inside the transaction of the change that calls
for a message. The worker's tasks (``worker/tasks.py``) claim due rows and call
:func:`message_deliver`.

Delivery is at least once, never knowingly twice: a row is claimed with a
conditional UPDATE before it is sent and marked sent right after, so two workers
never send the same row; only a worker killed between the SMTP server accepting
a message and the UPDATE that marks it leaves a message that is sent again. The
Message-ID is derived from the key, so such a copy carries the same Message-ID
and receiving servers and clients can drop it.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import suppress
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from backend.text import one_line
from worker.models import Message, NotificationPreference

logger = logging.getLogger(__name__)

# After this many failed attempts a message stays unsent for a person to look at (admin,
# /healthz "abandoned"); with the backoff below that is about two days of retries.
MAX_ATTEMPTS = 48
BACKOFF_MAX = timedelta(hours=1)
UNSUBSCRIBE_SALT = "worker.unsubscribe"


def message_prepare(
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str = "fr",
    attachments: list[dict] | None = None,
    essential: bool = True,
) -> Message:
    """An unsaved message, complete: its HTML part (from the text unless given) and, when
    not ``essential``, the one-click link to stop such notices in both parts.

    ``key`` identifies the message for good (e.g. ``registration-confirmed:42``).
    ``attachments`` are ``{"filename", "content", "mimetype"}`` dicts (text content).
    """
    stop = "" if essential else unsubscribe_url(to)
    with translation.override(language):
        body_html = body_html or render_to_string("worker/email.html", {
            "subject": subject, "body": body_text, "language": language, "unsubscribe_url": stop})
        if stop:
            body_text += "\n\n-- \n" + gettext(
                "Ne plus recevoir ces avis (rappels, décisions…) : %(link)s") % {"link": stop}
    return Message(key=key, kind=kind, to=to, subject=one_line(subject)[:300], body_text=body_text,
                   body_html=body_html, language=language, attachments=attachments or [],
                   essential=essential)


def message_record(*, wake: bool = True, **fields) -> Message:
    """Record a message to send (see :func:`message_prepare` for ``fields``), inside the
    caller's transaction. Recording the same key again returns the existing row and
    sends nothing more.

    After the commit, one task sends the message at once. When recording many
    (due reminders, a notice to every registrant), use :func:`messages_record_many`:
    one task per message is the slow way to send thousands.
    """
    prepared = message_prepare(**fields)
    message, created = Message.objects.get_or_create(
        key=prepared.key,
        defaults={name: getattr(prepared, name) for name in (
            "kind", "to", "subject", "body_text", "body_html", "language", "attachments", "essential")},
    )
    if created and wake:
        transaction.on_commit(lambda: _wake_worker(message.id))
    return message


def messages_record_many(messages: list[Message]) -> None:
    """Record prepared messages in one statement, skipping keys already recorded, and
    wake one scan after the commit (which spreads the batch over the free workers)."""
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    outbox_wake()


def _wake_worker(message_id: int) -> None:
    """Ask the worker to send now; if the broker is down the periodic scan sends it later."""
    from worker.tasks import wake_for_message

    wake_for_message(message_id)


def outbox_wake() -> None:
    """After the commit, send every due message with a scan (which spreads a backlog over
    the free worker processes); if the broker is down the periodic scan does it later."""
    from worker.tasks import wake_for_scan

    transaction.on_commit(wake_for_scan)


def _due(now) -> Q:
    return Q(sent_at=None, attempts__lt=MAX_ATTEMPTS) & (Q(claimed_until=None) | Q(claimed_until__lt=now))


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def message_claim(*, message_id: int) -> bool:
    """Claim one due message for this worker; False when it is sent, failing, or
    being sent by someone else (the conditional UPDATE matched no row)."""
    now = timezone.now()
    return bool(Message.objects.filter(_due(now), id=message_id).update(claimed_until=now + _lease()))


def messages_claim_due(*, limit: int) -> list[int]:
    """Claim up to ``limit`` due messages, oldest first, skipping rows another scan
    has locked, and return their ids."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Message.objects.filter(_due(now)).order_by("created_at", "id")
            .select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
        )
        Message.objects.filter(id__in=ids).update(claimed_until=now + _lease())
    return ids


def messages_release(*, message_ids: list[int]) -> None:
    """Give back claims this worker will not use, so the next scan sends them at once."""
    Message.objects.filter(id__in=message_ids, sent_at=None).update(claimed_until=None)


def message_id_header(message: Message) -> str:
    """The Message-ID, the same for every copy of a message (derived from its key)."""
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    return f"<{digest}@{urlsplit(settings.SITE_URL).hostname or 'essaim.localhost'}>"


def unsubscribe_url(email: str) -> str:
    """The one-click link for ``email``: signed, without expiry (old messages keep working),
    and the same for every message to that address."""
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(email.lower())
    return settings.SITE_URL + reverse("notifications-unsubscribe", args=[token])


def unsubscribe_email(token: str) -> str:
    """The address an unsubscribe token was made for; raises ``signing.BadSignature``."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)


def notifications_stop(*, email: str) -> NotificationPreference:
    """Stop non-essential notices to ``email``; essential messages still go out."""
    preference, _ = NotificationPreference.objects.update_or_create(
        email=email.lower(), defaults={"non_essential": False}
    )
    return preference


def _build(message: Message, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id_header(message)}
    if not message.essential:
        # RFC 8058 one-click: mail providers POST to the link themselves.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(message.to)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=one_line(message.subject), body=message.body_text, to=[message.to],
        headers=headers, connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"],
                     attachment.get("mimetype") or "application/octet-stream")
    return email


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), BACKOFF_MAX)


def message_deliver(*, message: Message, connection: BaseEmailBackend) -> bool:
    """Send a message this worker has claimed and record the outcome; True when sent.

    ``connection`` is reused across calls (one SMTP session per scan batch). A failure
    is kept on the row (``attempts``, ``last_error``) and the claim becomes the backoff
    before the next try, which the periodic scan makes.
    """
    if not message.essential and NotificationPreference.objects.filter(
        email=message.to.lower(), non_essential=False
    ).exists():
        Message.objects.filter(id=message.id).update(
            sent_at=timezone.now(), suppressed=True, claimed_until=None
        )
        return False
    try:
        connection.open()  # no-op while the session of a previous message is still open
        _build(message, connection).send()
    except Exception as exc:  # whatever the backend raises, the row keeps it and is retried
        with suppress(Exception):
            connection.close()  # reopened by the next message
        attempts = message.attempts + 1
        Message.objects.filter(id=message.id).update(
            attempts=F("attempts") + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
            claimed_until=timezone.now() + _backoff(attempts),
        )
        logger.warning("outbox: message %s failed (attempt %s): %s", message.id, attempts, exc)
        return False
    Message.objects.filter(id=message.id).update(sent_at=timezone.now(), claimed_until=None)
    return True


def outbox_stats() -> dict:
    """Queue depth for /healthz: unsent messages still tried, the age in seconds of the
    oldest of them, and those abandoned after ``MAX_ATTEMPTS``."""
    now = timezone.now()
    stats = Message.objects.filter(sent_at=None).aggregate(
        unsent=Count("id", filter=Q(attempts__lt=MAX_ATTEMPTS)),
        oldest=Min("created_at", filter=Q(attempts__lt=MAX_ATTEMPTS)),
        abandoned=Count("id", filter=Q(attempts__gte=MAX_ATTEMPTS)),
    )
    oldest = stats.pop("oldest")
    stats["oldest_unsent_seconds"] = round((now - oldest).total_seconds()) if oldest else None
    return stats
