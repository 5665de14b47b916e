"""Factories for spaces and the coworking pass."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from network.models import Person
from passes.models import Pass, PassNetwork, Period, Plan, Visit
from spaces.models import OpeningHours, Space
from tests.factories import OrganizationFactory, PersonFactory

ALL_DAY = (time(0, 0), time.max)


class SpaceFactory(factory.django.DjangoModelFactory):
    """A space open all day every day unless ``hours=[(weekday, opens, closes), …]`` says otherwise."""

    class Meta:
        model = Space
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Espace {n}")
    slug = factory.Sequence(lambda n: f"espace-{n}")
    operator = factory.SubFactory(OrganizationFactory)
    address = "1 rue de la Paix, 59000 Lille"
    time_zone = "Europe/Paris"
    desk_capacity = 10

    @factory.post_generation
    def hours(obj, create, extracted, **kwargs):
        if not create:
            return
        ranges = extracted if extracted is not None else [(day, *ALL_DAY) for day in range(7)]
        OpeningHours.objects.bulk_create(
            OpeningHours(space=obj, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in ranges
        )


class PassNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PassNetwork
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Réseau {n}")
    slug = factory.Sequence(lambda n: f"reseau-{n}")
    coordinator = factory.SubFactory(OrganizationFactory)

    @factory.post_generation
    def spaces(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.spaces.set(extracted)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    network = factory.SubFactory(PassNetworkFactory)
    name = factory.Sequence(lambda n: f"Forfait {n}")
    slug = factory.Sequence(lambda n: f"forfait-{n}")
    price = Decimal("100.00")
    period = Period.MONTH
    allowance = 10
    validity_days = 365


class PassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pass

    holder = factory.SubFactory(PersonFactory)
    plan = factory.SubFactory(PlanFactory)
    issuing_space = factory.LazyAttribute(lambda o: o.plan.network.spaces.first())
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))


def many_passes(*, plan: Plan, issuing_space: Space, count: int, visit_at: Space | None = None,
                day=None) -> list[Pass]:
    """``count`` held passes of ``plan`` in a few queries (factories would take one at a time),
    each with a visit-day at ``visit_at`` on ``day`` when given."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(email=f"nombreux{start + n}@example.org", full_name=f"Membre {start + n:04d}")
        for n in range(count))
    today = timezone.localdate()
    passes = Pass.objects.bulk_create(
        Pass(holder=person, plan=plan, issuing_space=issuing_space, valid_from=today - timedelta(days=60),
             valid_until=today + timedelta(days=300))
        for person in people)
    if visit_at is not None:
        Visit.objects.bulk_create(Visit(pass_obj=pass_obj, space=visit_at, day=day or today,
                                        value=plan.visit_value()) for pass_obj in passes)
    return passes
