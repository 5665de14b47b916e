"""Short codes people read aloud, type from paper or scan: a pass's, a registration's.

Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, U): 8 of
them give 30**8 ≈ 6.6e11 codes. People type them in lower case, with a space or a dash
in the middle; :func:`normalize_short_code` reads them all the same.
"""

from __future__ import annotations

import re
import secrets

SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_LENGTH = 8
SHORT_CODE = re.compile(rf"^[{SHORT_CODE_ALPHABET}]{{{SHORT_CODE_LENGTH}}}$")


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalize_short_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def is_short_code(code: str) -> bool:
    """Whether ``code``, once normalized, is a well-formed short code."""
    return bool(SHORT_CODE.match(normalize_short_code(code)))
