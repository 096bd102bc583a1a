"""How every command reports a library error: one line on stderr, no traceback, exit code 1."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from cnplan.i18n import gettext as _


def fail(exc: Exception) -> typer.Exit:
    """Print a library error on stderr; the caller raises the returned ``Exit(1)``."""
    Console(stderr=True).print(
        f"[red]{_('error:')}[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
    )
    return typer.Exit(1)
