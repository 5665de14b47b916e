"""In a real browser: a network's coordinator reads its coworking flows, chooses the months,
and downloads a table that a French spreadsheet opens."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from observatory import flows
from observatory.snapshots import snapshot_refresh
from tests.observatory.test_flows import hand_built
from tests.services import charts_drawn
from tests.web.test_browser_network import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_reads_the_flows_charts_and_tables_and_downloads_a_csv(page, screenshot):
    hand = hand_built()
    hand.coordinator.email = "coord@flux.test"
    hand.coordinator.save(update_fields=["email"])
    snapshot_refresh(kind=flows.KIND, key=hand.network.slug)
    url = f"/reseaux/{hand.network.slug}/flux/"
    sign_in(page, "coord@flux.test", url)
    page.wait_for_url(f"**{url}")
    assert page.locator("nav.subnav a[aria-current=page]").inner_text() == "Flux"

    page.get_by_label("Du mois").fill("2026-01")
    page.get_by_label("au mois").fill("2026-03")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**from=2026-01&to=2026-03&space=")

    assert charts_drawn(page) == 4
    assert page.locator("table.figures").count() == 4
    matrix = page.locator("section[aria-labelledby=t-matrice] table")
    assert "Atelier —" in " ".join(matrix.locator("tbody tr").first.inner_text().split())
    assert "8" in matrix.inner_text() and "< 5" in matrix.inner_text()
    assert page.get_by_role("button", name="Recalculer").is_visible()
    screenshot(page, "flows")

    with page.expect_download() as download:
        page.locator("section[aria-labelledby=t-matrice]").get_by_role(
            "link", name="Télécharger le tableau (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][1:] == ["Atelier", "Bazar", "Cabane", "Total"]
    assert rows[1] == ["Atelier", "—", "8", "< 5", "9"]
