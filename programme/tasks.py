"""Building printed programmes in the worker."""

from __future__ import annotations

from celery import shared_task

from programme.brochure import brochure_build, brochures_build_requested, brochures_forget


# A region of 2,000 events takes about a minute on two idle cores; a busy machine, several.
@shared_task(name="programme.build_brochure", ignore_result=True, time_limit=900, soft_time_limit=840)
def build_brochure(key: str) -> int:
    """Build and store the brochure ``key``; returns how many events it prints. Idempotent:
    building twice stores the same brochure twice."""
    return brochure_build(key=key).event_count


@shared_task(name="programme.build_requested_brochures", ignore_result=True)
def build_requested_brochures() -> int:
    """The safety net (beat): build brochures requested a while ago and still not built, whose
    wake-up was lost (broker down, worker restarted)."""
    return brochures_build_requested()


@shared_task(name="programme.forget_brochures", ignore_result=True)
def forget_brochures() -> int:
    """Throw away brochures built a month ago (beat, daily): a download builds them again."""
    return brochures_forget()


@shared_task(name="programme.geocode_addresses", ignore_result=True)
def geocode_addresses() -> int:
    """Place the free addresses of upcoming public events on the map (beat, and after an
    event with a new address is saved). Idempotent: an address is asked once."""
    from programme.geocoding import geocode_pending

    return geocode_pending()
