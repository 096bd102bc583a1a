"""cnplan: decision support for counter-narcotics programmes against illicit crops.

The public Python API is re-exported here lazily, so that ``import cnplan`` stays cheap:
``load_dataset``, ``load_plan``, ``simulate``, ``discover``, ``sensitivity`` and
``optimize``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "load_dataset": "cnplan.data",
    "load_plan": "cnplan.plans",
    "simulate": "cnplan.model",
    "discover": "cnplan.explore.discover",
    "sensitivity": "cnplan.explore.sensitivity",
    "optimize": "cnplan.explore.optimize",
}


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'cnplan' has no attribute {name!r}")


__all__ = ["__version__", *_API]
