"""The agenda on partners' websites: the iframe page, its JSON twin, and the snippet composer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import EventStatus, Moderation
from tests.events.factories import CampaignFactory, EventFactory, in_days
from tests.factories import OrganizationFactory, Role, member_of

pytestmark = pytest.mark.django_db

EMBED = "/integrer/agenda/"
JSON = "/integrer/evenements.json"


@pytest.fixture
def programme(db):
    apes = OrganizationFactory(name="APES", slug="apes")
    other = OrganizationFactory(name="Autre réseau", slug="autre")
    campaign = CampaignFactory(title="Mois de l'ESS", slug="mois-ess")
    forum = EventFactory(organization=apes, title="Forum de l'ESS", campaign=campaign,
                         moderation=Moderation.APPROVED, starts_at=in_days(3),
                         address="Gare Saint-Sauveur, 17 boulevard Jean-Baptiste Lebas, 59000 Lille")
    cafe = EventFactory(organization=apes, title="Café métiers", starts_at=in_days(5), format="cafe_metiers")
    EventFactory(organization=other, title="Chez les autres", starts_at=in_days(4))
    EventFactory(organization=apes, title="Brouillon", status=EventStatus.DRAFT)
    EventFactory(organization=apes, title="Passé", starts_at=in_days(-5),
                 ends_at=in_days(-5) + timedelta(hours=1))
    EventFactory(organization=apes, title="En attente", campaign=campaign, moderation=Moderation.PENDING)
    return apes, campaign, forum, cafe


def test_the_embedded_agenda_may_be_framed_by_any_site_and_nothing_else_may(client, programme):
    response = client.get(EMBED, {"organization": "apes"})

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    agenda = client.get(reverse("web:agenda"))
    assert agenda.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in agenda.headers["Content-Security-Policy"]
    composer = client.get(reverse("programme:compose"))
    assert composer.headers["X-Frame-Options"] == "DENY"


def test_it_shows_the_upcoming_public_events_of_the_selection(client, programme):
    html = client.get(EMBED, {"organization": "apes"}).content.decode()

    assert "Forum de l&#x27;ESS" in html and "Café métiers" in html
    for absent in ("Chez les autres", "Brouillon", "Passé"):
        assert absent not in html
    assert 'target="_blank"' in html and "http://127.0.0.1:8000/evenements/" in html
    campaign_html = client.get(EMBED, {"campaign": "mois-ess"}).content.decode()
    assert "Forum de l&#x27;ESS" in campaign_html
    assert "Café métiers" not in campaign_html and "En attente" not in campaign_html


def test_it_speaks_the_partners_language_whatever_the_visitors(client, programme):
    _apes, _campaign, forum, _cafe = programme
    client.cookies["django_language"] = "fr"

    response = client.get(EMBED, {"organization": "apes", "lang": "en"})

    html = response.content.decode()
    assert response.headers["Content-Language"] == "en" and '<html lang="en">' in html
    english_day = forum.starts_at.astimezone(forum.zone).strftime("%A")
    assert english_day in html
    assert '<html lang="fr">' in client.get(EMBED, {"organization": "apes"}).content.decode()


def test_it_answers_304_until_an_event_of_it_changes(client, programme):
    apes, _campaign, forum, _cafe = programme
    first = client.get(EMBED, {"organization": "apes"})
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"

    again = client.get(EMBED, {"organization": "apes"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert client.get(EMBED, {"organization": "apes", "lang": "en"},
                      headers={"If-None-Match": etag}).status_code == 200

    services.event_update(actor=member_of(apes, Role.ORGANIZER), event=forum, title="Forum de l'ESS 2")
    changed = client.get(EMBED, {"organization": "apes"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Forum de l&#x27;ESS 2" in changed.content.decode()


def test_a_new_co_organizer_changes_the_etag(client, programme):
    _apes, _campaign, forum, _cafe = programme
    etag = client.get(EMBED, {"organization": "apes"}).headers["ETag"]
    forum.co_organizers.add(OrganizationFactory(name="Nouvelle co-organisatrice"))
    changed = client.get(EMBED, {"organization": "apes"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Nouvelle co-organisatrice" in changed.content.decode()


@pytest.mark.parametrize(("params", "field"), [
    ({"format": "karaoke"}, "format"), ({"lang": "de"}, "lang"), ({"limit": "0"}, "limit"),
    ({"limit": "dix"}, "limit"), ({"limit": "101"}, "limit"),
])
def test_a_bad_parameter_is_refused_by_name(client, programme, params, field):
    page = client.get(EMBED, params)
    assert page.status_code == 400 and f"<code>{field}</code>" in page.content.decode()
    answer = client.get(JSON, params)
    assert answer.status_code == 400 and field in answer.json()["fields"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_every_bad_parameter_is_named_not_only_the_first(client, programme):
    params = {"lang": "de", "limit": "0", "format": "karaoke"}
    page = client.get(EMBED, params).content.decode()
    assert all(f"<code>{field}</code>" in page for field in params), page
    assert client.get(JSON, params).json()["fields"].keys() == params.keys()
    composer = client.get(reverse("programme:compose"), params).content.decode()
    assert all(f"<code>{field}</code>" in composer for field in params)


def test_the_number_of_events_is_limited(client, programme):
    apes, *_ = programme
    for n in range(30):
        EventFactory(organization=apes, title=f"Atelier {n:02d}", starts_at=in_days(10 + n))
    assert len(client.get(JSON, {"organization": "apes"}).json()["events"]) == 20
    assert len(client.get(JSON, {"organization": "apes", "limit": "5"}).json()["events"]) == 5


def test_the_json_endpoint_answers_any_origin_with_etags(client, programme):
    response = client.get(JSON, {"organization": "apes", "lang": "en"},
                          headers={"Origin": "https://partenaire.example"})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    data = response.json()
    forum = data["events"][0]
    assert forum["title"] == "Forum de l'ESS" and forum["organizers"] == ["APES"]
    assert forum["place"]["commune"] == "Lille" and forum["place"]["name"] == "Gare Saint-Sauveur"
    assert forum["starts_at"].endswith(("+01:00", "+02:00")) and forum["cancelled"] is False
    assert forum["url"].startswith("http://127.0.0.1:8000/evenements/")
    # An event pending in a campaign is public as its organizers' event, without the campaign's label.
    titles = [event["title"] for event in data["events"]]
    assert titles[:2] == ["Forum de l'ESS", "Café métiers"] and set(titles[2:]) == {"En attente"}
    assert data["events"][0]["label"] == "Mois de l'ESS" and data["events"][2]["label"] == ""
    assert data["events"][1]["format"] == "cafe_metiers"

    again = client.get(JSON, {"organization": "apes", "lang": "en"},
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"

    preflight = client.options(JSON, headers={"Origin": "https://partenaire.example",
                                              "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Headers"] == "If-None-Match"
    assert "Access-Control-Allow-Origin" not in client.get(reverse("web:agenda")).headers


def test_a_cancelled_event_stays_listed_as_cancelled(client, programme):
    apes, _campaign, forum, _cafe = programme
    services.event_cancel(actor=member_of(apes, Role.ORGANIZER), event=forum, reason="Intempéries")
    assert client.get(JSON, {"organization": "apes"}).json()["events"][0]["cancelled"] is True
    assert "Annulé" in client.get(EMBED, {"organization": "apes"}).content.decode()


def test_query_counts_do_not_grow_with_the_events_shown(client, programme, django_assert_max_num_queries):
    apes, *_ = programme
    for n in range(40):
        EventFactory(organization=apes, title=f"Atelier {n:02d}", starts_at=in_days(10 + n),
                     address=f"{n} rue de Lille, 59000 Lille")
    with django_assert_max_num_queries(8):
        assert client.get(EMBED, {"organization": "apes", "limit": "50"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(JSON, {"organization": "apes", "limit": "50"}).status_code == 200
    etag = client.get(EMBED, {"organization": "apes"}).headers["ETag"]
    with django_assert_max_num_queries(2):
        assert client.get(EMBED, {"organization": "apes"}, headers={"If-None-Match": etag}).status_code == 304


def test_the_composer_gives_the_snippet_of_the_chosen_selection(client, programme, settings):
    settings.SITE_URL = "https://essaim.example.org"

    html = client.get(reverse("programme:compose"), {"campaign": "mois-ess", "lang": "en"}).content.decode()

    assert ("&lt;iframe src=&quot;https://essaim.example.org/integrer/agenda/?campaign=mois-ess&amp;amp;lang=en"
            "&quot; data-essaim-agenda") in html
    assert "https://essaim.example.org/static/programme/embed.js" in html
    assert '<option value="59">Nord (59)</option>' in html
    assert 'src="/integrer/agenda/?campaign=mois-ess&amp;lang=en"' in html
    refused = client.get(reverse("programme:compose"), {"format": "karaoke"})
    assert refused.status_code == 400 and "format" in refused.content.decode()


def test_an_ended_event_leaves_the_embedded_agenda(client, programme):
    _apes, _campaign, forum, _cafe = programme
    forum.starts_at = timezone.now() - timedelta(hours=3)
    forum.ends_at = timezone.now() - timedelta(hours=1)
    forum.save()
    assert "Forum" not in client.get(EMBED, {"organization": "apes"}).content.decode()
