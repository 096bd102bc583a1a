"""What the run and exploration pages print: each kind of value formatted, year statistics only
from enough futures, the column meanings, the median trajectory; a clean exploration page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cnplan.web import Settings, create_app

GOALS = [
    {"goal": "hold_the_line", "description": "Hold the line", "by_year": 2006,
     "probability": 0.26, "reached_in_horizon": 0.88, "reached_count": 176,
     "year_median": 2008.0, "year_p10": 2006.0, "year_p90": 2012.0},
    {"goal": "marginal_producer", "description": "Marginal producer", "by_year": 2013,
     "probability": 0.004, "reached_in_horizon": 0.005, "reached_count": 1,
     "year_median": None, "year_p10": None, "year_p90": None},
    {"goal": "stability_point", "description": "Stability point", "by_year": 2015,
     "probability": 0.0, "reached_in_horizon": 0.0, "reached_count": 0,
     "year_median": None, "year_p10": None, "year_p90": None},
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    home = tmp_path_factory.mktemp("home")
    run = home / "runs" / "r1"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({
        "plan": "lima-2005", "plan_source": "built-in", "seed": 0, "scenarios": 200,
        "years": [2005, 2015], "parameter_set": "p", "data": "peru", "data_version": "v",
        "code_version": "c", "goals": GOALS,
        "central_trajectory": {"variable": "coca", "unit": "ha", "from_year": 2005,
                               "to_year": 2015, "from": 48_230.0, "to": 61_950.0}}))
    exp = home / "explorations" / "e1"
    exp.mkdir(parents=True)
    (exp / "manifest.json").write_text(json.dumps({
        "kind": "exploration", "name": "e1", "base_plan": "lima-2005",
        "design": {"method": "latin_hypercube", "n": 40, "levels": None}, "seed": 3}))
    app = create_app(Settings(home=home, db_url=str(home / "none.sqlite")), start_jobs=False)
    with TestClient(app) as c:
        yield c


def _cell(html: str, row: str, col: int) -> str:
    """The text of column ``col`` (after the first) of the table row whose first cell is ``row``."""
    tr = re.search(rf"<tr><td>{row}</td>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
    return re.sub(r"<[^>]+>", "", cells[col]).strip()


def test_goal_table_formats_years_probabilities_and_counts(client: TestClient) -> None:
    html = client.get("/runs/r1").text
    assert _cell(html, "Hold the line", 0) == "2006"  # a year: no thousands separator
    assert _cell(html, "Hold the line", 1) == "26%"  # a probability
    assert _cell(html, "Hold the line", 2) == "2008 [2006–2012] (176 futures)"
    assert _cell(html, "Hold the line", 3) == "88%"
    assert _cell(html, "Marginal producer", 1) == "&lt;1%"
    assert _cell(html, "Marginal producer", 2) == "too few to say when: 1 future reaches it"
    assert _cell(html, "Stability point", 2) == "never in horizon"
    assert not re.search(r"\b2,0\d\d\b", html)  # no year written as "2,013"


def test_run_page_explains_the_columns_and_states_the_trajectory(client: TestClient) -> None:
    html = client.get("/runs/r1").text
    assert 'id="goal-columns"' in html and "even after its target year" in html
    assert ("In the median future, coca rises from about 48,000 ha in 2005 to about 62,000 ha "
            "in 2015.") in html
    client.cookies.set("cnplan_lang", "es")
    try:
        es = client.get("/runs/r1").text
    finally:
        client.cookies.clear()
    assert "muy pocos para decir cuándo" in es and "sube de unas" in es


def test_exploration_page_title_is_short_and_design_is_readable(client: TestClient) -> None:
    html = client.get("/explorations/e1").text
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.strip() == "Exploration e1 · cnplan"
    assert html.count('<table id="outcomes"') + html.count("no summary") >= 1
    assert html.count("<h2>Outcomes</h2>") == 1
    assert "{'method'" not in html and "latin_hypercube 40" in html


def test_tracker_page_one_period_and_lower_is_better_percent(tmp_path: Path) -> None:
    from cnplan.plans import load_plan
    from cnplan.track import init_db, report, status

    db = f"sqlite:///{tmp_path / 't.sqlite'}"
    init_db(load_plan("lima-2005"), db, prefill=False)
    report("coca_ha_national", 2006, "52,000", "UNODC", url=db)
    report("police_graduated", 2005, 380, "academy", url=db)
    coca = next(r for g in status(db) for r in g.rows if r.indicator == "coca_ha_national")
    expected = f"{100 * coca.target / 52000:,.0f}%"  # lower is better: target / actual
    app = create_app(Settings(home=tmp_path / "h", db_url=db), start_jobs=False)
    with TestClient(app) as c:
        html = c.get("/tracker").text
        assert "Period: 2006, the same year for every indicator" in html
        row = re.search(r'<tr id="ind-coca_ha_national">(.*?)</tr>', html, re.S).group(1)
        cells = [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                        row, re.S)]
        assert cells[5] == expected and cells[4] == "52,000"
        police = re.search(r'<tr id="ind-police_graduated">(.*?)</tr>', html, re.S).group(1)
        assert "380 (2005)" in police  # last reported, not mixed into the 2006 columns
        precursor = re.search(r'<tr id="ind-precursor_regulations">(.*?)</tr>', html,
                              re.S).group(1)
        target = next(r.target for g in status(db) for r in g.rows
                      if r.indicator == "precursor_regulations")
        assert 0 < target < 1 and f">{target:.4g}<" in precursor  # a share, never "0"
        assert "Period: 2005" in c.get("/tracker?period=2005").text


def test_exploration_outcomes_table_formats_areas_and_shares(tmp_path: Path) -> None:
    from cnplan import explore

    home = tmp_path / "h"
    folder = home / "explorations" / "tiny"
    explore.run_exploration(explore.load_experiment("""
name: tiny
plan: lima-2005
seed: 3
chunk_size: 8
uncertainties:
  - driver: gdp_growth
    range: [0.02, 0.07]
outcomes: [hold_the_line, coca_ha: [2011]]
design: {method: latin_hypercube, n: 8}
"""), folder, progress=False)
    frame = explore.open_results(folder).frame()
    app = create_app(Settings(home=home, db_url=str(home / "none.sqlite")), start_jobs=False)
    with TestClient(app) as c:
        html = c.get("/explorations/tiny").text
    rows = {m.group(1): [re.sub(r"<[^>]+>", "", x) for x in
                         re.findall(r"<td[^>]*>(.*?)</td>", m.group(0))]
            for m in re.finditer(r"<tr><td>([^<]+)</td>.*?</tr>", html)}
    coca = rows["coca_ha_2011"]
    assert coca[1] == "8" and coca[2] == f"{round(frame['coca_ha_2011'].mean()):,}"  # whole ha
    share = frame["hold_the_line_reached"].astype(float).mean()
    assert rows["hold_the_line_reached"][2] == f"{share:.4g}"  # a share, not rounded to 0 or 1
