"""Every run reports forced eradication planned, delivered and not delivered, and why.

``peru-baseline`` asks for the 2025 goal of 34,123 ha a year (S61) and the model delivers far
less; the gap and its cause must show in ``cnplan run``'s output, in ``run.json`` and in the
run report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.report import write_run_report
from cnplan.runs.eradication import CAUSES

ASKED = 34123.0  # peru-baseline's yearly forced-eradication target (S61)


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("runs") / "baseline"
    result = CliRunner().invoke(app, ["run", "peru-baseline", "-n", "60", "--seed", "1",
                                      "--out", str(out), "--no-report"],
                                catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return out, result.output


def test_run_json_has_the_eradication_block(baseline_run) -> None:
    folder, _ = baseline_run
    block = json.loads((folder / "run.json").read_text())["eradication"]
    assert [r["year"] for r in block["years"]] == list(range(2025, 2036))
    for row in block["years"]:
        assert row["planned"] == pytest.approx(ASKED, abs=1)
        assert 0 < row["delivered"] < row["planned"]
        assert row["undelivered"] == pytest.approx(row["planned"] - row["delivered"], abs=0.2)
        # the causes account for the whole gap, and only declared causes appear
        assert set(row["by_cause"]) == set(CAUSES)
        assert sum(row["by_cause"].values()) == pytest.approx(row["undelivered"], rel=1e-3)
    assert block["main_cause"] in CAUSES
    totals = block["undelivered_by_cause_total"]
    assert totals[block["main_cause"]] == max(totals.values())
    # by unit: the eight zones, each with planned/delivered/undelivered per year
    assert len(block["by_unit"]) == 8
    for unit in block["by_unit"].values():
        assert len(unit["planned"]) == len(unit["delivered"]) == len(unit["undelivered"]) == 11
    planned_units = sum(u["planned"][0] for u in block["by_unit"].values())
    assert planned_units == pytest.approx(ASKED, abs=5)


def test_cli_output_shows_the_gap_and_its_cause(baseline_run) -> None:
    folder, output = baseline_run
    block = json.loads((folder / "run.json").read_text())["eradication"]
    assert "the plan asks for 34,123 ha in 2025" in output
    assert "Main cause of the gap" in output
    assert "not delivered" in output
    delivered = f"{block['years'][0]['delivered']:,.0f}"
    assert delivered in output


def test_report_has_the_eradication_section(baseline_run) -> None:
    folder, _ = baseline_run
    html = write_run_report(folder).read_text()
    assert 'id="eradication-table"' in html
    assert "the plan asks for 34,123 ha in 2025" in html
    assert 'id="eradication-unit-table"' in html
