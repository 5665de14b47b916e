"""The check-in rules table: one test per refusal and per success path."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from network.models import Role
from passes import services
from passes.models import CheckIn, CheckinAttempt, PassStatus, Period, Visit
from spaces.models import Closure
from tests.factories import member_of
from tests.passes.factories import PassFactory, SpaceFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def post(client, code, space="accueil"):
    return client.post("/api/v1/checkins/", {"pass_code": code, "space": space}, format="json")


def assert_refused(response, status_code, code):
    assert response.status_code == status_code, response.json()
    assert response.json()["code"] == code
    assert response.json()["detail"]


def at_desk(world, moment, space=None):
    return services.checkin_attempt(code=world.pass_obj.code, space=(space or world.host).slug,
                                    actor=services.Actor(person=world.host_staff), now=moment)


def test_desk_checks_a_member_in_and_one_visit_day_is_used(world, desk):
    response = post(desk, world.pass_obj.code)
    assert response.status_code == 201
    body = response.json()
    assert body["space"] == "accueil" and body["channel"] == "desk"
    assert body["holder_name"] == world.member.full_name
    assert body["remaining_allowance"] == 4
    assert Visit.objects.filter(pass_obj=world.pass_obj, space=world.host).count() == 1
    # The log holds refusals; a success is its check-in.
    assert not CheckinAttempt.objects.exists()


def test_the_answer_reads_as_the_stored_checkin(world):
    """What a check-in answers is the check-in as stored, down to the fields it did not send
    back (read when asked for, never a default in their place)."""
    checkin, created = at_desk(world, datetime(2026, 6, 1, 10, tzinfo=PARIS))
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert created
    for name in ("pass_obj_id", "checked_in_at", "checked_out_at", "auto_checked_out", "channel",
                 "checked_in_by_id", "kiosk_id"):
        assert getattr(checkin, name) == getattr(stored, name), name
    assert checkin.checked_in_by_id == world.host_staff.id
    assert (checkin.pass_obj.short_code, checkin.space.slug, checkin.visit.day) == (
        world.pass_obj.short_code, world.host.slug, date(2026, 6, 1))


def test_short_code_typed_in_lower_case_with_a_dash_is_accepted(world, desk):
    code = world.pass_obj.short_code.lower()
    assert post(desk, f"{code[:4]}-{code[4:]}").status_code == 201


def test_scanning_again_while_checked_in_returns_the_open_checkin(world, desk):
    first = post(desk, world.pass_obj.code)
    again = post(desk, world.pass_obj.short_code)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1 and CheckIn.objects.count() == 1


def test_scanned_again_later_the_answer_keeps_the_first_arrival(world):
    arrival = datetime(2026, 6, 1, 9, 5, 30, 123456, tzinfo=PARIS)
    first, _ = at_desk(world, arrival)
    again, created = at_desk(world, arrival + timedelta(hours=3))
    assert not created and again.id == first.id
    assert again.checked_in_at == first.checked_in_at == arrival


def test_coming_back_the_same_day_is_the_same_visit_day(world, desk):
    first = post(desk, world.pass_obj.code).json()
    assert desk.post(f"/api/v1/checkins/{first['id']}/checkout/").status_code == 200
    second = post(desk, world.pass_obj.code)
    assert second.status_code == 201
    assert second.json()["remaining_allowance"] == 4
    assert CheckIn.objects.count() == 2 and Visit.objects.count() == 1


def test_unknown_code_is_refused_logged_and_counts_nothing(world, desk):
    response = post(desk, "ZZZZ2345")
    assert_refused(response, 409, "unknown_pass")
    assert response.json()["fields"] == {"pass_code": [response.json()["detail"]]}
    attempt = CheckinAttempt.objects.get()
    assert (attempt.outcome, attempt.code_prefix, attempt.space) == ("unknown_pass", "ZZZZ", world.host)
    assert not Visit.objects.exists() and not CheckIn.objects.exists()


@pytest.mark.parametrize(("status", "code"), [(PassStatus.REVOKED, "pass_revoked"),
                                              (PassStatus.SUSPENDED, "pass_suspended"),
                                              (PassStatus.EXPIRED, "pass_expired")])
def test_pass_not_active_is_refused(world, desk, status, code):
    world.pass_obj.status = status
    world.pass_obj.save()
    assert_refused(post(desk, world.pass_obj.code), 409, code)
    assert CheckinAttempt.objects.get().pass_obj == world.pass_obj
    assert not Visit.objects.exists()


def test_pass_not_yet_valid_is_refused(world, desk):
    world.pass_obj.valid_from = timezone.localdate() + timedelta(days=2)
    world.pass_obj.valid_until = world.pass_obj.valid_from + timedelta(days=30)
    world.pass_obj.save()
    assert_refused(post(desk, world.pass_obj.code), 409, "pass_not_yet_valid")


def test_pass_past_its_last_day_is_expired(world, desk):
    world.pass_obj.valid_until = timezone.localdate() - timedelta(days=2)
    world.pass_obj.save()
    assert_refused(post(desk, world.pass_obj.code), 409, "pass_expired")


def test_space_outside_the_network_is_not_in_the_plan(world, login):
    outsider = SpaceFactory(slug="ailleurs")
    staff = member_of(outsider.operator, Role.SPACE_MANAGER)
    assert_refused(post(login(staff), world.pass_obj.code, "ailleurs"), 409, "space_not_in_plan")


def test_plan_limited_to_some_spaces_refuses_the_others(world, desk):
    world.plan.eligible_spaces.set([world.home])
    assert_refused(post(desk, world.pass_obj.code), 409, "space_not_in_plan")


def test_space_is_closed_outside_its_opening_hours(world):
    world.host.opening_hours.all().delete()
    world.host.opening_hours.create(weekday=2, opens=time(9), closes=time(18))
    wednesday = datetime(2026, 11, 25, tzinfo=PARIS)
    with pytest.raises(services.SpaceClosed):
        at_desk(world, wednesday.replace(hour=8, minute=59))
    with pytest.raises(services.SpaceClosed):
        at_desk(world, wednesday.replace(hour=18))
    checkin, created = at_desk(world, wednesday.replace(hour=9))
    assert created and checkin.visit.day == date(2026, 11, 25)
    assert CheckinAttempt.objects.filter(outcome="space_closed").count() == 2


def test_space_is_closed_on_an_exceptional_closure_day(world, desk):
    today = world.host.local_date(timezone.now())
    Closure.objects.create(space=world.host, starts_on=today, ends_on=today, reason="Inventaire")
    assert_refused(post(desk, world.pass_obj.code), 409, "space_closed")


@pytest.mark.parametrize(("utc_hour", "utc_minute", "is_open"), [
    (6, 59, False),   # 08:59 in Paris, summer time since 02:00 this morning
    (7, 0, True),     # 09:00 in Paris
    (15, 59, True),   # 17:59 in Paris
    (16, 0, False),   # 18:00 in Paris
])
def test_opening_hours_are_local_time_on_the_spring_dst_day(world, utc_hour, utc_minute, is_open):
    world.host.opening_hours.all().delete()
    world.host.opening_hours.create(weekday=6, opens=time(9), closes=time(18))
    moment = datetime(2026, 3, 29, utc_hour, utc_minute, tzinfo=ZoneInfo("UTC"))
    if is_open:
        assert at_desk(world, moment)[1]
    else:
        with pytest.raises(services.SpaceClosed):
            at_desk(world, moment)


def test_opening_hours_are_local_time_on_the_autumn_dst_day(world):
    world.host.opening_hours.all().delete()
    world.host.opening_hours.create(weekday=6, opens=time(9), closes=time(18))
    # 25 October 2026: back to UTC+1 at 03:00, so 09:00 in Paris is 08:00 UTC.
    with pytest.raises(services.SpaceClosed):
        at_desk(world, datetime(2026, 10, 25, 7, 59, tzinfo=ZoneInfo("UTC")))
    assert at_desk(world, datetime(2026, 10, 25, 8, 0, tzinfo=ZoneInfo("UTC")))[1]


def test_visit_day_is_the_local_date_of_the_space(world):
    # 23:30 UTC on 31 March is already 1 April in Paris.
    checkin, _ = at_desk(world, datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert checkin.visit.day == date(2026, 4, 1)


def test_space_full_when_every_desk_is_taken(world, desk):
    world.host.desk_capacity = 1
    world.host.save()
    other = PassFactory(plan=world.plan, issuing_space=world.home)
    assert post(desk, other.code).status_code == 201
    assert_refused(post(desk, world.pass_obj.code), 409, "space_full")
    assert Visit.objects.count() == 1


def test_already_checked_in_at_another_space_is_refused(world, desk, login):
    assert post(login(world.home_staff), world.pass_obj.code, "maison").status_code == 201
    response = post(desk, world.pass_obj.code)
    assert_refused(response, 409, "already_checked_in")
    assert world.home.name in response.json()["detail"]


def test_allowance_exhausted_in_the_calendar_month(world):
    world.plan.allowance = 2
    world.plan.save()
    for day in (3, 4):
        checkin, _ = at_desk(world, datetime(2026, 6, day, 10, tzinfo=PARIS))
        services.checkin_checkout(checkin=checkin, now=datetime(2026, 6, day, 12, tzinfo=PARIS))
    with pytest.raises(services.AllowanceExhausted):
        at_desk(world, datetime(2026, 6, 30, 10, tzinfo=PARIS))
    assert at_desk(world, datetime(2026, 7, 1, 10, tzinfo=PARIS))[1]  # a new month, a new allowance


def test_allowance_over_rolling_30_days(world):
    world.plan.period, world.plan.allowance = Period.ROLLING_30, 1
    world.plan.save()
    checkin, _ = at_desk(world, datetime(2026, 6, 1, 10, tzinfo=PARIS))
    services.checkin_checkout(checkin=checkin, now=datetime(2026, 6, 1, 12, tzinfo=PARIS))
    with pytest.raises(services.AllowanceExhausted):
        at_desk(world, datetime(2026, 6, 30, 10, tzinfo=PARIS))
    assert at_desk(world, datetime(2026, 7, 1, 10, tzinfo=PARIS))[1]


def test_unlimited_plan_has_no_allowance(world, desk):
    world.network.visit_value = 8
    world.network.save()
    world.plan.period, world.plan.allowance = Period.UNLIMITED, None
    world.plan.save()
    response = post(desk, world.pass_obj.code)
    assert response.status_code == 201 and response.json()["remaining_allowance"] is None


def test_per_space_cap_reached(world):
    world.plan.per_space_cap = 1
    world.plan.save()
    checkin, _ = at_desk(world, datetime(2026, 6, 1, 10, tzinfo=PARIS))
    services.checkin_checkout(checkin=checkin, now=datetime(2026, 6, 1, 12, tzinfo=PARIS))
    with pytest.raises(services.SpaceCapReached):
        at_desk(world, datetime(2026, 6, 2, 10, tzinfo=PARIS))
    assert CheckinAttempt.objects.filter(outcome="space_cap_reached").count() == 1


def test_per_space_cap_does_not_apply_at_the_issuing_space(world):
    world.plan.per_space_cap = 1
    world.plan.save()
    actor = services.Actor(person=world.home_staff)
    for day in (1, 2):
        checkin, created = services.checkin_attempt(
            code=world.pass_obj.code, space=world.home.slug, actor=actor,
            now=datetime(2026, 6, day, 10, tzinfo=PARIS))
        assert created
        services.checkin_checkout(checkin=checkin, now=datetime(2026, 6, day, 12, tzinfo=PARIS))


def test_refusals_are_checked_in_order_and_logged_with_their_reason(world, desk):
    world.pass_obj.status = PassStatus.REVOKED
    world.pass_obj.save()
    world.host.desk_capacity = 0
    world.host.save()
    assert_refused(post(desk, world.pass_obj.code), 409, "pass_revoked")
    assert list(CheckinAttempt.objects.values_list("outcome", flat=True)) == ["pass_revoked"]


# --- Closing time -------------------------------------------------------------


def test_forgotten_checkout_is_recorded_at_closing_time(world):
    world.host.opening_hours.all().delete()
    world.host.opening_hours.create(weekday=2, opens=time(9), closes=time(18))
    checkin, _ = at_desk(world, datetime(2026, 11, 25, 10, tzinfo=PARIS))
    assert services.checkins_close_for_closing_time(now=datetime(2026, 11, 25, 17, 59, tzinfo=PARIS)) == 0
    assert services.checkins_close_for_closing_time(now=datetime(2026, 11, 25, 18, 14, tzinfo=PARIS)) == 1
    checkin.refresh_from_db()
    assert checkin.checked_out_at == datetime(2026, 11, 25, 18, tzinfo=PARIS)
    assert checkin.auto_checked_out
    assert services.checkins_close_for_closing_time(now=datetime(2026, 11, 25, 19, tzinfo=PARIS)) == 0


def test_closing_time_on_the_autumn_dst_day_is_local(world):
    world.host.opening_hours.all().delete()
    world.host.opening_hours.create(weekday=6, opens=time(1), closes=time(18))
    checkin, _ = at_desk(world, datetime(2026, 10, 25, 1, 30, tzinfo=PARIS))
    services.checkins_close_for_closing_time(now=datetime(2026, 10, 26, tzinfo=PARIS))
    checkin.refresh_from_db()
    assert checkin.checked_out_at == datetime(2026, 10, 25, 17, tzinfo=ZoneInfo("UTC"))


def test_ranges_that_touch_are_one_stretch_for_the_automatic_checkout(world):
    world.host.opening_hours.all().delete()
    world.host.opening_hours.create(weekday=2, opens=time(9), closes=time(12))
    world.host.opening_hours.create(weekday=2, opens=time(12), closes=time(20))
    checkin, _ = at_desk(world, datetime(2026, 11, 25, 10, tzinfo=PARIS))
    assert services.checkins_close_for_closing_time(now=datetime(2026, 11, 25, 13, tzinfo=PARIS)) == 0
    services.checkins_close_for_closing_time(now=datetime(2026, 11, 25, 21, tzinfo=PARIS))
    checkin.refresh_from_db()
    assert checkin.checked_out_at == datetime(2026, 11, 25, 20, tzinfo=PARIS)


def test_auto_checkout_task_runs_the_service_and_is_scheduled(world, desk):
    from passes.tasks import auto_checkout
    from worker.schedule import beat_schedule

    world.host.opening_hours.all().delete()
    post_time = datetime(2026, 11, 25, 10, tzinfo=PARIS)
    world.host.opening_hours.create(weekday=2, opens=time(9), closes=time(18))
    at_desk(world, post_time)
    assert auto_checkout() == 1
    assert beat_schedule()["passes-auto-checkout"]["task"] == auto_checkout.name == "passes.auto_checkout"



def test_a_pass_whose_holder_erased_their_account_shows_no_name(world, desk):
    first = post(desk, world.pass_obj.code).json()
    desk.post(f"/api/v1/checkins/{first['id']}/checkout/")
    world.pass_obj.holder = None
    world.pass_obj.save()
    again = post(desk, world.pass_obj.code)
    assert again.status_code == 201
    assert again.json()["holder_name"] is None
    listed = desk.get("/api/v1/checkins/").json()["results"]
    assert {row["holder_name"] for row in listed} == {None}
