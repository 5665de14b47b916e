"""Co-organization on the pages: the lead invites on the event form, the invited organization
answers on its requests page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import CoOrganization, CoOrganizationStatus
from network.models import Role
from tests.factories import OrganizationFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db


def save_form(client, url: str, **changes):
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(themes=[], room="", campaign="", **changes,
                starts_at=form["starts_at"].value().strftime("%Y-%m-%dT%H:%M"),
                ends_at=form["ends_at"].value().strftime("%Y-%m-%dT%H:%M"))
    data["co_organizers"] = [o.pk for o in data["co_organizers"]]
    return client.post(url, {k: ("" if v is None else v) for k, v in data.items()}, follow=True)


def test_the_event_form_asks_says_whom_it_asked_and_shows_each_answer(client, town):
    mutualab, ceas = OrganizationFactory(name="Mutualab"), OrganizationFactory(name="CEAS 72")
    invited = member_of(mutualab, Role.ORGANIZER)
    client.force_login(town.organizer)
    url = reverse("web:event-edit", args=["forum"])

    asked = save_form(client, url, co_organizers=[mutualab, ceas])

    page = asked.content.decode()
    assert "Demande de co-organisation envoyée à : CEAS 72, Mutualab." in page
    assert "Mutualab : demande envoyée, en attente de sa réponse (pas encore co-organisatrice)" in page
    assert not town.forum.co_organizers.exists()
    assert Message.objects.filter(kind="co_organization_request", to=invited.email).count() == 1
    dropped = save_form(client, url, co_organizers=[mutualab])
    assert "Ne sont plus invitées à co-organiser : CEAS 72." in dropped.content.decode()
    assert list(CoOrganization.objects.values_list("organization__name", "status")) == [
        ("Mutualab", CoOrganizationStatus.PENDING)]


def test_the_invited_organization_answers_on_its_page_and_no_one_else_can(client, town):
    mutualab = OrganizationFactory(name="Mutualab")
    invited = member_of(mutualab, Role.ORGANIZER)
    request = CoOrganization.objects.create(event=town.forum, organization=mutualab,
                                            requested_at=town.forum.created_at)
    page = reverse("web:co-organizations")

    client.force_login(town.organizer)
    assert client.post(page, {"request": request.pk, "decision": "accept"}).status_code == 404
    client.force_login(invited)
    assert "Une demande de co-organisation attend votre réponse." in client.get(
        reverse("web:my-events")).content.decode()
    answered = client.post(page, {"request": request.pk, "decision": "accept"}, follow=True)

    assert "Mutualab co-organise « Forum Entreprendre autrement »." in answered.content.decode()
    assert list(town.forum.co_organizers.all()) == [mutualab]
    assert client.get(reverse("web:event-edit", args=["forum"])).status_code == 200
