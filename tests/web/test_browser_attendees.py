"""In a real browser: an organizer writes to the registrants (delivered by a real worker
through the real broker to a real SMTP server) and takes attendance at the door."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from events import services
from events.models import Registration
from tests.services import wait_until
from tests.web.test_browser_events import sign_in
from tests.worker.conftest import celery_worker, smtp_sink, use_broker  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Changement de salle"


def fill_registrations(town) -> list[Registration]:
    town.forum.capacity = 3
    town.forum.save()
    return [services.registration_create(event=town.forum, name=f"Personne {n}", email=f"p{n}@example.org")
            for n in range(4)]


@pytest.mark.services
def test_organizer_writes_to_confirmed_registrants_and_each_gets_the_email_once(
        page, town, screenshot, celery_worker, smtp_sink, redis_url):  # noqa: F811 - fixtures
    *seated, waiting = fill_registrations(town)
    worker = celery_worker(redis_url)
    with use_broker(redis_url, queue=worker.queue):
        sign_in(page, "orga@apes.test", "/evenements/forum/inscriptions/")
        form = page.locator("#message-form")
        form.get_by_label("À qui").select_option("confirmed")
        form.get_by_label("Objet").fill(SUBJECT)
        form.get_by_label("Message").fill("Nous serons en salle B, au premier étage.")
        # The same form reaches the server twice (a double click on a slow connection, a retry).
        fields = page.evaluate("Object.fromEntries(new FormData(document.getElementById('message-form')))")
        action = page.locator("#message-form").get_attribute("action")
        form.get_by_role("button", name="Envoyer").click()
        page.locator(".messages").wait_for()
        again = page.request.post(page.base + action, form=fields, max_redirects=0)
        assert again.status == 302, again.text()
        page.reload()
        assert "Ce message est déjà parti" in page.locator(".messages").inner_text()
        assert wait_until(lambda: sum(SUBJECT in str(m["Subject"]) for m in smtp_sink.messages()) >= 3,
                          timeout=45), worker.output()
        time.sleep(2)  # anything sent twice would have arrived by now
        screenshot(page, "attendees-message-sent")

    ours = [m for m in smtp_sink.messages() if SUBJECT in str(m["Subject"])]
    assert Counter(str(m["To"]) for m in ours) == Counter(r.email for r in seated)
    assert waiting.email not in {str(m["To"]) for m in ours}
    text = ours[0].get_body(preferencelist=("plain",)).get_content()
    assert "Nous serons en salle B, au premier étage." in text
    assert "Forum Entreprendre autrement" in text
    assert "Messages envoyés" in page.content()


def test_door_check_in_by_code_then_the_same_code_says_already_in(browser, live_server, town, screenshot):
    ada = services.registration_create(event=town.forum, name="Ada Lovelace", email="ada@example.org")
    gone = services.registration_create(event=town.forum, name="Bob Parti", email="bob@example.org")
    services.registration_cancel(registration=gone, actor=town.organizer)
    # The door is a phone.
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    try:
        sign_in(page, "orga@apes.test", "/evenements/forum/entree/")
        code = page.get_by_label("Code d'entrée")
        assert page.evaluate("document.activeElement.name") == "code"
        code.fill(ada.code.lower())
        code.press("Enter")
        result = page.locator("#desk-result")
        assert "Bienvenue, Ada !" in result.inner_text()
        assert "Entré·es : 1 sur 1" in page.locator("#door-count").inner_text().replace("\u00a0", " ")
        # The hand is already on the field for the next person.
        assert page.evaluate("document.activeElement.name") == "code"
        screenshot(page, "door-welcome")

        page.get_by_label("Code d'entrée").fill(ada.code)
        page.get_by_label("Code d'entrée").press("Enter")
        assert "Déjà entré·e" in page.locator("#desk-result").inner_text()
        assert "Ada Lovelace est déjà entré·e à" in page.locator("#desk-result").inner_text()
        screenshot(page, "door-already-in")

        page.get_by_label("Code d'entrée").fill(gone.code)
        page.get_by_label("Code d'entrée").press("Enter")
        refused = page.locator("#desk-result")
        assert "Entrée refusée" in refused.inner_text() and "annulée" in refused.inner_text()
        screenshot(page, "door-refused")
    finally:
        context.close()
    ada.refresh_from_db()
    assert ada.checked_in_at is not None
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1


def test_the_door_scans_the_qr_code_of_a_confirmation_with_the_camera(camera_browser, live_server, town,
                                                                       tmp_path, screenshot):
    """The door shares the desk's scanner: the QR code of the registration page lets the person in."""
    from tests.web.test_browser_spaces import qr_video

    ada = services.registration_create(event=town.forum, name="Ada Lovelace", email="ada@example.org")
    video = tmp_path / "qr.y4m"
    qr_video(video, ada.code)
    context = camera_browser(video).new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    try:
        sign_in(page, "orga@apes.test", "/evenements/forum/entree/")
        page.get_by_role("button", name="Scanner le QR code").click()
        page.get_by_role("status").filter(has_text="Bienvenue, Ada !").wait_for()
        screenshot(page, "door-scanned-a-qr-code")
    finally:
        context.close()
    ada.refresh_from_db()
    assert ada.checked_in_at is not None
