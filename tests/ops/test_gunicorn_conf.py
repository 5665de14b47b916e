"""gunicorn.conf.py: a worker loads the URLs and sets start-up objects aside before serving."""

from __future__ import annotations

import gc
import runpy
import sys

from django.conf import settings


def test_a_worker_sets_start_up_objects_aside_from_the_collector():
    hooks = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    try:
        hooks["post_worker_init"](None)
        assert "passes.api" in sys.modules  # the URLs and their views are loaded
        # A full collection walks only what was created since, not the frozen start-up.
        assert gc.get_freeze_count() > 10 * len(gc.get_objects())
    finally:
        gc.unfreeze()
