"""Goals and bands of the built-in plans before and after the issue-13 engine change.

Issue 13's bar: ``cnplan run`` on both built-in plans gives the same goal probabilities and
bands as before the change within Monte Carlo noise, except where a rule changed on purpose.
Later work changed the shipped parameters (pooled calibration) and made runs start from a
particle-filtered state; this script separates those causes by running the same plan, seed
and number of futures under several set-ups, each in its own subprocess with its own
``PYTHONPATH`` (an old checkout's ``cnplan`` cannot be imported beside the current one):

  A  old code (--old-src, e.g. bd2403b, main just before issue 13 merged), its shipped parameters
  B0 issue-13 merge (--mid-src, e.g. 7c35371), A's parameter file, both of issue 13's
     deliberate rule changes undone in the subprocess (see ``_restore_old_rules``)
  B1 as B0 but only the funding order undone (year-before eradication spread by standing coca)
  B  issue-13 merge as it is, A's parameter file
  C  this checkout, A's parameters, data start, displacement to every unit of the country
  D  this checkout, A's parameters, data start (displacement to polygon neighbours)
  E  this checkout, A's parameters, filtered start (what cnplan run does with --params)
  F  this checkout, shipped parameters, data start
  G  this checkout, shipped parameters, filtered start = what ``cnplan run PLAN`` does

"data start": the engine starts from the data's values in the year before the plan (as before
the filter existed); "filtered": :func:`cnplan.calibrate.filter.run_start`. Set-ups whose
checkout is not given are left out.

Monte Carlo noise: each step between two set-ups is tested as two independent samples (same
seed, but the random streams of different code or parameters are not matched): a
two-proportion z-test for goal probabilities, a standard error from the binomial confidence
interval of the order statistic for medians and percentiles (``sqrt(q(1-q)/n)`` in rank,
mapped to hectares by the sample's spacing), and the standard error of the mean for
eradication. ``|z| > 3`` is marked as beyond noise. Not part of the test suite (it needs an
old checkout).

    git worktree add --detach ../cnplan-old bd2403b
    git worktree add --detach ../cnplan-mid 7c35371
    python benchmarks/goals_before_after.py --old-src ../cnplan-old/src \
        --mid-src ../cnplan-mid/src --seed-sweep 5     # about 10 minutes on one core
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()
NEW_SRC = HERE.parents[1] / "src"
PLANS = ("lima-2005", "peru-baseline")
GOALS = ("hold_the_line", "marginal_producer", "stability_point")
QUANTILES = (0.1, 0.5, 0.9)
SETUPS = {
    "A": "old code, old params",
    "B0": "issue-13 merge, old params, both old rules restored",
    "B1": "issue-13 merge, old params, old funding order restored",
    "B": "issue-13 merge, old params",
    "C": "main, old params, data start, all-to-all displacement",
    "D": "main, old params, data start",
    "E": "main, old params, filtered start",
    "F": "main, new params, data start",
    "G": "main, new params, filtered start (= cnplan run)",
}
# Each step isolates one cause (the set-ups differ in that cause only).
STEPS = (
    ("B0-A", "B0", "A", "issue 13's refactoring alone (its two rule changes undone)"),
    ("B1-B0", "B1", "B0", "issue 13: year-before eradication spread by standing coca"),
    ("B-B1", "B", "B1", "issue 13: forced eradication paid from what standing programmes leave"),
    ("C-B", "C", "B", "engine work after issue 13 but the neighbour kernel (compiled kernel, ...)"),
    ("D-C", "D", "C", "displacement only to polygon neighbours (space work)"),
    ("E-D", "E", "D", "filtered start, old params"),
    ("F-D", "F", "D", "new (pooled) calibration, data start"),
    ("G-F", "G", "F", "filtered start, new params"),
    ("G-A", "G", "A", "everything: cnplan run now against before issue 13"),
)


# ---------------------------------------------------------------- worker (runs in a subprocess)


def _restore_old_rules(rules: list[str]) -> None:
    """Undo issue 13's two deliberate rule changes in the issue-13 checkout (commit ba3d11d:
    "with both old rules restored the built-in plans' ensembles are identical to before"), to
    show what each changes. ``funding``: one coverage for every programme, eradication
    included (before: forced eradication was paid from what the standing programmes leave);
    ``spread``: the year-before eradication split like the plan's first-year targets (before:
    by standing coca). Both copy the code of the commit before issue 13.
    """
    import numpy as np

    if "funding" in rules:
        import cnplan.model.mechanisms as mechanisms

        def funding(domestic, aid, standing_cost, eradication_cost):
            total = np.maximum(standing_cost + eradication_cost, 1e-9)
            coverage = np.minimum(1.0, (domestic + aid) / total)
            return np.minimum(1.0, domestic / total), coverage, coverage

        mechanisms.funding = funding
    if "spread" in rules:
        import cnplan.model.inputs as model_inputs

        def spread_eradication(total, pattern, area0):
            weights = np.where(pattern.sum(axis=-1, keepdims=True) > 0, pattern, area0)
            return total * weights / weights.sum(axis=-1, keepdims=True)

        model_inputs.spread_eradication = spread_eradication


def _worker(spec: dict) -> dict:
    """Simulate one plan under one set-up with whichever cnplan is on the path; summarise it.

    Written against the API both old and new checkouts share (simulate, goal_summary, the
    ensemble's ``national_ha`` and ``forced_eradication_ha``); the filtered start and the
    displacement switch are used only where the checkout has them.
    """
    import hashlib
    import inspect

    import numpy as np

    import cnplan
    from cnplan.data import load_dataset
    from cnplan.model import ParameterSet, default_parameter_set, simulate
    from cnplan.plans import load_plan
    from cnplan.runs import goal_summary

    plan = load_plan(spec["plan"])
    data = load_dataset(plan.data)
    pset = ParameterSet.load(spec["params"]) if spec["params"] else default_parameter_set(data.name)
    _restore_old_rules(spec.get("old_rules", []))
    if spec["all_to_all"]:
        import cnplan.model.inputs as model_inputs

        # No polygon links: the geography's default kernel, every unit of the country.
        model_inputs.spatial_links = lambda data, units: None
    kwargs = {}
    start_note = "data"
    if spec["filtered"] and "start" in inspect.signature(simulate).parameters:
        from cnplan.calibrate.filter import run_start

        start = run_start(plan, data, pset, seed=spec["seed"])
        kwargs["start"] = start
        start_note = "filtered" if start is not None else "data (no filter for this plan)"
    ds = simulate(plan, data, n=spec["n"], seed=spec["seed"], parameter_set=pset, **kwargs)
    goals = goal_summary(ds, plan).set_index("goal")["probability"]
    coca = ds["national_ha"].sel(crop="coca")
    bands = {str(y): [float(coca.sel(year=y).quantile(q)) for q in QUANTILES] +
             [sorted(coca.sel(year=y).values.tolist())] for y in spec["years"]}
    delivered = ds["forced_eradication_ha"].sum("zone").mean("year").values
    planned = (ds["eradication_planned_ha"].sum("zone").mean("year").values
               if "eradication_planned_ha" in ds else None)
    params_file = Path(spec["params"]) if spec["params"] else None
    return {
        "cnplan": str(Path(cnplan.__file__).parents[1]),
        "params": pset.name + (f" ({hashlib.sha256(params_file.read_bytes()).hexdigest()[:8]})"
                               if params_file else " (shipped)"),
        "start": start_note,
        "n": int(ds.sizes["scenario"]),
        "goals": {g: float(goals[g]) for g in GOALS if g in goals.index},
        "coca": bands,
        "delivered": [float(np.mean(delivered)), float(np.std(delivered, ddof=1))],
        "planned": None if planned is None else float(np.mean(planned)),
        "rows": int(np.unique(ds["parameters"].values, axis=0).shape[0]),
    }


# ---------------------------------------------------------------- statistics


def prop_z(p1: float, p2: float, n1: int, n2: int) -> float:
    """Two-proportion z statistic of p1 - p2 (pooled variance); 0 when both are 0 or 1."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    return 0.0 if var <= 0 else (p1 - p2) / math.sqrt(var)


def quantile_se(sorted_values: list[float], q: float) -> float:
    """Standard error of the sample q-quantile: the rank's binomial sd (``sqrt(n q (1-q))``)
    turned into hectares by the spread of the order statistics that far either side.
    """
    n = len(sorted_values)
    half = 1.96 * math.sqrt(n * q * (1 - q))
    lo = sorted_values[max(0, int(math.floor(q * n - half)))]
    hi = sorted_values[min(n - 1, int(math.ceil(q * n + half)))]
    return (hi - lo) / (2 * 1.96)


def diff_z(a: float, b: float, se_a: float, se_b: float) -> float:
    """z of a - b for two independent estimates; 0 when both standard errors are 0."""
    se = math.hypot(se_a, se_b)
    return 0.0 if se == 0 else (a - b) / se


# ---------------------------------------------------------------- running the set-ups


def run_setup(src: Path, spec: dict) -> dict:
    """One set-up in a subprocess whose ``cnplan`` is the one under ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, str(HERE), "--worker", json.dumps(spec)],
                          env=env, capture_output=True, text=True, check=False,
                          cwd=str(src.parent))
    if proc.returncode != 0:
        raise SystemExit(f"set-up failed under {src}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def setups(args: argparse.Namespace) -> dict[str, tuple[Path, dict]]:
    """The set-ups this invocation can run: (src, spec options) by letter."""
    old_params = args.old_params or (
        args.old_src / "cnplan/model/calibrated/peru.json" if args.old_src else None)
    chosen: dict[str, tuple[Path, dict]] = {}
    if args.old_src:
        chosen["A"] = (args.old_src, {"params": None, "filtered": False, "all_to_all": False})
    if args.mid_src:
        for key, rules in (("B0", ["funding", "spread"]), ("B1", ["funding"]), ("B", [])):
            chosen[key] = (args.mid_src, {"params": str(old_params) if old_params else None,
                                          "filtered": False, "all_to_all": False,
                                          "old_rules": rules})
    if old_params:
        for key, filtered, all_to_all in (("C", False, True), ("D", False, False),
                                          ("E", True, False)):
            chosen[key] = (NEW_SRC, {"params": str(old_params), "filtered": filtered,
                                     "all_to_all": all_to_all})
    chosen["F"] = (NEW_SRC, {"params": None, "filtered": False, "all_to_all": False})
    chosen["G"] = (NEW_SRC, {"params": None, "filtered": True, "all_to_all": False})
    return chosen


def plan_years(plan: str) -> list[int]:
    """The second, sixth and last year of each built-in plan (its start year + 1, + 5, end)."""
    return {"lima-2005": [2006, 2010, 2015], "peru-baseline": [2026, 2030, 2035]}[plan]


# ---------------------------------------------------------------- printing


def _metrics(result: dict) -> dict[str, tuple[float, float, str]]:
    """Every compared number of one run: value, its standard error, and its display kind."""
    n = result["n"]
    rows: dict[str, tuple[float, float, str]] = {}
    for goal, p in result["goals"].items():
        rows[f"P({goal})"] = (p, math.sqrt(p * (1 - p) / n), "p")
    for year, (p10, p50, p90, values) in result["coca"].items():
        for q, v in zip(QUANTILES, (p10, p50, p90), strict=True):
            rows[f"coca {year} p{int(q * 100)}"] = (v, quantile_se(values, q), "ha")
    mean, sd = result["delivered"]
    rows["erad. delivered ha/yr"] = (mean, sd / math.sqrt(n), "ha")
    if result["planned"] is not None:
        rows["erad. planned ha/yr"] = (result["planned"], 0.0, "ha")
    rows["distinct parameter rows"] = (result["rows"], 0.0, "count")
    return rows


def _fmt(value: float, kind: str) -> str:
    return f"{value:.3f}" if kind == "p" else f"{value:,.0f}"


def print_plan(plan: str, results: dict[str, dict]) -> None:
    """The values table (metric x set-up) and the steps table (differences with z) of one plan."""
    metrics = {k: _metrics(r) for k, r in results.items()}
    letters = list(results)
    names = list(dict.fromkeys(m for k in letters for m in metrics[k]))
    print(f"\n### {plan}\n")
    print("| metric | " + " | ".join(letters) + " |")
    print("|---|" + "---:|" * len(letters))
    for name in names:
        cells = [_fmt(metrics[k][name][0], metrics[k][name][2]) if name in metrics[k] else "–"
                 for k in letters]
        print(f"| {name} | " + " | ".join(cells) + " |")
    steps = [s for s in STEPS if s[1] in results and s[2] in results]
    print("\nDifferences (z in brackets; ** where |z| > 3):\n")
    print("| metric | " + " | ".join(s[0] for s in steps) + " |")
    print("|---|" + "---:|" * len(steps))
    for name in [m for m in names if not m.startswith("distinct")]:
        cells = []
        for _, a, b, _why in steps:
            if name not in metrics[a] or name not in metrics[b]:
                cells.append("–")
                continue
            (va, sa, kind), (vb, sb, _k) = metrics[a][name], metrics[b][name]
            if kind == "p":
                z = prop_z(va, vb, results[a]["n"], results[b]["n"])
            else:
                z = diff_z(va, vb, sa, sb)
            mark = "**" if abs(z) > 3 else ""
            cells.append(f"{mark}{_fmt(va - vb, kind)} ({z:+.1f}){mark}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def seed_sweep(chosen: dict[str, tuple[Path, dict]], seeds: int, n: int) -> None:
    """peru-baseline under the data start (F) and the filtered start (E, G) for seeds 0..K-1.

    The filtered start's parameter rows are those that survive the particle filter; when only
    one or two survive, which ones depends on the seed, and so do the run's numbers, by far more
    than the futures' Monte Carlo noise within one run.
    """
    plan = "peru-baseline"
    print(f"\n### {plan}: seeds 0-{seeds - 1}, {n} futures each\n")
    print("| set-up | seed | P(hold_the_line) | coca 2035 p50 | erad. delivered ha/yr | "
          "distinct parameter rows |")
    print("|---|---:|---:|---:|---:|---:|")
    for letter in [k for k in ("F", "E", "G") if k in chosen]:
        src, options = chosen[letter]
        for seed in range(seeds):
            spec = dict(options, plan=plan, n=n, seed=seed, years=[2035])
            r = run_setup(src, spec)
            print(f"| {letter} | {seed} | {r['goals']['hold_the_line']:.3f} | "
                  f"{r['coca']['2035'][1]:,.0f} | {r['delivered'][0]:,.0f} | {r['rows']} |",
                  flush=True)


def main() -> None:
    """Parse arguments; as ``--worker`` run one set-up, else run them all and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--old-src", type=Path, help="src/ of a checkout before issue 13")
    parser.add_argument("--mid-src", type=Path, help="src/ of the issue-13 merge commit")
    parser.add_argument("--old-params", type=Path,
                        help="old parameter file (default: OLD_SRC's calibrated/peru.json)")
    parser.add_argument("-n", type=int, default=2000, help="futures per run (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plans", nargs="*", default=list(PLANS))
    parser.add_argument("--seed-sweep", type=int, default=0, metavar="K",
                        help="also run peru-baseline's F, E, G set-ups for seeds 0..K-1")
    parser.add_argument("--sweep-n", type=int, default=500, help="futures per sweep run")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(json.loads(args.worker))))
        return
    chosen = setups(args)
    print(f"{args.n} futures per run, seed {args.seed}")
    for letter, (src, _spec) in chosen.items():
        print(f"  {letter}: {SETUPS[letter]}  [{src}]")
    for plan in args.plans:
        results: dict[str, dict] = {}
        for letter, (src, options) in chosen.items():
            spec = dict(options, plan=plan, n=args.n, seed=args.seed, years=plan_years(plan))
            results[letter] = run_setup(src, spec)
            r = results[letter]
            print(f"  {plan} {letter}: params {r['params']}, start {r['start']}", flush=True)
        print_plan(plan, results)
    print("\nSteps:")
    for label, _a, _b, why in STEPS:
        print(f"  {label}: {why}")
    if args.seed_sweep:
        seed_sweep(chosen, args.seed_sweep, args.sweep_n)


if __name__ == "__main__":
    main()
