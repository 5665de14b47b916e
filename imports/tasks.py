"""Background work of imported agendas: the scan of due sources, and one source's sync."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from backend.api import DomainError
from imports.services import source_claim, source_sync, sources_claim_due
from worker import wake

logger = logging.getLogger(__name__)


@shared_task(name="imports.sync_due", ignore_result=True)
def sync_due() -> int:
    """Claim the URL sources due a sync and enqueue one sync each (beat, every minute).

    A claim is a conditional UPDATE that moves the source's next try a lease ahead, so a
    doubled tick or two scans at once enqueue each source once; a sync that never runs
    leaves the source due again after the lease.
    """
    claimed = sources_claim_due()
    for source_id in claimed:
        wake.enqueue(SYNC_SOURCE, (source_id,))
    return len(claimed)


SYNC_SOURCE = "imports.sync_source"


@shared_task(name=SYNC_SOURCE, ignore_result=True)
def sync_source(source_id: int, claim: bool = False) -> None:
    """Sync one source, claimed by the scan already or (``claim``, on demand) claimed here:
    a source another worker holds is left to it. A failure is recorded on the source (its
    page shows it, the next try waits a backoff), not raised to Celery."""
    if claim and not source_claim(source_id=source_id):
        return
    try:
        source_sync(source_id=source_id)
    except (DomainError, ValidationError) as error:
        logger.info("imports: source %s not synced: %s", source_id, error)
