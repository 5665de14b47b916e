"""Series (cafés métiers) and reminders in the organizer pages, through Django's test client."""

from __future__ import annotations

import zoneinfo
from datetime import MAXYEAR, UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.validators import LATEST
from events import recurrence, services
from events.models import Event, EventStatus, Series
from events.recurrence import InvalidRecurrence
from network.models import Role
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def first_thursday_of_october() -> date:
    """Next year's: every date of the series is to come, and the clocks go back in between."""
    october = date(timezone.localdate().year + 1, 10, 1)
    return october + timedelta(days=(3 - october.weekday()) % 7)


def form_data(town, day: date, **overrides) -> dict:
    data = {"organization": town.apes.pk, "title": "Café métiers", "description": "",
            "format": "cafe_metiers", "starts_at": f"{day:%Y-%m-%d}T18:30",
            "ends_at": f"{day:%Y-%m-%d}T20:00", "time_zone": "Europe/Paris", "room": "",
            "address": "", "capacity": "12", "campaign": "", "status": "published",
            "reminder_day_before": "on", "reminder_two_hours": "on", "reminders": "",
            "repeat": "", "repeat_count": "", "repeat_until": "", "rrule": ""}
    data.update(overrides)
    return data


def test_a_monthly_preset_makes_one_event_per_first_thursday_at_18_30_across_the_dst_change(client, town):
    client.force_login(town.organizer)
    day = first_thursday_of_october()
    checked = client.post(reverse("web:event-create"), form_data(
        town, day, repeat="monthly_weekday", repeat_count="3", check="1"))
    assert "rien n&#x27;est encore enregistré" in checked.content.decode()
    assert not Series.objects.exists() and not Event.objects.filter(title="Café métiers").exists()

    response = client.post(reverse("web:event-create"), form_data(
        town, day, repeat="monthly_weekday", repeat_count="3"), follow=True)

    series = Series.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TH;COUNT=3"
    assert response.redirect_chain[-1][0] == reverse("web:series", args=[series.pk])
    events = list(series.events.order_by("starts_at"))
    local = [e.starts_at.astimezone(PARIS) for e in events]
    assert [(d.month, d.weekday(), d.day <= 7, d.hour, d.minute) for d in local] == [
        (10, 3, True, 18, 30), (11, 3, True, 18, 30), (12, 3, True, 18, 30)]
    # Summer time in October, winter time after the last Sunday of October.
    assert [e.starts_at.astimezone(UTC).hour for e in events] == [16, 17, 17]
    assert all(e.ends_at - e.starts_at == timedelta(minutes=90) for e in events)
    html = response.content.decode()
    assert "Série enregistrée : 3 dates." in html
    for event in events:
        assert reverse("web:event", args=[event.slug]) in html
        assert reverse("web:event-edit", args=[event.slug]) in html
    assert reverse("web:series", args=[series.pk]) in client.get(reverse("web:my-events")).content.decode()


