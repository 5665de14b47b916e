"""Inputs an outside audit sent to the API: each answers a 400, 404 or 413 naming what is at
fault, never a 500, and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from events.models import Event, Series
from network.models import Organization
from tests.events.conftest import event_payload
from tests.events.factories import in_days
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/events/", "/api/v1/organizations/"])
def test_deeply_nested_json_is_a_400_on_any_endpoint(login, person, path):
    response = login(person).post(path, DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


@pytest.mark.parametrize("collection", ["organizations", "spaces", "campaigns", "networks"])
def test_a_nul_character_in_the_path_is_a_404(api, collection):
    response = api.get(f"/api/v1/{collection}/%00/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("name", "value"), [
    ("starts_after", "9999-12-31T23:59:59-12:00"),
    ("starts_before", "0001-01-01T00:00:00+14:00"),
    ("starts_after", "1900-01-01T00:00:00+00:00"),
    ("starts_after", "2026-11-05T18:30:00"),
])
def test_event_filters_refuse_moments_out_of_bounds_or_without_offset(api, name, value):
    response = api.get("/api/v1/events/", {name: value})
    assert response.status_code == 400
    assert name in response.json()["fields"]


def test_an_aware_filter_within_bounds_still_filters(api):
    response = api.get("/api/v1/events/", {"starts_after": "2026-11-05T18:30:00+01:00"})
    assert response.status_code == 200


@pytest.mark.parametrize(("overrides", "field"), [
    ({"starts_at": "9999-12-31T10:00:00+01:00", "ends_at": "9999-12-31T12:00:00+01:00"}, "starts_at"),
    ({"starts_at": "0001-01-01T10:00:00+00:00", "ends_at": "0001-01-01T12:00:00+00:00"}, "starts_at"),
    ({"ends_at": "9709-01-01T12:00:00+01:00"}, "ends_at"),
    ({"starts_at": "2026-11-05T18:30:00", "ends_at": "2026-11-05T20:30:00"}, "starts_at"),
    ({"ends_at": in_days(42, 20).isoformat()}, "ends_at"),  # longer than 31 days
    ({"time_zone": "localtime"}, "time_zone"),
    ({"time_zone": "EST5EDT"}, "time_zone"),
    ({"time_zone": "Etc/GMT+5"}, "time_zone"),
    ({"registration_closes_at": "9999-01-01T00:00:00+00:00"}, "registration_closes_at"),
    ({"title": "Café\r\nBEGIN:VEVENT"}, "title"),
    ({"title": "Café\x00"}, "title"),
    ({"address": "1 rue\nde Lille"}, "address"),
])
def test_events_refuse_times_zones_and_lines_out_of_bounds(login, world, overrides, field):
    response = login(world.organizer).post("/api/v1/events/", event_payload(world, **overrides),
                                           format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert Event.objects.count() == 1


def test_utc_and_iana_places_are_accepted(login, world):
    for zone in ("UTC", "America/Cayenne"):
        response = login(world.organizer).post("/api/v1/events/",
                                               event_payload(world, time_zone=zone), format="json")
        assert response.status_code == 201, response.json()


@pytest.mark.parametrize("rrule", [
    "FREQ=MONTHLY;BYDAY=9TH;COUNT=3",
    "FREQ=DAILY;INTERVAL=0;COUNT=3",
    "FREQ=DAILY;COUNT=3;UNTIL=20270101",
    "FREQ=DAILY;COUNT=3;COUNT=4",
    "FREQ=YEARLY;BYEASTER=0;COUNT=3",
    "FREQ=WEEKLY;BYDAY=2MO;COUNT=3",
    "FREQ=DAILY;UNTIL=99991231",
    "FREQ=DAILY;BYMONTH=13;COUNT=3",
    "FREQ=DAILY;BYHOUR=9;COUNT=3",
    "FREQ=YEARLY;COUNT=200",  # its last dates fall after 2100
])
def test_series_refuse_rules_that_do_not_hold(login, world, rrule):
    response = login(world.organizer).post("/api/v1/series/", event_payload(world, rrule=rrule),
                                           format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid_rrule"
    assert "rrule" in response.json()["fields"]
    assert not Series.objects.exists()


def test_an_impossible_rule_is_refused_on_its_field(login, world):
    response = login(world.organizer).post("/api/v1/series/", event_payload(
        world, rrule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1"), format="json")
    assert response.status_code == 400
    assert "rrule" in response.json()["fields"]
    assert not Series.objects.exists()


def test_a_monthly_rule_on_the_first_thursday_still_makes_its_dates(login, world):
    response = login(world.organizer).post("/api/v1/series/", event_payload(
        world, rrule="FREQ=MONTHLY;BYDAY=1TH;COUNT=3"), format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["events"]) == 3


@pytest.mark.parametrize("name", ["Mutualab\rBEGIN:VEVENT", "Mutualab\nX", "Mutualab\x00", "A\u2028B"])
def test_an_organization_name_on_two_lines_is_refused(login, person, name):
    before = Organization.objects.count()
    response = login(person).post("/api/v1/organizations/", {"name": name, "kind": "association"},
                                  format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]
    assert Organization.objects.count() == before  # (PostgreSQL cannot even search for a NUL)


def test_the_model_refuses_a_name_on_two_lines_for_the_admin_and_the_pages_too():
    organization = OrganizationFactory.build(name="Mutualab\r\nX-INJECTED:1")
    with pytest.raises(ValidationError) as refused:
        organization.full_clean(exclude=["slug"])
    assert "name" in refused.value.message_dict


def test_an_anonymous_registration_name_on_two_lines_is_refused(api, world):
    world.event.status = "published"
    world.event.save()
    response = api.post(f"/api/v1/events/{world.event.id}/registrations/",
                        {"name": "Ada\r\nBcc: x@example.org", "email": "ada@example.org"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_a_ten_megabyte_upload_is_refused_before_it_is_read(client):
    # The body is declared, not sent: the answer comes from the declared length alone.
    response = client.generic("POST", "/api/v1/organizations/", b"",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(10 * 2**20))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_event_schema_declares_what_may_be_null_and_hours_as_written(api):
    schema = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    event = schema["Event"]["properties"]
    assert event["campaign"].get("nullable") is True
    assert event["room"].get("nullable") is True
    hours = schema["OpeningHours"]["properties"]
    assert "format" not in hours["closes"]
    assert "24:00" in hours["closes"]["description"]


def test_a_day_range_of_an_event_keeps_its_room_free_when_refused(login, world):
    # A 32-day booking would hold the room for a month: refused before the room is checked.
    response = login(world.organizer).post("/api/v1/events/", event_payload(
        world, room=world.room.id, ends_at=(in_days(10) + timedelta(days=32)).isoformat()), format="json")
    assert response.status_code == 400
    assert "ends_at" in response.json()["fields"]

