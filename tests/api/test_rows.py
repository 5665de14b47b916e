"""Instances built from rows read with plain SQL behave as the ORM's own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from backend import rows
from network.models import Person
from passes.models import Pass

pytestmark = pytest.mark.django_db


def test_a_partial_instance_reads_its_other_fields_when_asked(person):
    built = rows.partial(Person, id=person.id, email=person.email)
    assert built.get_deferred_fields() >= {"full_name", "date_joined"}
    with CaptureQueriesContext(connection) as captured:
        assert built.full_name == person.full_name
    assert len(captured) == 1
    assert not built._state.adding and built._state.db == "default"


def test_a_related_instance_given_is_used_without_a_query(person):
    holder = rows.partial(Person, id=person.id, full_name="Awa")
    pass_obj = rows.partial(Pass, id=1, short_code="ABCD2345", holder=holder)
    with CaptureQueriesContext(connection) as captured:
        assert pass_obj.holder is holder
        assert rows.partial(Pass, id=2, holder=None).holder is None
    assert len(captured) == 0


def test_an_unknown_field_is_refused():
    with pytest.raises(TypeError, match="not fields of Person: \\['nickname'\\]"):
        rows.partial(Person, id=1, nickname="Awa")


def test_a_model_with_init_receivers_is_built_by_the_orm(person):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    rows._shape.cache_clear()
    post_init.connect(receiver, sender=Person)
    try:
        built = rows.partial(Person, id=person.id, email=person.email)
    finally:
        post_init.disconnect(receiver, sender=Person)
        rows._shape.cache_clear()
    assert seen == [built] and built.email == person.email
