"""Tracker input and wording: `track record` (and its old name), numbers with thousands commas,
a did-you-mean for a mistyped indicator, and the one-period status table in the CLI."""

from __future__ import annotations

from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.track.validate import parse_value, unknown_indicator

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["track", *args])


class _Ind:
    id, unit, lever = "coca_ha_national", "ha", None


def test_thousands_commas_are_read_and_a_decimal_comma_is_refused() -> None:
    assert parse_value("2,100", _Ind()) == (2100.0, [])
    assert parse_value("12,232.5", _Ind())[0] == 12232.5
    assert parse_value(" 1,000,000 ", _Ind())[0] == 1_000_000
    for bad in ("2,1", "2,10", "21,00", ",100"):
        value, problems = parse_value(bad, _Ind())
        assert value is None and "expected a number" in problems[0].message, bad


def test_a_mistyped_indicator_gets_the_closest_ids() -> None:
    valid = ["coca_ha_national", "forced_eradication_ha", "voluntary_eradication_ha"]
    message = unknown_indicator("forced_eradiction_ha", valid)
    assert message.startswith("unknown indicator 'forced_eradiction_ha' (did you mean "
                              "'forced_eradication_ha'?)")
    assert "valid indicators are coca_ha_national" in message
    assert "(did you mean 'coca_ha_national'?)" in unknown_indicator("coca", valid)
    assert "did you mean" not in unknown_indicator("zzz", valid)


def test_record_is_the_command_and_report_its_hidden_alias(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "t.sqlite"))
    assert _run("init", "--no-prefill").exit_code == 0
    helptext = _run("--help").stdout
    assert "record" in helptext and "report-html" in helptext
    assert " report " not in helptext.replace("report-html", "")
    result = _run("record", "coca_ha_national", "--period", "2006", "--value", "52,100",
                  "--by", "UNODC")
    assert result.exit_code == 0, result.stderr
    assert "coca_ha_national 2006 = 52100 ha" in result.stdout
    result = _run("report", "coca_ha_national", "--period", "2007", "--value", "53000",
                  "--by", "UNODC")
    assert result.exit_code == 0 and "recorded #" in result.stdout
    result = _run("record", "coca_ha_nacional", "--period", "2007", "--value", "1", "--by", "x")
    assert result.exit_code == 1 and "did you mean 'coca_ha_national'" in result.stderr


def test_status_shows_one_period_and_the_last_report_of_the_others(tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "t.sqlite"))
    assert _run("init", "--no-prefill").exit_code == 0
    for indicator, period, value in (("coca_ha_national", "2006", "52000"),
                                     ("forced_eradication_ha", "2005", "9000")):
        assert _run("record", indicator, "--period", period, "--value", value,
                    "--by", "x").exit_code == 0
    out = runner.invoke(app, ["track", "status"], env={"COLUMNS": "200"}).stdout
    assert "Period: 2006" in out
    erad = next(line for line in out.splitlines() if "forced_eradication_ha" in line)
    assert "9,000 (2005)" in erad and "no data" in erad
    out = runner.invoke(app, ["track", "status", "--period", "2005"],
                        env={"COLUMNS": "200"}).stdout
    assert "Period: 2005" in out and "9,000 (2005)" not in out
    assert "target / actual where lower is better" in out
