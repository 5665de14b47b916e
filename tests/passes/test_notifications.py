"""Emails of the pass, recorded in the outbox once each."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from passes import services
from tests.passes.factories import PassFactory
from worker.models import Message

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def visit(world, day):
    checkin, _ = services.checkin_attempt(code=world.pass_obj.code, space=world.host.slug,
                                          actor=services.Actor(person=world.host_staff),
                                          now=datetime(2026, 6, day, 10, tzinfo=PARIS))
    services.checkin_checkout(checkin=checkin, now=datetime(2026, 6, day, 12, tzinfo=PARIS))


def test_holder_is_told_once_when_one_visit_is_left(world):
    world.member.language = "en"
    world.member.save()
    for day in (1, 2, 3):
        visit(world, day)
    assert not Message.objects.exists()
    visit(world, 4)  # 5 - 4 = 1 left
    message = Message.objects.get()
    assert (message.kind, message.to, message.language) == ("pass_allowance_low", world.member.email, "en")
    assert message.subject == f"Your {world.plan.name} pass: 1 visit(s) left in this period"
    visit(world, 5)
    assert Message.objects.count() == 1


def test_pass_whose_holder_erased_their_account_checks_in_without_a_notice(world):
    world.pass_obj.holder = None
    world.pass_obj.save()
    for day in (1, 2, 3, 4):
        visit(world, day)
    assert not Message.objects.exists()


def test_passes_ending_within_a_week_get_one_reminder(world):
    today = timezone.localdate()
    world.pass_obj.valid_until = today + timedelta(days=5)
    world.pass_obj.save()
    PassFactory(plan=world.plan, issuing_space=world.home, valid_until=today + timedelta(days=30))
    PassFactory(plan=world.plan, issuing_space=world.home, valid_until=today + timedelta(days=5),
                holder=None)  # its holder erased their account: nobody to tell
    assert services.passes_notify_expiring(today=today) == 1
    assert services.passes_notify_expiring(today=today) == 1
    message = Message.objects.get()
    assert message.kind == "pass_expiring" and world.home.name in message.body_text


def test_closing_a_month_tells_each_member_space_its_lines(world):
    world.home.contact_email, world.host.contact_email = "maison@example.org", "accueil@example.org"
    world.home.save()
    world.host.save()
    visit(world, 1)
    services.settlement_month_close(network=world.network, month=date(2026, 6, 1), by=None,
                                    now=datetime(2026, 7, 2, tzinfo=PARIS))
    messages = {m.to: m for m in Message.objects.filter(kind="settlement_ready")}
    assert set(messages) == {"maison@example.org", "accueil@example.org"}
    assert "1 j, 20.00 €" in messages["accueil@example.org"].body_text


def test_expiry_reminders_are_scheduled():
    from passes.tasks import notify_expiring
    from worker.schedule import beat_schedule

    assert beat_schedule()["passes-notify-expiring"]["task"] == notify_expiring.name


def test_last_month_closes_by_itself_from_the_close_day_once(world):
    world.host.contact_email = "accueil@example.org"
    world.host.save()
    visit(world, 1)

    assert services.settlements_close_due(today=date(2026, 7, 4), close_day=5) == []
    [closed] = services.settlements_close_due(today=date(2026, 7, 5), close_day=5)
    assert (closed.network, closed.month, closed.closed_by) == (world.network, date(2026, 6, 1), None)
    assert services.settlements_close_due(today=date(2026, 7, 6), close_day=5) == []
    assert Message.objects.filter(kind="settlement_ready", to="accueil@example.org").count() == 1


def test_settlements_close_on_schedule():
    from passes.tasks import close_settlements
    from worker.schedule import beat_schedule

    assert beat_schedule()["passes-close-settlements"]["task"] == close_settlements.name


def test_passes_past_their_validity_are_marked_expired_once(world):
    from passes.models import PassStatus

    today = timezone.localdate()
    world.pass_obj.valid_until = today - timedelta(days=1)
    world.pass_obj.save()
    suspended = PassFactory(plan=world.plan, issuing_space=world.home, valid_until=today - timedelta(days=3),
                            status=PassStatus.SUSPENDED)
    current = PassFactory(plan=world.plan, issuing_space=world.home, valid_until=today)

    assert services.passes_expire(today=today) == 1
    assert services.passes_expire(today=today) == 0
    world.pass_obj.refresh_from_db(), suspended.refresh_from_db(), current.refresh_from_db()
    assert (world.pass_obj.status, suspended.status, current.status) == ("expired", "suspended", "active")
