"""Invitations to a role and to take a pass sold to an address with no account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Invitation
from network.models import Membership, Person, Role
from passes.models import Pass, PassStatus, Plan
from tests.accounts.conftest import last_message, link_in
from tests.factories import OrganizationFactory, PersonFactory, member_of
from tests.passes.factories import PassNetworkFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db

STRONG = "Ruche-bourdonnante-42"


@pytest.fixture
def apes(db):
    return OrganizationFactory(name="APES", slug="apes")


@pytest.fixture
def admin(apes):
    return member_of(apes, Role.ADMIN, email="admin@apes.test")


def invite(client, email="invitee@example.org", role="organizer", organization="apes"):
    return client.post("/api/v1/invitations/", {"organization": organization, "email": email, "role": role},
                       format="json")


def secret_of(email: str) -> str:
    return link_in(last_message(email, "invitation")).rstrip("/").split("/")[-1]


def test_admin_invites_and_a_new_person_accepts_by_creating_an_account(api, login, admin, apes):
    response = invite(login(admin))
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and response.json()["invited_by"] == "admin@apes.test"
    message = last_message("invitee@example.org", "invitation")
    assert "APES" in message.subject and message.essential
    accepted = api.post("/api/v1/invitations/accept/", {"token": secret_of("invitee@example.org"),
                                                        "password": STRONG, "full_name": "Iris"},
                        format="json")
    assert accepted.status_code == 200, accepted.json()
    person = Person.objects.get(email="invitee@example.org")
    assert person.email_verified and person.check_password(STRONG)
    assert Membership.objects.filter(person=person, organization=apes, role=Role.ORGANIZER).exists()
    assert Invitation.objects.get().status == "accepted"


def test_invitation_cannot_be_accepted_by_another_signed_in_person(login, admin):
    invite(login(admin))
    intruder = PersonFactory(email="autre@example.org")
    response = login(intruder).post("/api/v1/invitations/accept/",
                                    {"token": secret_of("invitee@example.org")}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "invitation_other_person"
    assert not Membership.objects.filter(person=intruder).exists()
    assert Invitation.objects.get().status == "pending"


def test_an_existing_account_accepts_signed_in_and_is_verified_by_it(api, login, admin, apes):
    invited = PersonFactory(email="invitee@example.org", email_verified=False)
    invite(login(admin))
    secret = secret_of("invitee@example.org")
    anonymous = api.post("/api/v1/invitations/accept/", {"token": secret, "password": STRONG}, format="json")
    assert anonymous.status_code == 409 and anonymous.json()["code"] == "account_exists"
    assert login(invited).post("/api/v1/invitations/accept/", {"token": secret},
                               format="json").status_code == 200
    invited.refresh_from_db()
    assert invited.email_verified
    again = login(invited).post("/api/v1/invitations/accept/", {"token": secret}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invitation_invalid"


def test_only_the_organization_admins_invite_list_resend_and_revoke(login, admin, apes):
    organizer = member_of(apes, Role.ORGANIZER)
    refused = invite(login(organizer))
    assert refused.status_code == 400 and "organization" in refused.json()["fields"]
    invitation_id = invite(login(admin)).json()["id"]
    assert login(organizer).get("/api/v1/invitations/").json()["count"] == 0
    assert login(organizer).post(f"/api/v1/invitations/{invitation_id}/revoke/").status_code == 404
    assert login(admin).get("/api/v1/invitations/?organization=apes").json()["count"] == 1


def test_resending_makes_a_new_link_and_kills_the_old_one(api, login, admin):
    invitation_id = invite(login(admin)).json()["id"]
    old = secret_of("invitee@example.org")
    resent = login(admin).post(f"/api/v1/invitations/{invitation_id}/resend/")
    assert resent.status_code == 200
    new = secret_of("invitee@example.org")
    assert new != old
    dead = api.post("/api/v1/invitations/accept/", {"token": old, "password": STRONG}, format="json")
    assert dead.status_code == 400 and "token" in dead.json()["fields"]
    assert api.post("/api/v1/invitations/accept/", {"token": new, "password": STRONG},
                    format="json").status_code == 200


def test_revoked_and_expired_invitations_cannot_be_accepted(api, login, admin):
    first = invite(login(admin), "un@example.org").json()["id"]
    invite(login(admin), "deux@example.org")
    assert login(admin).post(f"/api/v1/invitations/{first}/revoke/").json()["status"] == "revoked"
    past = timezone.now() - timedelta(minutes=1)
    Invitation.objects.filter(email="deux@example.org").update(expires_at=past)
    for email in ("un@example.org", "deux@example.org"):
        response = api.post("/api/v1/invitations/accept/", {"token": secret_of(email), "password": STRONG},
                            format="json")
        assert response.status_code == 400 and response.json()["code"] == "invitation_invalid"
    assert not Person.objects.filter(email__in=["un@example.org", "deux@example.org"]).exists()
    statuses = {i["email"]: i["status"] for i in login(admin).get("/api/v1/invitations/").json()["results"]}
    assert statuses == {"un@example.org": "revoked", "deux@example.org": "expired"}
    # An expired invitation can be sent again; a revoked one stays closed.
    assert login(admin).post(f"/api/v1/invitations/{first}/resend/").status_code == 409


def test_inviting_twice_or_a_current_member_is_refused(login, admin, apes):
    invite(login(admin))
    again = invite(login(admin))
    assert again.status_code == 409 and again.json()["code"] == "already_invited"
    member = member_of(apes, Role.ORGANIZER, email="membre@apes.test")
    existing = invite(login(admin), member.email)
    assert existing.status_code == 409 and existing.json()["code"] == "membership_exists"


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "pas-une-adresse"}, "email"),
    ({"email": "x" * 10_000 + "@example.org"}, "email"),
    ({"role": "roi"}, "role"),
    ({"organization": "inconnue"}, "organization"),
])
def test_bad_invitation_names_the_field(login, admin, body, field):
    response = login(admin).post("/api/v1/invitations/", {"organization": "apes", "email": "a@example.org",
                                                          "role": "organizer", **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_an_unverified_account_cannot_be_given_a_role_directly(login, admin):
    unverified = PersonFactory(email="nouvelle@example.org", email_verified=False)
    response = login(admin).post("/api/v1/memberships/", {"organization": "apes", "role": "organizer",
                                                          "person_email": unverified.email}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "email_unverified"
    assert "person_email" in response.json()["fields"]


def test_an_unverified_account_cannot_create_an_organization(login):
    response = login(PersonFactory(email_verified=False)).post(
        "/api/v1/organizations/", {"name": "Ma coop", "kind": "scop"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "email_unverified"


@pytest.fixture
def space():
    home = SpaceFactory(slug="maison", name="Maison de l'ESS")
    PlanFactory(network=PassNetworkFactory(spaces=[home]), name="Mensuel")
    return home


def sell(client, space, email):
    return client.post("/api/v1/passes/", {"plan": Plan.objects.get().id,
                                           "holder_email": email, "issuing_space": "maison"}, format="json")


def test_a_pass_sold_to_an_unknown_address_waits_for_its_buyer(api, login, space):
    seller = member_of(space.operator, Role.SPACE_MANAGER)
    response = sell(login(seller), space, "Coworker@example.org")
    assert response.status_code == 202, response.json()
    assert response.json()["holder"] is None
    message = last_message("coworker@example.org", "invitation")
    assert "Maison de l'ESS" in message.subject
    listed = login(seller).get("/api/v1/invitations/").json()["results"]
    assert listed[0]["held_pass"] == response.json()["id"]

    accepted = api.post("/api/v1/invitations/accept/", {"token": secret_of("coworker@example.org"),
                                                        "password": STRONG}, format="json")
    assert accepted.status_code == 200
    assert Pass.objects.get().holder == Person.objects.get(email="coworker@example.org")


def test_a_pass_sold_to_an_unverified_account_goes_through_an_invitation(login, space):
    buyer = PersonFactory(email="coworker@example.org", email_verified=False)
    seller = member_of(space.operator, Role.SPACE_MANAGER)
    assert sell(login(seller), space, buyer.email).status_code == 202
    assert Pass.objects.get().holder is None
    assert login(buyer).post("/api/v1/invitations/accept/", {"token": secret_of(buyer.email)},
                             format="json").status_code == 200
    assert Pass.objects.get().holder == buyer


def test_revoking_a_pass_invitation_revokes_the_pass(login, space):
    seller = member_of(space.operator, Role.SPACE_MANAGER)
    sell(login(seller), space, "coworker@example.org")
    invitation = Invitation.objects.get()
    assert login(seller).post(f"/api/v1/invitations/{invitation.id}/revoke/").status_code == 200
    assert Pass.objects.get().status == PassStatus.REVOKED


def test_a_pass_revoked_before_its_buyer_took_it_cannot_be_taken(api, login, space):
    seller = member_of(space.operator, Role.SPACE_MANAGER)
    sell(login(seller), space, "coworker@example.org")
    held = Pass.objects.get()
    assert login(seller).post(f"/api/v1/passes/{held.id}/status/", {"status": "revoked"},
                              format="json").status_code == 200
    assert Invitation.objects.get().status == "revoked"
    refused = api.post("/api/v1/invitations/accept/", {"token": secret_of("coworker@example.org"),
                                                       "password": STRONG}, format="json")
    assert refused.status_code == 400 and "token" in refused.json()["fields"]
    assert not Person.objects.filter(email="coworker@example.org").exists()
