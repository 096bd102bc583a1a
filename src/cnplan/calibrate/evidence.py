"""What the evidence says about each lever, in words every output can show.

The declarations are in :data:`cnplan.plans.levers.LEVER_EVIDENCE`; this module turns one into a
short label ("fitted to data", "published estimate [UNODC2019PNIS]", "assumption:
escort_productivity 10–50 ha/yr") and a record for ``run.json``, with the range of the
parameter that carries the lever from :data:`cnplan.model.parameters.SPECS`. Inputs of an
experiment that are model parameters, not levers, get the same kind of label (fitted when
:data:`cnplan.calibrate.FITTED` holds them).
"""

from __future__ import annotations

import re

from cnplan.calibrate.abc import FITTED
from cnplan.i18n import N_
from cnplan.i18n import gettext as _
from cnplan.model.parameters import SPECS
from cnplan.plans.levers import LEVER_EVIDENCE

KIND_WORDS = {
    "fitted": N_("fitted to data"),
    "published": N_("published estimate"),
    "assumption": N_("assumption"),
}
_KEY = re.compile(r"\[[A-Z][A-Za-z]*\d{4}[A-Za-z]*\]")


def _range(name: str) -> str:
    spec = SPECS[name]
    unit = "" if spec.unit in ("1", "") else f" {spec.unit}"
    return f"{name} {spec.low:g}–{spec.high:g}{unit}"


def lever_label(lever: str) -> str:
    """One short label: the kind, and its key (published) or range (assumption)."""
    ev = LEVER_EVIDENCE.get(lever)
    if ev is None:
        return _("not declared")
    word = _(KIND_WORDS[ev.kind])
    if ev.kind == "published":
        return f"{word} {' '.join(dict.fromkeys(_KEY.findall(ev.basis)))}".strip()
    if ev.kind == "assumption":
        return f"{word}: {_range(ev.parameters[0]) if ev.parameters else ev.basis}"
    return word


def lever_record(lever: str) -> dict[str, object]:
    """The record stored in ``run.json`` (English words, like the rest of the file)."""
    ev = LEVER_EVIDENCE[lever]
    return {
        "kind": ev.kind,
        "label": lever_label(lever),
        "parameters": {p: [SPECS[p].low, SPECS[p].high] for p in ev.parameters},
        "basis": ev.basis,
    }


def input_label(name: str) -> str:
    """The label of an experiment input: a lever (``ad_funding`` or ``ad_funding.vraem``) or a
    model parameter, bare or as an experiment column (``lever:ad_funding.vraem``,
    ``param:replant_share``); empty for anything else (a driver, a policy switch).
    """
    name = name.removeprefix("lever:").removeprefix("param:")
    lever = name.split(".")[0].split("[")[0]
    if lever in LEVER_EVIDENCE:
        return lever_label(lever)
    if name in SPECS:
        if name in FITTED:
            return _(KIND_WORDS["fitted"])
        keys = _KEY.findall(SPECS[name].source)
        if keys and not SPECS[name].source.startswith("assumption"):
            return f"{_(KIND_WORDS['published'])} {keys[0]}"
        return f"{_(KIND_WORDS['assumption'])}: {_range(name)}"
    return ""


def plan_evidence(levers: list[str]) -> dict[str, dict[str, object]]:
    """Records of the given levers (a plan's), in declaration order."""
    return {lever: lever_record(lever) for lever in LEVER_EVIDENCE if lever in levers}
