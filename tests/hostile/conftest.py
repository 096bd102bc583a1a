"""Hostile and careless inputs (issue 18): helpers shared by these tests."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A plan-shaped YAML whose aliases expand to ``width ** levels`` scalars (306 bytes at 9)."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{','.join(['x'] * width)}]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n"


def cnplan(*args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (source of this worktree first)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="200")
    cmd = [sys.executable, "-c", "from cnplan.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def cli(*args: str) -> tuple[int, str, BaseException | None]:
    """Run the CLI in this process (Typer's runner): exit code, all output, any exception
    that escaped (a traceback a user would have seen)."""
    from typer.testing import CliRunner

    from cnplan.cli import app

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, escaped


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "512k", read_only: bool = False) -> Iterator[Path]:
    """A real small file system at ``path`` (tmpfs), read-only or of ``size`` bytes.

    A read-only folder must be a mount for root (root ignores permission bits); without the
    right to mount, a non-root user gets a folder without write permission instead, and a
    test that needs a full disk is skipped.
    """
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
                             capture_output=True).returncode == 0
    if not mounted:
        if read_only and os.geteuid() != 0:
            path.chmod(0o555)
            yield path
            path.chmod(0o755)
            return
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(path: Path) -> None:
    """Fill the file system holding ``path`` until a write fails with ENOSPC."""
    try:
        with open(path / ".filler", "wb", buffering=0) as f:
            while True:
                f.write(b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
