"""The event form's fields beyond the date and place: for whom, the price, the registration window,
the time zone and the co-organizers; and what the public page then shows."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import CoOrganizationStatus, Event
from tests.events.factories import EventFactory, in_days
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _form(town, **overrides) -> dict:
    day = in_days(12)
    data = {"organization": town.apes.pk, "title": "Atelier coopératives", "format": "atelier",
            "starts_at": day.strftime("%Y-%m-%dT18:00"), "ends_at": day.strftime("%Y-%m-%dT20:00"),
            "time_zone": "Europe/Paris", "status": "published", "capacity": "20"}
    data.update(overrides)
    return data


def test_every_public_field_typed_in_the_form_shows_on_the_public_page(client, town):
    client.force_login(town.organizer)
    opens = (timezone.now() - timedelta(days=1)).astimezone(town.forum.zone)
    response = client.post(reverse("web:event-create"), _form(
        town, audience="Porteur·ses de projet", price_text="5 €, gratuit pour les adhérent·es",
        accessibility="Salle de plain-pied, boucle magnétique.", online_url="visio.example.org/atelier",
        registration_opens_at=opens.strftime("%Y-%m-%dT%H:%M"),
        registration_closes_at=in_days(11).strftime("%Y-%m-%dT12:00")))
    assert response.status_code == 302
    event = Event.objects.get(title="Atelier coopératives")
    assert event.online_url == "https://visio.example.org/atelier"
    assert event.registration_closes_at == in_days(11).replace(hour=12, minute=0, second=0, microsecond=0)

    client.logout()
    html = client.get(reverse("web:event", args=[event.slug])).content.decode()
    for text in ("Porteur·ses de projet", "5 €, gratuit pour les adhérent·es", "boucle magnétique",
                 'href="https://visio.example.org/atelier"', "Clôture :", "M'inscrire"):
        assert text in html

    client.force_login(town.organizer)
    edit = client.get(reverse("web:event-edit", args=[event.slug])).content.decode()
    assert 'value="Porteur·ses de projet"' in edit
    assert f'value="{in_days(11).strftime("%Y-%m-%d")}T12:00"' in edit


def test_ticking_free_says_gratuit_and_reopens_ticked(client, town):
    client.force_login(town.organizer)
    client.post(reverse("web:event-create"), _form(town, free="on", price_text="ignoré"))
    event = Event.objects.get(title="Atelier coopératives")
    assert event.price_text == "Gratuit"
    edit = client.get(reverse("web:event-edit", args=[event.slug])).content.decode()
    assert 'name="free" id="id_free" checked' in edit


def test_before_the_window_opens_the_page_says_when_and_the_service_refuses(client, town):
    town.forum.registration_opens_at = in_days(3, 9, 0)
    town.forum.save()
    html = client.get(reverse("web:event", args=["forum"])).content.decode()
    assert "Les inscriptions ouvrent le" in html
    assert 'action="/evenements/forum/inscription/"' not in html
    with pytest.raises(services.RegistrationClosed):
        services.registration_create(event=town.forum, name="Ada", email="ada@example.org")

    town.forum.registration_opens_at = None
    town.forum.registration_closes_at = timezone.now() - timedelta(hours=1)
    town.forum.save()
    html = client.get(reverse("web:event", args=["forum"])).content.decode()
    assert "Les inscriptions sont closes depuis le" in html


@pytest.mark.parametrize(("opens", "closes", "field", "message"), [
    ("2", "1", "registration_closes_at", "La clôture des inscriptions doit suivre leur ouverture."),
    ("13", "", "registration_opens_at", "Les inscriptions doivent ouvrir avant le début de l&#x27;événement"),
    ("", "14", "registration_closes_at", "La clôture des inscriptions ne peut pas suivre la fin"),
])
def test_a_window_that_cannot_work_is_refused_on_its_field(client, town, opens, closes, field, message):
    client.force_login(town.organizer)
    data = _form(town)
    if opens:
        data["registration_opens_at"] = in_days(int(opens)).strftime("%Y-%m-%dT09:00")
    if closes:
        data["registration_closes_at"] = in_days(int(closes)).strftime("%Y-%m-%dT09:00")
    html = client.post(reverse("web:event-create"), data).content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not Event.objects.filter(title="Atelier coopératives").exists()


def test_a_series_leaves_the_registration_window_to_each_date(client, town):
    client.force_login(town.organizer)
    html = client.post(reverse("web:event-create"), _form(
        town, repeat="weekly", repeat_count="3",
        registration_opens_at=in_days(1).strftime("%Y-%m-%dT09:00"))).content.decode()
    assert "réglez-les date par date" in html
    assert not Event.objects.filter(title="Atelier coopératives").exists()


def test_the_time_zone_is_a_list_with_paris_first_and_refuses_anything_else(client, town):
    client.force_login(town.organizer)
    html = client.get(reverse("web:event-create")).content.decode()
    select = html[html.index('<select name="time_zone"'):]
    select = select[:select.index("</select>")]
    assert select.index('value="Europe/Paris"') < select.index('value="Indian/Reunion"') < select.index(
        'value="Africa/Abidjan"')
    assert 'value="Europe/Paris" selected' in select
    assert "Etc/GMT" not in select and "US/Eastern" not in select

    html = client.post(reverse("web:event-create"), _form(town, time_zone="Mars/Olympus")).content.decode()
    assert 'id="id_time_zone_error"' in html
    response = client.post(reverse("web:event-create"), _form(town, time_zone="Indian/Reunion"))
    event = Event.objects.get(title="Atelier coopératives")
    assert response.status_code == 302 and event.starts_at.astimezone(UTC).hour == 14


def test_the_co_organizer_picker_is_checkboxes_without_the_lead(client, town):
    partner = OrganizationFactory(name="Coopérative Énergie")
    client.force_login(town.organizer)
    html = client.get(reverse("web:event-edit", args=["forum"])).content.decode()
    assert 'type="checkbox" name="co_organizers"' in html
    assert f'value="{partner.pk}"' in html
    assert f'name="co_organizers" value="{town.apes.pk}"' not in html

    # On the create page the lead is chosen in the same form: it is refused as its own co-organizer.
    html = client.post(reverse("web:event-create"), _form(
        town, co_organizers=[town.apes.pk, partner.pk])).content.decode()
    assert 'id="id_co_organizers_error"' in html
    client.post(reverse("web:event-create"), _form(town, co_organizers=[partner.pk]))
    event = Event.objects.get(title="Atelier coopératives")
    # Still a request, which the partner's organizers answer.
    assert [(c.organization, c.status) for c in event.co_organizations.all()] == [
        (partner, CoOrganizationStatus.PENDING)]
    assert not event.co_organizers.exists()


def test_the_agenda_shows_thumbnails_with_bounded_queries(client, town, django_assert_max_num_queries):
    for n in range(5):
        EventFactory(title=f"Avec image {n}", image=f"events/{n:064x}.jpg")
    with django_assert_max_num_queries(12):
        html = client.get(reverse("web:agenda")).content.decode()
    assert html.count('class="event-thumb"') == 5


def test_the_api_refuses_a_registration_window_for_a_whole_series(login, town):
    response = login(town.organizer).post("/api/v1/series/", {
        "organization": "apes", "title": "Café", "rrule": "FREQ=WEEKLY;COUNT=3",
        "starts_at": in_days(5).isoformat(), "ends_at": in_days(5, 20).isoformat(),
        "registration_closes_at": in_days(4).isoformat()}, format="json")
    assert response.status_code == 400
    assert "date par date" in response.json()["fields"]["registration_closes_at"][0]


def test_an_all_day_event_runs_from_local_midnight_and_reopens_ticked(client, town):
    client.force_login(town.organizer)
    client.post(reverse("web:event-create"), _form(town, all_day="on"))
    event = Event.objects.get(title="Atelier coopératives")
    local = event.starts_at.astimezone(event.zone)
    assert event.all_day and (local.hour, local.minute) == (0, 0)
    assert event.ends_at - event.starts_at == timedelta(days=1)
    edit = client.get(reverse("web:event-edit", args=[event.slug])).content.decode()
    assert 'id="id_all_day" checked' in edit


def test_groups_of_checkboxes_are_named_by_a_legend_and_single_fields_by_their_label(client, town):
    """A screen reader announces "Thèmes, groupe" before the boxes; no label points nowhere."""
    client.force_login(town.organizer)
    html = client.get(reverse("web:event-create")).content.decode()
    assert '<legend>Thèmes</legend>' in html and '<legend>Co-organisateurs</legend>' in html
    assert 'for="id_themes"' not in html and 'for="id_co_organizers"' not in html
    assert '<label for="id_title">Titre <span aria-hidden="true">*</span></label>' in html
