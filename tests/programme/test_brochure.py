"""The printed programme, read back from the PDF: every event once, on its day, in its commune,
with a QR code to its page; cached until an event of it changes."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import zxingcpp
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from backend.links import absolute_url
from backend.throttling import ComputationRateThrottle
from events import services
from events.models import Campaign, EventStatus, Moderation
from programme import brochure as brochures
from programme.brochure import (
    BrochureSpec,
    brochure_build,
    brochure_context,
    brochure_current,
    readable_url,
    render_pdf,
)
from programme.models import Brochure
from programme.selectors import Selection
from programme.typography import NBSP, NNBSP, french
from tests.events.factories import CampaignFactory, EventFactory, RoomFactory, in_days
from tests.factories import OrganizationFactory, Role, member_of
from web.templatetags.essaim_dates import day_text

pytestmark = pytest.mark.django_db

LILLE = "Gare Saint-Sauveur, 17 boulevard Jean-Baptiste Lebas, 59000 Lille"
ROUBAIX = "La Condition Publique, 14 place Faidherbe, 59100 Roubaix"


@pytest.fixture
def mois(db):
    apes = OrganizationFactory(name="APES", slug="apes")
    campaign = CampaignFactory(title="Mois de l'ESS", slug="mois-ess")
    room = RoomFactory(space__name="Maison de l'ESS",
                       space__address="235 boulevard Paul Painlevé, 59000 Lille")

    def event(title, days, hour, **fields):
        fields.setdefault("moderation", Moderation.APPROVED)
        return EventFactory(organization=apes, title=title, campaign=campaign,
                            starts_at=in_days(days, hour), **fields)

    events = [
        event("Café métiers : travailler dans une SCOP", 3, 18, address=LILLE, price_text="Gratuit",
              description="Rencontrer des coopérateurs ; poser ses questions !"),
        event("Forum de l'ESS lilloise", 3, 10, room=room),
        event("Conférence-débat : la monnaie locale", 3, 19, address=ROUBAIX, price_text="5 €"),
        event("Atelier zéro déchet", 4, 14, address=ROUBAIX),
        event("Visite de la ferme du Héron", 4, 9, address="Ferme du Héron, chemin de la Ferme Lenglet, "
              "59650 Villeneuve-d'Ascq"),
        event("Projection à Amiens", 5, 20, address="Citadelle, 10 rue des Français Libres, 80000 Amiens",
              department="80", commune_insee="80021"),
    ]
    event("Annulé", 4, 10, address=LILLE, status=EventStatus.CANCELLED, cancel_reason="Météo")
    event("En attente", 4, 11, address=LILLE, moderation=Moderation.PENDING)
    event("Brouillon", 4, 12, address=LILLE, status=EventStatus.DRAFT)
    EventFactory(organization=apes, title="Hors campagne", starts_at=in_days(4), address=LILLE)
    return apes, campaign, events


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def programme_text(reader: PdfReader) -> str:
    """The pages before the indexes, as one text with plain spaces."""
    text = "\n".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"[ \u00a0\u202f]+", " ", text)
    return text[:text.index("Index par")]


def test_every_event_of_the_selection_appears_once_on_its_day_in_its_commune(mois):
    _apes, _campaign, events = mois
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess", "territory": "59"}), "a4", "fr")

    text = programme_text(read(brochure_build(key=spec.key).pdf))

    assert "Nord (59)" in text.split("\n")[1]
    printed = [event for event in events if event.department == "59"]
    assert len(printed) == 5
    for absent in ("Annulé", "En attente", "Brouillon", "Hors campagne", "Projection à Amiens"):
        assert absent not in text
    def last(headings, before: str) -> str:
        """The heading written last before a position (headings are whole lines)."""
        return max(headings, key=lambda heading: before.rfind(f"\n{heading}\n"))

    days = {day_text(event.starts_at.astimezone(event.zone).date()).replace(NBSP, " ").capitalize()
            for event in printed}
    communes = {"Lille", "Roubaix", "Villeneuve-d'Ascq"}
    for event in printed:
        # Words as printed (a no-break space before ":"), wherever a line breaks.
        words = r"\s+".join(re.escape(word) for word in event.title.replace(":", " :").split())
        found = [match.start() for match in re.finditer(words, text)]
        assert len(found) == 1, (event.title, found)
        before = text[:found[0]]
        day = day_text(event.starts_at.astimezone(event.zone).date()).replace(NBSP, " ").capitalize()
        commune = {LILLE: "Lille", ROUBAIX: "Roubaix"}.get(event.address, "Villeneuve-d'Ascq")
        if event.room_id:
            commune = "Lille"
        assert last(days, before) == day, event.title
        assert last(communes, before) == commune, event.title
        assert before.rfind(f"\n{commune}\n") > before.rfind(f"\n{day}\n") >= 0
    assert "18 h" in text and "5 €" in text


def test_a_qr_code_decodes_to_the_events_page(mois):
    _apes, _campaign, events = mois
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a5", "fr")
    reader = read(brochure_build(key=spec.key).pdf)

    decoded = set()
    for page in reader.pages:
        for image in page.images:
            picture = image.image.convert("L")
            picture = picture.resize((picture.width * 6, picture.height * 6))
            decoded |= {result.text for result in zxingcpp.read_barcodes(picture)}

    assert {absolute_url(event.get_absolute_url()) for event in events} <= decoded
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (420, 595)


def whole_text(reader: PdfReader) -> str:
    return re.sub(r"[ \u00a0\u202f]+", " ", "\n".join(page.extract_text() for page in reader.pages))


def printed_numbers(text: str, events) -> dict[str, int]:
    """Each event's number, as printed before its time and title."""
    numbers = {}
    for event in events:
        words = r"\s+".join(re.escape(word) for word in event.title.split())
        numbers[event.title] = int(re.search(rf"(\d+) [\d h]+ · {words}", text)[1])
    return numbers


