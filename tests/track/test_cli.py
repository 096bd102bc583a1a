"""The `cnplan track` commands."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from cnplan.cli import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, ["track", *args])


def test_cli_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "t.sqlite"))
    result = _run("init")
    assert result.exit_code == 0, result.stderr
    assert "pre-filled" in result.stdout
    result = _run(
        "report",
        "forced_eradication_ha",
        "--period",
        "2006",
        "--value",
        "9000",
        "--by",
        "DEVIDA",
        "--source",
        "DEVIDA 2007 report",
    )
    assert result.exit_code == 0 and "recorded #" in result.stdout
    result = _run("status")
    assert result.exit_code == 0
    for text_ in ("forced_eradication_ha", "coca_ha_national", "off track", "no data"):
        assert text_ in result.stdout
    result = _run("history", "forced_eradication_ha")
    assert result.exit_code == 0 and "DEVIDA" in result.stdout and "S01" in result.stdout
    result = _run("export")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "indicator"
    assert ["forced_eradication_ha", "2006", "9000"] == rows[2][:3]
    out = tmp_path / "a.xlsx"
    assert _run("export", "-o", str(out)).exit_code == 0
    result = _run("import", str(out))
    assert result.exit_code == 0 and "0 added" in result.stdout


def test_cli_errors_go_to_stderr_with_exit_1(tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "t.sqlite"))
    result = _run("status")
    assert result.exit_code == 1 and "cnplan track init" in result.stderr
    assert _run("init", "--no-prefill").exit_code == 0
    result = _run("report", "nope", "--period", "2005", "--value", "1", "--by", "me")
    assert result.exit_code == 1
    assert "unknown indicator 'nope'; valid indicators are coca_ha_national" in result.stderr
    result = _run("init", "--plan", "no-such-plan")
    assert result.exit_code == 1 and "no such built-in plan" in result.stderr
