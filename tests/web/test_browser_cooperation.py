"""In a real browser: the cooperation observatory draws its network and its tables, a filter
never asked for is computed meanwhile, and the CSV download opens in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from observatory import cooperation, tasks
from observatory.cooperation import Filters
from observatory.snapshots import snapshot_refresh
from tests.observatory.test_cooperation import YEAR, network  # noqa: F401 (the hand-built network)
from tests.services import charts_drawn

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_observatory_draws_the_network_its_tables_and_downloads_them(
        page, network, screenshot, monkeypatch):  # noqa: F811
    # The worker, in this process: what a page asks for is computed once the request is over.
    monkeypatch.setattr(tasks.refresh_snapshot, "delay", lambda kind, key: tasks.refresh_snapshot(kind, key))
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)

    page.goto(f"{page.base}/observatoire/?year={YEAR}")
    drawing = page.locator("svg.network")
    drawing.wait_for()
    assert drawing.locator("circle").count() == 6
    assert drawing.locator("line").count() == 8
    assert drawing.bounding_box()["width"] > 600
    assert drawing.locator("text", has_text="Association Alpha").count() == 1
    bridges = page.locator("#table-structures tbody tr")
    assert bridges.count() == 6
    assert bridges.first.locator("th").inner_text() == "Association Alpha"
    assert page.locator("#table-liens tbody tr").count() == 8
    assert charts_drawn(page) == 2
    screenshot(page, "observatory-cooperation")

    with page.expect_download() as download:
        page.locator("a.download").first.click()
    content = download.value.path().read_bytes()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Structure" and rows[1][0] == "Association Alpha" and len(rows) == 7

    # Another territory: asked for, computed meanwhile, shown on the next visit.
    page.select_option("#f-region", "Pays de la Loire")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_text("Ces chiffres sont en cours de calcul.").wait_for()
    page.get_by_role("link", name="Recharger la page").click()
    page.locator("svg.network").wait_for()
    assert page.locator("svg.network circle").count() == 4
    assert "Pays de la Loire" in page.locator(".about").inner_text()


def test_on_a_phone_the_organizations_read_as_one_block_each(page, network, screenshot):  # noqa: F811
    snapshot_refresh(kind=cooperation.KIND, key=Filters(year=YEAR).key)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base}/observatoire/?year={YEAR}")
    first = page.locator("#table-structures tbody tr").first
    name, score = first.locator("th"), first.locator("td").nth(4)
    assert score.bounding_box()["y"] > name.bounding_box()["y"] + 20  # one value a line, beneath
    assert score.bounding_box()["x"] + score.bounding_box()["width"] <= 390
    label = score.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Score de passerelle (%)"'  # each value named
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "observatory-cooperation-phone")
