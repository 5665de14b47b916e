"""Months written AAAA-MM (``2026-01``), as a query or an address names one: the settlement
API and pages, the observatory's flows.

In ``backend`` rather than ``passes``: the flows' months are months of visits and check-ins,
not of settlements, and ``backend`` imports no app, so that every app reads a month here
without an import cycle. Each caller refuses what is not a month in its own words (a 400
naming the field, a 404 for an address); the years a month may fall in are
:func:`backend.validators.date_in_range`'s rule.
"""

from __future__ import annotations

import re
from datetime import date

MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_parse(text: str) -> date | None:
    """``text`` as the first day of its month; None when it is not a month written AAAA-MM
    (month 00 or 13, year 0000, anything else)."""
    match = MONTH.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
