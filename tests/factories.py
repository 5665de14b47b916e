"""factory_boy factories shared by every test folder."""

from __future__ import annotations

import factory

from network.models import Membership, Organization, OrganizationKind, Person, Role


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-test")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Structure {n}")
    slug = factory.Sequence(lambda n: f"structure-{n}")
    kind = OrganizationKind.ASSOCIATION
    region = "Hauts-de-France"
    department = "59"
    commune_insee = "59350"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.ORGANIZER


def member_of(organization: Organization, role: str = Role.ORGANIZER, **person_fields) -> Person:
    """A new person holding ``role`` in ``organization``."""
    return MembershipFactory(
        organization=organization, role=role, person=PersonFactory(**person_fields)
    ).person
