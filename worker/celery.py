"""The one Celery app of Essaim.

Run it with ``celery -A worker worker`` and ``celery -A worker beat`` (exactly
one beat process per deployment: two would fire every periodic task twice).
Tasks live in the app that owns their rule (``events/tasks.py``…) and are found
by autodiscovery; the periodic schedule is code, in ``worker/schedule.py``.

Every task's base class is Celery's ``DjangoTask`` (installed by its Django
fix-up): ``task.delay_on_commit()`` enqueues only once the surrounding
transaction commits. Messages do not even rely on that: they are outbox rows
(``worker/outbox.py``), and the broker only wakes the worker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("essaim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_schedule(sender: Celery, **kwargs) -> None:
    from worker.schedule import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
