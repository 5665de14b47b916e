"""Pages answer, speak French first, escape what people type and keep their queries few."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from spaces.models import Room, Space
from tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-test"


def make_space(name: str = "Mutualab", slug: str = "mutualab", **fields) -> Space:
    fields.setdefault("operator", OrganizationFactory())
    return Space.objects.create(name=name, slug=slug, address="5 place de la République, 59000 Lille",
                                region="Hauts-de-France", **fields)


def test_home_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html
    assert 'name="language" value="en"' in html


def test_a_browser_asking_for_english_gets_english(client):
    response = client.get("/", headers={"accept-language": "en"})
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html


def test_the_language_switch_remembers_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/espaces/"})
    assert response.status_code == 302
    assert response["Location"] == "/espaces/"
    html = client.get("/espaces/").content.decode()
    assert "<h1>Spaces</h1>" in html
    assert 'name="language" value="fr"' in html


def test_spaces_directory_lists_rooms_and_feed_links(client, django_assert_max_num_queries):
    mutualab = make_space(desk_capacity=60, amenities=["wifi", "fablab"])
    Room.objects.create(space=mutualab, name="Grande salle", slug="grande-salle", capacity=60)
    Room.objects.create(space=mutualab, name="Salle atelier", slug="salle-atelier", capacity=1)
    for n in range(5):
        make_space(name=f"Tiers-lieu {n}", slug=f"tiers-lieu-{n}")
    # Spaces with occupancy, then their rooms, hours and coming closures.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("web:spaces"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grande salle — 60 places" in html
    assert "Salle atelier — 1 place<" in html
    assert "webcal://" in html and "/feeds/spaces/mutualab.ics" in html
    assert html.count('class="card space"') == 6


def test_names_typed_by_people_are_escaped(client):
    space = make_space(name="<script>alert(1)</script> Lab", description="<b>gras</b>")
    Room.objects.create(space=space, name="<img src=x onerror=alert(2)>", slug="x", capacity=3)
    html = client.get(reverse("web:spaces")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lab" in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


def test_pages_carry_no_inline_script(client):
    make_space()
    for url in ("/", "/espaces/", "/connexion/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        scripts = re.findall(r"<script[^>]*>", response.content.decode())
        assert scripts and all(" src=" in tag for tag in scripts), url


def test_sign_in_with_email_and_password_then_sign_out(client):
    person = PersonFactory(email="lea@example.org", full_name="Léa Martin")
    page = client.get(reverse("web:signin"))
    assert page.status_code == 200
    assert 'autocomplete="email"' in page.content.decode()

    response = client.post(reverse("web:signin"),
                           {"username": "LEA@example.org", "password": PASSWORD, "next": "/espaces/"})
    assert response.status_code == 302
    assert response["Location"] == "/espaces/"
    assert client.session["_auth_user_id"] == str(person.pk)
    assert "Léa" in client.get("/").content.decode()

    assert client.get(reverse("web:signout")).status_code == 405
    response = client.post(reverse("web:signout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_says_so_next_to_the_form(client):
    PersonFactory(email="lea@example.org")
    response = client.post(reverse("web:signin"), {"username": "lea@example.org", "password": "non"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert 'role="alert"' in html
    assert "_auth_user_id" not in client.session


def test_sign_in_never_redirects_to_another_site(client):
    PersonFactory(email="lea@example.org")
    response = client.post(reverse("web:signin"), {"username": "lea@example.org", "password": PASSWORD,
                                                   "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_sign_in_shares_the_apis_guess_budget(client, settings):
    PersonFactory(email="lea@example.org")
    budget = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    attempts = [client.post(reverse("web:signin"), {"username": "lea@example.org", "password": "non"})
                for _ in range(budget)]
    assert {r.status_code for r in attempts} == {200}
    refused = client.post(reverse("web:signin"), {"username": "lea@example.org", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_pages_answer_an_html_404(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_signing_in_applies_the_persons_language_unless_the_browser_chose_one(client):
    PersonFactory(email="sam@example.org", language="en")
    client.post(reverse("web:signin"), {"username": "sam@example.org", "password": PASSWORD})
    assert '<html lang="en">' in client.get("/").content.decode()

    client.post(reverse("web:signout"))
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    client.post(reverse("web:signin"), {"username": "sam@example.org", "password": PASSWORD})
    assert '<html lang="fr">' in client.get("/").content.decode()
