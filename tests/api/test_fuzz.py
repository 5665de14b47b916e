"""Schemathesis walks every operation of ``/api/schema/`` with generated input,
anonymous and authenticated: no answer is a 500, and answers match the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from backend.wsgi import application
from network.models import Role
from tests.factories import OrganizationFactory, member_of

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# DRF is lenient where the schema is strict (an unparsable ?page_size= falls back
# to the default page size), so "was invalid input refused / valid input accepted"
# is not asserted; "no 500" and "the answer matches the schema" are.
LENIENT = [negative_data_rejection, positive_data_acceptance]


@pytest.fixture
def token(db):
    person = member_of(OrganizationFactory(slug="fuzz-org"), Role.ADMIN)
    return Token.objects.create(user=person).key


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_anonymous_callers_never_get_a_500(case):
    case.call_and_validate(excluded_checks=LENIENT)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_authenticated_callers_never_get_a_500(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=LENIENT)
