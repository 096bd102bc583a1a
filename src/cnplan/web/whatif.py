"""What-if and side by side in the web app: the lever form of a run's page and the comparison
page, built on :mod:`cnplan.plans.variant` and :mod:`cnplan.runs.compare` (the same code as
``cnplan run --set`` and ``cnplan compare``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cnplan import terms
from cnplan.i18n import gettext as _


def variant_choices(run: dict[str, Any]) -> dict[str, Any]:
    """What the run page's lever form offers: every lever (name, unit, scope), every zone,
    group and country of the run's data, and the run's years.
    """
    from cnplan.data import DataError, load_dataset
    from cnplan.plans import LEVERS
    from cnplan.plans.variant import scopes_of

    levers = [{"id": k, "name": terms.lever_name(k), "unit": terms.unit(v.unit),
               "scope": v.scope} for k, v in LEVERS.items()]
    try:
        scopes = list(scopes_of(load_dataset(str(run.get("data") or "peru"))))
    except DataError:
        scopes = ["national"]
    years = run.get("years") or []
    return {"levers": levers, "scopes": scopes, "years": years}


def change_text(lever: str, where: str, first: str, last: str, value: str) -> str:
    """The ``--set`` text of the lever form: ``lever[.where][[first-last]]=value``.

    Nothing is checked here: the text goes through the same parser as the command line, whose
    located messages are shown next to the form.
    """
    text = lever.strip()
    if where.strip():
        text += "." + where.strip()
    first, last = first.strip(), last.strip()
    if first and last:
        text += f"[{first}-{last}]"
    elif first:
        text += f"[{first}]"
    return f"{text}={value.strip()}"


def comparison_context(folders: list[Path]) -> dict[str, Any]:
    """The comparison of two or more run folders, as the comparison page shows it."""
    from cnplan.report.compare_report import compare_chart, cost_rows, goal_rows, lever_rows
    from cnplan.runs.compare import compare_folders

    comparison = compare_folders(folders)
    chart = compare_chart(comparison)
    return {
        "labels": comparison.labels,
        "ids": [f.name for f in folders],
        "sides": [{"label": s.label, "id": s.folder.name if s.folder else "",
                   "title": s.plan.title or s.plan.name,
                   "variant": [c["text"] for c in s.meta.get("variant") or []]}
                  for s in comparison.sides],
        "paired": comparison.paired,
        "base": comparison.labels[0],
        "goals": goal_rows(comparison),
        "levers": lever_rows(comparison),
        "cost": cost_rows(comparison),
        "chart": {"src": chart.data_uri(), "alt": chart.alt, "title": chart.title},
        "note": _("Differences are against %(base)s, in percentage points ± one Monte Carlo "
                  "standard error.") % {"base": comparison.labels[0]},
    }


def _records(frame: Any) -> list[dict[str, Any]]:
    """A table as JSON records, NaN as null."""
    import json

    return json.loads(frame.to_json(orient="records"))


def comparison_json(folders: list[Path]) -> dict[str, Any]:
    """The comparison of run folders as plain JSON (the API's ``/api/compare``)."""
    from cnplan.runs.compare import compare_folders

    comparison = compare_folders(folders)
    return {
        "runs": [{"id": f.name, "label": s.label} for f, s in
                 zip(folders, comparison.sides, strict=True)],
        "paired": comparison.paired,
        "goals": _records(comparison.goals.drop(columns=["description"])),
        "bands": _records(comparison.bands),
        "levers": _records(comparison.levers),
        "cost_musd": _records(comparison.cost),
    }
