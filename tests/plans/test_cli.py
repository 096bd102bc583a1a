"""`cnplan plan` commands through Typer's CliRunner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.cli import plan as plan_cli
from cnplan.plans import load_plan

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["plan", *args], env={"COLUMNS": "200"})


def test_list_shows_builtin_plans_with_years():
    result = _run("list")
    assert result.exit_code == 0, result.output
    assert "lima-2005" in result.output and "2005–2015" in result.output
    assert "peru-baseline" in result.output and "2025–2035" in result.output


@pytest.mark.parametrize("name", ["lima-2005", "peru-baseline"])
def test_show_prints_sections(name):
    result = _run("show", name)
    assert result.exit_code == 0, result.output
    for section in ("Phases", "Levers", "Goals", "Indicators", "forced_eradication"):
        assert section in result.output


def test_show_unknown_plan_is_a_clean_error():
    result = _run("show", "no-such-plan")
    assert result.exit_code == 1
    assert "no such built-in plan" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception


def test_validate_ok_and_errors(tmp_path):
    assert _run("validate", "lima-2005").exit_code == 0
    bad = tmp_path / "bad.yaml"
    result = _run("new", str(bad), "--from", "lima-2005")
    assert result.exit_code == 0, result.output
    content = bad.read_text(encoding="utf-8")
    content = content.replace("vraem: {2005: 0, 2007: 2000}", "vraem: {2005: 0, 2007: -500}")
    content = content.replace("country: Peru", "")
    bad.write_text(content, encoding="utf-8")
    result = _run("validate", str(bad))
    assert result.exit_code == 1
    assert "levers.forced_eradication.vraem[2007]: must be >= 0 ha/yr, got -500" in result.output
    assert "country: field required" in result.output
    assert "Traceback" not in result.output


def test_validate_checks_zones_when_the_dataset_loader_exists(monkeypatch):
    monkeypatch.setattr(plan_cli, "dataset_zone_ids", lambda data: plan_cli.ZoneCheck(["vraem"]))
    result = _run("validate", "lima-2005")
    assert result.exit_code == 1
    assert "levers.forced_eradication.huallaga: unknown zone" in result.output


def test_dataset_zone_ids_never_raises():
    check = plan_cli.dataset_zone_ids("no-such-dataset")
    assert check.zone_ids is None
    assert (check.note or check.problem).startswith(("zones not checked", "data: dataset"))


def test_zone_problems_reported_with_other_problems(tmp_path, monkeypatch):
    zones = ["vraem", "huallaga", "la_convencion", "central", "south", "ucayali", "amazon", "north"]
    monkeypatch.setattr(plan_cli, "dataset_zone_ids", lambda data: plan_cli.ZoneCheck(zones))
    bad = tmp_path / "bad.yaml"
    original = plan_cli.plan_text("lima-2005")[0]
    text = original
    text = text.replace("vraem: {2005: 0, 2007: 2000}", "vraem: {2005: 0, 2007: -500}")
    text = text.replace("    north: {2005: 0}\n", "    north: {2005: 0}\n    mars: {2005: 5}\n", 1)
    assert text != original
    bad.write_text(text, encoding="utf-8")
    result = _run("validate", str(bad))
    assert result.exit_code == 1
    assert "vraem[2007]: must be >= 0" in result.output
    assert "levers.forced_eradication.mars: unknown zone" in result.output


def test_new_writes_a_loadable_template_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "plans" / "draft.yaml"
    result = _run("new", str(path))
    assert result.exit_code == 0, result.output
    assert load_plan(path).name == "draft"
    again = _run("new", str(path))
    assert again.exit_code == 1
    assert "--force" in again.output
    forced = _run("new", str(path), "--from", "peru-baseline", "--force")
    assert forced.exit_code == 0, forced.output
    assert load_plan(path).start_year == 2025
