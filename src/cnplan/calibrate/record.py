"""The model's out-of-sample forecast record, stated by every run.

A user reading a run's goal probabilities should also read how well the same model and fitting
procedure forecast years it had not seen. ``docs/gen_validation.py`` writes :data:`RECORD` from
the rolling-origin evaluation of each shipped dataset (:mod:`cnplan.calibrate.rolling`: a fit at
every cut-off, pooled as the shipped sets are); ``cnplan run`` copies the dataset's entry into
``run.json`` (``forecast_record``), prints it in one sentence and the report shows it. A dataset
without an entry (e.g. one imported by the user) gets a note saying it was never evaluated and
the command that evaluates it. The figures are those of ``docs/validation.md``, generated in the
same run of the script.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cnplan
from cnplan.i18n import gettext as _

RECORD = Path(__file__).with_name("forecast_record.json")
GROUPS = ("1-3", "4-8")
FIELDS = ("n", "skill_random_walk", "coverage_90", "coverage_50", "mape")


def record_entry(result) -> dict[str, Any]:
    """A rolling evaluation (:class:`cnplan.calibrate.rolling.Rolling`) as a record entry: the
    conditional forecast's scores by horizon group.
    """
    summary = result.summary().set_index(["forecaster", "horizon"])
    horizons = {}
    for group in GROUPS:
        if ("conditional", group) in summary.index:
            row = summary.loc[("conditional", group)]
            horizons[group] = {f: (int(row[f]) if f == "n" else round(float(row[f]), 4))
                               for f in FIELDS}
    cuts = [c.cutoff for c in result.cutoffs]
    return {"country": result.country, "cutoffs": [min(cuts), max(cuts)],
            "n_cutoffs": len(cuts), "pooled_with": list(result.pooled_with),
            "fit": f"{result.particles} particles x {result.generations} generations",
            "horizons": horizons}


def write_record(results: dict, path: Path = RECORD) -> None:
    """Write the record of every dataset in ``results`` (name -> rolling evaluation)."""
    doc = {"generated": datetime.now(UTC).date().isoformat(),
           "code_version": cnplan.__version__,
           "command": "python docs/gen_validation.py",
           "details": "docs/validation.md",
           "forecast": "conditional (the eradication done in the test years as input)",
           "datasets": {name: record_entry(res) for name, res in results.items()}}
    path.write_text(json.dumps(doc, indent=2) + "\n")


def forecast_record(data_name: str, path: Path = RECORD) -> dict[str, Any]:
    """The record of ``data_name`` (with the file's provenance), or a note that there is none."""
    doc = json.loads(path.read_text()) if path.exists() else {"datasets": {}}
    entry = doc["datasets"].get(data_name)
    if entry is None:
        return {"evaluated": False,
                "note": f"no out-of-sample evaluation of dataset {data_name!r} ships with "
                        f"cnplan; run: cnplan backtest --rolling --data {data_name}"}
    head = {k: doc[k] for k in ("generated", "code_version", "command", "details", "forecast")}
    return {"evaluated": True, **head, **entry}


def record_sentence(record: dict[str, Any]) -> str:
    """The record in one sentence, for the terminal and the report."""
    if not record.get("evaluated"):
        return _("Out-of-sample record: none (%(note)s).") % {"note": record["note"]}
    h = record["horizons"]
    skill = ", ".join(f"{h[g]['skill_random_walk']:+.2f} " + _("at %(g)s years") % {"g": g}
                      for g in GROUPS if g in h)
    held = ", ".join(f"{h[g]['coverage_90']:.0%}" for g in GROUPS if g in h)
    return _("Out-of-sample record of the calibrated model on this dataset (rolling origin, "
             "%(n)s cut-offs %(first)s-%(last)s, %(details)s): CRPS skill against a "
             "no-change forecast %(skill)s (above 0: better than no change); its 90%% bands "
             "held %(held)s of the later surveys (1-3 and 4-8 years ahead).") % {
        "n": record["n_cutoffs"], "first": record["cutoffs"][0], "last": record["cutoffs"][1],
        "details": record["details"], "skill": skill, "held": held}
