"""Walk the what-if path in headless Chromium: change a lever on a run's page, run the variant,
open the comparison, switch the language, and download the run's spreadsheet and read it back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Server
from .test_browser import ARGS, CHROMIUM, SCREENSHOTS

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


def test_what_if_compare_language_and_spreadsheet(server: Server, finished_run: dict,
                                                  tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    from openpyxl import load_workbook

    SCREENSHOTS.mkdir(exist_ok=True)
    base = finished_run["run_id"]
    foreign: list[str] = []
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900},
                                    accept_downloads=True)
            page.set_default_timeout(20_000)
            page.on("request", lambda r: None if r.url.startswith((server.url, "data:"))
                    else foreign.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server.url}/login")
            page.fill("#token", server.token)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/")

            # change a lever on the run's page: a misspelt value first, then a good one
            page.goto(f"{server.url}/runs/{base}")
            page.select_option("#variant-lever", "ad_funding")
            page.select_option("#variant-where", "vraem")
            page.fill("#variant-value", "double")
            page.click("#variant-run")
            assert "expected a number" in page.inner_text("#variant-error")
            assert page.input_value("#variant-value") == "double"  # what was typed is kept
            errors.clear()  # the 400 of that refusal is logged by the browser
            page.fill("#variant-value", "2x")
            page.fill("#variant-first", "2007")
            page.screenshot(path=SCREENSHOTS / "21-what-if-form.png", full_page=True)
            page.click("#variant-run")
            page.wait_for_url("**/jobs/*")
            assert "--set ad_funding.vraem[2007]=2x" in page.inner_text("#job-variant")
            page.wait_for_selector("#job[data-status=done]", timeout=120_000)

            # open the comparison of the variant with the run it varies
            page.click("#open-compare")
            page.wait_for_url("**/compare?a=*")
            assert "share their futures" in page.inner_text("#pairing")
            assert page.locator("#compare-goals tr[data-goal]").count() == 3
            row = page.locator("#compare-levers tr[data-lever=ad_funding]")
            assert "2005: 0, 2007: 10" in row.inner_text()
            page.wait_for_function("document.getElementById('compare-chart').complete && "
                                   "document.getElementById('compare-chart').naturalWidth > 0")
            page.screenshot(path=SCREENSHOTS / "22-compare.png", full_page=True)

            # switch the language: the same comparison, in Spanish
            page.click("#lang-es")
            page.wait_for_function("document.documentElement.lang === 'es'")
            assert page.inner_text("h1") == "Comparar corridas"
            assert "comparten sus futuros" in page.inner_text("#pairing")
            assert page.locator("#compare-levers tr[data-lever=ad_funding]").count() == 1
            page.screenshot(path=SCREENSHOTS / "23-compare-es.png", full_page=True)

            # download the base run's spreadsheet and read it back
            page.goto(f"{server.url}/runs/{base}")
            assert "¿Qué pasaría si…?" in page.inner_text("#what-if")
            with page.expect_download() as info:
                page.click("#download-xlsx")
            path = tmp_path / info.value.suggested_filename
            info.value.save_as(path)
            page.click("#lang-en")
            page.wait_for_function("document.documentElement.lang === 'en'")
        finally:
            browser.close()
    assert path.name == f"{base}-yearly.xlsx"
    book = load_workbook(path, read_only=True)
    rows = list(book["yearly"].values)
    assert rows[0][:4] == ("variable", "zone", "year", "unit")
    coca = [r for r in rows[1:] if r[0] == "coca" and r[1] == "national"]
    assert [r[2] for r in coca] == list(range(2005, 2016))
    assert all(r[4] <= r[5] <= r[6] for r in coca)  # p10 <= median <= p90
    assert dict(book["about"].values)["seed"] == 7
    assert not foreign, foreign
    assert not errors, errors
