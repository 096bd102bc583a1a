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
        "record",
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
    assert result.exit_code == 0 and "DEVIDA" in result.stdout and "2007 report" in result.stdout
    result = _run("export")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == "indicator"
    assert ["forced_eradication_ha", "2006", "9000"] in [r[:3] for r in rows]
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


def test_report_html_writes_report_and_charts(tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "t.sqlite"))
    assert _run("init").exit_code == 0
    args = ("report", "forced_eradication_ha", "--period", "2006", "--value", "9000")
    assert _run(*args, "--by", "DEVIDA").exit_code == 0
    out, charts = tmp_path / "r" / "tracker.html", tmp_path / "charts"
    result = _run("report-html", "--out", str(out), "--png", str(charts), "--svg")
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    assert 'id="chart-tracker_status"' in html and 'id="chart-tracker_targets"' in html
    # the report is self-contained: charts are inline data, nothing is fetched
    assert "data:image/svg+xml;base64," in html and "http://" not in html.split("<body>")[0]
    assert sorted(p.name for p in charts.iterdir()) == [
        "tracker_status.png", "tracker_status.svg", "tracker_targets.png", "tracker_targets.svg"
    ]
    assert not list(out.parent.glob(".*.tmp"))


def test_report_html_without_a_database_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "t.sqlite"))
    result = _run("report-html", "--out", str(tmp_path / "x.html"))
    assert result.exit_code == 1 and "cnplan track init" in result.stderr
    assert not (tmp_path / "x.html").exists()
