"""`cnplan run`: simulate a plan over an ensemble of futures and report its goals."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the main app."""