@pytest.mark.parametrize(("choice", "field", "needle"), [
    ({"repeat": "monthly_weekday"}, "repeat", "COUNT ou UNTIL"),
    ({"repeat": "weekly", "repeat_until": "2099-12-31"}, "repeat", "plus de 200"),
    ({"repeat": "custom", "rrule": "FREQ=SOMETIMES;COUNT=3"}, "rrule", "FREQ=DAILY"),
    ({"repeat": "custom", "rrule": "FREQ=WEEKLY"}, "rrule", "COUNT ou UNTIL"),
])
def test_a_rule_that_never_ends_or_a_bad_free_rule_shows_on_its_field_and_writes_nothing(
        client, town, choice, field, needle):
    client.force_login(town.organizer)
    data = form_data(town, first_thursday_of_october(), **choice)
    response = client.post(reverse("web:event-create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    error = html.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert needle in error
    assert not Series.objects.exists()
    assert not Event.objects.filter(title="Café métiers").exists()


def test_editing_the_series_page_changes_future_dates_only(client, town):
    first = (timezone.localtime() - timedelta(days=13)).replace(hour=12, minute=0, second=0, microsecond=0)
    series = services.series_create(actor=town.organizer, organization=town.apes, rrule="FREQ=WEEKLY;COUNT=4",
                                    title="Café métiers", starts_at=first, ends_at=first + timedelta(hours=2),
                                    status=EventStatus.PUBLISHED)
    past1, past2, _next1, next2 = series.events.order_by("starts_at")
    client.force_login(town.organizer)
    url = reverse("web:series", args=[series.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(title="Café métiers du numérique", themes=[], co_organizers=[], room="", campaign="",
                capacity="", repeat="weekly", repeat_count="5", repeat_until="",
                starts_at=form["starts_at"].value().strftime("%Y-%m-%dT%H:%M"),
                ends_at=form["ends_at"].value().strftime("%Y-%m-%dT%H:%M"))
    data = {k: v for k, v in data.items() if v not in (None, False)}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors

    series.refresh_from_db()
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday()]
    assert series.rrule == f"FREQ=WEEKLY;BYDAY={weekday};COUNT=5"
    titles = [e.title for e in series.events.order_by("starts_at")]
    assert titles == ["Café métiers", "Café métiers"] + ["Café métiers du numérique"] * 3
    for event in (past1, past2):
        event.refresh_from_db()
        assert event.title == "Café métiers"
    next2.refresh_from_db()
    assert next2.starts_at == first + timedelta(days=21)


def test_only_the_series_organizers_reach_its_page(client, town):
    day = first_thursday_of_october()
    start = datetime(day.year, day.month, day.day, 18, 30, tzinfo=PARIS)
    series = services.series_create(actor=town.organizer, organization=town.apes, rrule="FREQ=WEEKLY;COUNT=2",
                                    title="Café métiers", starts_at=start, ends_at=start + timedelta(hours=2),
                                    status=EventStatus.PUBLISHED)
    url = reverse("web:series", args=[series.pk])
    other = member_of(OrganizationFactory(), Role.ORGANIZER, email="orga@ailleurs.test")
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Détourné"}).status_code == 403
    assert not Event.objects.filter(title="Détourné").exists()

    client.logout()
    assert client.get(url)["Location"].startswith(reverse("web:signin"))

    client.force_login(town.organizer)
    assert client.get(url).status_code == 200
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "Series “Café métiers”" in english and "2 dates" in english and "Every two weeks" in english
    edit = client.get(reverse("web:event-edit", args=[series.events.first().slug])).content.decode()
    assert "fait partie de la série « Café métiers »" in edit and f'href="{url}"' in edit


def test_the_reminder_checkboxes_are_saved_and_a_bad_custom_rule_shows_on_its_field(client, town):
    client.force_login(town.organizer)
    day = first_thursday_of_october()
    response = client.post(reverse("web:event-create"), form_data(
        town, day, reminder_two_hours="", reminders="3x"))
    assert "« 3x » n&#x27;est pas une règle de rappel" in response.content.decode().split(
        'id="id_reminders_error"')[1]
    assert not Event.objects.filter(title="Café métiers").exists()

    data = form_data(town, day, reminders="30m, 3d@18:00")
    del data["reminder_two_hours"]
    client.post(reverse("web:event-create"), data)
    event = Event.objects.get(title="Café métiers")
    assert event.reminders == ["1d@09:00", "30m", "3d@18:00"]

    form = client.get(reverse("web:event-edit", args=[event.slug])).context["form"]
    assert form["reminder_day_before"].value() is True
    assert form["reminder_two_hours"].value() is False
    assert form["reminders"].value() == "30m, 3d@18:00"


@pytest.mark.parametrize(("choice", "words", "reopened"), [
    ({"repeat": "monthly_weekday", "repeat_count": "6"}, "Le 1er jeudi du mois, 6 dates",
     ("monthly_weekday", 6, None)),
    ({"repeat": "weekly", "repeat_count": "4"}, "Chaque jeudi, 4 dates", ("weekly", 4, None)),
    ({"repeat": "biweekly", "repeat_until": "DAY+70"}, "Toutes les 2 semaines, le jeudi, jusqu'au",
     ("biweekly", None, "DAY+70")),
    ({"repeat": "monthly_day", "repeat_count": "3"}, "de chaque mois, 3 dates", ("monthly_day", 3, None)),
])
def test_a_series_made_with_a_simple_choice_says_it_in_words_and_reopens_on_that_choice(
        client, town, choice, words, reopened):
    client.force_login(town.organizer)
    day = first_thursday_of_october()
    last = day + timedelta(days=70)
    choice = {k: (f"{last:%Y-%m-%d}" if v == "DAY+70" else v) for k, v in choice.items()}
    response = client.post(reverse("web:event-create"), form_data(town, day, **choice), follow=True)
    html = response.content.decode().replace("&#x27;", "'")
    series = Series.objects.get()
    assert words in html
    assert series.rrule not in html.split("<form")[0]
    form = response.context["form"]
    expected = tuple(last if value == "DAY+70" else value for value in reopened)
    assert (form["repeat"].value(), form["repeat_count"].value(), form["repeat_until"].value()) == expected
    assert form["rrule"].value() in (None, "")

    client.logout()
    first = series.events.order_by("starts_at").first()
    page = client.get(reverse("web:event", args=[first.slug])).content.decode()
    assert words in page.replace("&#x27;", "'")


def test_a_rule_written_by_hand_reopens_as_written_and_is_described_when_it_can_be(client, town, login):
    client.force_login(town.organizer)
    day = first_thursday_of_october()
    client.post(reverse("web:event-create"), form_data(
        town, day, repeat="custom", rrule="FREQ=MONTHLY;BYSETPOS=1;BYDAY=TH;COUNT=3"))
    series = Series.objects.get()
    response = client.get(reverse("web:series", args=[series.pk]))
    form = response.context["form"]
    assert (form["repeat"].value(), form["rrule"].value()) == ("custom", series.rrule)
    assert "Selon la règle FREQ=MONTHLY;BYSETPOS=1;BYDAY=TH;COUNT=3" in response.content.decode()
    english = login(town.organizer).get(f"/api/v1/series/{series.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["rrule"] == series.rrule and english["rule_text"]


def test_an_impossible_rule_is_searched_one_calendar_cycle_at_most_and_a_rule_past_2100_is_refused():
    start = datetime(2026, 12, 3, 18, 30, tzinfo=PARIS)
    with pytest.raises(InvalidRecurrence, match="aucune date"):
        services.recurrence_dates(rrule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", starts_at=start,
                                  time_zone="Europe/Paris")
    # dateutil searches up to the year 9999: shifted, that is at most 400 years after 2100.
    last_year_searched = MAXYEAR - recurrence.SHIFT_YEARS
    assert last_year_searched <= LATEST.year + recurrence.CYCLE_YEARS
    with pytest.raises(InvalidRecurrence, match="après 2100"):
        services.recurrence_dates(rrule="FREQ=YEARLY;INTERVAL=50;COUNT=3", starts_at=start,
                                  time_zone="Europe/Paris")
    leap = services.recurrence_dates(rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2", starts_at=start,
                                     time_zone="Europe/Paris")
    assert [d.date() for d in leap] == [date(2028, 2, 29), date(2032, 2, 29)]
    assert all(d.tzinfo is PARIS and (d.hour, d.minute) == (18, 30) for d in leap)
