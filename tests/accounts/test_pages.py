"""The account pages with Django's test client: same answers for known and unknown addresses,
errors on the field, authorization, profile, data and erasure."""

from __future__ import annotations

import pytest

from accounts.models import Invitation
from network.models import Membership, Organization, Person, Role
from tests.accounts.conftest import last_message, link_in
from tests.factories import OrganizationFactory, PersonFactory, member_of

pytestmark = pytest.mark.django_db

STRONG = "Ruche-bourdonnante-42"


def main_text(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def test_signup_page_answers_the_same_for_a_known_address(client):
    PersonFactory(email="deja@example.org")
    answers = [client.post("/compte/inscription/", {"email": email, "password": STRONG, "full_name": "A"},
                           follow=True) for email in ("deja@example.org", "neuve@example.org")]
    assert [a.redirect_chain for a in answers] == [[("/compte/inscription/envoyee/", 302)]] * 2
    assert main_text(answers[0]) == main_text(answers[1])
    assert Person.objects.get(email="neuve@example.org").email_verified is False


def test_reset_page_answers_the_same_for_a_known_address(client):
    PersonFactory(email="deja@example.org")
    answers = [client.post("/compte/mot-de-passe-oublie/", {"email": email}, follow=True)
               for email in ("deja@example.org", "inconnue@example.org")]
    assert answers[0].redirect_chain == answers[1].redirect_chain
    assert main_text(answers[0]) == main_text(answers[1])


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"email": "pas-une-adresse", "password": STRONG}, "email", "Saisissez une adresse e-mail valide."),
    ({"email": "a@example.org", "password": "azerty"}, "password", "trop court"),
    ({"email": "a@example.org", "password": STRONG, "full_name": "N" * 10_000}, "full_name", "150"),
])
def test_signup_page_shows_bad_input_on_the_field(client, data, field, text):
    response = client.post("/compte/inscription/", data)
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert not Person.objects.exists()


def test_used_verification_link_page_says_so(client):
    client.post("/compte/inscription/", {"email": "neuve@example.org", "password": STRONG})
    link = link_in(last_message("neuve@example.org"))
    assert "Confirmer mon adresse" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    used = client.get(link)
    assert used.status_code == 400 and "Ce lien a expiré ou a déjà servi." in used.content.decode()
    assert client.get("/compte/confirmer/xx/yy/").status_code == 400


