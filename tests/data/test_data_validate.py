"""Bad input is refused with every problem located by file, row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from cnplan.data import DataError, check, load_dataset, validate


def _one(problems, column=None, row=None, text=""):
    hits = [p for p in problems if (column is None or p.column == column)
            and (row is None or p.row == row) and text in p.message]
    assert hits, f"no problem with column={column} row={row} text={text!r} in {problems}"
    return hits[0]


def test_valid_synthetic_dataset(synth_folder):
    assert validate(synth_folder) == []


def test_missing_column(make_folder, synth_obs):
    problems = validate(make_folder(obs=synth_obs.drop(columns=["unit"])))
    p = _one(problems, column="unit", text="missing")
    assert p.file == "observations.csv" and p.row is None


def test_extra_column(make_folder, synth_obs):
    p = _one(validate(make_folder(obs=synth_obs.assign(colour="red"))), column="colour",
             text="unexpected")
    assert p.file == "observations.csv"


def test_non_numeric_value(make_folder, synth_obs):
    synth_obs.loc[1, "value"] = "lots"
    p = _one(validate(make_folder(obs=synth_obs)), column="value", text="number")
    assert p.row == 3 and "'lots'" in p.message  # header is line 1, data row 1 is line 2


def test_negative_area(make_folder, synth_obs):
    synth_obs.loc[0, "value"] = "-500"
    _one(validate(make_folder(obs=synth_obs)), column="value", row=2, text=">= 0")


def test_year_out_of_range(make_folder, synth_obs):
    synth_obs.loc[2, "year"] = "1850"
    _one(validate(make_folder(obs=synth_obs)), column="year", row=4, text="1900")


def test_unknown_zone(make_folder, synth_obs):
    synth_obs.loc[0, "zone"] = "Atlantis"
    _one(validate(make_folder(obs=synth_obs)), column="zone", row=2, text="unknown zone")


def test_unknown_source(make_folder, synth_obs):
    synth_obs.loc[0, "source_id"] = "T1;T9"
    _one(validate(make_folder(obs=synth_obs)), column="source_id", row=2, text="'T9'")


def test_duplicate_key(make_folder, synth_obs):
    obs = pd.concat([synth_obs, synth_obs.iloc[[0]]], ignore_index=True)
    p = _one(validate(make_folder(obs=obs)), row=5, text="duplicate key")
    assert "row 2" in p.message


def test_unknown_unit(make_folder, synth_obs):
    synth_obs.loc[0, "unit"] = "furlongs"
    _one(validate(make_folder(obs=synth_obs)), column="unit", row=2, text="unit must be one of")


def test_mixed_units(make_folder, synth_obs):
    synth_obs.loc[2, "unit"] = "t"
    _one(validate(make_folder(obs=synth_obs)), column="unit", row=4, text="mixes units")


def test_zone_file_checks(make_folder):
    zones = pd.read_csv(make_folder() / "zones.csv", dtype=str, keep_default_na=False)
    zones.loc[0, "kind"] = "frontier"
    zones.loc[0, "lat"] = "95"
    problems = validate(make_folder(zones=zones))
    _one(problems, column="kind", row=2, text="traditional")
    _one(problems, column="lat", row=2, text="between -90 and 90")


def test_crosswalk_zone_ids_must_exist(make_folder):
    path = make_folder()
    pd.DataFrame([{"source_name": "Old name", "zone_ids": "all+nowhere", "level": "aggregate",
                   "note": ""}]).to_csv(path / "crosswalk.csv", index=False)
    p = _one(validate(path), column="zone_ids", row=2, text="'nowhere'")
    assert p.file == "crosswalk.csv"


def test_all_problems_are_listed(make_folder, synth_obs):
    synth_obs.loc[0, "value"] = "-1"
    synth_obs.loc[1, "year"] = "20x1"
    synth_obs.loc[2, "zone"] = "Atlantis"
    synth_obs.loc[2, "quality"] = "rumour"
    path = make_folder(obs=synth_obs)
    problems = validate(path)
    located = {(p.file, p.row, p.column) for p in problems}
    assert {("observations.csv", 2, "value"), ("observations.csv", 3, "year"),
            ("observations.csv", 4, "zone"), ("observations.csv", 4, "quality")} <= located
    with pytest.raises(DataError) as err:
        check(path)
    text = str(err.value)
    assert text.startswith(f"{len(problems)} problems")
    for row, col in [(2, "value"), (3, "year"), (4, "zone"), (4, "quality")]:
        assert f"observations.csv, row {row}, column '{col}'" in text
    with pytest.raises(DataError):
        load_dataset(path)


def test_missing_file_is_a_problem(tmp_path):
    (tmp_path / "empty").mkdir()
    problems = validate(tmp_path / "empty")
    assert {p.file for p in problems} == {"zones.csv", "observations.csv"}
