"""Plans: the schema, the lever catalogue and the built-in plans (e.g. ``lima-2005``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cnplan.plans.levers import LEVERS, NATIONAL, LeverSpec
from cnplan.plans.schema import Plan, PlanError, parse_plan
from cnplan.yamlio import YamlError, load_yaml, read_text

DEFAULT_PLAN = "lima-2005"


def builtin_plans() -> list[str]:
    """Names of the plans shipped with cnplan."""
    folder = resources.files("cnplan.plans") / "builtin"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def plan_text(name_or_path: str | Path) -> tuple[str, str]:
    """The YAML text of a built-in plan or a plan file, and a label naming where it came from."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise PlanError(str(path), ["file not found"])
        try:
            return read_text(path), path.name
        except YamlError as exc:
            raise PlanError(path.name, [str(exc)]) from None
    name = str(name_or_path)
    if name not in builtin_plans():
        known = ", ".join(builtin_plans())
        raise PlanError(name, [f"no such built-in plan or file; built-in plans are {known}"])
    folder = resources.files("cnplan.plans") / "builtin"
    text = (folder / f"{name}.yaml").read_text(encoding="utf-8")
    return text, f"{name}.yaml"


def load_plan(name_or_path: str | Path = DEFAULT_PLAN) -> Plan:
    """Load and validate a plan by built-in name or path; raise PlanError listing every problem."""
    text, label = plan_text(name_or_path)
    try:
        raw = load_yaml(text)
    except YamlError as exc:
        raise PlanError(label, [str(exc)]) from None
    return parse_plan(raw, label)


__all__ = [
    "DEFAULT_PLAN",
    "LEVERS",
    "NATIONAL",
    "LeverSpec",
    "Plan",
    "PlanError",
    "builtin_plans",
    "load_plan",
    "parse_plan",
    "plan_text",
]
