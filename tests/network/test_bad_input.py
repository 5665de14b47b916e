"""Bad input gets a 4xx in the one error format, naming the field; nothing is written."""

from __future__ import annotations

import json
import re

import pytest

from network.models import Organization

pytestmark = pytest.mark.django_db


def test_unknown_field_is_named(login, person):
    response = login(person).post("/api/v1/organizations/",
                                  {"name": "A", "kind": "association", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"colour": ["Champ inconnu."]}
    assert not Organization.objects.exists()


def test_wrong_type_and_bad_choice_are_named(login, person):
    response = login(person).post("/api/v1/organizations/",
                                  {"name": ["A"], "kind": "banque"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"name", "kind"}


def test_malformed_json_is_a_400(login, person):
    response = login(person).post("/api/v1/organizations/", data='{"name": "A",',
                                  content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_oversized_body_is_refused_before_parsing(login, person, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = login(person).post("/api/v1/organizations/",
                                  {"name": "A", "kind": "association", "description": "x" * 5000},
                                  format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Organization.objects.exists()


def test_bad_insee_code_is_named(login, person):
    response = login(person).post("/api/v1/organizations/",
                                  {"name": "A", "kind": "association", "commune_insee": "123"},
                                  format="json")
    assert response.status_code == 400
    assert "commune_insee" in response.json()["fields"]


def test_unknown_object_is_a_404_in_the_error_format(api):
    response = api.get("/api/v1/organizations/nope/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_and_docs_are_served(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organizations/" in schema.content
    as_json = api.get("/api/schema/?format=json")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/api/v1/organizations/" in as_json.json()["paths"]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_every_component_of_the_schema_describes_something_the_api_takes_or_gives(api):
    """A client generated from the schema gets no class that nothing uses."""
    schema = api.get("/api/schema/?format=json").json()
    named = set(schema["components"]["schemas"])
    reached: set[str] = set()
    waiting = set(re.findall(r"#/components/schemas/(\w+)", json.dumps(schema["paths"])))
    while waiting:
        name = waiting.pop()
        reached.add(name)
        waiting |= set(re.findall(r"#/components/schemas/(\w+)",
                                  json.dumps(schema["components"]["schemas"][name]))) - reached
    assert named - reached == set()


def test_pages_carry_security_headers(api):
    response = api.get("/api/docs/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_nul_character_is_a_400_naming_the_parameter_or_field(api, login, person):
    response = api.get("/api/v1/events/?campaign=mois%00ess")
    assert (response.status_code, response.json()["fields"]) == (400, {"campaign": [
        "Le paramètre « campaign » contient un caractère nul."]})
    assert api.get("/feeds/events.ics?organization=%00").status_code == 400
    assert login(person).get("/api/v1/settlements/?network=%00&month=2026-09").status_code == 400

    body = login(person).post("/api/v1/memberships/", {"organization": "apes\x00", "person_email":
                              "ada@example.org", "role": "organizer"}, format="json")
    assert body.status_code == 400 and "organization" in body.json()["fields"]
