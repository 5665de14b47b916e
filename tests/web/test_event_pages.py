"""Agenda, event, campaign, organizer and coordinator pages, through Django's test client."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest
from django.urls import reverse

from events.models import Event, EventStatus, Moderation, Registration, RegistrationStatus
from spaces.models import OpeningHours
from tests.events.factories import EventFactory, RegistrationFactory, in_days
from tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

NB = "\u00a0"


def test_agenda_shows_upcoming_public_events_by_day(client, town, django_assert_max_num_queries):
    EventFactory(title="Brouillon secret", status=EventStatus.DRAFT)
    EventFactory(title="Déjà passé", starts_at=in_days(-3), ends_at=in_days(-3) + timedelta(hours=2))
    for n in range(8):
        EventFactory(title=f"Atelier {n}", starts_at=in_days(2 + n % 3))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:agenda"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Forum Entreprendre autrement" in html and "Atelier 7" in html
    assert "Brouillon secret" not in html and "Déjà passé" not in html
    assert f"18{NB}h{NB}30" in html
    assert "9 événements à venir" in html


def test_agenda_filters_and_the_matching_feed(client, town):
    EventFactory(title="Café métiers du numérique", format="cafe_metiers", department="62",
                 region="Hauts-de-France", commune_insee="62041")
    EventFactory(title="Proposé, pas encore approuvé", campaign=town.campaign, moderation=Moderation.PENDING)

    html = client.get(reverse("web:agenda"), {"format": "cafe_metiers"}).content.decode()
    assert "Café métiers du numérique" in html and "Forum Entreprendre" not in html
    assert "/feeds/events.ics?format=cafe_metiers" in html

    html = client.get(reverse("web:agenda"), {"territory": "62"}).content.decode()
    assert "Café métiers du numérique" in html and "Forum Entreprendre" not in html

    html = client.get(reverse("web:agenda"), {"campaign": "mois-ess"}).content.decode()
    assert "Forum Entreprendre" in html and "Proposé, pas encore approuvé" not in html
    assert "webcal://" in html and "campaign=mois-ess" in html

    html = client.get(reverse("web:agenda"), {"q": "numérique"}).content.decode()
    assert "Café métiers du numérique" in html and "Forum Entreprendre" not in html
    assert "1 événement à venir" in html


def test_an_unknown_filter_value_finds_nothing_instead_of_failing(client, town):
    response = client.get(reverse("web:agenda"), {"format": "<script>"})
    assert response.status_code == 200
    assert "Aucun événement ne correspond" in response.content.decode()
    assert "<script>" not in response.content.decode().split("</header>")[1].replace(
        '<script src="', "")


def test_event_page_in_french_and_english(client, town):
    town.forum.starts_at = in_days(5).replace(hour=18, minute=30)
    town.forum.ends_at = town.forum.starts_at + timedelta(hours=2)
    town.forum.room = town.room
    town.forum.save()
    OpeningHours.objects.create(space=town.room.space, weekday=0, opens=time(9), closes=time(18))
    html = client.get(reverse("web:event", args=["forum"])).content.decode()
    assert f"{NB}h{NB}30 – 20{NB}h{NB}30" in html
    assert "Horaires d'ouverture" in html and f"9{NB}h – 18{NB}h" in html
    assert "10 places restantes" in html
    assert "Maison de l&#x27;ESS" in html and "Salle des réseaux" in html
    assert f'href="/feeds/events/{town.forum.pk}.ics"' in html
    assert "/feeds/organizations/apes.ics" in html
    assert "Vous avez un compte ? Connectez-vous." in html and 'name="email"' in html

    english = client.get(reverse("web:event", args=["forum"]), headers={"accept-language": "en"})
    html = english.content.decode()
    assert f":30{NB}pm – 8:30{NB}pm" in html
    assert "10 seats left" in html


def test_titles_are_escaped_everywhere(client, town):
    EventFactory(title="<script>alert('x')</script> Forum", slug="xss", organization=town.apes)
    for url in (reverse("web:agenda"), reverse("web:event", args=["xss"]), reverse("web:home")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Forum" in html, url


def test_drafts_are_404_to_outsiders_and_visible_to_their_organizers(client, town):
    EventFactory(title="Pas prêt", slug="brouillon", organization=town.apes, status=EventStatus.DRAFT)
    url = reverse("web:event", args=["brouillon"])
    assert client.get(url).status_code == 404
    client.force_login(town.member)
    assert client.get(url).status_code == 404
    client.force_login(town.organizer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Brouillon" in response.content.decode()


def test_a_member_registers_and_the_seats_drop(client, town):
    url = reverse("web:event", args=["forum"])
    assert client.post(reverse("web:event-register", args=["forum"])).status_code == 400
    assert not Registration.objects.exists()

    client.force_login(town.member)
    response = client.post(reverse("web:event-register", args=["forum"]), follow=True)
    html = response.content.decode()
    assert "Votre inscription est confirmée." in html
    assert "9 places restantes" in html
    assert "Annuler mon inscription" in html

    client.post(reverse("web:event-unregister", args=["forum"]))
    assert "10 places restantes" in client.get(url).content.decode()


def test_a_guest_registers_without_an_account_and_manages_it_from_the_secret_link(client, town):
    from worker.models import Message

    response = client.post(reverse("web:event-register", args=["forum"]),
                           {"name": "Ada Lovelace", "email": "Ada@Example.org"}, follow=True)
    registration = Registration.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:registration", args=[registration.token])
    html = response.content.decode()
    assert "Votre inscription est confirmée." in html and "Au nom de Ada Lovelace" in html
    assert "Confirmer mon adresse" in html
    assert response["Referrer-Policy"] == "same-origin"
    link = f"/inscriptions/{registration.token}/"
    assert link in Message.objects.get(kind="registration_confirmed").body_text

    client.post(link, {"action": "confirm"})
    registration.refresh_from_db()
    assert registration.email_confirmed_at is not None
    assert "Confirmer mon adresse" not in client.get(link).content.decode()

    html = client.post(link, {"action": "cancel"}, follow=True).content.decode()
    assert "Cette inscription est annulée." in html
    assert "10 places restantes" in client.get(reverse("web:event", args=["forum"])).content.decode()


def test_a_guest_form_with_a_bad_address_names_the_field_and_registers_nobody(client, town):
    response = client.post(reverse("web:event-register", args=["forum"]), {"name": "Ada", "email": "ada@"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'value="Ada"' in html
    assert not Registration.objects.exists()
    assert client.get("/inscriptions/" + "x" * 43 + "/").status_code == 404


def test_a_full_event_offers_the_waitlist(client, town):
    town.forum.capacity = 1
    town.forum.save()
    RegistrationFactory(event=town.forum, status=RegistrationStatus.CONFIRMED)
    client.force_login(town.member)
    assert "Rejoindre la liste d'attente" in client.get(reverse("web:event", args=["forum"])).content.decode()
    html = client.post(reverse("web:event-register", args=["forum"]), follow=True).content.decode()
    assert "vous êtes n° 1 en liste d&#x27;attente" in html


def test_registration_refusals_come_from_the_service(client, town):
    Event.objects.filter(pk=town.forum.pk).update(registration_closes_at=in_days(-1),
                                                  registration_opens_at=in_days(-5))
    client.force_login(town.member)
    html = client.post(reverse("web:event-register", args=["forum"]), follow=True).content.decode()
    assert "Les inscriptions sont closes depuis le" in html
    assert not Registration.objects.exists()


def test_campaign_page_lists_its_approved_programme_and_feed(client, town):
    EventFactory(title="En attente", campaign=town.campaign, moderation=Moderation.PENDING)
    html = client.get(reverse("web:campaign", args=["mois-ess"])).content.decode()
    assert "Forum Entreprendre autrement" in html and "En attente" not in html
    assert "/feeds/campaigns/mois-ess.ics" in html
    assert client.get(reverse("web:campaign", args=["inconnue"])).status_code == 404


def _event_form(town, **overrides) -> dict:
    day = in_days(12)
    data = {"organization": town.apes.pk, "title": "Café métiers de l'ESS", "description": "",
            "format": "cafe_metiers", "starts_at": day.strftime("%Y-%m-%dT18:00"),
            "ends_at": day.strftime("%Y-%m-%dT20:00"), "time_zone": "Europe/Paris", "room": "",
            "address": "", "capacity": "20", "campaign": "", "status": "published"}
    data.update(overrides)
    return data


def test_organizer_creates_an_event_and_sees_the_clash_hint(client, town):
    day = in_days(12)
    EventFactory(title="Forum voisin", starts_at=day.replace(hour=18, minute=0),
                 ends_at=day.replace(hour=21, minute=0), commune_insee=town.apes.commune_insee)
    client.force_login(town.organizer)
    assert client.get(reverse("web:event-create")).status_code == 200

    checked = client.post(reverse("web:event-create"), {**_event_form(town), "check": "1"})
    assert "Forum voisin" in checked.content.decode()
    assert not Event.objects.filter(title="Café métiers de l'ESS").exists()

    response = client.post(reverse("web:event-create"), _event_form(town), follow=True)
    created = Event.objects.get(title="Café métiers de l'ESS")
    assert response.redirect_chain[-1][0] == reverse("web:event-edit", args=[created.slug])
    assert created.starts_at == day.replace(hour=18, minute=0, second=0, microsecond=0)
    html = response.content.decode()
    assert "Forum voisin" in html and "au même moment" in html
    assert "Café métiers de l&#x27;ESS" in client.get(reverse("web:my-events")).content.decode()


def test_the_event_form_reads_times_in_the_events_zone(client, town):
    client.force_login(town.organizer)
    client.post(reverse("web:event-create"), _event_form(town, time_zone="America/Cayenne"))
    event = Event.objects.get(title="Café métiers de l'ESS")
    # 18:00 in French Guiana (UTC-3) is 21:00 UTC, whatever the site's zone.
    assert event.starts_at.astimezone(UTC).hour == 21
    assert event.time_zone == "America/Cayenne"


def test_a_taken_room_is_refused_next_to_the_room_field(client, town):
    day = in_days(12)
    EventFactory(organization=town.apes, room=town.room, starts_at=day.replace(hour=17, minute=0),
                 ends_at=day.replace(hour=19, minute=0), title="Réunion déjà là")
    client.force_login(town.organizer)
    response = client.post(reverse("web:event-create"), _event_form(town, room=town.room.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "La salle est déjà réservée par « Réunion déjà là »" in html
    assert 'id="id_room_error"' in html
    assert not Event.objects.filter(title="Café métiers de l'ESS").exists()


def test_edit_goes_through_the_service(client, town):
    client.force_login(town.organizer)
    url = reverse("web:event-edit", args=["forum"])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(title="Forum Entreprendre autrement, 2e édition", themes=[], co_organizers=[],
                room="", campaign=town.campaign.pk, capacity="12",
                starts_at=form["starts_at"].value().strftime("%Y-%m-%dT%H:%M"),
                ends_at=form["ends_at"].value().strftime("%Y-%m-%dT%H:%M"))
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302
    town.forum.refresh_from_db()
    assert town.forum.title == "Forum Entreprendre autrement, 2e édition"
    assert town.forum.capacity == 12


def test_only_organizers_reach_the_event_form(client, town):
    client.force_login(town.member)
    assert client.get(reverse("web:event-create")).status_code == 403
    assert client.get(reverse("web:event-edit", args=["forum"])).status_code == 403
    assert client.get(reverse("web:my-events")).status_code == 200
    client.logout()
    assert client.get(reverse("web:my-events"))["Location"].startswith(reverse("web:signin"))


def test_coordinator_approves_and_rejects_with_a_comment(client, town):
    first = EventFactory(title="À modérer", slug="a-moderer", campaign=town.campaign,
                         moderation=Moderation.PENDING)
    second = EventFactory(title="À refuser", slug="a-refuser", campaign=town.campaign,
                          moderation=Moderation.PENDING)
    client.force_login(town.coordinator)
    html = client.get(reverse("web:moderation")).content.decode()
    assert "À modérer" in html and "À refuser" in html
    assert html.count('class="card moderation-item"') == 2

    client.post(reverse("web:moderate", args=["a-moderer"]), {"decision": "approve", "comment": ""})
    first.refresh_from_db()
    assert first.moderation == Moderation.APPROVED

    html = client.post(reverse("web:moderate", args=["a-refuser"]), {"decision": "reject", "comment": ""},
                       follow=True).content.decode()
    assert "Expliquez le refus" in html
    second.refresh_from_db()
    assert second.moderation == Moderation.PENDING
    client.post(reverse("web:moderate", args=["a-refuser"]), {"decision": "reject", "comment": "Hors sujet."})
    second.refresh_from_db()
    assert (second.moderation, second.moderation_comment) == (Moderation.REJECTED, "Hors sujet.")


def test_other_coordinators_cannot_moderate(client, town):
    pending = EventFactory(slug="en-attente", campaign=town.campaign, moderation=Moderation.PENDING)
    other = PersonFactory()
    from network.models import Membership, Role
    Membership.objects.create(person=other, organization=OrganizationFactory(), role=Role.COORDINATOR)
    client.force_login(other)
    assert "Rien à modérer" in client.get(reverse("web:moderation")).content.decode()
    client.post(reverse("web:moderate", args=["en-attente"]), {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.moderation == Moderation.PENDING


def test_the_moderation_page_is_forbidden_to_people_who_coordinate_nothing(client, town):
    client.force_login(town.member)
    response = client.get(reverse("web:moderation"))
    assert response.status_code == 403
    assert "Cette page sert aux coordinateur·rices des campagnes." in response.content.decode()


def test_organizer_cancels_with_a_reason(client, town):
    RegistrationFactory(event=town.forum, status=RegistrationStatus.CONFIRMED)
    client.force_login(town.organizer)
    html = client.get(reverse("web:event-edit", args=["forum"])).content.decode()
    assert "APES</option>" not in html.split('id="id_co_organizers"')[1].split("</select>")[0]

    refused = client.post(reverse("web:event-cancel", args=["forum"]), {"reason": ""}, follow=True)
    assert "Ce champ est obligatoire." in refused.content.decode()
    town.forum.refresh_from_db()
    assert town.forum.status == EventStatus.PUBLISHED

    response = client.post(reverse("web:event-cancel", args=["forum"]), {"reason": "Salle inondée."},
                           follow=True)
    html = response.content.decode()
    assert "Cet événement est annulé." in html and "Salle inondée." in html
    town.forum.refresh_from_db()
    assert town.forum.status == EventStatus.CANCELLED


def test_only_organizers_may_cancel(client, town):
    client.force_login(town.member)
    client.post(reverse("web:event-cancel", args=["forum"]), {"reason": "Pour voir."})
    town.forum.refresh_from_db()
    assert town.forum.status == EventStatus.PUBLISHED


def test_my_events_links_the_registrations_export(client, town):
    RegistrationFactory(event=town.forum, status=RegistrationStatus.CONFIRMED, name="Inès Inscrite")
    client.force_login(town.organizer)
    html = client.get(reverse("web:my-events")).content.decode()
    export = f"/api/v1/events/{town.forum.pk}/registrations/export/"
    assert export in html
    assert "Inès Inscrite" in client.get(export).content.decode()


def test_organizers_see_the_registrations_and_cancel_one_which_promotes_the_waitlist(client, town):
    town.forum.capacity = 1
    town.forum.save()
    seated = RegistrationFactory(event=town.forum, status=RegistrationStatus.CONFIRMED, name="Inès Assise")
    RegistrationFactory(event=town.forum, status=RegistrationStatus.WAITLISTED, position=1,
                        name="Omar Attend")
    url = reverse("web:event-registrations", args=["forum"])
    assert client.get(url).status_code == 302  # to sign in
    cancel = reverse("web:event-registration-cancel", args=["forum", seated.pk])
    client.force_login(town.member)
    assert client.get(url).status_code == 403
    assert client.post(cancel).status_code == 403

    client.force_login(town.organizer)
    html = client.get(url).content.decode()
    assert "Inès Assise" in html and "Omar Attend" in html and "(n° 1)" in html
    assert f"/api/v1/events/{town.forum.pk}/registrations/export/" in html
    assert cancel in html
    # Cancelling asks first.
    asked = client.get(cancel).content.decode()
    assert "Oui, annuler l&#x27;inscription" in asked or "Oui, annuler l'inscription" in asked
    assert Registration.objects.get(pk=seated.pk).status == RegistrationStatus.CONFIRMED
    html = client.post(cancel, follow=True).content.decode()
    assert "Inscription de Inès Assise annulée" in html
    assert Registration.objects.get(name="Omar Attend").status == RegistrationStatus.CONFIRMED
    other = RegistrationFactory(event=EventFactory(), status=RegistrationStatus.CONFIRMED)
    assert client.post(reverse("web:event-registration-cancel", args=["forum", other.pk])).status_code == 404


def test_organization_page_lists_its_events_including_co_organized_ones(client, town):
    partner = OrganizationFactory(name="Les Amis <du> vélo", slug="amis-velo")
    town.forum.co_organizers.add(partner)
    html = client.get(reverse("web:organization", args=["amis-velo"])).content.decode()
    assert "Suivre les événements de Les Amis &lt;du&gt; vélo" in html
    assert "&amp;lt;" not in html
    assert "Forum Entreprendre autrement" in html
    assert "/feeds/organizations/amis-velo.ics" in html
    event_page = client.get(reverse("web:event", args=["forum"])).content.decode()
    assert 'href="/structures/amis-velo/"' in event_page


def test_my_calendar_lists_registrations_and_makes_a_private_address_once(client, town):
    from feeds.tokens import person_for_calendar_token

    RegistrationFactory(event=town.forum, person=town.member, email=town.member.email,
                        status=RegistrationStatus.CONFIRMED)
    assert client.get(reverse("web:my-calendar"))["Location"].startswith(reverse("web:signin"))
    client.force_login(town.member)
    page = client.get(reverse("web:my-calendar"))
    html = page.content.decode()
    assert "Forum Entreprendre autrement" in html
    assert "/feeds/me/" not in html
    assert "no-store" in page["Cache-Control"]

    made = client.post(reverse("web:my-calendar"), {"action": "regenerate"}).content.decode()
    token = made.split("/feeds/me/")[1].split(".ics")[0]
    assert person_for_calendar_token(token) == town.member
    assert "/feeds/me/" not in client.get(reverse("web:my-calendar")).content.decode()

    client.post(reverse("web:my-calendar"), {"action": "revoke"})
    assert person_for_calendar_token(token) is None


def test_moderation_queue_is_paged_and_its_queries_bounded(client, town, django_assert_max_num_queries):
    for n in range(25):
        EventFactory(title=f"Proposition {n:02d}", campaign=town.campaign, moderation=Moderation.PENDING,
                     starts_at=in_days(3) + timedelta(minutes=n))
    client.force_login(town.coordinator)
    client.get(reverse("web:moderation"))
    with django_assert_max_num_queries(35):
        html = client.get(reverse("web:moderation")).content.decode()
    assert html.count('class="card moderation-item"') == 20
    assert "Page 1 sur 2" in html
    html = client.get(reverse("web:moderation"), {"page": 2}).content.decode()
    assert html.count('class="card moderation-item"') == 5
