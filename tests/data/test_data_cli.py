"""The `cnplan data` commands, through Typer's test runner."""

from __future__ import annotations

import io
import json

import pandas as pd
from typer.testing import CliRunner

from cnplan.cli import app

runner = CliRunner()


def test_list_shows_peru():
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    assert "peru" in result.output


def test_show_csv_is_parseable():
    result = runner.invoke(app, ["data", "show", "peru", "--variable", "coca_ha", "--zone",
                                 "national", "--source", "us", "--format", "csv"])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.stdout))
    assert df.set_index("year").loc[2019, "value"] == 72000  # S42
    assert (df["variable"] == "coca_ha").all()


def test_show_json_is_parseable():
    result = runner.invoke(app, ["data", "show", "peru", "--zone", "vraem", "--variable",
                                 "coca_ha", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    values = {(r["year"], r["zone"]): r["value"] for r in doc["rows"]}
    assert values[(2024, "VRAEM")] == 36345


def test_show_table():
    result = runner.invoke(app, ["data", "show", "peru", "--variable", "eradication_ha"])
    assert result.exit_code == 0, result.output
    assert "eradication_ha" in result.output


def test_plot_writes_png(tmp_path):
    for extra in ([], ["--by", "zone"]):
        out = tmp_path / f"plot{len(extra)}.png"
        result = runner.invoke(app, ["data", "plot", "peru", "--variable", "coca_ha", *extra,
                                     "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_validate_ok_and_failing(synth_folder, make_folder, synth_obs):
    ok = runner.invoke(app, ["data", "validate", str(synth_folder)])
    assert ok.exit_code == 0 and "OK" in ok.output
    synth_obs.loc[0, "value"] = "abc"
    bad = runner.invoke(app, ["data", "validate", str(make_folder(obs=synth_obs))])
    assert bad.exit_code == 1
    assert "observations.csv" in bad.output and "value" in bad.output


def test_import_and_errors_without_traceback(synth_folder):
    result = runner.invoke(app, ["data", "import", str(synth_folder), "--name", "testland"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["data", "import", str(synth_folder), "--name", "testland"])
    assert again.exit_code == 1
    assert "already exists" in again.output and "Traceback" not in again.output
    missing = runner.invoke(app, ["data", "show", "no-such-dataset"])
    assert missing.exit_code == 1 and "no dataset" in missing.output


def test_show_wide_gives_year_by_zone():
    result = runner.invoke(app, ["data", "show", "peru", "--wide", "--format", "csv"])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.stdout)).set_index("year")
    assert list(df.columns) == ["vraem", "huallaga", "la_convencion", "central", "south",
                                "ucayali", "amazon", "north", "national"]
    assert df.loc[2005, "vraem"] == 15500 and df.loc[2005, "national"] == 48200  # S01
    assert df.index.is_monotonic_increasing and df.index.is_unique
    table = runner.invoke(app, ["data", "show", "peru", "--wide"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    header = next(line for line in table.output.splitlines() if "vraem" in line)
    assert "huallaga" in header and "national" in header
    assert "2,005" not in table.output and "│ 2005 │" in table.output


def test_unknown_variable_is_an_error_with_did_you_mean():
    for args in (["--variable", "coca_hectares"], ["--wide", "--variable", "coca_hectares"]):
        result = runner.invoke(app, ["data", "show", "peru", *args])
        assert result.exit_code == 1, result.output
        assert "did you mean 'coca_ha'?" in result.output
