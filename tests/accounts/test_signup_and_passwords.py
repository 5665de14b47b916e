"""Sign-up, verification, password reset and change through the API: no enumeration, links
that serve once and expire, limits per client and per address, clear answers to bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.authtoken.models import Token

from accounts.tokens import reset_tokens, verification_tokens
from events.models import Registration
from network.models import Person
from tests.accounts.conftest import last_message, link_in, link_parts
from tests.events.factories import EventFactory
from tests.factories import PersonFactory
from worker.models import Message

pytestmark = pytest.mark.django_db

STRONG = "Ruche-bourdonnante-42"


def signup(api, email="nouvelle@example.org", password=STRONG, **extra):
    return api.post("/api/v1/auth/signup/", {"email": email, "password": password, **extra}, format="json")


def test_signup_creates_an_unverified_account_and_sends_a_verification_link(api):
    response = signup(api, full_name="Nina Nouvelle")
    assert response.status_code == 202
    person = Person.objects.get(email="nouvelle@example.org")
    assert not person.email_verified and person.full_name == "Nina Nouvelle"
    message = last_message("nouvelle@example.org", "account_verification")
    assert message.essential and "/compte/confirmer/" in message.body_text
    assert "Ne plus recevoir" not in message.body_text and message.body_html

    uid, token = link_parts(message)
    assert api.post("/api/v1/auth/verify/", {"uid": uid, "token": token}, format="json").status_code == 200
    person.refresh_from_db()
    assert person.email_verified


def test_signup_answers_the_same_for_a_known_address_and_tells_its_owner(api):
    PersonFactory(email="deja@example.org")
    unknown, known = signup(api, "inconnue@example.org"), signup(api, "Deja@example.org")
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert Person.objects.filter(email__iexact="deja@example.org").count() == 1
    assert last_message("deja@example.org").kind == "account_exists"


def test_signup_weak_password_is_refused_on_the_field_for_any_address(api):
    PersonFactory(email="deja@example.org")
    for email in ("deja@example.org", "inconnue@example.org"):
        response = signup(api, email, password="12345678")
        assert response.status_code == 400
        assert "password" in response.json()["fields"]
    assert not Person.objects.filter(email="inconnue@example.org").exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "pas-une-adresse", "password": STRONG}, "email"),
    ({"email": "a@example.org", "password": "motdepasse"}, "password"),
    ({"email": "a@example.org", "password": STRONG, "full_name": "N" * 10_000}, "full_name"),
    ({"email": "a@example.org" + "x" * 10_000, "password": STRONG}, "email"),
    ({"email": "a@example.org", "password": "x" * 10_000}, "password"),
    ({"email": "a@example.org", "password": STRONG, "role": "admin"}, "role"),
])
def test_bad_signup_names_the_field(api, body, field):
    response = api.post("/api/v1/auth/signup/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_verification_link_serves_once(api):
    signup(api)
    uid, token = link_parts(last_message("nouvelle@example.org"))
    assert api.post("/api/v1/auth/verify/", {"uid": uid, "token": token}, format="json").status_code == 200
    again = api.post("/api/v1/auth/verify/", {"uid": uid, "token": token}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "link_invalid" and "token" in again.json()["fields"]


def test_verification_link_expires(api, settings, monkeypatch):
    signup(api)
    uid, token = link_parts(last_message("nouvelle@example.org"))
    later = verification_tokens._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(verification_tokens, "_now", lambda: later)
    response = api.post("/api/v1/auth/verify/", {"uid": uid, "token": token}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "link_invalid"
    assert not Person.objects.get(email="nouvelle@example.org").email_verified


@pytest.mark.parametrize(("uid", "token"), [("!!", "x"), ("MTIzNDU2Nzg5", "abc-def"), ("", ""),
                                            ("A" * 64, "B" * 128)])
def test_malformed_links_answer_400_never_500(api, uid, token):
    response = api.post("/api/v1/auth/verify/", {"uid": uid, "token": token}, format="json")
    assert response.status_code == 400


def test_verifying_attaches_the_registrations_made_as_a_guest(api):
    event = EventFactory(capacity=None)
    Registration.objects.create(event=event, name="Nina", email="Nouvelle@example.org")
    signup(api)
    person = Person.objects.get(email="nouvelle@example.org")
    assert not Registration.objects.filter(person=person).exists()  # not before the address is proved
    uid, token = link_parts(last_message("nouvelle@example.org"))
    api.post("/api/v1/auth/verify/", {"uid": uid, "token": token}, format="json")
    assert Registration.objects.get(event=event).person == person


def test_unverified_person_can_sign_in_and_ask_for_a_new_link(api, login):
    signup(api)
    token = api.post("/api/v1/auth/token/", {"email": "nouvelle@example.org", "password": STRONG},
                     format="json")
    assert token.status_code == 200
    person = Person.objects.get(email="nouvelle@example.org")
    assert login(person).post("/api/v1/auth/verify/resend/").status_code == 202
    assert Message.objects.filter(to=person.email, kind="account_verification").count() == 2


def test_reset_answers_the_same_for_known_and_unknown_addresses(api):
    PersonFactory(email="connue@example.org")
    known = api.post("/api/v1/auth/password-reset/", {"email": "connue@example.org"}, format="json")
    unknown = api.post("/api/v1/auth/password-reset/", {"email": "inconnue@example.org"}, format="json")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert list(Message.objects.values_list("to", flat=True)) == ["connue@example.org"]


def test_reset_link_sets_the_password_once_and_old_tokens_stop_working(api, login):
    person = PersonFactory(email="connue@example.org")
    old_token = Token.objects.create(user=person)
    api.post("/api/v1/auth/password-reset/", {"email": "connue@example.org"}, format="json")
    uid, token = link_parts(last_message("connue@example.org", "password_reset"))
    body = {"uid": uid, "token": token, "password": STRONG}
    assert api.post("/api/v1/auth/password-reset/confirm/", body, format="json").status_code == 200
    assert api.post("/api/v1/auth/token/", {"email": person.email, "password": STRONG},
                    format="json").status_code == 200
    assert not Token.objects.filter(key=old_token.key).exists()
    again = api.post("/api/v1/auth/password-reset/confirm/", {**body, "password": "Autre-ruche-77"},
                     format="json")
    assert again.status_code == 400 and again.json()["code"] == "link_invalid"


def test_reset_link_expires(api, settings, monkeypatch):
    person = PersonFactory(email="connue@example.org")
    api.post("/api/v1/auth/password-reset/", {"email": "connue@example.org"}, format="json")
    uid, token = link_parts(last_message("connue@example.org"))
    later = reset_tokens._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(reset_tokens, "_now", lambda: later)
    response = api.post("/api/v1/auth/password-reset/confirm/",
                        {"uid": uid, "token": token, "password": STRONG}, format="json")
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.check_password("motdepasse-test")


def test_reset_with_a_weak_password_names_the_field_and_keeps_the_link(api):
    PersonFactory(email="connue@example.org")
    api.post("/api/v1/auth/password-reset/", {"email": "connue@example.org"}, format="json")
    uid, token = link_parts(last_message("connue@example.org"))
    weak = api.post("/api/v1/auth/password-reset/confirm/",
                    {"uid": uid, "token": token, "password": "connue"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()["fields"]
    assert api.post("/api/v1/auth/password-reset/confirm/",
                    {"uid": uid, "token": token, "password": STRONG}, format="json").status_code == 200


def test_sign_in_answers_the_same_for_unknown_address_and_wrong_password(api, client):
    PersonFactory(email="connue@example.org")
    answers = [api.post("/api/v1/auth/token/", {"email": email, "password": "mauvais-mot"}, format="json")
               for email in ("connue@example.org", "inconnue@example.org")]
    assert answers[0].status_code == answers[1].status_code == 401
    assert answers[0].json() == answers[1].json()
    pages = [client.post("/connexion/", {"username": email, "password": "mauvais-mot"})
             for email in ("connue@example.org", "inconnue@example.org")]
    assert pages[0].status_code == pages[1].status_code == 200
    for page in pages:
        assert "Adresse e-mail ou mot de passe incorrect." in page.content.decode()


def test_password_change_needs_the_current_password(login):
    person = PersonFactory()
    client = login(person)
    wrong = client.post("/api/v1/me/password/", {"current_password": "non", "new_password": STRONG},
                        format="json")
    assert wrong.status_code == 400 and "current_password" in wrong.json()["fields"]
    weak = client.post("/api/v1/me/password/", {"current_password": "motdepasse-test",
                                                "new_password": "123"}, format="json")
    assert weak.status_code == 400 and "new_password" in weak.json()["fields"]
    ok = client.post("/api/v1/me/password/", {"current_password": "motdepasse-test", "new_password": STRONG},
                     format="json")
    assert ok.status_code == 204
    person.refresh_from_db()
    assert person.check_password(STRONG)


def test_requests_about_one_address_are_limited_wherever_they_come_from(api, settings):
    answers = [api.post("/api/v1/auth/password-reset/", {"email": "cible@example.org"}, format="json",
                        REMOTE_ADDR=f"10.0.0.{n}") for n in range(7)]
    assert [a.status_code for a in answers] == [202] * 5 + [429] * 2
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["code"] == "throttled"


def test_requests_from_one_client_are_limited(api):
    answers = [signup(api, f"n{n}@example.org") for n in range(12)]
    assert answers[-1].status_code == 429 and int(answers[-1]["Retry-After"]) > 0
    pages = api.post("/compte/mot-de-passe-oublie/", {"email": "x@example.org"})
    assert pages.status_code == 429 and int(pages["Retry-After"]) > 0


def test_the_profile_says_whether_the_address_is_verified(api, login):
    signup(api)
    person = Person.objects.get(email="nouvelle@example.org")
    assert login(person).get("/api/v1/me/").json()["email_verified"] is False
    refused = login(person).patch("/api/v1/me/", {"email_verified": True}, format="json")
    assert refused.status_code == 400 and "email_verified" in refused.json()["fields"]
    person.refresh_from_db()
    assert not person.email_verified


def test_a_new_address_with_a_guest_seat_at_an_event_already_held_keeps_both_apart(client):
    event = EventFactory(capacity=None)
    person = PersonFactory(email="ancienne@example.org")
    Registration.objects.create(event=event, person=person, name="Léa", email=person.email)
    guest = Registration.objects.create(event=event, name="Léa", email="nouvelle@example.org")
    client.force_login(person)
    client.post("/compte/adresse/", {"email": "nouvelle@example.org", "password": "motdepasse-test"})
    client.post(link_in(last_message("nouvelle@example.org", "email_change")))
    person.refresh_from_db()
    assert person.email == "nouvelle@example.org"
    guest.refresh_from_db()
    assert guest.person is None
