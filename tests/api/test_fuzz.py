"""Schemathesis walks every operation of ``/api/schema/`` with generated input, anonymous and
authenticated, with all its checks: no answer is a 500, answers match the schema, input the
schema calls invalid is refused, and input it calls valid is accepted (but where noted)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend.wsgi import application
from network.models import Role
from tests.factories import OrganizationFactory, member_of

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# No text column holds a NUL character: the API refuses one in any query (400), path (404) or
# single-line text (tests/security), which the schema does not spell out on every string.
schema.config.generation.update(allow_x00=False)

# "Valid data accepted" holds on every operation but these, where input the schema calls valid
# may still break a rule it cannot state, and that is a 400 (every check runs everywhere else).
MUST_EXIST = ("the body or the query names rows (slugs, ids, a pass code) that must exist and "
              "that the caller must manage: a made-up one is a 400 naming it")
VALID_NOT_ACCEPTED = {
    "GET /api/v1/events/": "moments are within 1970-2100 (backend/validators.py), which "
                           "OpenAPI 3.0 cannot state of a date-time",
    "DELETE /api/v1/me/": "the body's password must be the caller's, and OpenAPI 3.0 "
                          "describes no body for a DELETE",
    "POST /api/v1/organizations/": "a slug must be free, and an earlier case may have taken it",
    "GET /api/v1/observatory/cooperation/": "a period's start and end go together, the end after "
                                            "the start, which OpenAPI 3.0 cannot state of two parameters",
    "GET /api/v1/networks/{slug}/flows/": "the months' end follows their start, and the space "
                                          "must be one of the network's (a 400 naming it)",
    **dict.fromkeys((
        "GET /api/v1/settlements/", "POST /api/v1/settlements/close/", "POST /api/v1/campaigns/",
        "POST /api/v1/checkins/", "POST /api/v1/checkins/walk-in/", "POST /api/v1/events/",
        "POST /api/v1/series/", "POST /api/v1/invitations/", "POST /api/v1/memberships/",
        "POST /api/v1/passes/", "POST /api/v1/plans/", "POST /api/v1/moderation/decide/",
        "POST /api/v1/import-sources/", "POST /api/v1/import-sources/preview/"), MUST_EXIST),
}
# The same cases on every run, so that CI passes or fails for a reason; FUZZ_EXAMPLES=500
# for a deeper run, with new cases each time.
DEEPER = os.environ.get("FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(DEEPER or "15"), derandomize=DEEPER is None, deadline=None,
                suppress_health_check=list(HealthCheck))


def not_applicable(case) -> list:
    return [positive_data_acceptance] if case.operation.label in VALID_NOT_ACCEPTED else []


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the real WSGI handler, which closes old connections at
    each request's start and end (as Django's test client avoids doing): that would
    close the connection holding the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    person = member_of(OrganizationFactory(slug="fuzz-org"), Role.ADMIN)
    return Token.objects.create(user=person).key


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_anonymous_callers_get_answers_as_the_schema_states(case):
    case.call_and_validate(excluded_checks=not_applicable(case))


@schema.parametrize()
@FUZZ
def test_authenticated_callers_get_answers_as_the_schema_states(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"},
                           excluded_checks=not_applicable(case))
