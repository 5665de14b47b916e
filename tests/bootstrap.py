"""Loaded with ``-p tests.bootstrap`` before pytest-django reads the settings:
tests run with development defaults (no SECRET_KEY needed, no HTTPS redirect)
unless the environment says otherwise."""

import os

os.environ.setdefault("DEBUG", "1")
# Rate-limit counters per test process, never in the Redis the broker tests share.
os.environ.setdefault("CACHE_BACKEND", "locmem")
