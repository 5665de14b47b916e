"""The desk's day: who came and left today and by which channel, the refusals and why; and a
member who forgot their phone, found by name and checked in with one click."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passes import services
from passes.models import CheckIn, CheckinAttempt, Pass, PassStatus
from tests.factories import PersonFactory
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory
from tests.web.test_pass_pages import coworking, text_of  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def day_url(space) -> str:
    return reverse("web:desk-day", args=[space.slug])


def test_the_day_lists_arrivals_departures_channels_and_refusals_with_their_reason(client, coworking):  # noqa: F811
    maison = coworking.maison
    kiosk, _token = services.kiosk_create(space=maison, name="Borne de l'entrée")
    checkin, _ = services.checkin_attempt(code=coworking.pass_obj.code, space=maison.slug,
                                          actor=services.Actor(kiosk=kiosk))
    services.checkin_checkout(checkin=checkin)
    suspended = PassFactory(plan=coworking.plan, issuing_space=maison, status=PassStatus.SUSPENDED,
                            holder=PersonFactory(full_name="Paul Suspendu"))
    with pytest.raises(services.PassSuspended):
        services.checkin_attempt(code=suspended.code, space=maison.slug,
                                 actor=services.Actor(person=coworking.maison_desk))
    with pytest.raises(services.UnknownPass):
        services.checkin_attempt(code="ZZZZ2345", space=maison.slug,
                                 actor=services.Actor(person=coworking.maison_desk))
    # Elsewhere, or yesterday: not this day's.
    CheckinAttempt.objects.create(at=timezone.now() - timedelta(days=2), outcome="pass_revoked", space=maison)
    CheckinAttempt.objects.create(at=timezone.now(), outcome="pass_revoked", space=coworking.mutualab)

    client.force_login(coworking.maison_desk)
    response = client.get(day_url(maison))
    assert response.status_code == 200
    page = text_of(response)
    arrivals = page.split('id="arrivals"')[1].split("</table>")[0]
    assert "Marie Curie" in arrivals and "borne" in arrivals and "Borne de l&#x27;entrée" in arrivals
    refusals = page.split('id="refusals"')[1].split("</table>")[0]
    assert "Paul Suspendu" in refusals and "Ce pass est suspendu." in refusals
    assert "code inconnu commençant par ZZZZ" in refusals
    assert "Ce code ne correspond à aucun pass." in refusals
    assert refusals.count("<tr>") == 3  # the header and today's two


def test_a_refusal_whose_message_has_a_date_reads_without_it():
    assert services.refusal_summary("pass_expired") == "Ce pass avait expiré."
    assert services.refusal_summary("space_full") == "Tous les postes de travail de l'espace sont occupés."


def test_the_day_costs_the_same_queries_for_two_or_twenty_arrivals(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(day_url(coworking.maison)).status_code == 200
        return len(captured)

    def arrive(count: int) -> None:
        for _ in range(count):
            pass_obj = PassFactory(plan=coworking.plan, issuing_space=coworking.maison)
            services.checkin_attempt(code=pass_obj.code, space="maison",
                                     actor=services.Actor(person=coworking.maison_desk))
            CheckIn.objects.filter(pass_obj=pass_obj).update(checked_out_at=timezone.now())

    arrive(2)
    few = queries()
    arrive(18)
    assert queries() == few


def test_a_member_without_their_phone_is_found_by_name_and_checked_in_in_one_click(client, coworking):  # noqa: F811
    client.force_login(coworking.mutualab_desk)
    response = client.get(reverse("web:desk", args=["mutualab"]), {"nom": "curie"})
    found = response.context["found"]
    assert found == [coworking.pass_obj]
    page = text_of(response)
    assert "Pass découverte" in page and "vendu par Maison de l&#x27;ESS" in page
    assert "5 passages restants" in page
    # The button posts the pass's short code to the desk: the one check-in path.
    assert 'name="code" value="K7M4P2QX"' in page
    response = client.post(reverse("web:desk", args=["mutualab"]), {"code": "K7M4P2QX"}, follow=True)
    assert "Bienvenue, Marie !" in text_of(response)
    assert CheckIn.objects.get().channel == "desk"


def test_the_search_finds_only_passes_usable_here_and_needs_two_letters(client, coworking):  # noqa: F811
    elsewhere = PassNetworkFactory(spaces=[coworking.mutualab])
    PassFactory(plan=PlanFactory(network=elsewhere), holder=PersonFactory(full_name="Marie Ailleurs"),
                issuing_space=coworking.mutualab)
    only_mutualab = PlanFactory(network=coworking.network)
    only_mutualab.eligible_spaces.set([coworking.mutualab])
    PassFactory(plan=only_mutualab, holder=PersonFactory(full_name="Marie Mutualab"),
                issuing_space=coworking.mutualab)
    client.force_login(coworking.maison_desk)
    found = client.get(reverse("web:desk", args=["maison"]), {"nom": "marie"}).context["found"]
    assert found == [coworking.pass_obj]
    response = client.get(reverse("web:desk", args=["maison"]), {"nom": "m"})
    assert response.context["found"] is None
    assert "nom" in response.context["search"].errors
    assert Pass.objects.count() == 3
