"""The outbox: recording messages, and the one way they are sent.

Apps call :func:`message_record` inside the transaction of the change that calls
for a message. The worker's tasks (``worker/tasks.py``) claim due rows and call
:func:`message_deliver`.

Each attempt ends in one of three outcomes. **Sent**: the server answered 250
to the body. **Failed**: the server refused, or the session broke before the
whole body was with it; nothing was accepted, and the message is retried after
a backoff. **Unknown**: the body was sent and the answer never came (timeout,
lost connection, the task's time limit), or the worker stopped before the row
said "sent" (killed, database lost). The server may hold the message, so it is
tried once more only, after ``OUTBOX_UNKNOWN_RETRY_SECONDS``, under the same
Message-ID (derived from the key, so receiving servers and clients can drop a
copy); after a second unknown outcome a person decides, in the admin. A message
thus reaches a mail server at most twice.

Leases (``claimed_until``) come from the database's clock, never a worker's.
Messages whose sense depends on a state carry it (``depends_on``); the app that
records them registers a check (:func:`message_condition`), and a message whose
condition no longer holds is dropped unsent, with the reason on the row.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from backend.text import one_line
from worker.models import MAX_ATTEMPTS, MAX_UNKNOWN, Message, NotificationPreference
from worker.smtp import DeliveryUnknown
from worker.wake import wake_for_message, wake_for_scan

logger = logging.getLogger(__name__)

BACKOFF_MAX = timedelta(hours=1)
UNSUBSCRIBE_SALT = "worker.unsubscribe"


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    DROPPED = "dropped"  # no longer applies
    SUPPRESSED = "suppressed"  # the recipient stopped such notices


# kind → check(message) -> why the message no longer applies ("" when it does).
CONDITIONS: dict[str, Callable[[Message], str]] = {}


def message_condition(kind: str) -> Callable[[Callable[[Message], str]], Callable[[Message], str]]:
    """Register the check of messages of ``kind``, made just before each is sent: it reads
    ``message.depends_on`` and answers why the message no longer applies, or "".

    Apps register them in their ``messages`` module, which the worker imports at start
    (``worker/apps.py``).
    """
    def register(check: Callable[[Message], str]) -> Callable[[Message], str]:
        CONDITIONS[kind] = check
        return check
    return register


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
    depends_on: dict | None = None,
) -> Message:
    """An unsaved message, complete: its HTML part (from the text unless given) and, when
    not ``essential``, the one-click link to stop such notices in both parts.

    ``key`` identifies the message for good (e.g. ``registration-confirmed:42``).
    ``attachments`` are ``{"filename", "content", "mimetype"}`` dicts: text content, or bytes
    in base64 with ``"encoding": "base64"`` (an image).
    ``depends_on`` is what the condition registered for ``kind`` checks before sending.
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
                   essential=essential, depends_on=depends_on or {})


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
            "kind", "to", "subject", "body_text", "body_html", "language", "attachments", "essential",
            "depends_on")},
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
    wake_for_message(message_id)


def outbox_wake() -> None:
    """After the commit, send every due message with a scan (which spreads a backlog over
    the free worker processes); if the broker is down the periodic scan does it later."""
    transaction.on_commit(wake_for_scan)


def _db_now_plus(seconds: float) -> ExpressionWrapper:
    """The database's clock plus ``seconds``: workers' clocks may differ, the database's is one."""
    return ExpressionWrapper(Now() + timedelta(seconds=seconds), output_field=DateTimeField())


def _due() -> Q:
    return (Q(sent_at=None, dropped_reason="", attempts__lt=MAX_ATTEMPTS, unknown_outcomes__lt=MAX_UNKNOWN)
            & (Q(claimed_until=None) | Q(claimed_until__lt=Now())))


def message_claim(*, message_id: int) -> bool:
    """Claim one due message for this worker; False when it is sent, failing, or
    being sent by someone else (the conditional UPDATE matched no row)."""
    claimed = Message.objects.filter(_due(), id=message_id).update(
        claimed_until=_db_now_plus(settings.OUTBOX_LEASE_SECONDS))
    return bool(claimed)


def messages_claim_due(*, limit: int) -> list[int]:
    """Claim up to ``limit`` due messages, oldest first, skipping rows another scan
    has locked, and return their ids."""
    with transaction.atomic():
        ids = list(
            Message.objects.filter(_due()).order_by("created_at", "id")
            .select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
        )
        Message.objects.filter(id__in=ids).update(claimed_until=_db_now_plus(settings.OUTBOX_LEASE_SECONDS))
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
        content = attachment["content"]
        if attachment.get("encoding") == "base64":
            content = base64.b64decode(content)
        email.attach(attachment["filename"], content,
                     attachment.get("mimetype") or "application/octet-stream")
    return email


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), BACKOFF_MAX)


def _lapsed(message: Message) -> str:
    """Why ``message`` no longer applies, or "" (also for a message that depends on nothing)."""
    check = CONDITIONS.get(message.kind)
    return check(message) if check is not None and message.depends_on else ""


def _error(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:2000]


