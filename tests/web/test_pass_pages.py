"""The coworking pass on the web pages: a space's desk, the member's pass, the directory."""

from __future__ import annotations

import re
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Role
from passes.models import CheckIn, Pass, PassStatus, Period, Visit
from spaces.models import Closure, Space
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coworking(db):
    """Two spaces of one network (open all day, every day, as the factory makes them), each
    with its desk; Marie holds a pass of five visit-days a month sold by the first."""
    maison = SpaceFactory(name="Maison de l'ESS", slug="maison", desk_capacity=4)
    mutualab = SpaceFactory(name="Mutualab", slug="mutualab", desk_capacity=10)
    network = PassNetworkFactory(name="ch'tipass", spaces=[maison, mutualab])
    plan = PlanFactory(network=network, name="Pass découverte", allowance=5, period=Period.MONTH)
    marie = PersonFactory(full_name="Marie Curie", email="marie@example.org")
    pass_obj = PassFactory(plan=plan, holder=marie, issuing_space=maison, short_code="K7M4P2QX")
    return SimpleNamespace(
        maison=maison, mutualab=mutualab, network=network, plan=plan, marie=marie, pass_obj=pass_obj,
        maison_desk=member_of(maison.operator, Role.SPACE_MANAGER, full_name="Denis Desk"),
        mutualab_desk=member_of(mutualab.operator, Role.SPACE_MANAGER),
    )


def desk_url(space) -> str:
    return reverse("web:desk", args=[space.slug])


def expire(pass_obj) -> None:
    """Valid for a month that ended ten days ago."""
    Pass.objects.filter(pk=pass_obj.pk).update(valid_from=timezone.localdate() - timedelta(days=40),
                                               valid_until=timezone.localdate() - timedelta(days=10))


def text_of(response) -> str:
    # Not \s: the no-break spaces of "9 h 30" must stay what they are.
    return re.sub(r"[ \t\n]+", " ", response.content.decode())


# --- Who may open a desk -----------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, coworking):
    response = client.get(desk_url(coworking.maison))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:signin"))
    assert client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"}).status_code == 302
    assert not CheckIn.objects.exists()


def test_the_manager_of_another_space_cannot_open_this_desk_nor_check_in_there(client, coworking):
    client.force_login(coworking.mutualab_desk)
    assert client.get(desk_url(coworking.mutualab)).status_code == 200
    response = client.get(desk_url(coworking.maison))
    assert response.status_code == 403
    assert "réservée à l'équipe de l'espace" in text_of(response)
    assert client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"}).status_code == 403
    assert not CheckIn.objects.exists()


def present_at_the_maison(coworking) -> CheckIn:
    """Marie, checked in at the Maison today."""
    visit = Visit.objects.create(pass_obj=coworking.pass_obj, space=coworking.maison,
                                 day=timezone.localdate(), value=20)
    return CheckIn.objects.create(pass_obj=coworking.pass_obj, space=coworking.maison, visit=visit,
                                  checked_in_at=timezone.now(), channel="desk")


def test_a_member_cannot_open_a_desk_nor_check_anyone_out(client, coworking):
    checkin = present_at_the_maison(coworking)
    client.force_login(coworking.marie)
    assert client.get(desk_url(coworking.maison)).status_code == 403
    assert client.get(reverse("web:desk-choice")).status_code == 403
    response = client.post(reverse("web:desk-checkout", args=["maison", checkin.pk]))
    assert response.status_code == 403
    checkin.refresh_from_db()
    assert checkin.checked_out_at is None


def test_a_desk_cannot_check_out_someone_present_in_another_space(client, coworking):
    checkin = present_at_the_maison(coworking)
    client.force_login(coworking.mutualab_desk)
    # Through its own space's address: the check-in is not among that space's.
    assert client.post(reverse("web:desk-checkout", args=["mutualab", checkin.pk])).status_code == 404
    checkin.refresh_from_db()
    assert checkin.checked_out_at is None


