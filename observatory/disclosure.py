"""What the observatory may show: counts of people below five are shown as "< 5".

Counts of events or organizations are public facts and shown as they are; a count of
people (registrants, attendees, pass holders, visit-days) from 1 to 4 could point at
someone and is shown as "< 5". Zero stays zero: nobody is behind it. No output of the
observatory names a person.
"""

from __future__ import annotations

SMALL_COUNT = 5
HIDDEN = "< 5"


def people_count(n: int) -> int | str:
    """``n`` people as the observatory may show it."""
    return HIDDEN if 0 < n < SMALL_COUNT else n


def is_hidden(value: int | str | float) -> bool:
    return value == HIDDEN
