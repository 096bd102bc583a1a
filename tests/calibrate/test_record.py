"""The out-of-sample forecast record every run states (cnplan.calibrate.record)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cnplan.calibrate.record import RECORD, forecast_record, record_sentence, write_record
from cnplan.calibrate.rolling import rolling_backtest
from cnplan.data import load_dataset

ROOT = Path(__file__).resolve().parents[2]


def test_a_dataset_never_evaluated_says_so_and_how_to_evaluate_it():
    rec = forecast_record("my-own-country")
    assert rec["evaluated"] is False
    assert "cnplan backtest --rolling --data my-own-country" in record_sentence(rec)


@pytest.mark.parametrize("name", ["peru", "colombia"])
def test_the_shipped_record_is_the_one_in_docs_validation(name):
    # Both are written by one run of docs/gen_validation.py: the skill and coverage a run
    # prints must be those of docs/validation.md's rolling table.
    rec = forecast_record(name)
    assert rec["evaluated"] and rec["pooled_with"], rec
    text = (ROOT / "docs" / "validation.md").read_text()
    section = text.split(f"## {rec['country']}: rolling-origin results")[1].split("\n## ")[0]
    for group, h in rec["horizons"].items():
        row = re.search(rf"^\| {group} \| model, conditional \| (\d+) \| [\d,]+ \| ([+-]\d\.\d\d) "
                        rf"\|.*\| (\d+)% \| (\d+)% \|$", section, re.M)
        assert row, group
        assert int(row[1]) == h["n"]
        assert float(row[2]) == pytest.approx(h["skill_random_walk"], abs=0.0051)
        assert int(row[3]) == round(100 * h["coverage_90"])


def test_a_record_written_from_a_rolling_evaluation_reads_back(tmp_path):
    from tests.calibrate.test_rolling import synthetic_country

    data = load_dataset(synthetic_country(tmp_path / "smallland", "Smallland", "SL-ALL"))
    result = rolling_backtest(data, horizon=2, particles=20, generations=1)
    path = tmp_path / "record.json"
    write_record({"smallland": result}, path)
    rec = forecast_record("smallland", path)
    skill = result.summary().set_index(["forecaster", "horizon"]).loc[
        ("conditional", "1-3"), "skill_random_walk"]
    assert rec["horizons"]["1-3"]["skill_random_walk"] == pytest.approx(skill, abs=1e-4)
    assert rec["cutoffs"] == [2009, 2012] and rec["n_cutoffs"] == 4
    assert f"{skill:+.2f}" in record_sentence(rec)
    assert json.loads(path.read_text())["details"] == "docs/validation.md"
    assert RECORD.name == "forecast_record.json"
