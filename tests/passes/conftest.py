from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from network.models import Person, Role
from passes.models import Pass, PassNetwork, Plan
from spaces.models import Space
from tests.factories import member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory


@dataclass
class World:
    """A two-space network: ``home`` sold ``pass_obj`` to ``member``; ``host`` welcomes visitors."""

    network: PassNetwork
    home: Space
    host: Space
    plan: Plan
    pass_obj: Pass
    member: Person
    host_staff: Person
    home_staff: Person
    coordinator: Person


@pytest.fixture
def world(db) -> World:
    home, host = SpaceFactory(slug="maison"), SpaceFactory(slug="accueil")
    network = PassNetworkFactory(spaces=[home, host])
    plan = PlanFactory(network=network, allowance=5)
    # Valid from long ago: the rules tests replay fixed dates of 2026.
    pass_obj = PassFactory(plan=plan, issuing_space=home, valid_from=date(2020, 1, 1))
    return World(
        network=network, home=home, host=host, plan=plan, pass_obj=pass_obj, member=pass_obj.holder,
        host_staff=member_of(host.operator, Role.SPACE_MANAGER),
        home_staff=member_of(home.operator, Role.SPACE_MANAGER),
        coordinator=member_of(network.coordinator, Role.COORDINATOR),
    )


@pytest.fixture
def desk(world, login):
    """The host space's front desk."""
    return login(world.host_staff)
