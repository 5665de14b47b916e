"""A scan's body read directly gives what the serializer gives: the same code and slug, or the
same errors."""

from __future__ import annotations

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from passes.api import CheckinRequestSerializer
from passes.models import SHORT_CODE_ALPHABET

LONG = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
               min_size=32, max_size=32)
SLUGS = st.one_of(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=82),
                  st.text(alphabet="abcdé-", max_size=4), st.from_regex(r"[a-z]{1,10}", fullmatch=True))
# Up to 60 spaces: past the serializer's 64 characters with the code.
PADDING = st.sampled_from(["", "", "", "", " ", "\t", "\n", " \u00a0", "\x00", " " * 60])


@st.composite
def short_codes(draw):
    """Eight characters of the alphabet, in either case, with spaces or dashes among them."""
    letters = draw(st.lists(st.sampled_from(SHORT_CODE_ALPHABET + SHORT_CODE_ALPHABET.lower()),
                            min_size=8, max_size=8))
    gaps = draw(st.lists(st.sampled_from(["", "", "", " ", "-", " - "]),
                         min_size=len(letters), max_size=len(letters)))
    return "".join(gap + letter for gap, letter in zip(gaps, letters, strict=True))


@st.composite
def padded(draw, strategy):
    return draw(PADDING) + draw(strategy) + draw(PADDING)


CODES = st.one_of(padded(LONG), padded(short_codes()), LONG.map(lambda code: code[1:]),
                  short_codes().map(lambda code: code[:-1]))
VALUES = st.one_of(CODES, padded(SLUGS), st.text(), st.integers(), st.none(), st.booleans(),
                   st.lists(st.text(), max_size=2))
SCANS = st.fixed_dictionaries({"pass_code": CODES, "space": padded(SLUGS)})
BODIES = st.one_of(
    st.fixed_dictionaries({"pass_code": VALUES, "space": VALUES}, optional={"note": VALUES}),
    st.dictionaries(st.sampled_from(["pass_code", "space", "note"]), VALUES, max_size=3),
    st.lists(st.text(), max_size=2), st.text(), st.none(),
)


def by_serializer(data):
    serializer = CheckinRequestSerializer(data=data)
    if serializer.is_valid():
        return serializer.validated_data["pass_code"], serializer.validated_data["space"]
    return serializer.errors


def read(data):
    try:
        return CheckinRequestSerializer.read(data)
    except ValidationError as error:
        return error.detail


@given(SCANS)
def test_reading_a_scan_gives_what_the_serializer_gives(data):
    answer = read(data)
    event("accepted" if isinstance(answer, tuple) else "refused")
    assert answer == by_serializer(data)


@given(BODIES)
def test_reading_any_body_gives_what_the_serializer_gives(data):
    assert read(data) == by_serializer(data)


@pytest.mark.parametrize("data", [
    {"pass_code": " 7k2m-9p4q ", "space": "mutualab\n"},
    {"pass_code": "A" * 32, "space": "la-maison"},
])
def test_well_formed_scans_are_accepted_trimmed(data):
    assert read(data) == by_serializer(data) == (data["pass_code"].strip(), data["space"].strip())
