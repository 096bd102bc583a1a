"""The text of a new plan file: the commented template, or a copy of an existing plan."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from cnplan.plans import plan_text

_NAME_LINE = re.compile(r"^name:[^\n]*$", re.MULTILINE)


def template_text() -> str:
    """The commented template shipped with cnplan (a valid plan that explains every field)."""
    return (resources.files("cnplan.plans") / "template.yaml").read_text(encoding="utf-8")


def new_plan_text(name: str, base: str | Path | None = None) -> str:
    """YAML text for a new plan called ``name``, starting from ``base`` or the template.

    The text is copied rather than re-dumped from the parsed plan, so the comments that cite
    sources and state assumptions survive; only the top-level ``name:`` line is rewritten.

    Parameters
    ----------
    name
        The new plan's name (usually the file's stem).
    base
        A built-in plan name or a plan file to start from; ``None`` for the template.
    """
    text = template_text() if base is None else plan_text(base)[0]
    new_line = f"name: {name}"
    if _NAME_LINE.search(text):
        return _NAME_LINE.sub(lambda _: new_line, text, count=1)
    return f"{new_line}\n{text}"
