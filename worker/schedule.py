"""The beat schedule, in code so that it is reviewed and versioned like the rest.

Each entry names a task by its stable name; the app that owns the rule defines
the task. Periodic scanners claim due rows, so a missed or doubled tick costs
nothing but a little delay.
"""

from __future__ import annotations

from django.conf import settings

ENTRIES: dict[str, dict] = {
    "worker.send_pending": {
        "task": "worker.send_pending",
        "schedule": settings.OUTBOX_SCAN_SECONDS,
        # Scans queued while no worker ran are dropped: the next one does their work.
        "options": {"expires": settings.OUTBOX_SCAN_SECONDS},
    },
    # Claims due reminders and records their messages; the outbox scan sends them.
    "events.send_due_reminders": {
        "task": "events.send_due_reminders",
        "schedule": settings.REMINDER_SCAN_SECONDS,
        "options": {"expires": settings.REMINDER_SCAN_SECONDS},
    },
    # Images replaced or taken away, a day after: nothing waits on it.
    "events-delete-unused-images": {"task": "events.delete_unused_images", "schedule": 24 * 60 * 60},
    # Claims imported agendas due a sync and enqueues one sync each (imports/tasks.py).
    "imports.sync_due": {
        "task": "imports.sync_due",
        "schedule": settings.IMPORTS_SCAN_SECONDS,
        "options": {"expires": settings.IMPORTS_SCAN_SECONDS},
    },
    # Safety net for feed republishing whose wake-up was lost (broker down).
    "feeds-publish-stale": {"task": "feeds.publish_stale", "schedule": 300.0},
    # Printed programmes whose build request was lost (broker down, worker restarted).
    "programme-build-requested": {"task": "programme.build_requested_brochures", "schedule": 120.0},
    # Printed programmes built a month ago, thrown away: a download builds them again.
    "programme-forget-brochures": {"task": "programme.forget_brochures", "schedule": 24 * 60 * 60},
    # Free addresses to map coordinates, when an address API is configured (GEOCODER_URL).
    "programme-geocode-addresses": {"task": "programme.geocode_addresses", "schedule": 15 * 60},
    # The observatory's figures, computed once a day; and those asked for whose wake-up was lost.
    "observatory-refresh-daily": {"task": "observatory.refresh_daily", "schedule": 24 * 60 * 60},
    "observatory-refresh-requested": {"task": "observatory.refresh_requested", "schedule": 120.0},
    # Forgotten check-outs: recorded at the closing time itself, so 15 minutes is only latency.
    "passes-auto-checkout": {"task": "passes.auto_checkout", "schedule": 15 * 60},
    "passes-notify-expiring": {"task": "passes.notify_expiring", "schedule": 6 * 60 * 60},
    "passes-expire": {"task": "passes.expire", "schedule": 6 * 60 * 60},
    "passes-close-settlements": {"task": "passes.close_settlements", "schedule": 6 * 60 * 60},
}


def beat_schedule() -> dict[str, dict]:
    return dict(ENTRIES)
