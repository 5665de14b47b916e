"""French typography for print: no-break spaces where French puts them.

Before ":" a no-break space, before ";", "!", "?" and "»" (and after "«") a narrow one,
whether the author typed a plain space or none at all. Times are already written
"18 h 30" with no-break spaces (``web.templatetags.essaim_dates``).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

# A space (or none) before the mark, after a letter, digit or closing mark; not inside
# addresses such as "https://" or times such as "18:30".
_BEFORE_COLON = re.compile(r"(?<=[\w\)»…\"'’])[ \u00a0\u202f]?:(?!//)(?!\d)")
_BEFORE_HIGH = re.compile(r"(?<=[\w\)»…\"'’])[ \u00a0\u202f]?([;!?])(?![\w/=&])")
_BEFORE_CLOSING = re.compile(r"[ \u00a0\u202f]?»")
_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]?")


def french(text: str) -> str:
    """``text`` with French no-break spaces before ``: ; ! ? »`` and after ``«``."""
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_HIGH.sub(lambda found: NNBSP + found[1], text)
    text = _BEFORE_CLOSING.sub(NNBSP + "»", text)
    return _AFTER_OPENING.sub("«" + NNBSP, text)
