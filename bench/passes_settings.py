"""Settings of the check-in benchmark: the project's, plus a bare DRF endpoint to compare with."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "bench.passes_urls"
