"""gunicorn settings for every way Essaim is served: gunicorn reads ``./gunicorn.conf.py``
from the folder it starts in (the image's ``/app``, the repository for ``bench/``).
Command-line options (bind address, workers) still come from the caller."""

import gc


def post_worker_init(worker):
    """Load the URLs, then put every object loaded so far out of the garbage collector's way.

    A worker holds some 100,000 objects after start-up (modules, models, URL patterns,
    serializers) that live as long as it does. Python's full collection walks them all and
    stopped a worker for 30 to 100 ms every few hundred requests, which is what the slowest
    answers were made of (README, check-in figures). Frozen, they are never walked again.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not at a request
    gc.freeze()
