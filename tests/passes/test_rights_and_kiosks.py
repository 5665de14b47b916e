"""Who may check in where: desk, kiosk, the member themself; check-out; kiosk slow-down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from network.models import Role
from passes import services
from passes.models import CheckIn, CheckinAttempt, Visit
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, SpaceFactory

pytestmark = pytest.mark.django_db


def post(client, code, space="accueil"):
    return client.post("/api/v1/checkins/", {"pass_code": code, "space": space}, format="json")


@pytest.fixture
def kiosk_client(world, api):
    kiosk, token = services.kiosk_create(space=world.host, name="Entrée")
    api.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    api.kiosk = kiosk
    return api


def test_kiosk_checks_in_at_its_own_space(world, kiosk_client):
    response = post(kiosk_client, world.pass_obj.code)
    assert response.status_code == 201
    checkin = CheckIn.objects.get()
    assert (checkin.channel, checkin.kiosk, checkin.checked_in_by) == ("kiosk", kiosk_client.kiosk, None)


def test_kiosk_token_of_another_space_is_refused_and_counts_nothing(world, kiosk_client):
    response = post(kiosk_client, world.pass_obj.code, "maison")
    assert response.status_code == 403
    assert response.json()["code"] == "kiosk_wrong_space"
    assert not Visit.objects.exists()
    assert CheckinAttempt.objects.get().outcome == "kiosk_wrong_space"


def test_unknown_or_revoked_kiosk_token_is_a_401(world, api):
    api.credentials(HTTP_AUTHORIZATION="Kiosk pas-un-vrai-jeton")
    response = post(api, world.pass_obj.code)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_kiosk_token"
    kiosk, token = services.kiosk_create(space=world.host, name="Borne")
    kiosk.revoked_at = timezone.now()
    kiosk.save()
    api.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    assert post(api, world.pass_obj.code).status_code == 401


def test_kiosk_token_is_stored_hashed(world):
    kiosk, token = services.kiosk_create(space=world.host, name="Borne")
    assert token not in kiosk.token_hash and len(token) >= 43


def test_kiosk_sending_many_unknown_codes_is_slowed_down(world, kiosk_client):
    for _ in range(10):
        assert post(kiosk_client, "ZZZZ2345").json()["code"] == "unknown_pass"
    response = post(kiosk_client, world.pass_obj.code)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 301
    assert not Visit.objects.exists()
    assert CheckinAttempt.objects.count() == 10


def test_unknown_codes_at_the_desk_do_not_slow_down_a_kiosk(world, desk, kiosk_client):
    for _ in range(10):
        post(desk, "ZZZZ2345")
    assert post(kiosk_client, world.pass_obj.code).status_code == 201


def test_anonymous_checkin_is_a_401(world, api):
    assert post(api, world.pass_obj.code).status_code == 401


def test_member_cannot_check_in_where_self_checkin_is_off(world, login):
    response = post(login(world.member), world.pass_obj.code)
    assert response.status_code == 403
    assert response.json()["code"] == "checkin_forbidden"
    assert not Visit.objects.exists()


def test_member_checks_in_themself_where_the_space_allows_it(world, login):
    world.host.self_checkin_allowed = True
    world.host.save()
    response = post(login(world.member), world.pass_obj.short_code)
    assert response.status_code == 201
    assert response.json()["channel"] == "self"


def test_member_cannot_self_check_in_with_someone_elses_pass(world, login):
    world.host.self_checkin_allowed = True
    world.host.save()
    other = PassFactory(plan=world.plan, issuing_space=world.home)
    response = post(login(world.member), other.code)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_pass"
    assert not Visit.objects.exists()


def test_staff_of_another_space_cannot_check_in_here(world, login):
    response = post(login(world.home_staff), world.pass_obj.code)
    assert response.status_code == 403
    assert response.json()["code"] == "checkin_forbidden"


def test_staff_of_another_space_scanning_where_members_check_themselves_in_are_told_why(world, login):
    """Here they are members like any other: their own pass only, and the message says that
    someone else's pass is for this space's team."""
    world.host.self_checkin_allowed = True
    world.host.save()
    response = post(login(world.home_staff), world.pass_obj.code)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_pass"
    assert "équipe de cet espace" in response.json()["detail"]
    assert not Visit.objects.exists()


def test_admin_of_the_operator_works_the_desk(world, login):
    admin = member_of(world.host.operator, Role.ADMIN)
    assert post(login(admin), world.pass_obj.code).status_code == 201


# --- Check-out ----------------------------------------------------------------


def test_member_checks_themself_out(world, desk, login):
    checkin_id = post(desk, world.pass_obj.code).json()["id"]
    response = login(world.member).post(f"/api/v1/checkins/{checkin_id}/checkout/")
    assert response.status_code == 200
    assert response.json()["checked_out_at"] is not None


def test_checkout_of_someone_elses_checkin_is_a_404(world, desk, login):
    checkin_id = post(desk, world.pass_obj.code).json()["id"]
    stranger = login(PersonFactory())
    assert stranger.post(f"/api/v1/checkins/{checkin_id}/checkout/").status_code == 404
    other_staff = login(world.home_staff)
    assert other_staff.post(f"/api/v1/checkins/{checkin_id}/checkout/").status_code == 404
    assert CheckIn.objects.get().checked_out_at is None


def test_checking_out_twice_is_a_409(world, desk):
    checkin_id = post(desk, world.pass_obj.code).json()["id"]
    assert desk.post(f"/api/v1/checkins/{checkin_id}/checkout/").status_code == 200
    response = desk.post(f"/api/v1/checkins/{checkin_id}/checkout/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_checked_out"


def test_kiosk_checks_out_at_its_space_only(world, desk, kiosk_client, login):
    checkin_id = post(desk, world.pass_obj.code).json()["id"]
    _kiosk, token = services.kiosk_create(space=world.home, name="Autre")
    other = login(world.member)
    other.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    assert other.post(f"/api/v1/checkins/{checkin_id}/checkout/").status_code == 404
    assert kiosk_client.post(f"/api/v1/checkins/{checkin_id}/checkout/").status_code == 200


# --- Who sees which check-ins -------------------------------------------------


def test_space_managers_see_their_spaces_checkins_and_members_their_own(world, desk, login):
    post(desk, world.pass_obj.code)
    other = PassFactory(plan=world.plan, issuing_space=world.home)
    post(login(world.home_staff), other.code, "maison")
    assert [c["space"] for c in desk.get("/api/v1/checkins/").json()["results"]] == ["accueil"]
    assert [c["space"] for c in login(world.home_staff).get("/api/v1/checkins/").json()["results"]] == [
        "maison"]
    mine = login(world.member).get("/api/v1/checkins/").json()["results"]
    assert [c["pass_short_code"] for c in mine] == [world.pass_obj.short_code]
    assert login(PersonFactory()).get("/api/v1/checkins/").json()["results"] == []


def test_checkin_list_query_count_does_not_grow_with_rows(world, desk, django_assert_max_num_queries):
    # ``desk`` has its token already: the count below is the list's own.
    operator = world.host.operator
    for _ in range(5):
        SpaceFactory(operator=operator)
    for _ in range(8):
        pass_obj = PassFactory(plan=world.plan, issuing_space=world.home)
        post(desk, pass_obj.code)
    with django_assert_max_num_queries(6):
        assert len(desk.get("/api/v1/checkins/").json()["results"]) == 8


def test_refusals_are_in_english_when_asked(world, desk):
    response = desk.post("/api/v1/checkins/", {"pass_code": "ZZZZ2345", "space": "accueil"},
                         format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"code": "unknown_pass", "detail": "No pass has this code.",
                               "fields": {"pass_code": ["No pass has this code."]}}
    french = desk.post("/api/v1/checkins/", {"pass_code": "ZZZZ2345", "space": "accueil"}, format="json")
    assert french.json()["detail"] == "Ce code ne correspond à aucun pass."


def test_checkin_query_count_is_pinned(world, desk, django_assert_max_num_queries):
    post(desk, PassFactory(plan=world.plan, issuing_space=world.home).code)  # token and roles warmed
    with django_assert_max_num_queries(18):
        assert post(desk, world.pass_obj.code).status_code == 201


def test_kiosk_lists_only_who_is_in_its_space_now(world, desk, kiosk_client):
    first = post(desk, world.pass_obj.code).json()["id"]
    desk.post(f"/api/v1/checkins/{first}/checkout/")
    other = PassFactory(plan=world.plan, issuing_space=world.home)
    second = post(desk, other.code).json()["id"]
    assert [c["id"] for c in kiosk_client.get("/api/v1/checkins/").json()["results"]] == [second]


def test_kiosk_is_free_again_once_the_unknown_codes_leave_the_window(world, kiosk_client):
    from passes import selectors

    for _ in range(10):
        post(kiosk_client, "ZZZZ2345")
    oldest = CheckinAttempt.objects.order_by("at").first().at
    assert selectors.kiosk_retry_after(kiosk=kiosk_client.kiosk, now=oldest + timedelta(minutes=4)) >= 60
    assert selectors.kiosk_retry_after(kiosk=kiosk_client.kiosk, now=oldest + timedelta(minutes=5)) is None


@pytest.fixture(params=["unknown token", "inactive person"])
def refused_desk(request, world, api):
    """A desk whose token is refused: never issued, or its person deactivated since; with DRF's
    message (in the request's language)."""
    if request.param == "unknown token":
        api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
        return api, "Invalid token."
    token = Token.objects.create(user=world.host_staff)
    world.host_staff.is_active = False
    world.host_staff.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api, "User inactive or deleted."


def test_a_refused_desk_token_is_a_401_and_counts_nothing(world, refused_desk):
    client, reason = refused_desk
    response = post(client, world.pass_obj.code)
    assert response.status_code == 401
    assert response.json()["detail"] == translation.gettext(reason)
    assert response.has_header("WWW-Authenticate")
    assert not Visit.objects.exists()
    assert not CheckinAttempt.objects.exists()
    assert post(client, world.pass_obj.code, "pas-un-espace").status_code == 401


def test_a_refused_desk_token_is_answered_before_a_bad_body(world, refused_desk):
    client, reason = refused_desk
    for body in ({"pass_code": world.pass_obj.code}, {"pass_code": 12, "space": "accueil"}):
        response = client.post("/api/v1/checkins/", body, format="json")
        assert (response.status_code, response.json()["detail"]) == (401, translation.gettext(reason))
    malformed = client.post("/api/v1/checkins/", "{", content_type="application/json")
    assert (malformed.status_code, malformed.json()["detail"]) == (401, translation.gettext(reason))
