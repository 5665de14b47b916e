"""In a real browser: a visitor reads the spaces directory, then switches to English."""

from __future__ import annotations

import pytest

from spaces.models import Room, Space
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_opens_the_spaces_directory_and_switches_to_english(page, screenshot):
    space = Space.objects.create(name="Mutualab", slug="mutualab", operator=OrganizationFactory(),
                                 address="5 place de la République, 59000 Lille", desk_capacity=60)
    Room.objects.create(space=space, name="Grande salle", slug="grande-salle", capacity=60)

    page.goto(page.base + "/")
    page.get_by_role("link", name="Espaces", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Les espaces"
    assert "Grande salle — 60 places" in page.locator("#mutualab").inner_text()

    # The skip link is the first stop of the keyboard and leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/espaces/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Spaces"
    assert "Grande salle — 60 seats" in page.locator("#mutualab").inner_text()
    assert page.get_by_role("button", name="Français").is_visible()
    screenshot(page, "spaces-directory-in-english")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "spaces-directory-on-a-phone")


def test_without_javascript_no_dead_copy_button_shows(browser, live_server):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/agenda/")
    assert page.locator("#agenda-url").is_visible()
    assert not page.get_by_role("button", name="Copier").is_visible()
    context.close()


def test_a_desk_checks_a_member_in_by_the_typed_code_then_refuses_an_expired_pass(page, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from network.models import Role
    from passes.models import CheckIn
    from tests.factories import PersonFactory, member_of
    from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

    # The factory's space is open all day, every day: "now" is always within its hours.
    space = SpaceFactory(name="Mutualab", slug="mutualab", desk_capacity=12)
    plan = PlanFactory(network=PassNetworkFactory(spaces=[space]), allowance=5)
    PassFactory(plan=plan, issuing_space=space, short_code="K7M4P2QX",
                holder=PersonFactory(full_name="Marie Curie"))
    today = timezone.localdate()
    PassFactory(plan=plan, issuing_space=space, short_code="EXP2R3DX",
                valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1),
                holder=PersonFactory(full_name="Paul Périmé"))
    member_of(space.operator, Role.SPACE_MANAGER, email="accueil@mutualab.test")

    page.goto(f"{page.base}/connexion/?next=/pointage/")
    page.locator("#id_username").fill("accueil@mutualab.test")
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espaces/mutualab/accueil/")
    assert page.get_by_role("heading", level=1).inner_text() == "Accueil de Mutualab"

    # The code field has the focus: the desk types and presses Enter, nothing else.
    assert page.evaluate("document.activeElement.name") == "code"
    page.keyboard.type("k7m4-p2qx")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    welcome = page.get_by_role("status").filter(has_text="Bienvenue")
    assert "Bienvenue, Marie !" in welcome.inner_text()
    assert "4 passages restants sur la période." in welcome.inner_text()
    assert welcome.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(227, 244, 230)"
    present = page.locator(".present-list")
    assert "Marie Curie" in present.inner_text()
    screenshot(page, "desk-member-welcomed")

    page.get_by_label("Code du pass").fill("EXP2R3DX")
    page.get_by_role("button", name="Pointer l'arrivée").click()
    refusal = page.get_by_role("alert")
    refusal.wait_for()
    assert "Pointage refusé" in refusal.inner_text()
    assert "Ce pass a expiré le" in refusal.inner_text()
    assert refusal.evaluate("e => getComputedStyle(e).color") == "rgb(161, 29, 29)"
    assert "Paul" not in present.inner_text()
    screenshot(page, "desk-expired-pass-refused")

    # Departure from the list, by keyboard.
    page.get_by_role("button", name="Départ de Marie Curie").focus()
    page.keyboard.press("Enter")
    page.locator(".messages", has_text="Départ de Marie Curie enregistré.").wait_for()
    assert CheckIn.objects.get().checked_out_at is not None

    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet
    assert page.evaluate("document.documentElement.scrollWidth") <= 768


def qr_video(path, text: str, size: int = 480) -> None:
    """A still video of the QR code of ``text`` (YUV4MPEG2, grey), for Chromium's fake camera."""
    import segno

    matrix = [list(row) for row in segno.make(text, error="m", micro=False).matrix]
    border, modules = 4, len(matrix)
    scale = size // (modules + 2 * border)
    luma = bytearray(b"\xff" * size * size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = ((border + y) * scale + dy) * size + (border + x) * scale
                    luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (size // 2) * (size // 2) * 2
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{size} H{size} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(2):
            video.write(b"FRAME\n" + bytes(luma) + chroma)


def test_a_desk_scans_a_pass_with_the_camera(camera_browser, live_server, tmp_path, screenshot):
    """desk.js and jsQR read the QR code from a (fake) camera and submit the form."""
    from network.models import Role
    from tests.factories import PersonFactory, member_of
    from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

    space = SpaceFactory(name="Mutualab", slug="mutualab")
    pass_obj = PassFactory(plan=PlanFactory(network=PassNetworkFactory(spaces=[space]), allowance=5),
                           issuing_space=space, holder=PersonFactory(full_name="Marie Curie"))
    member_of(space.operator, Role.SPACE_MANAGER, email="accueil@mutualab.test")
    video = tmp_path / "qr.y4m"
    qr_video(video, pass_obj.code)

    context = camera_browser(video).new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/connexion/?next=/espaces/mutualab/accueil/")
    page.locator("#id_username").fill("accueil@mutualab.test")
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espaces/mutualab/accueil/")

    # Shown only now that the script found a camera (the other scenarios have none).
    page.get_by_role("button", name="Scanner le QR code").click()
    page.get_by_role("status").filter(has_text="Bienvenue, Marie !").wait_for()
    assert "4 passages restants sur la période." in page.locator("#desk-result").inner_text()
    assert "Marie Curie" in page.locator(".present-list").inner_text()
    screenshot(page, "desk-scanned-a-qr-code")
    context.close()