def test_the_nav_leads_space_managers_to_their_desk_and_holders_to_their_pass(client, coworking):
    client.force_login(coworking.maison_desk)
    html = client.get("/").content.decode()
    assert 'href="/pointage/"' in html
    assert 'href="/mon-pass/"' not in html
    assert client.get("/pointage/")["Location"] == desk_url(coworking.maison)

    client.force_login(coworking.marie)
    html = client.get("/").content.decode()
    assert 'href="/mon-pass/"' in html
    assert 'href="/pointage/"' not in html


# --- Checking in and out -------------------------------------------------------


def test_a_check_in_by_short_code_welcomes_the_member_and_lists_them_present(client, coworking):
    client.force_login(coworking.maison_desk)
    page = client.get(desk_url(coworking.maison))
    assert "Personne n'est pointé·e en ce moment." in text_of(page)
    assert 'src="/static/web/desk.js"' in page.content.decode()

    # Typed the way people type it: lower case, a dash in the middle.
    response = client.post(desk_url(coworking.maison), {"code": " k7m4-p2qx "}, follow=True)
    html = text_of(response)
    assert response.redirect_chain == [(desk_url(coworking.maison), 302)]
    assert '<div class="desk-result ok" role="status" id="desk-result">' in html
    assert "Bienvenue, Marie !" in html
    assert "4 passages restants sur la période." in html
    assert re.search(r'<span class="present-name">Marie Curie</span>', html)
    assert 'aria-label="Départ de Marie Curie"' in html
    checkin = CheckIn.objects.get()
    assert checkin.space == coworking.maison and checkin.checked_in_by == coworking.maison_desk

    # The result is shown once: a reload shows the desk ready for the next person.
    assert "Bienvenue" not in text_of(client.get(desk_url(coworking.maison)))


def test_an_unlimited_pass_says_so(client, coworking):
    coworking.network.visit_value = 10
    coworking.network.save()
    unlimited = PlanFactory(network=coworking.network, period=Period.UNLIMITED, allowance=None)
    pass_obj = PassFactory(plan=unlimited, issuing_space=coworking.mutualab)
    client.force_login(coworking.mutualab_desk)
    html = text_of(client.post(desk_url(coworking.mutualab), {"code": pass_obj.code}, follow=True))
    assert "Passages illimités." in html


