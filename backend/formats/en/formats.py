"""English dates in the order the rest of the site writes them, day first (17/11/2026,
17 Nov 2026), not Django's American defaults (11/17/2026)."""

# Django's locale modules are not in its stubs.
from django.conf.locale.en_GB.formats import *  # type: ignore[import-untyped]  # noqa: F403
