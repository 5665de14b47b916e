"""The two engines of the check-in rules give the same answers and leave the same rows.

The rules are written in Python (passes/services.py) and, for speed on PostgreSQL,
as the database function of passes/checkin.sql. Hypothesis draws networks, plans,
passes, opening hours, closures, time zones and sequences of attempts by desks,
kiosks and members; each sequence runs once per engine from the same rows, and
the answers (outcome, message, visit-days left…) and the rows written (visits,
check-ins, the log of refusals) must be equal.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from network.models import Role
from passes import services
from passes.models import CheckIn, CheckinAttempt, PassStatus, Period, Visit
from spaces.models import Closure
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("CHECKIN_ENGINE_EXAMPLES", "100"))
ZONES = ["Europe/Paris", "America/Martinique", "Pacific/Noumea"]
# A Sunday of 2026 at noon UTC, the eve of the end of October's DST and of a month's end.
BASE = datetime(2026, 10, 25, 12, tzinfo=ZoneInfo("UTC"))

plans = st.fixed_dictionaries({
    "period": st.sampled_from([Period.MONTH, Period.ROLLING_30, Period.UNLIMITED]),
    "allowance": st.integers(1, 3),
    "per_space_cap": st.sampled_from([None, 1, 2]),
    "price": st.sampled_from([Decimal("0"), Decimal("25"), Decimal("99.99")]),
    "visit_value": st.sampled_from([None, Decimal("7.50")]),
    "only_home": st.sampled_from([False, False, False, True]),
})
spaces = st.fixed_dictionaries({
    "zone": st.sampled_from(ZONES),
    "hours": st.sampled_from(["always", "always", "always", "office", "evening"]),
    "closed_on": st.sampled_from([None, None, None, 0, 1, 3]),  # days after BASE
    "capacity": st.sampled_from([0, 1, 5, 5, 5]),
    "self_checkin": st.booleans(),
})
passes = st.fixed_dictionaries({
    "status": st.sampled_from([PassStatus.ACTIVE] * 8 + [PassStatus.SUSPENDED, PassStatus.REVOKED,
                                                         PassStatus.EXPIRED]),
    "starts": st.integers(-20, 1),  # days from BASE
    "lasts": st.sampled_from([0, 30, 60, 60, 60]),
    "holder_erased": st.sampled_from([False] * 5 + [True]),
})
attempts = st.lists(st.fixed_dictionaries({
    "actor": st.sampled_from(["desk"] * 8 + ["kiosk"] * 2 + ["other_desk", "other_kiosk", "member",
                                                              "stranger"]),
    "space": st.sampled_from(["home"] * 3 + ["host"] * 6 + ["outsider", "nowhere"]),
    "code": st.sampled_from(["long"] * 5 + ["short"] * 3 + ["short_typed", "other_pass", "unknown"]),
    "hours": st.integers(-6, 24 * 6),  # from BASE
    "leave_after": st.booleans(),
}), min_size=1, max_size=10)


def make_space(draw: dict, network_spaces: list | None = None):
    hours = {
        "always": [(day, time(0), time.max) for day in range(7)],
        "office": [(day, time(9), time(18)) for day in range(5)],
        "evening": [(day, time(17), time(23, 30)) for day in range(7)],
    }[draw["hours"]]
    space = SpaceFactory(time_zone=draw["zone"], hours=hours, desk_capacity=draw["capacity"],
                         self_checkin_allowed=draw["self_checkin"])
    if draw["closed_on"] is not None:
        day = BASE.date() + timedelta(days=draw["closed_on"])
        Closure.objects.create(space=space, starts_on=day, ends_on=day + timedelta(days=1))
    return space


def build(plan: dict, home: dict, host: dict, pass_: dict) -> dict:
    home_space, host_space, outsider = make_space(home), make_space(host), make_space(host)
    network = PassNetworkFactory(spaces=[home_space, host_space], visit_value=plan["visit_value"])
    unlimited = plan["period"] == Period.UNLIMITED
    plan_obj = PlanFactory(network=network, period=plan["period"], price=plan["price"],
                           allowance=None if unlimited else plan["allowance"],
                           per_space_cap=None if unlimited else plan["per_space_cap"])
    if plan["only_home"]:
        plan_obj.eligible_spaces.set([home_space])
    starts = BASE.date() + timedelta(days=pass_["starts"])
    pass_obj = PassFactory(plan=plan_obj, issuing_space=home_space, status=pass_["status"],
                           valid_from=starts, valid_until=starts + timedelta(days=pass_["lasts"]))
    other_pass = PassFactory(plan=plan_obj, issuing_space=home_space, valid_from=date(2020, 1, 1))
    member = pass_obj.holder
    if pass_["holder_erased"]:
        pass_obj.holder = None
        pass_obj.save()
    by_name = {"home": home_space, "host": host_space, "outsider": outsider}
    return {
        "spaces": by_name, "pass": pass_obj, "other_pass": other_pass, "member": member,
        "desks": {name: member_of(space.operator, Role.SPACE_MANAGER) for name, space in by_name.items()},
        "kiosks": {name: services.kiosk_create(space=space, name="Borne")[0]
                   for name, space in by_name.items()},
        "stranger": PersonFactory(),
    }


def actor_for(world: dict, attempt: dict) -> services.Actor:
    space = attempt["space"] if attempt["space"] != "nowhere" else "host"
    other = "home" if space != "home" else "host"
    return {
        "desk": lambda: services.Actor(person=world["desks"][space]),
        "other_desk": lambda: services.Actor(person=world["desks"][other]),
        "kiosk": lambda: services.Actor(kiosk=world["kiosks"][space]),
        "other_kiosk": lambda: services.Actor(kiosk=world["kiosks"][other]),
        "member": lambda: services.Actor(person=world["member"]),
        "stranger": lambda: services.Actor(person=world["stranger"]),
    }[attempt["actor"]]()


def code_for(world: dict, attempt: dict) -> str:
    short = world["pass"].short_code
    return {
        "long": world["pass"].code,
        "short": short,
        "short_typed": f"{short[:4].lower()}-{short[4:].lower()}",
        "other_pass": world["other_pass"].code,
        "unknown": "ZZZZ2345",
    }[attempt["code"]]


def replay(world: dict, sequence: list[dict]) -> tuple[list, dict]:
    """Run the attempts; the answers, and what the tables hold afterwards (without ids)."""
    answers = []
    for attempt in sequence:
        slug = world["spaces"][attempt["space"]].slug if attempt["space"] != "nowhere" else "nulle-part"
        moment = BASE + timedelta(hours=attempt["hours"])
        try:
            checkin, created = services.checkin_attempt(
                code=code_for(world, attempt), space=slug, actor=actor_for(world, attempt), now=moment)
        except (services.CheckinRefused, services.UnknownSpace) as refusal:
            answers.append(("refused", refusal.code, refusal.field, refusal.detail, refusal.status))
            continue
        holder = checkin.pass_obj.holder
        answers.append(("ok", created, checkin.channel, checkin.visit.day, checkin.checked_in_at,
                        checkin.remaining_allowance, checkin.space.slug, checkin.pass_obj.short_code,
                        (holder.full_name, holder.email) if holder else None))
        if attempt["leave_after"]:
            services.checkin_checkout(checkin=CheckIn.objects.get(pk=checkin.id),
                                      now=moment + timedelta(hours=1))
    rows = {
        "visits": sorted(Visit.objects.values_list("pass_obj_id", "space_id", "day", "value"), key=repr),
        "checkins": sorted(CheckIn.objects.values_list(
            "pass_obj_id", "space_id", "visit__day", "checked_in_at", "checked_out_at", "channel",
            "checked_in_by_id", "kiosk_id"), key=repr),
        "refusals": sorted(CheckinAttempt.objects.values_list(
            "at", "outcome", "space_id", "pass_obj_id", "code_prefix", "person_id", "kiosk_id"), key=repr),
    }
    return answers, rows


def run_with(settings, engine: str, world: dict, sequence: list[dict]) -> tuple[list, dict]:
    """One engine's replay, rolled back afterwards so that the other starts from the same rows."""
    settings.CHECKIN_RULES_IN_DATABASE = engine == "database"
    with transaction.atomic():
        result = replay(world, sequence)
        transaction.set_rollback(True)
    return result


@hypothesis_settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=plans, home=spaces, host=spaces, pass_=passes, sequence=attempts)
def test_python_and_database_rules_agree(settings, plan, home, host, pass_, sequence):
    require_postgres()
    with transaction.atomic():
        world = build(plan, home, host, pass_)
        python = run_with(settings, "python", world, sequence)
        database = run_with(settings, "database", world, sequence)
        transaction.set_rollback(True)
    for answer in python[0]:  # shown by --hypothesis-show-statistics
        event(f"{answer[0]} {answer[1]}")
    assert database[0] == python[0]
    assert database[1] == python[1]
