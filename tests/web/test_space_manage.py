"""A space's team runs the space from one page: hours (several ranges a day, until midnight,
around the clock), closures, desks and self check-in, rooms, kiosks whose token shows once.
Bad input comes back on its field with a 400; nobody else reaches any of it, nor any other page
or action of running the space (desk, day, passes)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event
from passes import services
from passes.models import CheckIn, Kiosk, Pass, PlanKind
from passes.selectors import kiosk_for_token
from spaces.models import Closure, OpeningHours, Room
from tests.events.factories import EventFactory
from tests.web.test_pass_pages import coworking, present_at_the_maison  # noqa: F401 - the fixture
from worker.models import Message

pytestmark = pytest.mark.django_db


def url(name: str, space, *args) -> str:
    return reverse(name, args=[space.slug, *args])


WEEK = {f"day_{day}": "" for day in range(7)}


def hours_of(space) -> list[tuple[int, time, time]]:
    return list(OpeningHours.objects.filter(space=space).order_by("weekday", "opens")
                .values_list("weekday", "opens", "closes"))


@pytest.fixture
def team(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)
    return coworking


# --- Hours ----------------------------------------------------------------------------


def test_hours_take_several_ranges_a_day_and_midnight_at_the_end(client, team):
    response = client.post(url("web:space-manage-hours", team.maison), {
        **WEEK, "day_0": "9:00-12:30, 14h-18h", "day_4": "18:00 - 24:00"})
    assert response.status_code == 302
    assert hours_of(team.maison) == [(0, time(9), time(12, 30)), (0, time(14), time(18)),
                                     (4, time(18), time.max)]
    page = client.get(url("web:space-manage", team.maison)).content.decode()
    assert 'value="09:00-12:30, 14:00-18:00"' in page and 'value="18:00-24:00"' in page


def test_around_the_clock_opens_every_day_all_day(client, team):
    client.post(url("web:space-manage-hours", team.maison), {**WEEK, "always_open": "on"})
    assert hours_of(team.maison) == [(day, time(0), time.max) for day in range(7)]
    form = client.get(url("web:space-manage", team.maison)).context["hours_form"]
    assert form["always_open"].initial is True


@pytest.mark.parametrize("typed, message", [
    ("18:00-09:00", "L&#x27;heure de fermeture doit suivre l&#x27;heure d&#x27;ouverture."),
    ("9:00-13:00, 12:00-18:00", "Les horaires du mardi se chevauchent."),
    ("de 9 à midi", "n&#x27;est pas une plage horaire"),
    ("25:00-26:00", "n&#x27;est pas une plage horaire"),
])
def test_bad_hours_are_named_on_their_day_and_nothing_changes(client, team, typed, message):
    before = hours_of(team.maison)
    response = client.post(url("web:space-manage-hours", team.maison), {
        **WEEK, "day_0": "9:00-18:00", "day_1": typed})
    assert response.status_code == 400
    assert list(response.context["hours_form"].errors) == ["day_1"]
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"'.replace("'", "&#x27;") in page  # what was typed stays
    assert hours_of(team.maison) == before


# --- Closures -------------------------------------------------------------------------


def test_a_closure_is_added_listed_and_removed(client, team):
    soon = timezone.localdate() + timedelta(days=3)
    response = client.post(url("web:space-manage-closure-add", team.maison), {
        "starts_on": soon.isoformat(), "ends_on": (soon + timedelta(days=1)).isoformat(),
        "reason": "Inventaire"})
    assert response.status_code == 302
    closure = Closure.objects.get(space=team.maison)
    assert (closure.starts_on, closure.reason) == (soon, "Inventaire")
    assert "Inventaire" in client.get(url("web:space-manage", team.maison)).content.decode()
    client.post(url("web:space-manage-closure-remove", team.maison, closure.pk))
    assert not Closure.objects.exists()


@pytest.mark.parametrize("starts_on, ends_on, field", [
    ("9999-12-30", "9999-12-31", "starts_on"),
    ("2026-12-24", "2026-12-20", "ends_on"),
    ("2026-02-30", "2026-03-01", "starts_on"),
])
def test_bad_closure_dates_are_named_on_their_field(client, team, starts_on, ends_on, field):
    response = client.post(url("web:space-manage-closure-add", team.maison), {
        "starts_on": starts_on, "ends_on": ends_on, "reason": "Travaux"})
    assert response.status_code == 400
    assert field in response.context["closure_form"].errors
    assert 'value="Travaux"' in response.content.decode()
    assert not Closure.objects.exists()


# --- Desks, self check-in, rooms --------------------------------------------------------


def test_desks_and_self_check_in_are_saved_and_a_negative_count_is_refused(client, team):
    client.post(url("web:space-manage-settings", team.maison), {"desk_capacity": "12",
                                                                 "self_checkin_allowed": "on"})
    team.maison.refresh_from_db()
    assert (team.maison.desk_capacity, team.maison.self_checkin_allowed) == (12, True)
    response = client.post(url("web:space-manage-settings", team.maison), {"desk_capacity": "-1"})
    assert response.status_code == 400
    assert "desk_capacity" in response.context["settings_form"].errors
    team.maison.refresh_from_db()
    assert team.maison.desk_capacity == 12


def test_rooms_are_added_renamed_and_removed_unless_an_event_used_them(client, team):
    client.post(url("web:space-manage-room-add", team.maison),
                {"room-name": "Salle du jardin", "room-capacity": "12"})
    room = Room.objects.get(space=team.maison)
    assert (room.slug, room.capacity) == ("salle-du-jardin", 12)
    client.post(url("web:space-manage-room", team.maison, room.pk),
                {f"room-{room.pk}-name": "Le jardin", f"room-{room.pk}-capacity": "14"})
    room.refresh_from_db()
    assert (room.name, room.slug, room.capacity) == ("Le jardin", "salle-du-jardin", 14)

    response = client.post(url("web:space-manage-room", team.maison, room.pk),
                           {f"room-{room.pk}-name": "Le jardin", f"room-{room.pk}-capacity": "0"})
    assert response.status_code == 400
    assert "Une salle accueille au moins une personne." in response.content.decode()

    EventFactory(room=room)
    client.post(url("web:space-manage-room-remove", team.maison, room.pk))
    assert Room.objects.filter(pk=room.pk).exists()
    Event.objects.all().delete()
    client.post(url("web:space-manage-room-remove", team.maison, room.pk))
    assert not Room.objects.filter(pk=room.pk).exists()


# --- Kiosks ---------------------------------------------------------------------------


def test_a_new_kiosk_token_shows_once_works_and_stops_when_revoked(client, team):
    client.post(url("web:space-manage-kiosk-add", team.maison), {"kiosk-name": "Borne de l'entrée"})
    page = client.get(url("web:space-manage", team.maison)).content.decode()
    token = re.search(r'<code class="short-code">([^<]+)</code>', page)[1]
    kiosk = Kiosk.objects.get(space=team.maison)
    assert kiosk_for_token(token) == kiosk
    assert token not in client.get(url("web:space-manage", team.maison)).content.decode()

    client.post(url("web:space-manage-kiosk-revoke", team.maison, kiosk.pk))
    assert kiosk_for_token(token) is None
    client.post(url("web:space-manage-kiosk-token", team.maison, kiosk.pk))
    fresh = re.search(r'<code class="short-code">([^<]+)</code>',
                      client.get(url("web:space-manage", team.maison)).content.decode())[1]
    assert kiosk_for_token(fresh) == kiosk and kiosk_for_token(token) is None

    response = client.post(url("web:space-manage-kiosk-add", team.maison),
                           {"kiosk-name": "Borne de l'entrée"})
    assert response.status_code == 400
    assert "Cet espace a déjà une borne de ce nom." in response.content.decode()


# --- Who reaches it -----------------------------------------------------------------------


def management_requests(coworking):  # noqa: F811
    """Every page and action of running the Maison (its desk and its day, its passes, its
    management), with valid input."""
    space = coworking.maison
    closure = Closure.objects.create(space=space, starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 26))
    room = Room.objects.create(space=space, name="Salle", slug="salle", capacity=10)
    kiosk = Kiosk.objects.create(space=space, name="Borne", token_hash="x" * 64)
    checkin = present_at_the_maison(coworking)
    walk_in = services.plan_create(network=coworking.network, kind=PlanKind.DAY, name="Journée",
                                   slug="journee", price=Decimal("15"), period="month", allowance=1,
                                   validity_days=1)
    pass_id = coworking.pass_obj.pk
    return [
        ("get", url("web:desk", space), {}),
        ("get", url("web:desk", space), {"nom": "curie"}),
        ("post", url("web:desk", space), {"code": "K7M4P2QX"}),
        ("post", url("web:desk-walk-in", space), {"plan": walk_in.pk, "name": "Jeanne"}),
        ("post", url("web:desk-checkout", space, checkin.pk), {}),
        ("get", url("web:desk-day", space), {}),
        ("get", url("web:space-passes", space), {}),
        ("post", url("web:space-passes", space), {"plan": coworking.plan.pk, "email": "x@example.org",
                                                  "valid_from": "2026-12-01"}),
        ("post", url("web:space-pass-status", space, pass_id), {"status": "suspended"}),
        ("get", url("web:space-pass-revoke", space, pass_id), {}),
        ("post", url("web:space-pass-revoke", space, pass_id), {}),
        ("get", url("web:space-pass-card", space, pass_id), {}),
        ("post", url("web:space-pass-send", space, pass_id), {}),
        ("get", url("web:space-manage", space), {}),
        ("post", url("web:space-manage-settings", space), {"desk_capacity": "1"}),
        ("post", url("web:space-manage-hours", space), {**WEEK, "always_open": "on"}),
        ("post", url("web:space-manage-closure-add", space), {"starts_on": "2026-12-01",
                                                              "ends_on": "2026-12-02"}),
        ("post", url("web:space-manage-closure-remove", space, closure.pk), {}),
        ("post", url("web:space-manage-room-add", space), {"room-name": "Autre", "room-capacity": "3"}),
        ("post", url("web:space-manage-room", space, room.pk), {f"room-{room.pk}-name": "X",
                                                                f"room-{room.pk}-capacity": "2"}),
        ("post", url("web:space-manage-room-remove", space, room.pk), {}),
        ("post", url("web:space-manage-kiosk-add", space), {"kiosk-name": "Autre borne"}),
        ("post", url("web:space-manage-kiosk-token", space, kiosk.pk), {}),
        ("post", url("web:space-manage-kiosk-revoke", space, kiosk.pk), {}),
    ]


def test_another_space_manager_or_a_member_reaches_no_page_and_changes_nothing(client, coworking):  # noqa: F811
    requests = management_requests(coworking)

    def state():
        return (hours_of(coworking.maison), list(Closure.objects.values_list("pk", flat=True)),
                list(Room.objects.values_list("pk", "name")),
                list(Kiosk.objects.values_list("pk", "revoked_at", "token_hash")),
                list(Pass.objects.values_list("pk", "status")),
                list(CheckIn.objects.values_list("pk", "checked_out_at")), Message.objects.count())

    before = state()
    for person in (coworking.mutualab_desk, coworking.marie):
        client.force_login(person)
        for method, address, data in requests:
            response = getattr(client, method)(address, data)
            assert response.status_code in (403, 404), (person, address)
    coworking.maison.refresh_from_db()
    assert coworking.maison.desk_capacity == 4
    assert state() == before


def test_another_space_cannot_reach_this_space_objects_through_its_own_page(client, coworking):  # noqa: F811
    closure = Closure.objects.create(space=coworking.maison, starts_on=date(2026, 12, 24),
                                     ends_on=date(2026, 12, 26))
    kiosk = Kiosk.objects.create(space=coworking.maison, name="Borne", token_hash="x" * 64)
    client.force_login(coworking.mutualab_desk)
    own = coworking.mutualab
    assert client.post(url("web:space-manage-closure-remove", own, closure.pk)).status_code == 404
    assert client.post(url("web:space-manage-kiosk-revoke", own, kiosk.pk)).status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()
    assert Kiosk.objects.get(pk=kiosk.pk).revoked_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, coworking):  # noqa: F811
    response = client.get(url("web:space-manage", coworking.maison))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:signin"))


ODD = st.one_of(st.text(max_size=40), st.sampled_from([
    "", " ", "0", "-1", "1e9", "99999999999", "NaN", "24:00", "9999-12-31", "0000-01-01", "2026-02-30",
    "12:00-11:00", "00:00-24:00, 00:00-24:00", "\x00", "=1+1", "9h-", "-", "25h-26h", "é" * 300]))
FORMS = [
    ("web:space-manage-hours", ["always_open", *WEEK]),
    ("web:space-manage-closure-add", ["starts_on", "ends_on", "reason"]),
    ("web:space-manage-settings", ["desk_capacity", "self_checkin_allowed"]),
    ("web:space-manage-room-add", ["room-name", "room-capacity"]),
    ("web:space-manage-kiosk-add", ["kiosk-name"]),
]


@pytest.mark.parametrize("name, fields", FORMS)
def test_no_input_makes_a_management_form_fail(client, team, name, fields):
    """Whatever is typed, a form saves (302) or says what is wrong (400)."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.fixed_dictionaries(dict.fromkeys(fields, ODD)))
    def post(data):
        response = client.post(url(name, team.maison), data)
        assert response.status_code in (302, 400), (data, response.status_code)

    post()


