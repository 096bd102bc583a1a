"""Dataset format version 2: bounds, units, zone names, one-pass validation, migration.

The broken-copy tests break a copy of each shipped dataset in five ways at once and require
every problem in one report, located by file, row and column with the expected form.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.data import DataError, import_dataset, load_dataset, validate
from cnplan.data.importer import migrate_dataset
from cnplan.data.load import shipped_path
from cnplan.data.values import parse_value

from .conftest import SYNTH_OBS, SYNTH_SOURCES, SYNTH_ZONES, write_folder

runner = CliRunner()


@pytest.mark.parametrize(("text", "expected"), [
    ("12500", (12500, 12500, 12500)),
    ("12,500", (12500, 12500, 12500)),
    (">30000", (math.nan, 30000, math.nan)),
    (">=30,000", (math.nan, 30000, math.nan)),
    ("<500", (math.nan, math.nan, 500)),
    ("10,000–12,000", (math.nan, 10000, 12000)),
    ("10000..12000", (math.nan, 10000, 12000)),
    ("-3.5", (-3.5, -3.5, -3.5)),
    ("", (math.nan, math.nan, math.nan)),
])
def test_value_forms(text, expected):
    got = parse_value(text)
    for a, b in zip(got, expected, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("text", ["about ten", "> lots", "12,000–10,000", "1,00", "30000<"])
def test_bad_value_forms(text):
    with pytest.raises(ValueError, match="expected|lower end"):
        parse_value(text)


def _break(src: Path, dest: Path) -> Path:
    """A copy of a dataset with five kinds of mistake; returns the folder."""
    shutil.copytree(src, dest)
    obs = pd.read_csv(dest / "observations.csv", dtype=str, keep_default_na=False)
    obs.loc[2, "zone"] = "Nowhere Valley"            # wrong zone id (line 4)
    obs.loc[5, "value"] = "about ten"                # text in a number column (line 7)
    obs.loc[7, "unit"] = "furlongs"                  # unknown unit (line 9)
    obs.loc[9, "value"] = "12,000–10,000"            # a broken ranged value (line 11)
    obs.loc[11, "value"] = "> lots"                  # a broken censored value (line 13)
    obs = obs.drop(columns=["period"])               # missing column
    obs.to_csv(dest / "observations.csv", index=False)
    return dest


@pytest.mark.parametrize("name", ["peru", "colombia"])
def test_broken_copy_reports_every_problem_in_one_pass(tmp_path, name):
    broken = _break(shipped_path(name), tmp_path / f"{name}-broken")
    problems = validate(broken)
    where = {(p.file, p.row, p.column) for p in problems}
    assert ("observations.csv", None, "period") in where
    assert ("observations.csv", 4, "zone") in where
    assert ("observations.csv", 7, "value") in where
    assert ("observations.csv", 9, "unit") in where
    assert ("observations.csv", 11, "value") in where
    assert ("observations.csv", 13, "value") in where
    text = "\n".join(map(str, problems))
    assert "Nowhere Valley" in text and "expected 'national'" in text
    assert "censored value ('>30000'" in text  # the expected form is stated
    assert "unit must be one of" in text
    result = runner.invoke(app, ["data", "validate", str(broken)])
    assert result.exit_code == 1
    # the shipped (fixed) copy validates and imports
    assert validate(shipped_path(name)) == []
    import_dataset(shipped_path(name), f"{name}-copy")
    assert load_dataset(f"{name}-copy").national("coca_ha").notna().sum() >= 20


def test_missing_file_and_bad_rows_in_one_pass(tmp_path):
    obs = SYNTH_OBS.copy()
    obs.loc[0, "value"] = "many"
    folder = tmp_path / "nozones"
    folder.mkdir()
    obs.to_csv(folder / "observations.csv", index=False)
    problems = validate(folder)
    assert any(p.file == "zones.csv" and "missing" in p.message for p in problems)
    assert any(p.row == 2 and p.column == "value" for p in problems)


def test_censored_values_are_bounds_never_points():
    ds = load_dataset("colombia")
    # C18: coca "exceeding 30,000 hectares" in Nariño (and three other departments) in 2023
    b = ds.bounds("coca_ha", zone="dept:Nariño")
    assert b["year"].tolist() == [2023] and b["lower"].tolist() == [30000]
    assert math.isnan(b["upper"].iloc[0])
    rows = ds.series("coca_ha", zone="dept:Nariño", points=True)
    assert 2023 not in set(rows["year"])


def test_bounds_from_lower_upper_columns(make_folder, synth_obs):
    obs = synth_obs.assign(lower="", upper="")
    obs.loc[2, ["value", "lower", "upper"]] = ["", "120", "140"]
    ds = load_dataset(make_folder(obs=obs))
    assert 2013 not in ds.national("coca_ha").dropna().index  # a bound is not a point
    assert ds.bounds("coca_ha", zone="all")[["lower", "upper"]].values.tolist() == [[120, 140]]
    obs.loc[2, "value"] = ">100"
    problems = validate(make_folder(obs=obs))
    assert any("give a bound once" in p.message for p in problems)


def test_zone_ids_as_the_user_writes_them(tmp_path):
    zones = SYNTH_ZONES.assign(zone_id="BO-ALL", name="Bolivia (whole country)")
    obs = SYNTH_OBS.assign(zone="BO-ALL")
    obs.loc[1, "zone"] = "Bolivia (whole country)"  # a zone's own name stands for it
    folder = write_folder(tmp_path / "bo", obs=obs, zones=zones)
    assert validate(folder) == []
    ds = load_dataset(folder)
    assert ds.resolve_zone("Bolivia (whole country)") == "BO-ALL"
    assert ds.national("coca_ha").dropna().tolist() == [100, 110, 130]
    peru = load_dataset("peru")
    assert peru.resolve_zone("Alto Huallaga") == "huallaga"
    with pytest.raises(DataError, match="did you mean 'Alto Huallaga'"):
        peru.resolve_zone("alto huallaga ")


def test_unknown_zone_suggests_the_close_name(make_folder, synth_obs):
    zones = SYNTH_ZONES.assign(zone_id="BO-ALL")
    obs = synth_obs.assign(zone="bo-all")
    problems = validate(make_folder(obs=obs, zones=zones))
    assert any("did you mean 'BO-ALL'" in p.message for p in problems)


def test_local_currency_price_converted_with_the_datasets_own_rate(tmp_path):
    # SYNTHETIC values: a price in COP/kg and the exchange rate (COP per USD) for two years.
    rows = [("leaf_price_cop", 2010, "3000", "COP/kg"), ("leaf_price_cop", 2011, "3300", "COP/kg"),
            ("exchange_rate_cop", 2010, "2000", "COP/USD")]
    obs = pd.concat([SYNTH_OBS, pd.DataFrame([
        {"country": "Testland", "zone": "all", "year": str(y), "period": "year",
         "variable": v, "value": val, "unit": u, "source_id": "T1", "quality": "other",
         "note": "synthetic"} for v, y, val, u in rows])])
    ds = load_dataset(write_folder(tmp_path / "fx", obs=obs))
    usd = ds.national_in("leaf_price_cop", "USD/kg")
    assert usd[2010] == 1.5
    assert math.isnan(usd[2011])  # no 2011 rate: a gap, not a guess
    acres = ds.national_in("coca_ha", "acres")
    assert acres[2010] == pytest.approx(247.105, rel=1e-4)
    with pytest.raises(DataError, match="no conversion"):
        ds.national_in("coca_ha", "USD/kg")


def test_core_variable_in_a_wrong_unit(make_folder, synth_obs):
    synth_obs.loc[0, "unit"] = "t"
    problems = validate(make_folder(obs=synth_obs))
    assert any(p.column == "unit" and "coca_ha must be in acres or ha" in p.message
               for p in problems)


def test_migrate_version_1_folder(tmp_path):
    folder = write_folder(tmp_path / "v1")
    assert load_dataset(folder).format_version == 1
    result = runner.invoke(app, ["data", "migrate", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "meta.csv").read_text().splitlines() == ["key,value", "format_version,2"]
    header = (folder / "observations.csv").read_text().splitlines()[0]
    assert header.endswith("note,lower,upper")
    ds = load_dataset(folder)
    assert ds.format_version == 2
    assert ds.national("coca_ha").dropna().tolist() == [100, 110, 130]


def test_migrate_refuses_an_invalid_dataset_and_writes_nothing(make_folder, synth_obs):
    synth_obs.loc[0, "value"] = "many"
    folder = make_folder(obs=synth_obs)
    with pytest.raises(DataError):
        migrate_dataset(folder)
    assert not (folder / "meta.csv").exists()


def test_newer_format_version_is_refused(make_folder):
    folder = make_folder()
    (folder / "meta.csv").write_text("key,value\nformat_version,9\n")
    assert any("format_version must be" in p.message for p in validate(folder))


def test_one_zone_country_with_sources_unused_is_valid(make_folder):
    assert validate(make_folder(sources=SYNTH_SOURCES)) == []
