"""The JSON API against a running server: reads, writes with tokens, uploads, runs, tracker."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
import yaml

from cnplan.data import load_dataset
from cnplan.plans import plan_text
from cnplan.track import status

from .conftest import Server

WRITES = [
    ("post", "/api/runs", {"json": {"plan": "lima-2005", "scenarios": 10}}),
    ("post", "/api/tracker/actuals",
     {"json": {"indicator": "forced_eradication_ha", "period": 2006, "value": 9000}}),
    ("post", "/api/plans", {"files": {"file": ("p.yaml", b"name: x\n")}}),
    ("post", "/api/plans/validate", {"files": {"file": ("p.yaml", b"name: x\n")}}),
    ("post", "/runs", {"data": {"plan": "lima-2005", "scenarios": "10", "seed": "0"}}),
    ("post", "/tracker", {"data": {"indicator": "forced_eradication_ha", "period": "2006",
                                   "value": "9000"}}),
    ("post", "/plans", {"files": {"file": ("p.yaml", b"name: x\n")}}),
]


def _plan_yaml(**changes) -> bytes:
    raw = yaml.safe_load(plan_text("lima-2005")[0])
    raw.update(changes)
    return yaml.safe_dump(raw, sort_keys=False).encode()


def test_health_and_default_host(server: Server) -> None:
    assert httpx.get(f"{server.url}/api/health").json() == {"status": "ok"}
    # Started without --host: it says and does bind loopback only.
    assert "http://127.0.0.1:" in server.log.read_text()


@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
def test_writes_need_a_valid_token(server: Server, method: str, path: str, kwargs: dict) -> None:
    before_jobs = httpx.get(f"{server.url}/api/jobs").json()
    before_status = status(server.db)
    none = httpx.request(method, server.url + path, **kwargs)
    assert none.status_code == 401, none.text
    assert none.headers["www-authenticate"] == "Bearer"
    wrong = server.token[:-4] + ("AAAA" if not server.token.endswith("AAAA") else "BBBB")
    for bad in (wrong, "cnp_00000000_" + "x" * 43, "nonsense"):
        r = httpx.request(method, server.url + path, headers={"Authorization": f"Bearer {bad}"},
                          **kwargs)
        assert r.status_code == 403, (bad, r.text)
        r = httpx.request(method, server.url + path, cookies={"cnplan_token": bad}, **kwargs)
        assert r.status_code == 403
    # nothing was written
    assert httpx.get(f"{server.url}/api/jobs").json() == before_jobs
    assert status(server.db) == before_status
    assert httpx.get(f"{server.url}/api/plans").json()["saved"] == []


def test_tokens_are_stored_hashed(server: Server) -> None:
    data = (server.home / "state.sqlite").read_bytes()
    secret = server.token.split("_", 2)[2]
    assert secret.encode() not in data
    assert server.token.split("_")[1].encode() in data  # the id is, to find the row


def test_data_series_match_the_dataset_and_csv(server: Server) -> None:
    rows = httpx.get(f"{server.url}/api/datasets/peru/series",
                     params={"variable": "coca_ha", "zone": "vraem"}).json()
    expected = load_dataset("peru").series(variable="coca_ha", zone="vraem")
    assert len(rows) == len(expected) > 5
    assert [r["year"] for r in rows] == expected["year"].tolist()
    assert [r["value"] for r in rows] == pytest.approx(expected["value"].tolist(), nan_ok=True)
    text = httpx.get(f"{server.url}/api/datasets/peru/series",
                     params={"variable": "coca_ha", "zone": "vraem", "format": "csv"}).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["year"]) for r in table] == [r["year"] for r in rows]
    assert {r["zone"] for r in table} == {r["zone"] for r in rows}


def test_data_errors_are_located(server: Server) -> None:
    r = httpx.get(f"{server.url}/api/datasets/peru/series", params={"variable": "coca"})
    assert r.status_code == 400 and "variable: expected one of" in r.json()["detail"]
    r = httpx.get(f"{server.url}/api/datasets/atlantis")
    assert r.status_code == 404 and "dataset: expected one of peru" in r.json()["detail"]


def test_plan_upload_validates_and_saves(server: Server) -> None:
    c = server.client(server.token)
    ok = c.post("/api/plans/validate",
                files={"file": ("mine.yaml", _plan_yaml(name="office-plan"))}).json()
    assert ok == {"valid": True, "name": "office-plan", "problems": []}

    bad = _plan_yaml(name="bad", levers={"forced_eradication": {"vraem": {2007: -500}}})
    r = c.post("/api/plans/validate", files={"file": ("bad.yaml", bad)}).json()
    assert not r["valid"]
    assert any("forced_eradication" in p and "vraem" in p and "-500" in p for p in r["problems"])

    r = c.post("/api/plans/validate", files={"file": ("x.yaml", b"a: [unclosed")}).json()
    assert not r["valid"] and "not valid YAML" in r["problems"][0]
    r = c.post("/api/plans/validate", files={"file": ("x.yaml", b"\xff\xfe")}).json()
    assert "expected UTF-8" in r["problems"][0]

    big = b"# padding\n" * 27_000  # 270 kB: over the plan limit, under the body limit
    r = c.post("/api/plans/validate", files={"file": ("big.yaml", big)}).json()
    assert not r["valid"] and r["problems"] == ["file: at most 256 kB (262,144 bytes), got more"]
    huge = b"# padding\n" * 40_000  # 400 kB: refused before it is read
    r = c.post("/api/plans/validate", files={"file": ("big.yaml", huge)})
    assert r.status_code == 413 and "at most" in r.json()["detail"]

    def chunks():
        yield b"x" * 1000

    r = c.post("/api/plans/validate", content=chunks(),
               headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 411

    r = c.post("/api/plans", files={"file": ("lima.yaml", _plan_yaml())})
    assert r.status_code == 400 and "built-in" in r.text
    r = c.post("/api/plans", files={"file": ("../../evil.yaml", _plan_yaml(name="../evil"))})
    assert r.status_code == 400 and "plan name" in r.text
    assert not (server.home / "evil.yaml").exists()

    r = c.post("/api/plans", files={"file": ("mine.yaml", _plan_yaml(name="office-plan"))})
    assert r.status_code == 201 and r.json()["name"] == "office-plan"
    assert "office-plan" in c.get("/api/plans").json()["saved"]
    got = c.get("/api/plans/office-plan").json()
    assert got["plan"]["name"] == "office-plan" and got["plan"]["end_year"] == 2015
    c.close()


def test_run_inputs_are_checked_before_queueing(server: Server) -> None:
    c = server.client(server.token)
    before = c.get("/api/jobs").json()
    assert c.post("/api/runs", json={"scenarios": 0}).status_code == 422
    assert c.post("/api/runs", json={"scenarios": 10**9}).status_code == 422
    r = c.post("/api/runs", json={"plan": "no-such-plan", "scenarios": 10})
    assert r.status_code == 400 and "no-such-plan" in r.json()["problems"]["plan"]
    r = c.post("/api/runs", json={"plan": "../../etc/passwd", "scenarios": 10})
    assert r.status_code == 400
    assert c.get("/api/jobs").json() == before
    c.close()


def test_finished_run_is_listed_with_its_goals(server: Server, finished_run: dict) -> None:
    run_id = finished_run["run_id"]
    listed = httpx.get(f"{server.url}/api/runs").json()
    assert run_id in [r["id"] for r in listed]
    run = httpx.get(f"{server.url}/api/runs/{run_id}").json()
    on_disk = json.loads((server.home / "runs" / run_id / "run.json").read_text())
    assert run["seed"] == 7 and run["scenarios"] == 100
    assert [g["probability"] for g in run["goals"]] == [g["probability"]
                                                        for g in on_disk["goals"]]
    assert all(0 <= g["probability"] <= 1 for g in run["goals"])
    report = httpx.get(f"{server.url}{run['report_url']}")
    assert report.status_code == 200 and "<html" in report.text.lower()
    assert finished_run["progress"] == 1.0 and finished_run["submitted_by"] == "tester"


def test_report_actual_changes_status(server: Server) -> None:
    c = server.client(server.token)
    r = c.post("/api/tracker/actuals",
               json={"indicator": "police_graduated", "period": 2006, "value": "abc"})
    assert r.status_code == 400 and "expected a number" in r.json()["problems"]["value"]
    r = c.post("/api/tracker/actuals",
               json={"indicator": "no_such_indicator", "period": 2006, "value": 1})
    assert r.status_code == 400 and "unknown indicator" in r.json()["problems"]["indicator"]

    r = c.post("/api/tracker/actuals",
               json={"indicator": "police_graduated", "period": 2006, "value": 380,
                     "source": "academy roll"})
    assert r.status_code == 201, r.text
    assert r.json()["reported_by"] == "tester"
    rows = {row["indicator"]: row for g in c.get("/api/tracker/status?period=2006").json()
            for row in g["rows"]}
    assert rows["police_graduated"]["actual"] == 380
    assert {row["period"] for row in rows.values()} == {2006}  # one period for every row
    c.close()


def test_explorations_listed_from_manifests(server: Server) -> None:
    root = server.home / "explorations"
    (root / "sobol-a" / "results").mkdir(parents=True, exist_ok=True)
    (root / "sobol-a" / "manifest.json").write_text(json.dumps({
        "kind": "exploration", "name": "sobol-a", "base_plan": "lima-2005", "design": "sobol",
        "n_rows": 64, "chunks_total": 2, "chunks_done": 2, "created": "2026-11-26T10:00:00",
        "finished": "2026-11-26T10:01:00"}))
    (root / "sobol-a" / "report.html").write_text("<html><body>exploration report</body></html>")
    (root / "not-one").mkdir(exist_ok=True)
    (root / "not-one" / "manifest.json").write_text('{"kind": "run"}')
    (root / "broken").mkdir(exist_ok=True)
    (root / "broken" / "manifest.json").write_text("{not json")

    items = {e["id"]: e for e in httpx.get(f"{server.url}/api/explorations").json()}
    assert set(items) == {"sobol-a", "broken"}
    assert items["sobol-a"]["design"] == "sobol" and items["sobol-a"]["has_report"]
    assert "unreadable" in items["broken"]["problem"]
    one = httpx.get(f"{server.url}/api/explorations/sobol-a").json()
    assert one["report_url"] == "/explorations/sobol-a/report"
    assert "exploration report" in httpx.get(server.url + one["report_url"]).text
    assert httpx.get(f"{server.url}/api/explorations/not-one").status_code == 404


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_tracker_unavailable_is_503_not_500(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from cnplan.web import Settings, create_app

    app = create_app(Settings(home=tmp_path / "h", db_url=str(tmp_path / "none.sqlite")),
                     start_jobs=False)
    with TestClient(app) as c:
        r = c.get("/api/tracker/status")
        assert r.status_code == 503 and "no tracker database" in r.json()["detail"]
        assert c.get("/tracker").status_code == 200  # the page says so instead
        assert "cnplan track init" in c.get("/tracker").text


def test_real_exploration_is_summarised(server: Server) -> None:
    explore = pytest.importorskip("cnplan.explore")
    text = """
