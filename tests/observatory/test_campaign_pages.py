"""A campaign's figures as people and programs read them: the public page, its downloads, the
printable report, the coordinators' territory, the API."""

from __future__ import annotations

import base64
import csv
import io
import re

import pytest
from django.utils import timezone

from observatory import snapshots
from observatory.campaign import KIND, territory_key
from observatory.models import Snapshot
from tests.factories import OrganizationFactory, PersonFactory, member_of
from tests.observatory import campaign_fixtures
from tests.observatory.campaign_fixtures import SECRET_EMAIL, SECRET_NAME

pytestmark = pytest.mark.django_db

edition, computed = campaign_fixtures.edition, campaign_fixtures.computed

PAGE = "/campagnes/mois-ess-2026/chiffres/"
TERRITORY = "/campagnes/mois-ess-2026/chiffres/territoire/"
REPORT = "/campagnes/mois-ess-2026/bilan/"
API = "/api/v1/campaigns/mois-ess-2026/figures/"


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_public_page_shows_every_chart_above_its_table_with_its_download(client, computed):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('src="data:image/svg+xml') == 7
    for slug in ("chiffres-cles", "regions", "departements", "themes", "formats", "semaines", "structures",
                 "inscriptions"):
        assert f'id="{slug}"' in html and f"?format=csv&amp;table={slug}" in html
    assert "Mois de l&#x27;ESS 2025" in html  # the previous edition compared
    assert "Licence Ouverte" in html


def _charts(html: str) -> str:
    """The page's charts, their SVG decoded from their ``data:`` URIs."""
    return "".join(base64.b64decode(uri).decode() for uri in re.findall(
        r'src="data:image/svg\+xml;charset=utf-8;base64,([^"]+)"', html))