def test_an_expired_pass_is_refused_with_the_reason(client, coworking):
    expire(coworking.pass_obj)
    client.force_login(coworking.maison_desk)
    html = text_of(client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"}, follow=True))
    assert '<div class="desk-result refused" role="alert" id="desk-result">' in html
    assert "Pointage refusé" in html
    assert "Ce pass a expiré le" in html
    assert "Bienvenue" not in html
    assert not CheckIn.objects.exists()


def test_a_suspended_pass_and_a_closed_space_are_refused_in_plain_words(client, coworking):
    client.force_login(coworking.maison_desk)
    Pass.objects.filter(pk=coworking.pass_obj.pk).update(status=PassStatus.SUSPENDED)
    html = text_of(client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"}, follow=True))
    assert "Ce pass est suspendu." in html

    Pass.objects.filter(pk=coworking.pass_obj.pk).update(status=PassStatus.ACTIVE)
    coworking.maison.opening_hours.all().delete()
    html = text_of(client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"}, follow=True))
    assert "L&#x27;espace est fermé en ce moment." in html


def test_a_malformed_or_unknown_code_is_refused(client, coworking):
    client.force_login(coworking.maison_desk)
    response = client.post(desk_url(coworking.maison), {"code": "abc"})
    assert response.status_code == 200
    assert "Code de pass mal formé" in text_of(response)
    assert 'role="alert"' in text_of(response)
    html = text_of(client.post(desk_url(coworking.maison), {"code": "ZZZZZZZZ"}, follow=True))
    assert "Ce code ne correspond à aucun pass." in html


def test_the_desk_checks_a_member_out_from_the_present_list(client, coworking):
    client.force_login(coworking.maison_desk)
    client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"})
    checkin = CheckIn.objects.get()
    response = client.post(reverse("web:desk-checkout", args=["maison", checkin.pk]), follow=True)
    html = text_of(response)
    assert "Départ de Marie Curie enregistré." in html
    assert "Personne n'est pointé·e en ce moment." in html
    checkin.refresh_from_db()
    assert checkin.checked_out_at is not None

    # A second desk pressing the same button a moment later is told, not failed.
    html = text_of(client.post(reverse("web:desk-checkout", args=["maison", checkin.pk]), follow=True))
    assert "Ce départ est déjà enregistré." in html


# --- The member's pass -----------------------------------------------------------


def test_the_member_page_shows_the_qr_code_what_is_left_and_the_visits(client, coworking):
    client.force_login(coworking.maison_desk)
    client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"})
    Visit.objects.create(pass_obj=coworking.pass_obj, space=coworking.mutualab,
                         day=timezone.localdate() - timedelta(days=40), value=20)

    client.force_login(coworking.marie)
    response = client.get(reverse("web:my-pass"))
    html = text_of(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<svg viewBox="0 0' in html and '<title>K7M4P2QX</title>' in html
    assert 'aria-label="QR code du pass K7M4P2QX"' in html
    assert "Pass découverte" in html and "ch&#x27;tipass" in html
    assert "4 sur 5 pour la période" in html
    assert '<span class="badge label">actif</span>' in html
    assert re.search(r"Maison de l&#x27;ESS</li>", html)
    assert html.count('class="visit-day"') == 2
    assert "Mutualab" in html


def test_the_member_page_shows_only_my_passes(client, coworking):
    PassFactory(plan=coworking.plan, issuing_space=coworking.maison, short_code="AAAABBBB")
    client.force_login(coworking.marie)
    html = text_of(client.get(reverse("web:my-pass")))
    assert "K7M4P2QX" in html and "AAAABBBB" not in html

    # A desk sees the passes its space sold through the API, but this page is the holder's.
    client.force_login(coworking.maison_desk)
    html = text_of(client.get(reverse("web:my-pass")))
    assert "K7M4P2QX" not in html
    assert "Vous n'avez pas de pass coworking." in html


def test_an_expired_pass_shows_no_qr_code(client, coworking):
    expire(coworking.pass_obj)
    client.force_login(coworking.marie)
    html = text_of(client.get(reverse("web:my-pass")))
    assert '<span class="badge danger">expiré</span>' in html
    assert "<svg" not in html


def test_the_member_page_needs_signing_in(client, coworking):
    assert client.get(reverse("web:my-pass")).status_code == 302


# --- The directory ----------------------------------------------------------------


def test_the_directory_shows_weekly_hours_and_live_occupancy(client, coworking,
                                                             django_assert_max_num_queries):
    fabrique = SpaceFactory(name="La Fabrique", slug="fabrique", desk_capacity=8,
                            hours=[(0, time(9), time(12, 30)), (0, time(14), time(18)),
                                   (2, time(9), time(18))])
    today = timezone.localdate()
    Closure.objects.create(space=fabrique, starts_on=today - timedelta(days=3),
                           ends_on=today - timedelta(days=1), reason="Inventaire")
    Closure.objects.create(space=fabrique, starts_on=today + timedelta(days=20),
                           ends_on=today + timedelta(days=20), reason="Pont")
    for n in range(4):
        SpaceFactory(slug=f"tiers-lieu-{n}")
    client.force_login(coworking.maison_desk)
    client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"})
    client.logout()

    with django_assert_max_num_queries(4):
        response = client.get(reverse("web:spaces"))
    html = text_of(response)
    nb = "\u00a0"
    fabrique = html[html.index('id="fabrique"'):]
    fabrique = fabrique[:fabrique.index("</li>")]
    assert f"<dt>Lundi</dt> <dd>9{nb}h – 12{nb}h{nb}30, 14{nb}h – 18{nb}h</dd>" in fabrique
    assert f"<dt>Mercredi</dt> <dd>9{nb}h – 18{nb}h</dd>" in fabrique
    assert '<dt>Mardi</dt> <dd><span class="muted">fermé</span></dd>' in fabrique
    assert "0 postes occupés sur 8" in fabrique
    assert "(Pont)" in fabrique and "Inventaire" not in fabrique
    maison = html[html.index('id="maison"'):]
    assert "1 postes occupés sur 4" in maison[:maison.index("</li>")]


def test_the_desk_and_the_pass_speak_english_to_an_english_browser(client, coworking):
    english = {"accept-language": "en"}
    client.force_login(coworking.maison_desk)
    html = text_of(client.post(desk_url(coworking.maison), {"code": "K7M4P2QX"}, follow=True,
                               headers=english))
    assert "Welcome, Marie!" in html and "4 visits left in the period." in html
    assert ">Departure</button>" in html

    client.force_login(coworking.marie)
    html = text_of(client.get(reverse("web:my-pass"), headers=english))
    assert "4 of 5 for the period" in html and ">My pass</a>" in html
    html = text_of(client.get(reverse("web:spaces"), headers=english))
    assert "<dt>Monday</dt>" in html and "1 of 4 desks taken" in html


def test_the_member_sees_where_the_pass_works_the_caps_left_and_when_days_come_back(client, coworking):
    from passes import services
    from spaces.models import Space
    from web.templatetags.essaim_dates import longday

    plan = coworking.plan
    plan.period, plan.per_space_cap = Period.ROLLING_30, 2
    plan.save()
    third = SpaceFactory(name="La Fabrique", slug="fabrique")  # in no network of the plan
    assert not Space.objects.filter(pk=third.pk, pass_networks=coworking.network).exists()
    today = timezone.localdate()
    services.checkin_attempt(code=coworking.pass_obj.code, space="mutualab",
                             actor=services.Actor(person=coworking.mutualab_desk))
    client.force_login(coworking.marie)
    page = client.get(reverse("web:my-pass")).content.decode()
    covered = re.search(r'<ul class="plain covered-spaces">(.*?)</ul>', page, re.S).group(1)
    assert "Maison de l&#x27;ESS" in covered and "La Fabrique" not in covered
    assert "Mutualab <span class=\"muted\">— encore 1 passage ici sur la période" in covered
    assert f"1 passage le {longday(today + timedelta(days=30))}" in page


# --- Self check-in from the member's page ----------------------------------------


def test_a_member_checks_in_from_their_page_where_the_space_allows_it_then_leaves(client, coworking):
    Space.objects.filter(pk=coworking.mutualab.pk).update(self_checkin_allowed=True)
    client.force_login(coworking.marie)
    page = client.get(reverse("web:my-pass"))
    assert [s.slug for s in page.context["passes"][0].self_checkin_spaces] == ["mutualab"]
    response = client.post(reverse("web:self-checkin", args=[coworking.pass_obj.pk]), {"space": "mutualab"},
                           follow=True)
    assert "Arrivée enregistrée à Mutualab." in text_of(response)
    checkin = CheckIn.objects.get()
    assert (checkin.space, checkin.channel) == (coworking.mutualab, "self")
    assert "Vous êtes pointé·e à Mutualab depuis" in text_of(response)
    response = client.post(reverse("web:self-checkout", args=[checkin.pk]), follow=True)
    assert "Départ enregistré." in text_of(response)
    checkin.refresh_from_db()
    assert checkin.checked_out_at is not None


def test_where_self_check_in_is_off_the_member_is_told_why_and_nothing_is_recorded(client, coworking):
    client.force_login(coworking.marie)
    assert client.get(reverse("web:my-pass")).context["passes"][0].self_checkin_spaces == []
    response = client.post(reverse("web:self-checkin", args=[coworking.pass_obj.pk]), {"space": "maison"},
                           follow=True)
    assert "Seule l&#x27;équipe de l&#x27;espace peut pointer ici." in text_of(response)
    response = client.post(reverse("web:self-checkin", args=[coworking.pass_obj.pk]), {"space": "nulle-part"},
                           follow=True)
    assert "Aucun espace ne porte cet identifiant." in text_of(response)
    assert not CheckIn.objects.exists()


def test_nobody_checks_in_or_out_with_someone_elses_pass(client, coworking):
    checkin = present_at_the_maison(coworking)
    client.force_login(PersonFactory())
    assert client.post(reverse("web:self-checkin", args=[coworking.pass_obj.pk]),
                       {"space": "maison"}).status_code == 404
    assert client.post(reverse("web:self-checkout", args=[checkin.pk])).status_code == 404
    checkin.refresh_from_db()
    assert checkin.checked_out_at is None
