"""The report's space section in headless Chromium: the choropleth renders offline, follows
the year slider, draws the cells of one future, and logs no console error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.report.test_report_browser import ARGS, CHROMIUM, SCREENSHOTS

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


@pytest.fixture(scope="module")
def report(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cnplan.report import write_run_report

    alone = tmp_path_factory.mktemp("space") / "report.html"
    shutil.copy(write_run_report(run_folder), alone)
    return alone


def test_space_map_renders_offline_and_follows_the_slider(report: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    errors: list[str] = []
    SCREENSHOTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri())
            page.wait_for_selector("#space-svg path.space-zone", timeout=15_000)
            zones = page.locator("#space-svg path.space-zone")
            assert zones.count() == 8
            box = page.locator("#space-svg").bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 300
            visible = page.locator("#space-svg g.space-cells:not([style*='none'])")
            assert visible.count() == 1
            last = visible.get_attribute("data-year")
            assert len(visible.locator("path").nth(1).get_attribute("d") or "") > 100  # coca cells
            page.locator("#space-year").fill("2005")
            visible = page.locator("#space-svg g.space-cells:not([style*='none'])")
            assert visible.get_attribute("data-year") == "2005" != last
            assert "2005" in page.locator("#space-numbers").inner_text()
            assert "2005" == page.locator("#space-year-value").inner_text()
            assert page.locator("table.zone-year tbody tr").count() == 9  # 8 zones and total
            assert page.locator("#space h3", has_text="Spatial goals").count() == 1
            page.locator("#space").screenshot(path=str(SCREENSHOTS / "space_map.png"))
        finally:
            browser.close()
    assert errors == []
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
