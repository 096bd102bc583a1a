"""What-if and side by side in the web app, over HTTP against the live server: a lever changed
on a run's page runs a variant on the same futures; /compare shows the two; a run's
spreadsheet downloads; the job table of an older state database gains the new columns.
"""

from __future__ import annotations

import io
import sqlite3
import time
from pathlib import Path

from openpyxl import load_workbook

from cnplan.web.state import StateDB

from .conftest import Server


def _wait(c, job_id: int) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = c.get(f"/api/jobs/{job_id}").json()
        if job["status"] in {"done", "failed"}:
            return job
        time.sleep(0.3)
    raise AssertionError("variant did not finish")


def test_variant_from_a_run_page_then_compare(server: Server, finished_run: dict) -> None:
    base = finished_run["run_id"]
    with server.client(server.token) as c:
        page = c.get(f"/runs/{base}")
        assert page.status_code == 200 and 'id="variant-form"' in page.text
        bad = c.post(f"/runs/{base}/variant", data={"lever": "ad_funding", "where": "vrem",
                                                     "value": "2x"})
        assert bad.status_code == 400
        assert "did you mean &#39;vraem&#39;?" in bad.text and 'id="variant-error"' in bad.text
        assert c.post(f"/runs/{base}/variant", data={"lever": "source_interdiction",
                                                     "where": "vraem", "value": "3x"}
                      ).status_code == 400  # 0.5 x 3 is above the index's maximum of 1
        ok = c.post(f"/runs/{base}/variant", data={"lever": "forced_eradication", "where": "",
                                                    "first": "2005", "last": "2006",
                                                    "value": "2x"}, follow_redirects=False)
        assert ok.status_code == 303, ok.text
        job_id = int(ok.headers["location"].rsplit("/", 1)[1])
        job = _wait(c, job_id)
        assert job["status"] == "done", job
        assert job["changes"] == ["forced_eradication[2005-2006]=2x"]
        assert job["base_run"] == base
        assert (job["scenarios"], job["seed"]) == (100, 7)  # the same futures
        assert f'href="/compare?a={base}&amp;b={job["run_id"]}"' in c.get(f"/jobs/{job_id}").text
        run = c.get(f"/runs/{job['run_id']}").text
        assert "--set forced_eradication[2005-2006]=2x" in run
        cmp = c.get("/compare", params={"a": base, "b": job["run_id"]})
        assert cmp.status_code == 200
        assert "share their futures" in cmp.text
        assert 'data-lever="forced_eradication"' in cmp.text
        assert 'id="compare-chart"' in cmp.text
        assert c.get("/compare", params={"a": base, "b": "nope"}).status_code == 404
        # the same through the JSON API
        got = c.get("/api/compare", params={"a": base, "b": job["run_id"]}).json()
        assert got["paired"] is True and [r["id"] for r in got["runs"]] == [base, job["run_id"]]
        goals = [g for g in got["goals"] if g["goal"] == "hold_the_line"]
        assert goals[0]["difference"] is None and goals[1]["se"] is not None
        assert {r["lever"] for r in got["levers"]} == {"forced_eradication"}
        refused = c.post(f"/api/runs/{base}/variant", json={"changes": ["ad_fundng=2x"]})
        assert refused.status_code == 400 and "did you mean 'ad_funding'?" in refused.text
        assert c.post(f"/api/runs/{base}/variant", json={"changes": []}).status_code == 422


def test_yearly_spreadsheet_downloads(server: Server, finished_run: dict) -> None:
    with server.client() as c:
        got = c.get(f"/runs/{finished_run['run_id']}/yearly.xlsx")
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(got.content), read_only=True)
        header = next(book["yearly"].values)
        assert header[:4] == ("variable", "zone", "year", "unit")
        assert c.get(f"/runs/{finished_run['run_id']}/yearly.pdf").status_code == 404


def test_an_older_state_database_gets_the_new_job_columns(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL "
                "UNIQUE, plan TEXT NOT NULL, scenarios INTEGER NOT NULL, seed INTEGER NOT NULL,"
                " with_actuals INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, progress REAL "
                "NOT NULL DEFAULT 0, stage TEXT NOT NULL DEFAULT '', message TEXT NOT NULL "
                "DEFAULT '', submitted_by TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, "
                "started TEXT, finished TEXT, pid INTEGER)")
    con.execute("INSERT INTO jobs (run_id, plan, scenarios, seed, status, created) "
                "VALUES ('old', 'lima-2005', 10, 0, 'done', 'x')")
    con.commit()
    con.close()
    db = StateDB(path)
    assert db.job(1)["changes"] == "[]"
    job_id = db.add_job("new", "lima-2005", 10, 0, False, "me", changes=["ad_funding=2x"],
                        base_run="old")
    assert db.job(job_id)["changes"] == '["ad_funding=2x"]'
    assert db.job(job_id)["base_run"] == "old"


def test_compare_and_run_pages_in_spanish_leave_no_english(server: Server,
                                                            finished_run: dict) -> None:
    from cnplan.i18n import COOKIE
    from cnplan.i18n_audit import english_left

    base = finished_run["run_id"]
    with server.client() as c:
        c.cookies.set(COOKIE, "es")
        for url in (f"/runs/{base}", f"/compare?a={base}&b={base}", "/compare"):
            page = c.get(url)
            assert page.status_code == 200 and '<html lang="es">' in page.text
            assert english_left(page.text, "es") == [], url


def test_runs_page_links_the_comparison(server: Server, finished_run: dict) -> None:
    with server.client() as c:
        page = c.get("/runs")
        assert page.status_code == 200
        assert 'href="/compare"' in page.text  # the nav link, and below the runs once two exist