def test_events_are_numbered_in_print_order_and_the_indexes_give_their_numbers(mois):
    from events.models import Theme

    _apes, _campaign, events = mois
    forum, zero_waste = events[1], events[3]
    forum.co_organizers.add(OrganizationFactory(name="Coopérative partenaire"))
    theme = Theme.objects.create(slug="zero-dechet", name="Zéro déchet")
    forum.themes.add(theme)
    zero_waste.themes.add(theme)
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a4", "fr")

    reader = read(brochure_build(key=spec.key).pdf)

    assert (round(reader.pages[0].mediabox.width), round(reader.pages[0].mediabox.height)) == (595, 842)
    whole = whole_text(reader)
    assert whole.splitlines()[0].startswith("Mois de l'ESS")
    numbers = printed_numbers(programme_text(reader), events)
    in_print_order = sorted(numbers, key=lambda title: programme_text(reader).index(title.split()[0]))
    assert sorted(numbers.values()) == list(range(1, 7))
    assert [numbers[title] for title in in_print_order] == list(range(1, 7))
    themes, organizations = whole.split("Index par structure", 1)
    themes = themes[themes.index("Index par thème"):]
    both = sorted([numbers[forum.title], numbers[zero_waste.title]])
    assert f"Zéro déchet : {both[0]}, {both[1]}" in themes
    assert "APES : 1, 2, 3, 4, 5, 6" in organizations
    assert f"Coopérative partenaire : {numbers[forum.title]}\n" in organizations


def test_a_large_brochure_is_laid_out_in_parts_that_read_as_one(mois, settings, monkeypatch):
    """Each part is a run of whole days laid out by its own process; the joined file has the
    cover once, every day from a page's top, the numbers in sequence and the indexes once."""
    _apes, _campaign, events = mois
    settings.BROCHURE_PROCESSES = 2
    monkeypatch.setattr(brochures, "EVENTS_PER_PART", 1)
    cut = []
    parts = brochures._parts
    monkeypatch.setattr(brochures, "_parts", lambda days, count: cut.append(parts(days, count)) or cut[-1])
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a5", "fr")

    reader = read(brochure_build(key=spec.key).pdf)

    assert [len(part) for part in cut[0]] == [1, 2], "three days, 3 + 3 events: two parts"
    pages = [re.sub(r"[ \u00a0\u202f]+", " ", page.extract_text()) for page in reader.pages]
    assert "6 événements" in pages[0]
    assert sum("6 événements" in page for page in pages) == 1
    days = sorted({event.starts_at.astimezone(event.zone).date() for event in events})
    for day in days:
        heading = day_text(day).replace(NBSP, " ").capitalize()
        assert sum(page.startswith(heading) for page in pages) >= 1, heading
    assert sum("Index par structure" in page for page in pages) == 1
    assert all((round(page.mediabox.width), round(page.mediabox.height)) == (420, 595)
               for page in reader.pages)
    numbers = printed_numbers(programme_text(reader), events)
    assert sorted(numbers.values()) == list(range(1, 7))


