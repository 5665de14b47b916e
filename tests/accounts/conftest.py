"""Helpers of the account tests: the links sent by email, read back from the outbox."""

from __future__ import annotations

import re

from worker.models import Message


def last_message(to: str, kind: str | None = None) -> Message:
    messages = Message.objects.filter(to=to).order_by("-id")
    if kind:
        messages = messages.filter(kind=kind)
    return messages.first()


def link_in(message: Message) -> str:
    """The path of the first link of the site in a message."""
    return re.search(r"https?://[^/\s]+(/\S+)", message.body_text).group(1)


def link_parts(message: Message) -> tuple[str, str]:
    """``(uid, token)`` of a verification or reset link."""
    uid, token = link_in(message).rstrip("/").split("/")[-2:]
    return uid, token
