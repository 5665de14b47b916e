"""Settings for benchmark servers: the project's, plus a few baseline views."""

from backend.settings import *  # noqa: F403
from backend.settings import env

ROOT_URLCONF = "bench.urls"
# WhiteNoise serves the baseline static copy of a feed from here.
STATIC_ROOT = env.str("BENCH_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))  # noqa: F405
