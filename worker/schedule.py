"""The beat schedule, in code so that it is reviewed and versioned like the rest.

Each entry names a task by its stable name; the app that owns the rule defines
the task. Apps add their entries to ``ENTRIES``.
"""

from __future__ import annotations

ENTRIES: dict[str, dict] = {
    # Forgotten check-outs: recorded at the closing time itself, so 15 minutes is only latency.
    "passes-auto-checkout": {"task": "passes.auto_checkout", "schedule": 15 * 60},
    "passes-notify-expiring": {"task": "passes.notify_expiring", "schedule": 6 * 60 * 60},
}


def beat_schedule() -> dict[str, dict]:
    return dict(ENTRIES)
