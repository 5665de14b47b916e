"""A space's team runs its passes from a page: the list and its search, selling (an unknown
address gets an invitation), suspending, reactivating, revoking after a confirmation, the
card to print; nobody else sees any of it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Invitation
from passes.models import Pass, PassStatus
from tests.passes.factories import PassFactory, many_passes
from tests.web.test_pass_pages import coworking  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def passes_url(space) -> str:
    return reverse("web:space-passes", args=[space.slug])


def test_the_team_sells_a_pass_to_a_member_with_an_account(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)
    response = client.post(passes_url(coworking.maison), {
        "plan": coworking.plan.id, "email": "marie@example.org", "valid_from": "2026-12-01"})
    assert response.status_code == 302
    sold = Pass.objects.exclude(pk=coworking.pass_obj.pk).get()
    assert (sold.holder, sold.valid_from, sold.issuing_space) == (coworking.marie, date(2026, 12, 1),
                                                                  coworking.maison)
    page = client.get(passes_url(coworking.maison)).content.decode()
    assert f"Pass {sold.short_code} vendu à marie@example.org." in page


def test_an_unknown_address_gets_an_invitation_and_the_list_says_so(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)
    client.post(passes_url(coworking.maison), {
        "plan": coworking.plan.id, "email": "nouvelle@example.org", "valid_from": "2026-12-01"})
    invitation = Invitation.objects.get(email="nouvelle@example.org")
    assert invitation.held_pass.holder is None
    page = client.get(passes_url(coworking.maison)).content.decode()
    assert "invitation envoyée à nouvelle@example.org" in page


@pytest.mark.parametrize("fields, field", [
    ({"email": "pas-une-adresse"}, "email"),
    ({"valid_from": "9999-12-31"}, "valid_from"),
    ({"plan": "0"}, "plan"),
])
def test_bad_input_is_named_on_its_field_and_keeps_the_rest(client, coworking, fields, field):  # noqa: F811
    client.force_login(coworking.maison_desk)
    data = {"plan": coworking.plan.id, "email": "nouvelle@example.org", "valid_from": "2026-12-01", **fields}
    response = client.post(passes_url(coworking.maison), data)
    assert response.status_code == 400
    assert field in response.context["sell_form"].errors
    assert 'value="nouvelle@example.org"' in response.content.decode() or field == "email"
    assert Pass.objects.count() == 1


def test_search_by_name_email_or_code(client, coworking):  # noqa: F811
    other = PassFactory(plan=coworking.plan, issuing_space=coworking.maison)
    client.force_login(coworking.maison_desk)
    for query in ("curie", "MARIE@", "k7m4-p2qx"):
        rows = client.get(passes_url(coworking.maison), {"q": query}).context["rows"]
        assert [row[0] for row in rows] == [coworking.pass_obj], query
    rows = client.get(passes_url(coworking.maison), {"status": "active"}).context["rows"]
    assert {row[0] for row in rows} == {coworking.pass_obj, other}


def test_suspend_reactivate_and_revoke_after_confirming(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)
    pass_obj = coworking.pass_obj
    status_url = reverse("web:space-pass-status", args=["maison", pass_obj.pk])
    client.post(status_url, {"status": "suspended"})
    pass_obj.refresh_from_db()
    assert pass_obj.status == PassStatus.SUSPENDED
    client.post(status_url, {"status": "active"})
    pass_obj.refresh_from_db()
    assert pass_obj.status == PassStatus.ACTIVE
    revoke_url = reverse("web:space-pass-revoke", args=["maison", pass_obj.pk])
    assert "ne peut plus servir ni être réactivé" in client.get(revoke_url).content.decode()
    pass_obj.refresh_from_db()
    assert pass_obj.status == PassStatus.ACTIVE  # asking is not revoking
    client.post(revoke_url)
    pass_obj.refresh_from_db()
    assert pass_obj.status == PassStatus.REVOKED
    client.post(status_url, {"status": "active"})
    pass_obj.refresh_from_db()
    assert pass_obj.status == PassStatus.REVOKED


def test_the_card_shows_the_qr_code_and_is_never_cached(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)
    response = client.get(reverse("web:space-pass-card", args=["maison", coworking.pass_obj.pk]))
    assert response.status_code == 200
    assert "<svg" in response.content.decode() and "K7M4P2QX" in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_another_space_or_a_member_sees_and_changes_nothing(client, coworking):  # noqa: F811
    pass_id = coworking.pass_obj.pk
    for person in (coworking.mutualab_desk, coworking.marie):
        client.force_login(person)
        assert client.get(passes_url(coworking.maison)).status_code == 403
        for name in ("web:space-pass-revoke", "web:space-pass-card"):
            assert client.get(reverse(name, args=["maison", pass_id])).status_code == 403
        client.post(reverse("web:space-pass-status", args=["maison", pass_id]), {"status": "suspended"})
        client.post(reverse("web:space-pass-revoke", args=["maison", pass_id]))
    # Another space's page cannot reach this pass either.
    client.force_login(coworking.mutualab_desk)
    assert client.get(reverse("web:space-pass-card", args=["mutualab", pass_id])).status_code == 404
    coworking.pass_obj.refresh_from_db()
    assert coworking.pass_obj.status == PassStatus.ACTIVE


def test_the_list_costs_the_same_queries_for_one_pass_or_sixty(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(passes_url(coworking.maison)).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(59):
        PassFactory(plan=coworking.plan, issuing_space=coworking.maison)
    assert queries() == one


def test_the_list_costs_the_same_queries_for_ten_passes_or_a_thousand(client, coworking):  # noqa: F811
    client.force_login(coworking.maison_desk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(passes_url(coworking.maison))
            assert response.status_code == 200
        return len(captured), response.context["page"].paginator.count

    many_passes(plan=coworking.plan, issuing_space=coworking.maison, count=9,
                visit_at=coworking.mutualab)
    ten, shown = queries()
    assert shown == 10
    many_passes(plan=coworking.plan, issuing_space=coworking.maison, count=990,
                visit_at=coworking.maison)
    assert queries() == (ten, 1000)


def test_the_team_emails_the_qr_code_to_the_holder_once_per_click(client, coworking, mailoutbox):  # noqa: F811
    from django.core.mail import get_connection

    from worker.models import Message
    from worker.outbox import message_deliver

    client.force_login(coworking.maison_desk)
    send_url = reverse("web:space-pass-send", args=["maison", coworking.pass_obj.pk])
    response = client.post(send_url, follow=True)
    assert "QR code du pass K7M4P2QX envoyé à marie@example.org." in response.content.decode()
    client.post(send_url)  # a double click: the same minute, one message
    message = Message.objects.get(kind="pass_card")
    assert message.to == "marie@example.org" and "K7M4P2QX" in message.body_text
    message_deliver(message=message, connection=get_connection())
    sent = mailoutbox[-1]
    filename, content, mimetype = sent.attachments[0]
    assert (filename, mimetype) == ("pass-K7M4P2QX.svg", "image/svg+xml") and "<svg" in content
    assert "Content-Type: image/svg+xml" in sent.message().as_string()


def test_a_pass_waiting_for_its_invitation_or_revoked_is_not_emailed(client, coworking):  # noqa: F811
    from worker.models import Message

    client.force_login(coworking.maison_desk)
    client.post(passes_url(coworking.maison), {
        "plan": coworking.plan.id, "email": "nouvelle@example.org", "valid_from": "2026-12-01"})
    waiting = Pass.objects.get(holder__isnull=True)
    response = client.post(reverse("web:space-pass-send", args=["maison", waiting.pk]), follow=True)
    assert "l&#x27;invitation lui donnera son pass" in response.content.decode()
    Pass.objects.filter(pk=coworking.pass_obj.pk).update(status=PassStatus.REVOKED)
    client.post(reverse("web:space-pass-send", args=["maison", coworking.pass_obj.pk]))
    assert not Message.objects.filter(kind="pass_card").exists()
    client.force_login(coworking.mutualab_desk)
    other_space = client.post(reverse("web:space-pass-send", args=["maison", coworking.pass_obj.pk]))
    assert other_space.status_code == 403
