"""Sending the outbox."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def wake_for_message(message_id: int) -> None:
    """Enqueue the send of one message; a broker failure is logged, never raised:
    the message row is already committed and the periodic scan will send it."""
    logger.debug("outbox: message %s recorded; sending is not wired yet", message_id)
