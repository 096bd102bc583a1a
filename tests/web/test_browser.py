"""Walk the main paths in headless Chromium as a user would; screenshots in screenshots/.

Sign in with a token, open the dashboard, look at a zone's series, start a run and wait for
it, open its report, report an actual through the form (first a bad value, which must be shown
next to the field), and see the status table change. Every request must stay on the app's own
origin (no CDN), and no page may log a JavaScript error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnplan.plans import plan_text

from .conftest import Server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).parent / "screenshots"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


def test_main_paths(server: Server, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    SCREENSHOTS.mkdir(exist_ok=True)
    foreign: list[str] = []
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            page.on("request", lambda r: None if r.url.startswith((server.url, "data:"))
                    else foreign.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            # sign in
            page.goto(f"{server.url}/login")
            page.fill("#token", "not-a-token")
            page.click("button[type=submit]")
            assert "not a valid token" in page.inner_text("#token-error")
            errors.clear()  # the 403 of that refusal is logged by the browser, as it should be
            page.fill("#token", server.token)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/")
            assert page.inner_text("#user") == "tester"
            assert "off track" in page.inner_text("#tracker-summary")
            page.screenshot(path=SCREENSHOTS / "01-dashboard.png", full_page=True)

            # a zone's series
            page.click("nav >> text=Data")
            page.select_option("#zone", "vraem")
            page.select_option("#variable", "coca_ha")
            page.click("#show")
            page.wait_for_url("**zone=vraem**")
            page.wait_for_function("document.getElementById('chart').complete && "
                                   "document.getElementById('chart').naturalWidth > 0")
            rows = page.locator("#rows tbody tr")
            assert rows.count() > 5
            assert "vraem" in page.get_attribute("#download", "href")
            page.screenshot(path=SCREENSHOTS / "02-data-vraem.png", full_page=True)

            # start a run and wait for it
            page.click("nav >> text=Runs")
            page.fill("#run-n", "120")
            page.fill("#run-seed", "11")
            page.click("#run-start")
            page.wait_for_url("**/jobs/*")
            assert page.locator("#job-progress").count() == 1
            page.screenshot(path=SCREENSHOTS / "03-run-progress.png", full_page=True)
            page.wait_for_selector("#job[data-status=done]", timeout=120_000)
            assert page.inner_text("#job-percent") == "100%"
            page.screenshot(path=SCREENSHOTS / "04-run-done.png", full_page=True)
            page.click("#open-run")
            assert page.locator("#goals tr").count() == 4  # header + three goals
            page.click("#report-link")
            page.wait_for_selector("body[data-ready='1']")
            assert "chance of making Peru a marginal producer" in page.inner_text("#headline")
            page.screenshot(path=SCREENSHOTS / "05-run-report.png")

            # report an actual: a bad value first
            page.goto(f"{server.url}/tracker")
            page.select_option("#indicator", "police_graduated")
            page.fill("#period", "2007")
            page.fill("#value", "three hundred")
            page.click("#report-submit")
            error = page.locator("#value-error")
            assert "expected a number" in error.inner_text()
            # the message sits beside the value field, and what was typed is kept
            assert error.evaluate("e => e.previousElementSibling.id") == "value"
            assert page.input_value("#value") == "three hundred"
            page.screenshot(path=SCREENSHOTS / "06-tracker-bad-value.png", full_page=True)
            errors.clear()  # the 400 of that refusal is logged by the browser

            before = page.inner_text("#ind-police_graduated")
            page.fill("#value", "350")
            page.click("#report-submit")
            page.wait_for_selector("#reported")
            row = page.inner_text("#ind-police_graduated")
            assert row != before
            assert "350" in page.inner_text("#ind-police_graduated .actual")
            assert "Period: 2007" in page.inner_text("#status-period")  # the year just recorded
            page.locator("#ind-police_graduated").scroll_into_view_if_needed()
            page.screenshot(path=SCREENSHOTS / "07-tracker-reported.png", full_page=True)

            # the run is listed with its report; an uploaded plan with a mistake is explained
            page.goto(f"{server.url}/runs")
            assert page.locator("#runs a", has_text="report").count() >= 1
            page.screenshot(path=SCREENSHOTS / "08-runs.png", full_page=True)
            bad = tmp_path / "office.yaml"
            bad.write_text(plan_text("lima-2005")[0].replace("name: lima-2005", "name: office")
                           .replace("start_year: 2005", "start_year: 1900"))
            page.goto(f"{server.url}/plans")
            page.set_input_files("#file", str(bad))
            page.click("button[value=validate]")
            result = page.inner_text("#plan-result")
            assert "office.yaml" in result and "start_year" in result
            page.screenshot(path=SCREENSHOTS / "09-plan-problems.png", full_page=True)
            errors.clear()  # the 400 of that refusal is logged by the browser

            page.goto(f"{server.url}/docs")
            assert page.locator("section.endpoint").count() >= 15
            page.screenshot(path=SCREENSHOTS / "10-api-docs.png")
        finally:
            browser.close()
    assert not foreign, foreign
    assert not errors, errors