def test_a_part_that_does_not_finish_stops_the_build_and_keeps_nothing(mois, monkeypatch):
    import subprocess

    monkeypatch.setattr(brochures, "PART_TIMEOUT", 0.01)
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a4", "fr")

    with pytest.raises(subprocess.TimeoutExpired):
        brochure_build(key=spec.key)

    assert brochure_current(spec) is None
    assert not Brochure.objects.exclude(pdf=b"").exists()


def test_french_typography_puts_no_break_spaces_where_french_does():
    assert french("Café métiers: travailler ?") == f"Café métiers{NBSP}: travailler{NNBSP}?"
    assert french("« Les coopératives »; venez!") == f"«{NNBSP}Les coopératives{NNBSP}»{NNBSP}; venez{NNBSP}!"
    assert french("https://essaim.example/a?b=1 à 18:30") == "https://essaim.example/a?b=1 à 18:30"


def test_the_printed_text_uses_french_typography(mois):
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a4", "fr")
    html = render_to_string("programme/brochure.html", brochure_context(spec, list(spec.events())))
    assert f"Café métiers{NBSP}: travailler dans une SCOP" in html
    assert f"poser ses questions{NNBSP}!" in html
    assert f"18{NBSP}h" in html


def test_indexes_and_communes_are_in_dictionary_order(mois):
    from events.models import Theme

    _apes, _campaign, events = mois
    for slug, name in (("t-emploi", "Emploi et métiers"), ("t-eco", "Économie circulaire"),
                       ("t-numerique", "Numérique"), ("t-alim", "alimentation")):
        events[0].themes.add(Theme.objects.create(slug=slug, name=name))
    events[0].co_organizers.add(OrganizationFactory(name="Écopôle"), OrganizationFactory(name="Zeste"))
    events[1].address = "Salle des fêtes, 1 place de l'Église, 59000 Étaples"
    events[1].room = None
    events[1].save()
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a4", "fr")

    context = brochure_context(spec, list(spec.events()))

    assert [name for name, _numbers in context["themes"]] == [
        "alimentation", "Économie circulaire", "Emploi et métiers", "Numérique"]
    assert [name for name, _numbers in context["organizations"]] == ["APES", "Écopôle", "Zeste"]
    first_day = context["days"][0][1]
    assert [commune for commune, _entries in first_day] == ["Étaples", "Lille", "Roubaix"]


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_the_cover_prints_the_agenda_address_readable_and_whole(mois, size):
    chosen = {"campaign": "mois-ess", "territory": "Provence-Alpes-Côte d'Azur"}
    spec = BrochureSpec(Selection.from_params(chosen), size, "fr")

    cover = read(render_pdf(spec, [])).pages[0]

    [link] = {annotation.get_object()["/A"]["/URI"] for annotation in cover["/Annots"]}
    assert link == absolute_url("/agenda/?campaign=mois-ess&territory=Provence-Alpes-C%C3%B4te+d%27Azur")
    printed = absolute_url("/agenda/?campaign=mois-ess&territory=Provence-Alpes-Côte+d'Azur")
    # On one line, as typed and as copied: the same page as the link.
    assert printed in cover.extract_text().splitlines()
    assert dict(parse_qsl(urlsplit(printed).query)) == chosen
    everything = BrochureSpec(Selection(()), size, "fr")
    assert brochure_context(everything, [])["agenda_url"] == absolute_url("/agenda/")


def test_a_printed_address_keeps_escaped_what_would_change_its_query():
    assert readable_url("https://essaim.example/agenda/?territory=Saint-%C3%89tienne+%26+Lyon%2B%3D%25%23") \
        == "https://essaim.example/agenda/?territory=Saint-Étienne+%26+Lyon%2B%3D%25%23"