name: web-small
plan: lima-2005
seed: 3
chunk_size: 20
uncertainties:
  - driver: gdp_growth
    range: [0.02, 0.07]
levers:
  - {lever: forced_eradication, zone: vraem, scale: [0.5, 3.0]}
outcomes:
  - goals
  - coca_ha: [2011]
design:
  method: latin_hypercube
  n: 40
"""
    folder = server.home / "explorations" / "web-small"
    explore.run_exploration(explore.load_experiment(text), folder, progress=False)
    got = httpx.get(f"{server.url}/api/explorations/web-small").json()
    assert got["n_rows"] == 40 and got["chunks_total"] == 2 and got["chunks_done"] == 2
    assert got["design_label"] == "latin_hypercube 40"
    frame = explore.open_results(folder).frame()
    summary = {o["outcome"]: o for o in got["summary"]["outcomes"]}
    assert got["summary"]["rows"] == 40
    col = next(c for c in summary if c.startswith("coca_ha"))
    assert summary[col]["mean"] == pytest.approx(frame[col].mean())
    page = httpx.get(f"{server.url}/explorations/web-small")
    assert page.status_code == 200 and col in page.text


@pytest.mark.parametrize("path", [
    "/api/jobs/99999999999999999999999", "/jobs/99999999999999999999999", "/api/jobs/0",
    "/tracker?reported=99999999999999999999999", "/data/chart.svg?by=zone&source=zzz",
    "/data/chart.svg?source=zzz", "/data/chart.svg?variable=nope", "/data?dataset=x",
])
def test_odd_reads_are_refused_not_crashed(server: Server, path: str) -> None:
    r = httpx.get(server.url + path)
    assert r.status_code in {400, 404, 422}, (path, r.status_code, r.text[:300])


def test_broken_run_folder_is_reported_not_crashed(server: Server) -> None:
    for name, text in (("broken-json", "{not json"), ("broken-list", "[1, 2]")):
        folder = server.home / "runs" / name
        folder.mkdir(exist_ok=True)
        (folder / "run.json").write_text(text)
        assert httpx.get(f"{server.url}/api/runs/{name}").status_code == 404
        assert httpx.get(f"{server.url}/runs/{name}").status_code == 404
    listed = {r["id"]: r for r in httpx.get(f"{server.url}/api/runs").json()}
    assert "unreadable" in listed["broken-json"]["problem"]
    assert "unreadable" in listed["broken-list"]["problem"]
    assert httpx.get(f"{server.url}/runs").status_code == 200
    assert httpx.get(f"{server.url}/").status_code == 200


def test_token_revoked_elsewhere_is_refused_at_once(server: Server) -> None:
    from typer.testing import CliRunner

    from cnplan.cli import app
    from cnplan.web.state import StateDB
    from cnplan.web.tokens import create_token

    token = create_token(StateDB(server.home / "state.sqlite"), "leaver")
    upload = {"files": {"file": ("p.yaml", b"name: x\n")}}
    auth = {"Authorization": f"Bearer {token}"}
    # accepted (and its verification cached by the server) ...
    assert httpx.post(f"{server.url}/api/plans/validate", headers=auth, **upload).status_code == 200
    token_id = token.split("_")[1]
    revoked = CliRunner().invoke(app, ["token", "revoke", token_id, "--home", str(server.home)])
    assert revoked.exit_code == 0, revoked.output
    # ... and refused on the next request, although the cache would still vouch for it
    assert httpx.post(f"{server.url}/api/plans/validate", headers=auth, **upload).status_code == 403
