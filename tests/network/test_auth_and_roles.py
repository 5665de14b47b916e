from __future__ import annotations

import pytest

from network.models import Membership, Role
from tests.factories import OrganizationFactory, PersonFactory, member_of

pytestmark = pytest.mark.django_db


def test_token_login_with_email_and_password(api):
    PersonFactory(email="manon@cress.example")
    response = api.post("/api/v1/auth/token/", {"email": "Manon@cress.example",
                                                 "password": "motdepasse-test"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["email"] == "manon@cress.example"


def test_token_login_with_a_wrong_password_is_refused(api):
    PersonFactory(email="manon@cress.example")
    response = api.post("/api/v1/auth/token/", {"email": "manon@cress.example", "password": "nope"},
                        format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_token_login_names_the_missing_field(api):
    response = api.post("/api/v1/auth/token/", {"email": "manon@cress.example"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "password" in body["fields"]


def test_anonymous_write_gets_401(api):
    response = api.post("/api/v1/organizations/", {"name": "X", "kind": "association"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_creator_of_an_organization_becomes_its_admin(login, person):
    response = login(person).post(
        "/api/v1/organizations/",
        {"name": "Les Fabriques Solidaires", "kind": "scic", "department": "59"}, format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "les-fabriques-solidaires"
    assert Membership.objects.filter(person=person, role=Role.ADMIN,
                                     organization__slug="les-fabriques-solidaires").exists()


def test_admin_edits_their_organization_but_not_another(login):
    mine, theirs = OrganizationFactory(), OrganizationFactory()
    admin = member_of(mine, Role.ADMIN)
    client = login(admin)
    assert client.patch(f"/api/v1/organizations/{mine.slug}/", {"website": "https://a.example"},
                        format="json").status_code == 200
    response = client.patch(f"/api/v1/organizations/{theirs.slug}/",
                            {"website": "https://b.example"}, format="json")
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.website == ""


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.COORDINATOR, Role.SPACE_MANAGER])
def test_only_admins_edit_an_organization(login, role):
    organization = OrganizationFactory()
    response = login(member_of(organization, role)).patch(
        f"/api/v1/organizations/{organization.slug}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403


def test_admin_grants_and_revokes_roles_in_their_organization_only(login):
    mine, theirs = OrganizationFactory(), OrganizationFactory()
    admin = member_of(mine, Role.ADMIN)
    newcomer = PersonFactory()
    client = login(admin)
    granted = client.post("/api/v1/memberships/", {"organization": mine.slug,
                          "person_email": newcomer.email, "role": "organizer"}, format="json")
    assert granted.status_code == 201, granted.json()
    refused = client.post("/api/v1/memberships/", {"organization": theirs.slug,
                          "person_email": newcomer.email, "role": "organizer"}, format="json")
    assert refused.status_code == 400
    assert "organization" in refused.json()["fields"]
    assert client.delete(f"/api/v1/memberships/{granted.json()['id']}/").status_code == 204
    assert not Membership.objects.filter(person=newcomer).exists()


def test_granting_the_same_role_twice_is_a_conflict(login):
    organization = OrganizationFactory()
    admin = member_of(organization, Role.ADMIN)
    body = {"organization": organization.slug, "person_email": admin.email, "role": "admin"}
    response = login(admin).post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "membership_exists"


def test_the_last_admin_cannot_be_removed(login):
    organization = OrganizationFactory()
    admin = member_of(organization, Role.ADMIN)
    membership = Membership.objects.get(person=admin)
    response = login(admin).delete(f"/api/v1/memberships/{membership.id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"


def test_other_organizations_memberships_are_invisible(login):
    mine, theirs = OrganizationFactory(), OrganizationFactory()
    admin = member_of(mine, Role.ADMIN)
    hidden = Membership.objects.get(person=member_of(theirs, Role.ORGANIZER))
    client = login(admin)
    listed = {m["id"] for m in client.get("/api/v1/memberships/").json()["results"]}
    assert hidden.id not in listed
    assert client.get(f"/api/v1/memberships/{hidden.id}/").status_code == 404
    assert client.delete(f"/api/v1/memberships/{hidden.id}/").status_code == 404


def test_password_guessing_is_rate_limited_even_with_a_forged_forwarded_for(api):
    from django.core.cache import cache

    cache.clear()
    PersonFactory(email="manon@cress.example")
    statuses = [
        api.post("/api/v1/auth/token/", {"email": "manon@cress.example", "password": f"guess{n}"},
                 format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    cache.clear()