def test_the_brochure_is_served_until_an_event_of_it_changes(client, mois, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    apes, _campaign, events = mois
    asked = []
    monkeypatch.setattr(brochures, "_enqueue", lambda task, key: asked.append(key))
    url = "/programme/imprimer/?campaign=mois-ess&size=a5"

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.get(url)
        waiting = client.get(sent["Location"])
        client.get(url, follow=True)
    assert sent.status_code == 302
    assert sent["Location"] == "/programme/imprimer/preparation/?campaign=mois-ess&size=a5"
    assert waiting.status_code == 202 and "en cours de préparation" in waiting.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in waiting.content.decode()
    assert asked == ["a5:fr:campaign=mois-ess"], "two downloads at once ask for one build"

    brochure_build(key=asked[0])
    ready = client.get(url)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert ready["Content-Disposition"] == 'attachment; filename="programme-mois-ess-a5.pdf"'
    assert client.get(url, headers={"If-None-Match": ready["ETag"]}).status_code == 304

    services.event_update(actor=member_of(apes, Role.ORGANIZER), event=events[0],
                          starts_at=events[0].starts_at + timedelta(hours=1),
                          ends_at=events[0].ends_at + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url, follow=True).status_code == 202
    assert len(asked) == 2


def test_the_waiting_page_ends_saying_the_programme_is_ready_with_its_link(client, mois, monkeypatch):
    monkeypatch.setattr(brochures, "_enqueue", lambda task, key: None)
    wait = "/programme/imprimer/preparation/?campaign=mois-ess&size=a5"
    assert client.get(wait).status_code == 202

    brochure_build(key="a5:fr:campaign=mois-ess")
    ready = client.get(wait)

    page = ready.content.decode()
    assert ready.status_code == 200 and ready["Content-Type"].startswith("text/html")
    assert "Votre programme est prêt" in page and "compte 6 événements" in page
    assert 'href="/programme/imprimer/?campaign=mois-ess&amp;size=a5"' in page
    assert "http-equiv" not in page, "a ready page does not reload itself"


def test_one_address_asks_to_print_so_many_new_selections_and_then_waits(client, mois, monkeypatch):
    monkeypatch.setattr(ComputationRateThrottle, "rate", "2/hour", raising=False)
    wait = "/programme/imprimer/preparation/?campaign=mois-ess&size="
    answers = [client.get(wait + size) for size in ("a4", "a5")]
    answers += [client.get(wait + "a4&lang=en")]
    assert [page.status_code for page in answers] == [202, 202, 429]
    refused = answers[2]
    assert "Trop de nouveaux calculs demandés depuis votre adresse" in refused.content.decode()
    assert "http-equiv" not in refused.content.decode() and int(refused["Retry-After"]) > 1700
    assert client.get(wait + "a4").status_code == 202, "a selection asked for before is not charged"
    assert Brochure.objects.filter(requested_at__isnull=False).count() == 2


def test_nothing_to_come_is_not_offered_to_print_nor_built(client, mois, monkeypatch):
    asked = []
    monkeypatch.setattr(brochures, "_enqueue", lambda task, key: asked.append(key))
    CampaignFactory(title="Mois de l'ESS 2020", slug="mois-ess-2020")
    EventFactory(title="Passé", campaign=Campaign.objects.get(slug="mois-ess-2020"),
                 moderation=Moderation.APPROVED, starts_at=in_days(-30),
                 ends_at=in_days(-30) + timedelta(hours=2))

    campaign_page = client.get("/campagnes/mois-ess-2020/").content.decode()
    waiting = client.get("/programme/imprimer/?campaign=mois-ess-2020&size=a4", follow=True)

    assert "/programme/imprimer/" not in campaign_page and "/carte/" not in campaign_page
    assert "pas de programme à imprimer" in campaign_page
    assert waiting.status_code == 404 and "rien à imprimer" in waiting.content.decode()
    assert asked == [] and not Brochure.objects.exists()
    upcoming_campaign = client.get("/campagnes/mois-ess/").content.decode()
    assert "/programme/imprimer/?campaign=mois-ess&amp;size=a4" in upcoming_campaign


def test_a_new_theme_on_an_event_makes_the_brochure_stale(mois):
    from events.models import Theme

    _apes, _campaign, events = mois
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a4", "fr")
    brochure_build(key=spec.key)
    assert brochure_current(spec) is not None
    events[1].themes.add(Theme.objects.create(slug="tiers-lieux-test", name="Tiers-lieux"))
    assert brochure_current(spec) is None


def test_a_renamed_co_organizer_or_theme_makes_the_brochure_stale(mois):
    from events.models import Theme

    _apes, _campaign, events = mois
    partner = OrganizationFactory(name="Coopérative partenaire")
    theme = Theme.objects.create(slug="tiers-lieux-test", name="Tiers-lieux")
    events[1].co_organizers.add(partner)
    events[1].themes.add(theme)
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess"}), "a4", "fr")
    brochure_build(key=spec.key)
    partner.name = "Coopérative partenaire (SCIC)"
    partner.save()
    assert brochure_current(spec) is None
    assert "Coopérative partenaire (SCIC)" in programme_text(read(bytes(brochure_build(key=spec.key).pdf)))
    theme.name = "Tiers-lieux et coworkings"
    theme.save()
    assert brochure_current(spec) is None


@pytest.mark.parametrize(("query", "field"), [("size=a3", "size"), ("lang=de", "lang"),
                                              ("format=karaoke", "format")])
def test_a_bad_parameter_is_refused_by_name(client, mois, query, field):
    response = client.get(f"/programme/imprimer/?{query}")
    assert response.status_code == 400 and f"<code>{field}</code>" in response.content.decode()
    assert not Brochure.objects.exists()


def test_campaign_and_agenda_pages_offer_the_brochure(client, mois):
    campaign_page = client.get("/campagnes/mois-ess/").content.decode()
    assert "/programme/imprimer/?campaign=mois-ess&amp;size=a5" in campaign_page
    agenda = client.get("/agenda/", {"territory": "59", "theme": ""}).content.decode()
    assert "/programme/imprimer/?territory=59&amp;size=a4" in agenda


def test_a_build_whose_wake_up_was_lost_is_made_by_the_periodic_scan(mois):
    from programme.tasks import build_requested_brochures

    key = "a4:fr:campaign=mois-ess"
    Brochure.objects.create(key=key, requested_at=timezone.now() - timedelta(minutes=10))
    Brochure.objects.create(key="a5:fr:campaign=mois-ess", requested_at=timezone.now())

    assert build_requested_brochures() == 1
    built = Brochure.objects.get(key=key)
    assert built.requested_at is None and built.event_count == 6 and bytes(built.pdf).startswith(b"%PDF")


def test_a_build_that_fails_is_given_up_until_asked_again_and_does_not_hold_up_the_others(
        mois, monkeypatch):
    from programme.tasks import build_requested_brochures

    long_ago = timezone.now() - timedelta(minutes=10)
    for key in ("a4:fr:campaign=mois-ess", "a5:fr:campaign=mois-ess"):
        Brochure.objects.create(key=key, requested_at=long_ago)
    build = brochures.brochure_build

    def failing_in_a4(*, key):
        if key.startswith("a4"):
            raise RuntimeError("a layout that never ends")
        return build(key=key)

    monkeypatch.setattr(brochures, "brochure_build", failing_in_a4)
    assert build_requested_brochures() == 2
    assert build_requested_brochures() == 0, "no retry every two minutes"
    assert Brochure.objects.get(key="a5:fr:campaign=mois-ess").event_count == 6
    assert Brochure.objects.get(key="a4:fr:campaign=mois-ess").requested_at is None


def test_brochures_built_a_month_ago_are_thrown_away_and_one_being_built_is_kept(mois):
    from programme.tasks import forget_brochures

    now = timezone.now()
    month_ago = now - brochures.FORGET_AFTER - timedelta(days=1)
    Brochure.objects.create(key="a4:fr:campaign=mois-ess", built_at=month_ago)
    Brochure.objects.create(key="a5:fr:campaign=mois-ess", built_at=now - timedelta(days=3))
    Brochure.objects.create(key="a4:en:campaign=mois-ess", requested_at=now)
    Brochure.objects.create(key="a5:en:campaign=mois-ess")  # never built, nobody waits
    assert forget_brochures() == 2
    assert set(Brochure.objects.values_list("key", flat=True)) == {"a5:fr:campaign=mois-ess",
                                                                   "a4:en:campaign=mois-ess"}
