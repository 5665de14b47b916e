"""Input is read as the schema states it: a value of another type, an empty form field or an
empty filter is a 400 naming the field, never quietly converted or ignored."""

from __future__ import annotations

import pytest

from network.models import Organization

pytestmark = pytest.mark.django_db


def test_a_number_sent_for_a_text_field_is_refused_not_read_as_text(login, person):
    response = login(person).patch("/api/v1/me/", {"full_name": 0}, format="json")
    assert response.status_code == 400
    assert "full_name" in response.json()["fields"]
    person.refresh_from_db()
    assert person.full_name != "0"


@pytest.mark.parametrize(("field", "value"), [("full_name", True), ("full_name", ["Ada"]),
                                              ("language", 1)])
def test_a_value_of_another_json_type_is_refused(login, person, field, value):
    response = login(person).patch("/api/v1/me/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_text_of_the_right_type_is_still_taken(login, person):
    response = login(person).patch("/api/v1/me/", {"full_name": "Ada Lovelace"}, format="json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Ada Lovelace"


def test_an_empty_form_field_is_refused_rather_than_read_as_omitted(login, person):
    response = login(person).post("/api/v1/organizations/", {"name": "Ruche", "slug": ""},
                                  format="multipart")
    assert response.status_code == 400
    assert "slug" in response.json()["fields"]
    assert not Organization.objects.filter(name="Ruche").exists()


def test_a_form_field_sent_as_headers_without_a_body_is_read_as_empty(login, person):
    # MIME lets an empty part end right after its headers; Django's parser alone skips it.
    body = ('--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nRuche'
            '\r\n--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nassociation'
            '\r\n--b\r\nContent-Disposition: form-data; name="slug"\r\n'
            '\r\n--b--\r\n')
    response = login(person).generic("POST", "/api/v1/organizations/", body,
                                     content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"slug"}


def test_a_form_part_without_headers_is_a_malformed_body(login, person):
    response = login(person).generic("PATCH", "/api/v1/me/", "--b\r\n8282--b--\r\n",
                                     content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_a_form_field_that_takes_blank_text_still_takes_it_empty(login, person):
    person.full_name = "Ada"
    person.save()
    response = login(person).patch("/api/v1/me/", {"full_name": ""}, format="multipart")
    assert response.status_code == 200
    assert response.json()["full_name"] == ""


def test_a_form_without_the_optional_field_still_works(login, person):
    response = login(person).post("/api/v1/organizations/", {"name": "Ruche", "kind": "association"},
                                  format="multipart")
    assert response.status_code == 201
    assert response.json()["slug"]


@pytest.mark.parametrize(("path", "name"), [("/api/v1/organizations/", "kind"),
                                            ("/api/v1/events/", "status"),
                                            ("/api/v1/events/", "series")])
def test_a_filter_given_empty_is_refused_rather_than_listing_everything(api, path, name):
    response = api.get(path, {name: ""})
    assert response.status_code == 400
    assert name in response.json()["fields"]


def test_a_text_filter_given_empty_still_lists(api):
    assert api.get("/api/v1/organizations/", {"q": ""}).status_code == 200


def test_a_form_with_too_many_fields_is_a_400_in_the_error_format(login, person, settings):
    body = "&".join(["full_name=Ada"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = login(person).generic("PATCH", "/api/v1/me/", body,
                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"
