"""Factories for shared events (and the spaces and rooms they book)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import (
    Campaign,
    CoOrganization,
    CoOrganizationStatus,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from spaces.models import Room, Space
from tests.factories import OrganizationFactory


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    name = factory.Sequence(lambda n: f"Tiers-lieu {n}")
    slug = factory.Sequence(lambda n: f"tiers-lieu-{n}")
    operator = factory.SubFactory(OrganizationFactory)
    address = "5 place de la République, 59000 Lille"
    region = "Hauts-de-France"
    department = "59"
    commune_insee = "59350"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    space = factory.SubFactory(SpaceFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    slug = factory.Sequence(lambda n: f"salle-{n}")
    capacity = 40


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Mois de l'ESS {2026 + n}")
    slug = factory.Sequence(lambda n: f"mois-ess-{2026 + n}")
    label = "Mois de l'ESS"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))

    @factory.post_generation
    def coordinators(obj, create, extracted, **kwargs):
        if create:
            obj.coordinators.set(extracted or [OrganizationFactory()])


def in_days(days: int, hour: int = 18, minute: int = 30):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Café métiers n° {n}")
    slug = factory.Sequence(lambda n: f"evenement-{n}")
    organization = factory.SubFactory(OrganizationFactory)
    status = EventStatus.PUBLISHED
    starts_at = factory.LazyFunction(lambda: in_days(7))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=2))
    region = "Hauts-de-France"
    department = "59"
    commune_insee = "59350"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Participant·e {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    status = RegistrationStatus.CONFIRMED




def co_organize(event: Event, organization, status: str = CoOrganizationStatus.ACCEPTED) -> CoOrganization:
    """``organization`` invited to co-organize ``event``, having answered ``status``
    (an accepted one is a co-organizer)."""
    now = timezone.now()
    request = CoOrganization.objects.create(
        event=event, organization=organization, status=status, requested_at=now,
        decided_at=None if status == CoOrganizationStatus.PENDING else now)
    if status == CoOrganizationStatus.ACCEPTED:
        event.co_organizers.add(organization)
    return request
