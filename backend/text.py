"""Text that must stay on one line: calendar properties and email headers.

``one_line`` is the single cleaning step for every text that reaches an iCal
property (``SUMMARY``, ``LOCATION``, ``NAME``, ``X-WR-CALNAME``…) or an email
header (the subject above all). A CR, LF or NUL there splits the property or
the header: some calendar clients then read an injected line, and Django's mail
refuses the message with ``BadHeaderError``. Input forms refuse such characters
in single-line fields; rows written before that rule, or past validation, are
cleaned here when they are written out.
"""

from __future__ import annotations

import re

# C0 and C1 control characters (CR, LF, NUL, TAB, ESC, NEL…) and the Unicode line and
# paragraph separators, together with the spaces around them.
_BREAKS = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+[\s\x00-\x1f\x7f-\x9f\u2028\u2029]*")


def one_line(text: str) -> str:
    """Return ``text`` on one line: each run of control characters becomes one space.

    >>> one_line("Café\\r\\nBEGIN:VEVENT")
    'Café BEGIN:VEVENT'
    """
    return _BREAKS.sub(" ", text).strip()
