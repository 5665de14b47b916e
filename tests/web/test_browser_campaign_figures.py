"""In a real browser: a visitor goes from a campaign to its figures, sees every chart drawn
above its table, downloads a table that a French spreadsheet opens; on a phone, nothing
spills sideways."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from observatory.campaign import KIND, public_key
from observatory.snapshots import snapshot_refresh
from tests.observatory import campaign_fixtures
from tests.services import charts_drawn

pytestmark = pytest.mark.django_db(transaction=True)

edition = campaign_fixtures.edition


def test_a_visitor_reads_the_campaign_figures_charts_and_tables_and_downloads_a_csv(
        page, browser, live_server, edition, screenshot):
    snapshot_refresh(kind=KIND, key=public_key(edition.campaign))
    page.goto(f"{page.base}/campagnes/mois-ess-2026/")
    page.get_by_role("link", name="Les chiffres de la campagne et son bilan").click()
    page.wait_for_url("**/campagnes/mois-ess-2026/chiffres/")
    assert page.get_by_role("heading", level=1).inner_text() == "Les chiffres de la campagne"

    assert charts_drawn(page) == 7
    assert page.locator("table.figures").count() == 8
    regions = page.locator("section[aria-labelledby=regions] table")
    assert regions.locator("tbody tr").first.inner_text().split("\t") == ["Hauts-de-France", "3", "2", "2"]
    people = page.locator("section[aria-labelledby=inscriptions] table").inner_text()
    assert "< 5" in people
    screenshot(page, "campaign-figures")

    with page.expect_download() as download:
        page.locator("section[aria-labelledby=regions]").get_by_role(
            "link", name="Télécharger ce tableau (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["Région", "Mois de l'ESS 2026", "dont co-organisés", "Mois de l'ESS 2025"],
                    ["Hauts-de-France", "3", "2", "2"], ["Pays de la Loire", "1", "0", "0"]]

    phone = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    small = phone.new_page()
    small.goto(f"{live_server.url}/campagnes/mois-ess-2026/chiffres/")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    width = small.locator("img.chart").first.evaluate("img => img.getBoundingClientRect().width")
    assert 300 < width <= 390
    screenshot(small, "campaign-figures-phone")
    phone.close()
