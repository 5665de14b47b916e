"""Dates are written the French way, and the English way when English is chosen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.template import Context, Template
from django.utils import translation

from web.templatetags.essaim_dates import clock, hour, longdate, longday

NB = "\u00a0"
# 17:30 UTC is 18:30 in Paris in November (UTC+1).
TUESDAY_EVENING = datetime(2026, 11, 17, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", f"mardi 17{NB}novembre 2026, 18{NB}h{NB}30"),
        ("en", f"Tuesday 17{NB}November 2026, 6:30{NB}pm"),
    ],
)
def test_long_date_in_paris(language, expected):
    with translation.override(language):
        assert longdate(TUESDAY_EVENING, "Europe/Paris") == expected


def test_the_zone_is_the_events_own():
    with translation.override("fr"):
        assert longdate(TUESDAY_EVENING, "America/Cayenne") == f"mardi 17{NB}novembre 2026, 14{NB}h{NB}30"
        assert longdate(TUESDAY_EVENING, "Pacific/Noumea") == f"mercredi 18{NB}novembre 2026, 4{NB}h{NB}30"


def test_summer_time_is_applied():
    with translation.override("fr"):
        assert clock(datetime(2026, 7, 14, 20, 0, tzinfo=UTC), "Europe/Paris") == f"22{NB}h"


def test_on_the_hour_and_first_of_the_month():
    first = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    with translation.override("fr"):
        assert longdate(first, "Europe/Paris") == f"dimanche 1er{NB}novembre 2026, 9{NB}h"
    with translation.override("en"):
        assert longdate(first, "Europe/Paris") == f"Sunday 1{NB}November 2026, 9{NB}am"
        assert clock(datetime(2026, 11, 1, 11, 5, tzinfo=UTC), "Europe/Paris") == f"12:05{NB}pm"
        assert clock(datetime(2026, 10, 31, 23, 15, tzinfo=UTC), "Europe/Paris") == f"12:15{NB}am"


def test_day_of_a_plain_date_and_of_an_instant():
    with translation.override("fr"):
        assert longday(date(2026, 11, 17)) == f"mardi 17{NB}novembre 2026"
        # 23:30 UTC on the 17th is already the 18th in Paris.
        assert longday(datetime(2026, 11, 17, 23, 30, tzinfo=UTC), "Europe/Paris").startswith("mercredi 18")


def test_filters_in_a_template_default_to_the_site_zone():
    template = Template("{% load essaim_dates %}{{ when|longdate }}|{{ nothing|longdate }}")
    with translation.override("fr"):
        text = template.render(Context({"when": TUESDAY_EVENING, "nothing": None}))
    assert text == f"mardi 17{NB}novembre 2026, 18{NB}h{NB}30|"


@pytest.mark.parametrize(("language", "expected"), [("fr", "minuit"), ("en", "midnight")])
def test_hours_open_until_midnight_say_so(language, expected):
    with translation.override(language):
        assert hour(time.max) == expected
        assert hour(time(0)) != expected


def test_short_dates_put_the_day_first_in_english_too():
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override("en"):
        assert template.render(Context({"day": date(2026, 12, 2)})) == "02/12/2026"
    with translation.override("fr"):
        assert template.render(Context({"day": date(2026, 12, 2)})) == "02/12/2026"