def test_the_spaces_directory_leads_a_team_to_its_own_space_page(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)
    page = client.get(reverse("web:spaces")).content.decode()
    assert page.count('href="/espaces/maison/gestion/"') == 1
    assert "/espaces/mutualab/gestion/" not in page


def test_the_page_costs_the_same_queries_for_two_or_twenty_rooms_closures_and_kiosks(client, team):
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            room = Room.objects.create(space=team.maison, name=f"Salle {n}", slug=f"salle-{n}", capacity=5)
            EventFactory(room=room)
            day = timezone.localdate() + timedelta(days=n)
            Closure.objects.create(space=team.maison, starts_on=day, ends_on=day)
            Closure.objects.create(space=team.maison, starts_on=day - timedelta(days=400),
                                   ends_on=day - timedelta(days=400))
            Kiosk.objects.create(space=team.maison, name=f"Borne {n}", token_hash=f"{n:064d}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("web:space-manage", team.maison)).status_code == 200
        return len(captured)

    add(2, 0)
    few = queries()
    add(18, 2)
    assert queries() == few


def test_the_page_says_whether_the_space_is_open_now(client, team):
    page = client.get(url("web:space-manage", team.maison)).content.decode()
    assert "Ouvert en ce moment</strong> — jusqu'à minuit" in page
    client.post(url("web:space-manage-hours", team.maison), WEEK)  # closed every day
    page = client.get(url("web:space-manage", team.maison)).content.decode()
    assert "Fermé en ce moment" in page
