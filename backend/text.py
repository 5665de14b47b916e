"""Text written where a line break is a syntax: calendar properties and email headers.

``one_line`` is the single cleaning step for every text that reaches an iCal
property (``SUMMARY``, ``LOCATION``, ``NAME``, ``X-WR-CALNAME``…) or an email
header (the subject above all). A CR, LF or NUL there splits the property or
the header: some calendar clients then read an injected line, and Django's mail
refuses the message with ``BadHeaderError``. Input forms refuse such characters
in single-line fields; rows written before that rule, or past validation, are
cleaned here when they are written out. ``paragraphs`` is its counterpart for the
few properties that hold several lines (an iCal ``DESCRIPTION``, whose LF the
calendar library escapes).
"""

from __future__ import annotations

import re

# C0 and C1 control characters (CR, LF, NUL, TAB, ESC, NEL…) and the Unicode line and
# paragraph separators, together with the spaces around them.
_BREAKS = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+[\s\x00-\x1f\x7f-\x9f\u2028\u2029]*")
# The same characters but LF and TAB, which multi-line text keeps.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]+")


def one_line(text: str) -> str:
    """Return ``text`` on one line: each run of control characters becomes one space.

    >>> one_line("Café\\r\\nBEGIN:VEVENT")
    'Café BEGIN:VEVENT'
    """
    return _BREAKS.sub(" ", text).strip()


def paragraphs(text: str) -> str:
    """Return ``text`` with every line break as LF (CRLF, a lone CR, U+2028 and U+2029 too)
    and no other control character but TAB."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROLS.sub("", text)
