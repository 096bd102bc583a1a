"""`cnplan token` create/list/revoke and `cnplan serve` option checks (no server started)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.web.state import StateDB
from cnplan.web.tokens import TokenChecker


def test_token_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "home"
    made = runner.invoke(app, ["token", "create", "officer-1", "--home", str(home)])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("cnp_")
    checker = TokenChecker(StateDB(home / "state.sqlite"))
    assert checker.check(token) == "officer-1"

    listed = runner.invoke(app, ["token", "list", "--home", str(home)])
    token_id = token.split("_")[1]
    assert token_id in listed.stdout and "officer-1" in listed.stdout
    assert token.split("_", 2)[2] not in listed.stdout

    assert runner.invoke(app, ["token", "revoke", token_id, "--home", str(home)]).exit_code == 0
    assert TokenChecker(StateDB(home / "state.sqlite")).check(token) is None
    again = runner.invoke(app, ["token", "revoke", token_id, "--home", str(home)])
    assert again.exit_code == 1 and "no active token" in again.output


def test_token_name_is_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["token", "create", "../x", "--home", str(tmp_path)])
    assert result.exit_code == 1 and "token name: expected" in result.output


def test_serve_refuses_bad_port(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000", "--home", str(tmp_path)])
    assert result.exit_code == 2 and "--port: expected 1-65535" in result.output