def test_profile_page_changes_name_and_language(client):
    person = PersonFactory()
    client.force_login(person)
    response = client.post("/compte/", {"full_name": "Léa Lambda", "language": "en"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    person.refresh_from_db()
    assert (person.full_name, person.language) == ("Léa Lambda", "en")
    long = client.post("/compte/", {"full_name": "L" * 10_000, "language": "xx"})
    assert set(long.context["form"].errors) == {"full_name", "language"}


def test_password_change_page(client):
    person = PersonFactory()
    client.force_login(person)
    wrong = client.post("/compte/mot-de-passe/", {"current_password": "non", "new_password": STRONG})
    assert "Mot de passe incorrect." in wrong.context["form"].errors["current_password"]
    ok = client.post("/compte/mot-de-passe/", {"current_password": "motdepasse-test", "new_password": STRONG})
    assert ok.status_code == 302
    assert client.get("/compte/").status_code == 200  # still signed in
    person.refresh_from_db()
    assert person.check_password(STRONG)


def test_account_pages_need_a_session(client):
    for path in ("/compte/", "/compte/mot-de-passe/", "/compte/supprimer/", "/structures/nouvelle/"):
        assert client.get(path)["Location"].startswith("/connexion/?next=")


def test_erasure_page_asks_for_the_password_and_refuses_the_last_admin(client):
    person = PersonFactory()
    organization = OrganizationFactory(name="Coop seule")
    Membership.objects.create(person=person, organization=organization, role=Role.ADMIN)
    client.force_login(person)
    page = client.get("/compte/supprimer/").content.decode()
    assert "vos inscriptions à venir sont annulées" in page and "vos pass sont révoqués" in page
    wrong = client.post("/compte/supprimer/", {"password": "non"})
    assert "Mot de passe incorrect." in wrong.context["form"].errors["password"]
    alone = client.post("/compte/supprimer/", {"password": "motdepasse-test"})
    assert "Coop seule" in " ".join(alone.context["form"].non_field_errors())
    Membership.objects.create(person=PersonFactory(), organization=organization, role=Role.ADMIN)
    assert client.post("/compte/supprimer/", {"password": "motdepasse-test"}).status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()


def test_members_page_is_for_the_organization_admins_only(client):
    apes = OrganizationFactory(slug="apes")
    client.force_login(member_of(apes, Role.ORGANIZER))
    assert client.get("/structures/apes/membres/").status_code == 404
    admin = member_of(apes, Role.ADMIN)
    client.force_login(admin)
    assert client.get("/structures/apes/membres/").status_code == 200
    bad = client.post("/structures/apes/membres/", {"email": "x" * 300, "role": "roi"})
    assert set(bad.context["form"].errors) == {"email", "role"}
    client.post("/structures/apes/membres/", {"email": "invitee@example.org", "role": "organizer"})
    invitation = Invitation.objects.get()
    client.post(f"/structures/apes/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert client.post(f"/structures/apes/invitations/{invitation.pk}/autre/").status_code == 404
    # The last admin stays.
    client.post(f"/structures/apes/membres/{admin.memberships.get().pk}/retirer/", follow=True)
    assert Membership.objects.filter(person=admin, role=Role.ADMIN).exists()


def test_a_verified_person_creates_an_organization_on_a_page(client):
    person = PersonFactory()
    client.force_login(person)
    response = client.post("/structures/nouvelle/", {"name": "Ma coop", "kind": "scop", "department": "59"})
    assert response.status_code == 302
    organization = Organization.objects.get(name="Ma coop")
    assert Membership.objects.filter(person=person, organization=organization, role=Role.ADMIN).exists()
    unverified = PersonFactory(email_verified=False)
    client.force_login(unverified)
    refused = client.post("/structures/nouvelle/", {"name": "Autre", "kind": "scop"})
    assert "Confirmez d'abord votre adresse" in " ".join(refused.context["form"].non_field_errors())


def test_invitations_are_in_the_data_export_and_erased_with_the_account(login):
    apes = OrganizationFactory(slug="apes")
    admin = member_of(apes, Role.ADMIN)
    login(admin).post("/api/v1/invitations/", {"organization": "apes", "email": "invitee@example.org",
                                               "role": "organizer"}, format="json")
    invitee = PersonFactory(email="invitee@example.org")
    data = login(invitee).get("/api/v1/me/data/").json()
    assert data["accounts"]["invitations_received"][0]["organization"] == "apes"
    assert login(admin).get("/api/v1/me/data/").json()["accounts"]["invitations_sent"][0]["email"] == (
        "invitee@example.org")
    assert login(invitee).delete("/api/v1/me/", {"password": "motdepasse-test"},
                                 format="json").status_code == 204
    assert not Invitation.objects.exists()


def test_email_change_moves_the_account_once_the_new_address_confirms(client, api, login):
    person = PersonFactory(email="ancienne@example.org")
    PersonFactory(email="prise@example.org")
    client.force_login(person)
    wrong = client.post("/compte/adresse/", {"email": "nouvelle@example.org", "password": "non"})
    assert "Mot de passe incorrect." in wrong.context["form"].errors["password"]
    taken = client.post("/compte/adresse/", {"email": "prise@example.org", "password": "motdepasse-test"})
    free = client.post("/compte/adresse/", {"email": "Nouvelle@example.org", "password": "motdepasse-test"})
    assert taken.status_code == free.status_code == 302  # no hint that an address is taken
    assert last_message("prise@example.org").kind == "account_exists"
    link = link_in(last_message("nouvelle@example.org", "email_change"))
    person.refresh_from_db()
    assert person.email == "ancienne@example.org"
    assert client.post(link).status_code == 302
    person.refresh_from_db()
    assert person.email == "nouvelle@example.org" and person.email_verified
    assert last_message("ancienne@example.org").kind == "email_changed"
    token = link.rstrip("/").split("/")[-1]
    again = api.post("/api/v1/me/email/confirm/", {"token": token}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "link_invalid"
    forged = api.post("/api/v1/me/email/confirm/", {"token": token[:-2] + "xx"}, format="json")
    assert forged.status_code == 400
    same = login(person).post("/api/v1/me/email/", {"email": "nouvelle@example.org",
                                                    "password": "motdepasse-test"}, format="json")
    assert same.status_code == 400 and "email" in same.json()["fields"]
