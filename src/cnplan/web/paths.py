"""Names from requests turned into paths inside the home folder, or refused.

Every run id, exploration name and saved-plan name that arrives in a URL or a form passes
:func:`check_name` (a strict pattern: no separators, no ``..``, no leading dot) and
:func:`inside` (the resolved path, after following symlinks, must stay under its root). A name
that fails either is reported as not found: nothing outside the home folder is ever read.
"""

from __future__ import annotations

import re
from pathlib import Path

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$")
"""Letters, digits, ``-``, ``_`` and single dots between them; at most :data:`MAX_LEN` long."""

MAX_LEN = 120


class UnsafeName(ValueError):
    """A name that is not allowed to become a path."""


def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it matches :data:`NAME`; raise :class:`UnsafeName` otherwise."""
    if not isinstance(name, str) or len(name) > MAX_LEN or not NAME.fullmatch(name):
        raise UnsafeName(
            f"{what}: expected letters, digits, '-', '_' and single dots (at most {MAX_LEN} "
            f"characters, not starting with a dot), got {str(name)[:MAX_LEN]!r}"
        )
    return name


def inside(root: Path, name: str, what: str = "name") -> Path:
    """The path of ``name`` directly under ``root``, refusing anything that resolves elsewhere."""
    check_name(name, what)
    base = root.resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise UnsafeName(f"{what}: {name!r} leads outside {base.name}/")
    return path