def _record_unknown(message: Message, *, unknown: int, error: str) -> None:
    """An unknown outcome: one more try after a long delay, or none (a person decides)."""
    final = unknown >= MAX_UNKNOWN
    Message.objects.filter(id=message.id).update(
        unknown_outcomes=unknown, sending_since=None, last_error=error,
        claimed_until=None if final else _db_now_plus(settings.OUTBOX_UNKNOWN_RETRY_SECONDS),
    )
    logger.warning("outbox: message %s, outcome unknown (%s of %s): %s",
                   message.id, unknown, MAX_UNKNOWN, error)


def message_deliver(*, message: Message, connection: BaseEmailBackend) -> Outcome:
    """Send a message this worker has claimed and record the outcome (module docstring).

    ``connection`` is reused across calls (one SMTP session per scan batch). A failure
    is kept on the row (``attempts``, ``last_error``) and the claim becomes the backoff
    before the next try, which the periodic scan makes.
    """
    unknown = message.unknown_outcomes
    if message.sending_since is not None:
        # The last attempt never recorded its outcome: its worker stopped while sending.
        unknown += 1
        if unknown >= MAX_UNKNOWN:
            _record_unknown(message, unknown=unknown, error=message.last_error or
                            "the worker stopped while sending (twice)")
            return Outcome.UNKNOWN
    if not message.essential and NotificationPreference.objects.filter(
        email=message.to.lower(), non_essential=False
    ).exists():
        Message.objects.filter(id=message.id).update(
            sent_at=timezone.now(), suppressed=True, claimed_until=None, sending_since=None)
        return Outcome.SUPPRESSED
    if reason := _lapsed(message):
        Message.objects.filter(id=message.id).update(
            dropped_reason=reason[:300], claimed_until=None, sending_since=None)
        return Outcome.DROPPED
    # While being sent, the message is this worker's for longer than any task may run; if the
    # worker stops before recording the outcome, the next claim finds sending_since set.
    Message.objects.filter(id=message.id).update(
        unknown_outcomes=unknown, sending_since=Now(),
        claimed_until=_db_now_plus(settings.OUTBOX_UNKNOWN_RETRY_SECONDS))
    try:
        connection.open()  # no-op while the session of a previous message is still open
        if not _build(message, connection).send():
            raise RuntimeError("the email backend sent nothing")
    except DeliveryUnknown as exc:
        with suppress(Exception):
            connection.close()
        _record_unknown(message, unknown=unknown + 1, error=_error(exc))
        return Outcome.UNKNOWN
    except Exception as exc:  # whatever else the backend raises, nothing was accepted: retried
        with suppress(Exception):
            connection.close()  # reopened by the next message
        attempts = message.attempts + 1
        Message.objects.filter(id=message.id).update(
            attempts=F("attempts") + 1, last_error=_error(exc), sending_since=None,
            claimed_until=_db_now_plus(_backoff(attempts).total_seconds()),
        )
        logger.warning("outbox: message %s failed (attempt %s): %s", message.id, attempts, exc)
        return Outcome.FAILED
    try:
        Message.objects.filter(id=message.id).update(sent_at=timezone.now(), claimed_until=None,
                                                     sending_since=None)
    except DatabaseError as exc:
        # Sent, but the row does not say so. If this write fails too, sending_since stays
        # set and the next claim counts the attempt as unknown all the same.
        with suppress(DatabaseError):
            _record_unknown(message, unknown=unknown + 1, error=f"sent, not marked: {_error(exc)}")
        return Outcome.UNKNOWN
    return Outcome.SENT


def outbox_stats() -> dict:
    """Queue depth for /healthz: unsent messages still tried, the age in seconds of the
    oldest of them, those abandoned after ``MAX_ATTEMPTS`` failures, and those whose
    delivery outcome is unknown (waiting their one more try, or a person)."""
    now = timezone.now()
    tried = Q(attempts__lt=MAX_ATTEMPTS, unknown_outcomes__lt=MAX_UNKNOWN)
    stats = Message.objects.filter(sent_at=None, dropped_reason="").aggregate(
        unsent=Count("id", filter=tried),
        oldest=Min("created_at", filter=tried),
        abandoned=Count("id", filter=Q(attempts__gte=MAX_ATTEMPTS)),
        unknown=Count("id", filter=Q(unknown_outcomes__gt=0)),
    )
    oldest = stats.pop("oldest")
    stats["oldest_unsent_seconds"] = round((now - oldest).total_seconds()) if oldest else None
    return stats


def messages_mark_sent(*, message_ids: list[int]) -> int:
    """A person found that these messages arrived (an unknown outcome): no more tries."""
    return Message.objects.filter(id__in=message_ids, sent_at=None).update(
        sent_at=timezone.now(), claimed_until=None, sending_since=None)


def messages_retry(*, message_ids: list[int]) -> int:
    """A person asks for one more try of these unsent messages (abandoned after failures, or
    after unknown outcomes), now."""
    rows = Message.objects.filter(id__in=message_ids, sent_at=None, dropped_reason="")
    rows.filter(unknown_outcomes__gte=MAX_UNKNOWN).update(unknown_outcomes=MAX_UNKNOWN - 1)
    rows.filter(attempts__gte=MAX_ATTEMPTS).update(attempts=MAX_ATTEMPTS - 1)
    count = rows.update(claimed_until=None, sending_since=None)
    outbox_wake()
    return count
