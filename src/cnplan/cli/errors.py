"""How every command reports a library error: one line on stderr, no traceback, exit code 1."""

from __future__ import annotations

import typer
import typer.core
from rich.console import Console
from rich.markup import escape

from cnplan.i18n import gettext as _


def fail(exc: Exception) -> typer.Exit:
    """Print a library error on stderr; the caller raises the returned ``Exit(1)``."""
    Console(stderr=True).print(
        f"[red]{_('error:')}[/red] {escape(str(exc))}", highlight=False, soft_wrap=True
    )
    return typer.Exit(1)


def os_error_message(exc: OSError) -> str:
    """One line for a failed read or write: which file and the system's reason (no traceback).

    The reason comes from the error number when there is one (HDF5 and others wrap ENOSPC in
    long messages of their own).
    """
    import os

    reason = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc))[:200]
    where = f" {exc.filename}" if exc.filename else ""
    return _("cannot read or write%(where)s: %(reason)s") % {"where": where, "reason": reason}


class Group(typer.core.TyperGroup):
    """The command group: a read-only folder or a full disk is a one-line error, exit 1."""

    def invoke(self, ctx):  # noqa: ANN001, ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise fail(Exception(os_error_message(exc))) from None
