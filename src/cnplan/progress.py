"""Progress of long steps, reported by the library and shown by the command line.

Library code (ABC-SMC generations, backtest cut-offs, report charts) calls :func:`step` with a
task name, the units done and the total; it costs nothing when nobody listens. The command line
wraps a long command in :func:`shown` to draw the steps as rich progress bars on standard error
(never on standard output, which may carry JSON), one bar per task. Tests listen with
:func:`listening`. A context variable holds the listener, so threads and nested calls of
different commands do not mix; worker processes report nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Listener = Callable[[str, int, int], None]

_listener: ContextVar[Listener | None] = ContextVar("cnplan_progress", default=None)


def step(task: str, done: int, total: int) -> None:
    """Report that ``done`` of ``total`` units of ``task`` are finished (a no-op unless shown)."""
    listener = _listener.get()
    if listener is not None:
        listener(task, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send every :func:`step` inside the block to ``listener(task, done, total)``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


@contextmanager
def shown(console: Any = None) -> Iterator[None]:
    """Draw the block's steps as rich progress bars (one per task) on standard error.

    Off when standard error is not a terminal (a log file, a test), so output stays clean.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = console or Console(stderr=True)
    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True,
                    disable=not console.is_terminal)
    tasks: dict[str, Any] = {}
    outer = _listener.get()  # a test (or an enclosing command) still hears every step

    def update(task: str, done: int, total: int) -> None:
        if outer is not None:
            outer(task, done, total)
        if task not in tasks:
            tasks[task] = bars.add_task(task, total=total)
        bars.update(tasks[task], completed=done, total=total)

    with bars, listening(update):
        yield


__all__ = ["listening", "shown", "step"]
