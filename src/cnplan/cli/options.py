"""Options shared by several commands, declared once so that they read the same everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

WorkersOption = Annotated[
    int | None,
    typer.Option(help="Local worker processes (default: this process)."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address tcp://HOST:PORT, or 'local' (LocalCluster)."),
]
