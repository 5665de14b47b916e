"""Every object URL of the API, walked as a signed-in person with no role anywhere.

The demo data supplies real objects of every kind. Such a person may read what
is public (published events, organizations, campaigns, spaces, networks, plans)
and register to an event; every other read answers 403/404 and every write is
refused. New operations are picked up from the schema: the walk covers them
without edits, and an operation it cannot fill in fails the test.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import Invitation
from events.models import Campaign, CoOrganization, Event, EventStatus, Registration, Series
from imports.models import Source
from network.models import Membership, Organization
from passes.models import CheckIn, Pass, PassNetwork, Plan
from spaces.models import Space
from tests.factories import PersonFactory

PUBLIC_READS = {
    "/api/v1/campaigns/{slug}/", "/api/v1/events/{id}/", "/api/v1/organizations/{slug}/",
    "/api/v1/spaces/{slug}/", "/api/v1/networks/{slug}/", "/api/v1/plans/{id}/",
    "/api/v1/series/{id}/", "/api/v1/campaigns/{slug}/figures/",
}
# Writes anyone may make on someone else's object.
OPEN_WRITES = {("POST", "/api/v1/events/{id}/registrations/")}


def _values() -> dict[str, list]:
    published = list(Event.objects.filter(status=EventStatus.PUBLISHED).values_list("id", flat=True)[:3])
    drafts = list(Event.objects.filter(status=EventStatus.DRAFT).values_list("id", flat=True)[:3])
    return {
        "/api/v1/campaigns/": list(Campaign.objects.values_list("slug", flat=True)[:2]),
        "/api/v1/checkins/": list(CheckIn.objects.values_list("id", flat=True)[:3]),
        "/api/v1/co-organizations/": list(CoOrganization.objects.values_list("id", flat=True)[:3]),
        "/api/v1/events/": published + drafts,
        "/api/v1/import-sources/": list(Source.objects.values_list("id", flat=True)[:2]),
        "/api/v1/invitations/": list(Invitation.objects.values_list("id", flat=True)[:2]),
        "/api/v1/memberships/": list(Membership.objects.values_list("id", flat=True)[:3]),
        "/api/v1/networks/": list(PassNetwork.objects.values_list("slug", flat=True)[:1]),
        "/api/v1/organizations/": list(Organization.objects.values_list("slug", flat=True)[:3]),
        "/api/v1/passes/": list(Pass.objects.values_list("id", flat=True)[:3]),
        "/api/v1/plans/": list(Plan.objects.values_list("id", flat=True)[:2]),
        "/api/v1/registrations/secret/": ["not-a-real-token-" + "x" * 30],
        "/api/v1/registrations/": list(Registration.objects.values_list("id", flat=True)[:3]),
        "/api/v1/series/": list(Series.objects.values_list("id", flat=True)[:2]),
        "/api/v1/spaces/": list(Space.objects.values_list("slug", flat=True)[:2]),
    }


def _fill(path: str, values: dict[str, list]) -> list[str]:
    prefix = max((p for p in values if path.startswith(p)), key=len, default=None)
    assert prefix is not None and values[prefix], f"no object to walk {path} with"
    return [re.sub(r"\{[^}]+\}", str(value), path, count=1) for value in values[prefix]]


@pytest.mark.django_db
def test_an_unrelated_person_reads_only_public_objects_and_writes_nothing(login, api):
    call_command("load_demo", stdout=io.StringIO())
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    client = login(PersonFactory())
    values = _values()
    walked = 0
    for template, operations in schema["paths"].items():
        if "{" not in template:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            if method not in operations:
                continue
            for url in _fill(template, values):
                response = getattr(client, method)(url, {}, format="json") if method != "get" else \
                    client.get(url)
                walked += 1
                status = response.status_code
                assert status != 500, f"{method.upper()} {url}"
                if method == "get" and template in PUBLIC_READS:
                    assert status in (200, 404), f"{method.upper()} {url} → {status}"
                elif (method.upper(), template) in OPEN_WRITES:
                    assert status in (201, 400, 404, 409, 429), f"{method.upper()} {url} → {status}"
                else:
                    assert status in (403, 404, 405), f"{method.upper()} {url} → {status}"
    assert walked > 60
