"""The report's space section in headless Chromium: the choropleth renders offline, follows
the year slider, draws the cells of one future, and logs no console error."""

from __future__ import annotations

from pathlib import Path

from tests.report.browser import SCREENSHOTS, needs_chromium, open_offline

pytestmark = needs_chromium


def test_space_map_renders_offline_and_follows_the_slider(run_report: Path) -> None:
    with open_offline(run_report) as seen:
        page = seen.page
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
    assert seen.errors == []
    assert all(u.startswith(("file:", "data:", "about:")) for u in seen.requests), seen.requests
