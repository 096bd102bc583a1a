"""Open the run report in headless Chromium: everything renders, nothing leaves the machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.report.browser import SCREENSHOTS, needs_chromium, open_offline, wait_rendered

pytestmark = needs_chromium


def test_report_renders_offline_without_errors(run_report: Path) -> None:
    with open_offline(run_report) as seen:
        page = seen.page
        wait_rendered(page)

        headline = page.locator("#headline")
        assert "chance of making Peru a marginal producer" in headline.inner_text()
        assert page.locator("#headline .goal").count() == 3
        for chart in (
            "fan_coca", "fan_poppy", "fan_leaf_price", "fan_state_capacity",
            "goal_curves", "zone_multiples", "zone_map", "lever_timeline",
        ):
            img = page.locator(f"#chart-{chart} img")
            assert img.count() == 1, chart
            assert len(img.get_attribute("alt") or "") > 40, chart
            assert img.evaluate("i => i.naturalWidth") > 100, chart
        for table in ("goal-table", "lever-table", "provenance-table", "source-table",
                      "phase-table"):
            assert page.locator(f"#{table} tbody tr").count() > 0, table
        assert page.locator("#source-table a[href^='http']").count() > 0

        # the interactive map draws a bubble per zone and follows the year picker
        assert page.locator("#year-map circle.zone-bubble").count() == 8
        last = page.locator("#year-map").get_attribute("data-year")
        page.locator("#map-year").fill("2005")
        assert page.locator("#year-map").get_attribute("data-year") == "2005" != last
        assert "2005" in (page.locator("#year-map").get_attribute("aria-label") or "")

        page.screenshot(path=str(SCREENSHOTS / "run_report_full.png"), full_page=True)
        page.locator("#goals").screenshot(path=str(SCREENSHOTS / "run_report_goals.png"))
        page.locator("#chart-year-map").screenshot(
            path=str(SCREENSHOTS / "run_report_year_map.png")
        )

    outside = [u for u in seen.requests if not u.startswith(("file://", "data:"))]
    assert outside == [], f"seen.requests left the machine: {outside}"
    assert seen.errors == [], f"browser console seen.errors: {seen.errors}"


def test_tracker_report_renders_offline(tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    from cnplan.plans import load_plan
    from cnplan.report import write_tracker_report
    from cnplan.track import init_db, report

    url = f"sqlite:///{tmp_path / 'track.db'}"
    init_db(load_plan("lima-2005"), url)
    report("forced_eradication_ha", 2006, 9000, "DEVIDA", url=url)
    path = write_tracker_report(url, tmp_path / "tracker.html")
    with open_offline(path, width=1200, height=900) as seen:
        page = seen.page
        wait_rendered(page, ready=False, timeout=30_000)
        assert page.locator(".indicator-table tbody tr").count() >= 4
        for chart in ("tracker_status", "tracker_targets"):
            img = page.locator(f"#chart-{chart} img")
            assert img.count() == 1, chart
            assert img.evaluate("i => i.naturalWidth") > 100, chart
            assert len(img.get_attribute("alt") or "") > 40, chart
        page.screenshot(path=str(SCREENSHOTS / "tracker_report.png"), full_page=True)
    assert [u for u in seen.requests if not u.startswith(("file://", "data:"))] == []
    assert seen.errors == []
