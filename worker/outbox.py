"""Recording messages in the outbox. Apps call :func:`message_record`; the
worker's tasks send what is recorded."""

from __future__ import annotations

from django.db import transaction

from worker.models import Message


def message_record(
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
    """Record a message to send, inside the caller's transaction.

    ``key`` identifies the message for good (e.g. ``registration-confirmed:42``):
    recording the same key again returns the existing row and sends nothing more.
    ``attachments`` are ``{"filename", "content", "mimetype"}`` dicts (text content).
    """
    message, created = Message.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind, "to": to, "subject": subject[:300], "body_text": body_text,
            "body_html": body_html, "language": language, "attachments": attachments or [],
            "essential": essential,
        },
    )
    if created:
        transaction.on_commit(lambda: _wake_worker(message.id))
    return message


def _wake_worker(message_id: int) -> None:
    """Ask the worker to send now; if the broker is down the periodic scan sends it later."""
    from worker.tasks import wake_for_message

    wake_for_message(message_id)
