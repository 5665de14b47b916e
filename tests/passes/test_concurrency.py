"""Parallel check-ins on PostgreSQL: real threads, one database connection each."""

from __future__ import annotations

from collections import Counter

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from network.models import Role
from passes import services
from passes.models import CheckIn, CheckinAttempt, Visit
from tests.factories import OrganizationFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory
from tests.services import require_postgres, run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_last_visit_goes_to_exactly_one_of_fifty_parallel_checkins():
    require_postgres()
    operator = OrganizationFactory()
    spaces = [SpaceFactory(operator=operator) for _ in range(51)]
    home, hosts = spaces[0], spaces[1:]
    plan = PlanFactory(network=PassNetworkFactory(spaces=spaces), allowance=2)
    pass_obj = PassFactory(plan=plan, issuing_space=home)
    staff = member_of(operator, Role.SPACE_MANAGER)
    first, _ = services.checkin_attempt(code=pass_obj.code, space=home.slug,
                                        actor=services.Actor(person=staff))
    services.checkin_checkout(checkin=first)  # one visit-day used, one left

    def check_in(i: int):
        return services.checkin_attempt(code=pass_obj.code, space=hosts[i].slug,
                                        actor=services.Actor(person=staff))

    results = run_in_threads(50, check_in)
    outcomes = Counter(r.code if isinstance(r, Exception) else "ok" for r in results)
    assert outcomes == {"ok": 1, "allowance_exhausted": 49}
    assert Visit.objects.filter(pass_obj=pass_obj).count() == 2
    assert CheckIn.objects.filter(checked_out_at__isnull=True).count() == 1
    assert CheckinAttempt.objects.filter(outcome="allowance_exhausted").count() == 49


def test_two_desks_checking_the_same_member_in_at_once_make_one_visit_day():
    require_postgres()
    space = SpaceFactory()
    plan = PlanFactory(network=PassNetworkFactory(spaces=[space]))
    pass_obj = PassFactory(plan=plan, issuing_space=space)
    desks = []
    for _ in range(2):
        client = APIClient()
        token = Token.objects.create(user=member_of(space.operator, Role.SPACE_MANAGER))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        desks.append(client)

    def scan(i: int):
        return desks[i].post("/api/v1/checkins/", {"pass_code": pass_obj.code, "space": space.slug},
                             format="json")

    responses = run_in_threads(2, scan)
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    assert Visit.objects.count() == 1 and CheckIn.objects.count() == 1


def test_last_desk_goes_to_exactly_one_of_ten_members_arriving_together():
    require_postgres()
    space = SpaceFactory(desk_capacity=1)
    plan = PlanFactory(network=PassNetworkFactory(spaces=[space]))
    passes = [PassFactory(plan=plan, issuing_space=space) for _ in range(10)]
    staff = member_of(space.operator, Role.SPACE_MANAGER)

    def check_in(i: int):
        return services.checkin_attempt(code=passes[i].code, space=space.slug,
                                        actor=services.Actor(person=staff))

    outcomes = Counter(r.code if isinstance(r, Exception) else "ok" for r in run_in_threads(10, check_in))
    assert outcomes == {"ok": 1, "space_full": 9}
    assert Visit.objects.count() == 1 and CheckIn.objects.count() == 1


def test_arrivals_and_departures_together_keep_the_count_and_the_capacity():
    require_postgres()
    space = SpaceFactory(desk_capacity=5)
    plan = PlanFactory(network=PassNetworkFactory(spaces=[space]))
    staff = member_of(space.operator, Role.SPACE_MANAGER)
    leaving = [PassFactory(plan=plan, issuing_space=space) for _ in range(5)]
    arriving = [PassFactory(plan=plan, issuing_space=space) for _ in range(15)]
    for pass_obj in leaving:
        services.checkin_attempt(code=pass_obj.code, space=space.slug, actor=services.Actor(person=staff))
    present = list(CheckIn.objects.filter(space=space))

    def move(i: int):
        if i < len(present):
            return services.checkin_checkout(checkin=present[i])
        return services.checkin_attempt(code=arriving[i - len(present)].code, space=space.slug,
                                        actor=services.Actor(person=staff))

    results = run_in_threads(len(present) + len(arriving), move)
    outcomes = Counter(type(r).__name__ if isinstance(r, Exception) else "ok" for r in results)
    assert set(outcomes) <= {"ok", "SpaceFull"}, outcomes
    assert 5 <= outcomes["ok"] <= 5 + 5  # every departure; arrivals up to the desks they freed
    still_here = CheckIn.objects.filter(space=space, checked_out_at=None).count()
    assert still_here == outcomes["ok"] - 5 <= 5