def test_an_english_visitor_reads_the_figures_and_their_charts_in_english(client, computed, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(PAGE).content.decode()
    for english in ("Key figures", "Indicator", "Events by region", "of which co-organized",
                    "Events by format", "Workshop", "No theme", "Events by week of the campaign",
                    "Week 1 (1 nov"):
        assert english in html, english
    for french in ("Chiffres clés", "Événements par région", "Atelier", "Sans thème", "Semaine 1"):
        assert french not in html, french
    charts = _charts(html)
    assert "Events by region" in charts and "Week 1" in charts and "Événements" not in charts


def test_a_french_visitor_reads_the_figures_and_their_charts_in_french(client, computed):
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for french in ("Chiffres clés", "Événements par région", "Atelier", "Sans thème", "Semaine 1 (1 nov"):
        assert french in html, french
    charts = _charts(html)
    assert "Événements par région" in charts and "Semaine 1" in charts and "Events" not in charts


def test_an_english_visitor_downloads_and_calls_the_api_in_english(client, api, computed):
    response = client.get(PAGE, {"format": "csv", "table": "regions"}, HTTP_ACCEPT_LANGUAGE="en")
    assert _csv(response)[0] == ["Region", "Mois de l'ESS 2026", "of which co-organized",
                                 "Mois de l'ESS 2025"]
    tables = client.get(PAGE, {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").json()["tables"]
    assert tables[0]["title"] == "Key figures"
    tables = api.get(API, HTTP_ACCEPT_LANGUAGE="en").json()["tables"]
    assert tables[1]["title"] == "Events by region"
    report = client.get(REPORT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Registrations and attendance by region" in report and "Events by region" in _charts(report)


def test_figures_stored_in_their_former_shape_read_as_not_computed_and_are_asked_again(client, api, edition):
    Snapshot.objects.create(kind=KIND, key="mois-ess-2026", version=1, computed_at=timezone.now(),
                            data={"tables": [{"slug": "regions", "title": "Événements par région",
                                              "headers": ["Région"], "rows": []}], "charts": {}})
    response = client.get(PAGE)
    assert response.status_code == 202 and "en cours de calcul" in response.content.decode()
    assert Snapshot.objects.get(kind=KIND, key="mois-ess-2026").requested_at is not None
    assert api.get(API).status_code == 202 and client.get(REPORT, {"format": "pdf"}).status_code == 202


def test_the_campaign_page_links_to_its_figures(client, edition):
    assert PAGE in client.get("/campagnes/mois-ess-2026/").content.decode()


def test_a_table_downloads_as_a_csv_a_french_spreadsheet_opens(client, computed):
    response = client.get(PAGE, {"format": "csv", "table": "regions"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="chiffres-mois-ess-2026-regions.csv"' in response["Content-Disposition"]
    assert _csv(response) == [["Région", "Mois de l'ESS 2026", "dont co-organisés", "Mois de l'ESS 2025"],
                              ["Hauts-de-France", "3", "2", "2"], ["Pays de la Loire", "1", "0", "0"]]
    people = _csv(client.get(PAGE, {"format": "csv", "table": "inscriptions"}))
    assert people[1][:4] == ["Hauts-de-France", "30", "11", "< 5"]


def test_every_table_downloads_as_json_under_the_licence_ouverte(client, computed):
    data = client.get(PAGE, {"format": "json"}).json()
    assert data["campaign"]["slug"] == "mois-ess-2026" and data["previous_edition"]["slug"] == "mois-ess-2025"
    assert data["licence"].startswith("Licence Ouverte") and data["computed_at"]
    assert [t["slug"] for t in data["tables"]][:2] == ["chiffres-cles", "regions"]
    assert "charts" not in data


@pytest.mark.parametrize(("query", "field"), [({"format": "xlsx"}, "format"),
                                              ({"format": "csv", "table": "personnes"}, "table"),
                                              ({"format": "csv"}, "table")])
def test_an_unknown_format_or_table_is_a_400_naming_it(client, computed, query, field):
    response = client.get(PAGE, query)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field} :")


def test_before_the_first_computation_the_page_says_so_and_asks_the_worker(
        client, edition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get(PAGE)
    assert response.status_code == 202
    assert "en cours de calcul" in response.content.decode()
    assert Snapshot.objects.get(kind=KIND, key="mois-ess-2026").requested_at is not None
    assert len(callbacks) == 1
    assert client.get(PAGE, {"format": "json"}).status_code == 202
    assert client.get(REPORT).status_code == 202
    assert client.get(API).status_code == 202
    later = Snapshot.objects.get().requested_at + snapshots.REFRESH_AFTER * 2
    snapshots.snapshots_refresh_requested(now=later)
    assert client.get(PAGE).status_code == 200


def test_an_unknown_campaign_is_a_404(client, db):
    assert client.get("/campagnes/inconnue/chiffres/").status_code == 404
    assert client.get("/api/v1/campaigns/inconnue/figures/").status_code == 404


def test_the_report_prints_every_figure_and_downloads_as_a_pdf_laid_out_once(client, computed, monkeypatch):
    page = client.get(REPORT).content.decode()
    assert "@media print" in page and page.count('src="data:image/svg+xml') == 7
    import weasyprint

    layouts = []
    real = weasyprint.HTML
    monkeypatch.setattr(weasyprint, "HTML", lambda **kwargs: layouts.append(1) or real(**kwargs))
    pdf = client.get(REPORT, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="bilan-mois-ess-2026.pdf"' in pdf["Content-Disposition"]
    assert client.get(REPORT, {"format": "pdf"}).content == pdf.content
    assert len(layouts) == 1


def test_no_person_name_or_email_appears_in_any_output(client, login, edition, computed):
    snapshots.snapshot_refresh(kind=KIND, key=territory_key(edition.campaign, {"Hauts-de-France"}))
    client.force_login(edition.coordinator)
    outputs = [client.get(PAGE).content, client.get(PAGE, {"format": "json"}).content,
               client.get(REPORT).content, client.get(TERRITORY).content,
               client.get(TERRITORY, {"format": "json"}).content,
               login(edition.coordinator).get(API, {"scope": "territory"}).content, client.get(API).content]
    for slug in ("chiffres-cles", "regions", "inscriptions", "structures"):
        outputs.append(client.get(PAGE, {"format": "csv", "table": slug}).content)
        outputs.append(client.get(TERRITORY, {"format": "csv", "table": slug}).content)
    for output in outputs:
        text = output.decode()
        for secret in (SECRET_NAME, SECRET_EMAIL, "participant", "@example.org", "Olga Orga"):
            assert secret not in text


def test_a_coordinator_sees_their_territory_with_drafts_and_refusals_and_can_ask_for_fresh_figures(
        client, edition, django_capture_on_commit_callbacks):
    client.force_login(edition.coordinator)
    assert TERRITORY in client.get(PAGE).content.decode()
    assert client.get(TERRITORY).status_code == 202  # the first visit asks for them
    snapshots.snapshots_refresh_requested(now=timezone.now() + snapshots.REFRESH_AFTER * 2)
    page = client.get(TERRITORY)
    html = page.content.decode()
    assert page.status_code == 200 and "Hauts-de-France" in html and "Brouillons" in html
    assert "Recalculer" in html
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{TERRITORY}recalculer/", follow=True)
    assert response.redirect_chain[-1][0] == TERRITORY
    assert "Calcul demandé" in response.content.decode()
    assert len(callbacks) == 2  # the territory and the public page
    assert Snapshot.objects.get(key="mois-ess-2026:Hauts-de-France").requested_at is not None


def test_a_national_coordinator_sees_every_region(client, edition):
    snapshots.snapshot_refresh(kind=KIND, key=territory_key(edition.campaign, None))
    client.force_login(edition.national)
    # ESS France coordinates nothing here until it is named a coordinator of the campaign.
    assert client.get(TERRITORY).status_code == 403
    edition.campaign.coordinators.add(edition.national.memberships.get().organization)
    html = client.get(TERRITORY).content.decode()
    assert "toute la France" in html and "Pays de la Loire" in html


def test_only_the_campaign_coordinators_reach_the_territory_figures(client, login, edition, computed):
    assert client.get(TERRITORY).status_code == 302  # to the sign-in page
    assert client.post(f"{TERRITORY}recalculer/").status_code == 302
    other_cress = member_of(OrganizationFactory(kind="reseau"), "coordinator")
    for person in (edition.organizer, PersonFactory(), other_cress):
        client.force_login(person)
        assert client.get(TERRITORY).status_code == 403
        assert client.get(TERRITORY, {"format": "csv", "table": "moderation"}).status_code == 403
        assert client.post(f"{TERRITORY}recalculer/").status_code == 403
        assert login(person).get(API, {"scope": "territory"}).status_code == 403
    assert client.get("/campagnes/inconnue/chiffres/territoire/").status_code == 404
    assert not Snapshot.objects.filter(key__contains=":").exists()


def test_the_api_gives_the_public_tables_and_a_coordinator_their_territory(api, login, edition, computed):
    data = api.get(API).json()
    assert data["territory"] is None and data["previous_edition"]["title"] == "Mois de l'ESS 2025"
    regions = next(t for t in data["tables"] if t["slug"] == "regions")
    assert regions["rows"] == [["Hauts-de-France", 3, 2, 2], ["Pays de la Loire", 1, 0, 0]]
    snapshots.snapshot_refresh(kind=KIND, key=territory_key(edition.campaign, {"Hauts-de-France"}))
    mine = login(edition.coordinator).get(API, {"scope": "territory"}).json()
    assert mine["territory"] == ["Hauts-de-France"]
    assert any(t["slug"] == "moderation" for t in mine["tables"])
    bad = api.get(API, {"scope": "tout"})
    assert bad.status_code == 400 and "scope" in bad.json()["fields"]
    assert api.get(API, {"scope": "territory"}).status_code == 403


def test_the_api_operation_is_in_the_schema(api, db):
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/campaigns/{slug}/figures/" in schema["paths"]
