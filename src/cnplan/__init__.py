"""cnplan: decision support for counter-narcotics programmes against illicit crops.

The public Python API is re-exported here lazily, so that ``import cnplan`` stays cheap:
``load_dataset``, ``load_plan``, ``simulate``, ``discover``, ``sensitivity`` and
``optimize``.
"""

from __future__ import annotations

import subprocess
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

__version__ = "0.1.0"


@cache  # one git call per process: the checkout does not change under a running program
def code_version() -> str:
    """``__version__`` plus the git commit when run from a checkout: what a run or an
    exploration records so that its numbers can be traced to the code that made them.
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return __version__ + (f"+{commit}" if commit else "")


_API = {
    "load_dataset": "cnplan.data",
    "load_plan": "cnplan.plans",
    "simulate": "cnplan.model",
    "discover": "cnplan.analysis.discover",
    "sensitivity": "cnplan.analysis.sensitivity",
    "optimize": "cnplan.analysis.optimize",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'cnplan' has no attribute {name!r}")


__all__ = ["__version__", "code_version", *_API]
