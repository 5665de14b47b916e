"""French typography for print: no-break spaces where French puts them.

Before ":" a no-break space, before ";", "!", "?" and "»" (and after "«") a narrow one,
whether the author typed a plain space or none at all. Times are already written
"18 h 30" with no-break spaces (``web.templatetags.essaim_dates``).
"""

from __future__ import annotations

import re
import unicodedata

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


def dictionary_order(text: str) -> tuple[str, str]:
    """A sort key that files names as a French index does: "Économie" with the E's, "atelier"
    with the A's, rather than after Z as code points would."""
    bare = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return bare.casefold(), text
