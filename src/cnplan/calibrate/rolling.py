"""Rolling-origin evaluation: fit at every cut-off, forecast what followed, score by horizon.

The standard of forecasting practice (Hyndman & Athanasopoulos 2021 [Hyndman2021], "evaluation
on a rolling forecasting origin"): the model is fitted to the observations up to each cut-off,
from the fifth observed year of the simulated window to the second-to-last, and forecasts each
following observed year up to ``horizon`` years ahead. Nothing after a cut-off enters its fit,
its zone weights, land caps, structural error or baselines.

Two model forecasts are scored at every cut-off:

- *conditional*: the observed eradication of the test years is the input ("what the model says
  given what was done");
- *unconditional*: the status-quo plan from the cut-off, i.e. forced eradication held at its
  latest full-year national level observed up to the cut-off (the rule of
  :mod:`cnplan.plans.status_quo`, applied to the data an analyst had that year).

Each cut-off's fit has the size of a shipped calibration (``ROLLING_PARTICLES`` particles,
``ROLLING_GENERATIONS`` generations); ``docs/validation.md`` compares two seeds at one cut-off.

Each cut-off's fit sees only the data up to it (:func:`known_at`): its training years'
eradication is bridged from what was known then.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cnplan import progress
from cnplan.calibrate.filter import filter_history, with_process_sd
from cnplan.calibrate.filter import forecast_from as filter_forecast
from cnplan.calibrate.fit import _sim, calibrate, calibrate_pooled
from cnplan.calibrate.forecast import anchored_forecast, structural_error
from cnplan.calibrate.history import (
    eradication_input,
    history_inputs,
    known_at,
)
from cnplan.calibrate.scores import (
    BASELINES,
    baseline_ensembles,
    crps_ensemble,
    interval_hits,
)
from cnplan.data import Dataset
from cnplan.i18n import gettext
from cnplan.model import ParameterSet

ROLLING_PARTICLES = 500
ROLLING_GENERATIONS = 14
"""Each cut-off's fit is as large as ``cnplan calibrate``'s default (a test keeps them equal):
smaller fits (300 x 4) scored the model up to 2.7 times better in CRPS at a cut-off than the
full-size fit, so the evaluation uses the fit users get."""
FIRST_CUTOFF_OBS = 5
"""Cut-offs start at the fifth observed year of the simulated window (fewer cannot fit a trend
baseline or estimate a yearly spread)."""
HORIZON_GROUPS = (("1-3", 1, 3), ("4-8", 4, 8))
KINDS = ("conditional", "unconditional")
FILTER_PARTICLES = 1000
"""Particles of the state filter at each cut-off (the forecast ensemble's size)."""

DEVIDA_CUTOFF = 2022
DEVIDA_PROJECTIONS = {
    "Peru": {
        2023: (109_250.0, "=", "DEVIDA's trend projection for 2023 (peru SOURCES.md S36, S38)"),
        2024: (125_000.0, ">", "DEVIDA's trend projection for 2024, 'over 125,000 ha' "
               "(peru SOURCES.md S40)"),
    }
}
"""Published projections by the national agency (as reported with the 2023 and 2024 surveys),
compared with the unconditional forecast made with data up to ``DEVIDA_CUTOFF``. A '>' value
is a lower bound, scored at its bound (which favours DEVIDA)."""


def cutoffs(data: Dataset, start_year: int = 2005) -> list[int]:
    """Every cut-off: from the fifth observed year from ``start_year`` to the second-to-last."""
    national = data.national("coca_ha").dropna()
    seen = [int(y) for y in national.index if int(y) >= start_year]
    if len(seen) < FIRST_CUTOFF_OBS + 1:
        raise ValueError(
            f"{data.name}: a rolling evaluation needs at least {FIRST_CUTOFF_OBS + 1} observed "
            f"years of coca_ha from {start_year}; the data has {len(seen)}"
        )
    return seen[FIRST_CUTOFF_OBS - 1 : -1]


def status_quo_eradication(data: Dataset, cutoff: int) -> tuple[float, str]:
    """Forced eradication an analyst at ``cutoff`` would hold for the years after it: the
    history input's own bridging of the data known then (after the last figure, held at it;
    the forced kinds added, aerial hectares at the manual equivalent).
    """
    known = known_at(data, cutoff)
    first = int(known.observations["year"].min())
    held = eradication_input(known, np.arange(first, cutoff + 2))[-1]
    return held.value, f"{held.value:,.0f} ha ({held.rule})"


def model_paths(inputs, theta: np.ndarray, train: np.ndarray, rng: np.random.Generator):
    """The model's forecast ensemble for the years after the last training observation."""
    years = inputs.years
    coca, _, _ = _sim(inputs, theta, rng)
    error = structural_error(years, train, _sim(inputs, theta)[0])
    return anchored_forecast(years, train, coca, error, rng), error


@dataclass
class CutoffResult:
    """One cut-off's scored rows (one per kind, test year and forecaster)."""

    cutoff: int
    rows: list[dict]
    in_sample_mape: float
    status_quo: str
    years: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # scored test years
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ensembles: dict[str, np.ndarray] = field(default_factory=dict)  # model kinds and the RW
    weights: dict[str, dict] = field(default_factory=dict)  # combination: kind -> group -> values


@dataclass
class Forecasts:
    """The model's forecast ensembles (M, H) from one cut-off, by kind, for ``years``."""

    cutoff: int
    years: np.ndarray
    ensembles: dict[str, np.ndarray]
    in_sample_mape: float
    status_quo: str


def forecast_from(
    data: Dataset, cutoff: int, end: int, start_year: int = 2005,
    particles: int = ROLLING_PARTICLES, generations: int = ROLLING_GENERATIONS, seed: int = 0,
    theta: np.ndarray | None = None, partners: tuple[Dataset, ...] = (),
) -> Forecasts:
    """Fit up to ``cutoff`` (unless ``theta``, parameter rows, is given; pooled with
    ``partners``' data known at the cut-off when any, as ``cnplan calibrate --data a,b``
    pools) and forecast to ``end`` from the state filtered through the observations up to the
    cut-off
    (:func:`cnplan.calibrate.filter.filter_history`): conditional (the test years' observed
    eradication), unconditional (eradication held at its level known at the cut-off), and, for
    comparison, the conditional forecast made the former way (each path scaled through the
    last observation, :func:`cnplan.calibrate.forecast.anchored_forecast`).
    """
    known = known_at(data, cutoff)
    in_sample = float("nan")
    if theta is None:
        fit = _fit_at(known, cutoff, start_year, particles, generations, seed, partners)
        pset, in_sample = fit.parameter_set, fit.in_sample_mape
    else:  # given rows: their process noise estimated on the same training years
        pset = with_process_sd(ParameterSet("given", theta, {}), known, cutoff, start_year, seed)
    filtered = filter_history(known, pset, until=cutoff, start_year=start_year,
                              particles=FILTER_PARTICLES, seed=seed)
    ensembles = {}
    for k, (kind, source) in enumerate((("conditional", data), ("unconditional", known))):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, cutoff, k)))
        years, ensembles[kind] = filter_forecast(filtered, source, end, rng, start_year)
    ensembles["conditional_anchored"] = _anchored(data, known, cutoff, end, start_year,
                                                  pset.samples, seed)
    _, sq_note = status_quo_eradication(data, cutoff)
    return Forecasts(cutoff, years, ensembles, in_sample, sq_note)


def _fit_at(known: Dataset, cutoff: int, start_year: int, particles: int, generations: int,
            seed: int, partners: tuple[Dataset, ...]):
    """The fit at ``cutoff`` of the data ``known`` then: alone, or pooled with ``partners``
    (each also cut at ``cutoff``: nothing observed after it enters the fit of any country).
    """
    if not partners:
        return calibrate(known, start_year, end_year=cutoff, until=cutoff, particles=particles,
                         generations=generations, seed=seed)
    pool = [known, *(known_at(p, cutoff) for p in partners)]
    return calibrate_pooled(pool, start_year, until=cutoff, particles=particles,
                            generations=generations, seed=seed)[known.name]


def _anchored(data, known, cutoff, end, start_year, theta, seed) -> np.ndarray:
    """The former conditional forecast: each posterior path scaled through the cut-off's
    observation, with the structural error's random walk.
    """
    inputs, _ = history_inputs(data, start_year, end, until=cutoff)
    years = inputs.years
    before = years <= cutoff
    erad = inputs.observed_eradication.copy()
    erad[before] = [b.value for b in eradication_input(known, years[before])]
    inputs = replace(inputs, observed_eradication=erad)
    national = data.national("coca_ha")
    train = np.where(before, national.reindex(years).to_numpy(float), np.nan)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, cutoff, 9)))
    paths, error = model_paths(inputs, theta, train, rng)
    return paths[:, years[years > error.last_year] > cutoff]


def evaluate_cutoff(
    data: Dataset, cutoff: int, horizon: int = 8, start_year: int = 2005,
    particles: int = ROLLING_PARTICLES, generations: int = ROLLING_GENERATIONS, seed: int = 0,
    partners: tuple[Dataset, ...] = (),
) -> CutoffResult:
    """Fit up to ``cutoff`` (pooled with ``partners`` when any); score both model forecasts
    and the baselines on what followed.
    """
    national = data.national("coca_ha")
    last = int(national.dropna().index.max())
    end = min(last, cutoff + horizon)
    fc = forecast_from(data, cutoff, end, start_year, particles, generations, seed,
                       partners=partners)
    ahead = fc.years
    seen = national.dropna()
    seen = seen[(seen.index >= start_year) & (seen.index <= cutoff)]
    base = baseline_ensembles(seen.index.to_numpy(int), seen.to_numpy(float), ahead)
    rows = []
    observed = national.reindex(ahead).to_numpy(float)
    ok = ~np.isnan(observed)
    for name, ens in [*fc.ensembles.items(), *base.items()]:
        crps = crps_ensemble(ens[:, ok], observed[ok])
        hit90 = interval_hits(ens[:, ok], observed[ok], 0.9)
        hit50 = interval_hits(ens[:, ok], observed[ok], 0.5)
        q = np.quantile(ens[:, ok], [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        for j, year in enumerate(ahead[ok]):
            rows.append({
                "cutoff": cutoff, "year": int(year), "horizon": int(year - cutoff),
                "forecaster": name, "observed": float(observed[ok][j]),
                "p05": float(q[0, j]), "p25": float(q[1, j]), "median": float(q[2, j]),
                "p75": float(q[3, j]), "p95": float(q[4, j]), "crps": float(crps[j]),
                "ape": float(abs(q[2, j] - observed[ok][j]) / observed[ok][j]),
                "in90": bool(hit90[j]), "in50": bool(hit50[j]),
            })
    keep = {k: fc.ensembles[k][:, ok] for k in KINDS}
    keep["random_walk"] = base["random_walk"][:, ok]
    return CutoffResult(cutoff, rows, fc.in_sample_mape, fc.status_quo, ahead[ok],
                        observed[ok], keep)


def _evaluate(args: tuple) -> CutoffResult:
    return evaluate_cutoff(*args)


@dataclass
class Rolling:
    """A rolling-origin evaluation of one dataset."""

    data: str
    country: str
    cutoffs: list[CutoffResult]
    horizon: int
    particles: int
    generations: int
    pooled_with: list[str] = field(default_factory=list)  # datasets each fit was pooled with

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([r for c in self.cutoffs for r in c.rows])

    def summary(self) -> pd.DataFrame:
        return summarize(self.frame(), self.horizon)

    def devida(self) -> list[dict]:
        return devida_comparison(self.country, self.frame())


def rolling_backtest(
    data: Dataset, horizon: int = 8, start_year: int = 2005,
    particles: int = ROLLING_PARTICLES, generations: int = ROLLING_GENERATIONS, seed: int = 0,
    workers: int = 1, partners: tuple[Dataset, ...] = (),
) -> Rolling:
    """Evaluate at every cut-off of ``data`` (in ``workers`` processes when above 1), each fit
    pooled with ``partners`` (cut at the same year) when any, as the shipped sets are.

    Each cut-off's seeds depend only on ``seed`` and the cut-off, so the result is the same for
    any number of workers.
    """
    partners = tuple(partners)
    cuts = cutoffs(data, start_year)
    task = gettext("backtest cut-offs (%(data)s)") % {"data": data.name}
    progress.step(task, 0, len(cuts))
    if workers > 1:
        args = [(data, c, horizon, start_year, particles, generations, seed, partners)
                for c in cuts]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = []
            for result in pool.map(_evaluate, args):
                results.append(result)
                progress.step(task, len(results), len(cuts))
    else:
        results = []
        for c in cuts:
            results.append(evaluate_cutoff(data, c, horizon, start_year, particles, generations,
                                           seed, partners))
            progress.step(task, len(results), len(cuts))
    add_combination(results)
    return Rolling(data.name, data.country, results, horizon, particles, generations,
                   [p.name for p in partners])


WEIGHT_GRID = np.linspace(0.0, 1.0, 11)
SPREAD_GRID = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)
"""Factors widening the model's ensemble around its median. The largest, 4, is above what
the long horizons' coverage asked for (the model's 90% band held about a third of the
observations 4-8 years ahead, as a band 3 to 4 times too narrow would); the grid is not meant
to bind."""
PRIOR_WEIGHT = 0.5
"""The model's weight (spread factor 1) while fewer than ``MIN_PAIRS`` earlier forecasts can
be scored."""
MIN_PAIRS = 3


def _widen(model: np.ndarray, spread: float) -> np.ndarray:
    """The ensemble's log deviations from its median multiplied by ``spread`` (per column)."""
    logs = np.log(np.maximum(model, 1e-9))
    med = np.median(logs, axis=0, keepdims=True)
    return np.exp(med + spread * (logs - med))


def _mixture(model: np.ndarray, rw: np.ndarray, w: float, spread: float = 1.0) -> np.ndarray:
    """A linear pool: ``w`` of the members from the model's ensemble (widened by ``spread``),
    the rest from the random walk's quantile grid (evenly spaced, keeping its shape).
    """
    m = model.shape[0]
    k = int(round(w * m))
    take = np.linspace(0, rw.shape[0] - 1, m - k).round().astype(int)
    part = _widen(model[:k], spread) if k else model[:0]
    return np.concatenate([part, rw[take]], axis=0)


Pair = tuple[np.ndarray, np.ndarray, float]  # model ensemble, random walk, observation


def _best_weight(pairs: list[Pair]) -> tuple[float, float]:
    """The (weight, spread) with the lowest mean CRPS over ``pairs``."""
    model = np.stack([p[0] for p in pairs], axis=1)
    rw = np.stack([p[1] for p in pairs], axis=1)
    observed = np.array([p[2] for p in pairs])
    best, arg = np.inf, (PRIOR_WEIGHT, 1.0)
    for spread in SPREAD_GRID:
        for w in WEIGHT_GRID:
            score = float(crps_ensemble(_mixture(model, rw, w, spread), observed).mean())
            if score < best - 1e-12:
                best, arg = score, (float(w), float(spread))
    return arg


def learned_weights(done: list[tuple[int, int, Pair]], cutoff: int) -> dict[str, dict]:
    """The combination's (weight, spread) for each horizon group at ``cutoff``, learned from
    ``done``, the earlier cut-offs' forecasts as (year, horizon, pair), on the years up to
    ``cutoff`` only.

    Each group learns from forecasts at its own horizons: errors grow with the horizon, so one
    pair for all horizons (the first version) widened the short horizons by the long ones'
    misses. A group with fewer than ``MIN_PAIRS`` such forecasts takes the previous (shorter)
    group's learned values, the nearest evidence there is; the first group, the prior.
    """
    out: dict[str, dict] = {}
    previous: dict | None = None
    for label, lo, hi in HORIZON_GROUPS:
        pairs = [p for year, h, p in done if year <= cutoff and lo <= h <= hi]
        if len(pairs) >= MIN_PAIRS:
            w, spread = _best_weight(pairs)
            entry = {"weight": w, "spread": spread, "pairs": len(pairs), "from": label}
        elif previous is not None:
            entry = {**previous, "pairs": len(pairs)}
        else:
            entry = {"weight": PRIOR_WEIGHT, "spread": 1.0, "pairs": len(pairs),
                     "from": "prior"}
        out[label] = previous = entry
    return out


def _group_of(horizon: int) -> str:
    """The horizon group of ``horizon`` years ahead (the last group beyond its end)."""
    return next((label for label, _, hi in HORIZON_GROUPS if horizon <= hi),
                HORIZON_GROUPS[-1][0])


def add_combination(results: list[CutoffResult]) -> None:
    """Score a combination of each model forecast with the random walk, in place.

    At each cut-off and for each horizon group, the model's weight (on a 0.1 grid) and a
    factor widening the model's ensemble around its median (``SPREAD_GRID``) are the pair that
    minimised the mean CRPS of the earlier cut-offs' forecasts, at that group's horizons, of
    years up to this cut-off, i.e. of years an analyst had already observed
    (:func:`learned_weights`): no test year of this cut-off, or any later year, enters them.
    The model's median, so its plan-to-plan differences, is unchanged by the widening.
    """
    for kind in KINDS:
        name = f"combined_{kind}"
        done: list[tuple[int, int, Pair]] = []
        for c in sorted(results, key=lambda r: r.cutoff):
            if kind not in c.ensembles:
                continue
            learned = learned_weights(done, c.cutoff)
            c.weights[kind] = learned
            model, rw = c.ensembles[kind], c.ensembles["random_walk"]
            pool = np.empty_like(model)
            for j, year in enumerate(c.years):
                got = learned[_group_of(int(year - c.cutoff))]
                pool[:, j] = _mixture(model[:, j:j + 1], rw[:, j:j + 1], got["weight"],
                                      got["spread"])[:, 0]
            crps = crps_ensemble(pool, c.observed)
            hit90 = interval_hits(pool, c.observed, 0.9)
            hit50 = interval_hits(pool, c.observed, 0.5)
            q = np.quantile(pool, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
            for j, year in enumerate(c.years):
                obs = float(c.observed[j])
                c.rows.append({
                    "cutoff": c.cutoff, "year": int(year), "horizon": int(year - c.cutoff),
                    "forecaster": name, "observed": obs, "p05": float(q[0, j]),
                    "p25": float(q[1, j]), "median": float(q[2, j]), "p75": float(q[3, j]),
                    "p95": float(q[4, j]), "crps": float(crps[j]),
                    "ape": float(abs(q[2, j] - obs) / obs), "in90": bool(hit90[j]),
                    "in50": bool(hit50[j]),
                })
                done.append((int(year), int(year - c.cutoff), (model[:, j], rw[:, j], obs)))


def _groups(horizon: int) -> list[tuple[str, int, int]]:
    groups = [(label, lo, min(hi, horizon)) for label, lo, hi in HORIZON_GROUPS if lo <= horizon]
    return groups + [(str(h), h, h) for h in range(1, horizon + 1)]


def summarize(frame: pd.DataFrame, horizon: int = 8) -> pd.DataFrame:
    """Scores by forecaster and horizon group: mean CRPS, MAPE of the median, coverage, and
    each model forecast's CRPS skill against each baseline (1 - CRPS / baseline CRPS).
    """
    out = []
    for label, lo, hi in _groups(horizon):
        part = frame[(frame["horizon"] >= lo) & (frame["horizon"] <= hi)]
        if part.empty:
            continue
        mean = part.groupby("forecaster")["crps"].mean()
        for name, rows in part.groupby("forecaster", sort=False):
            row = {
                "horizon": label, "forecaster": name, "n": len(rows),
                "crps": float(rows["crps"].mean()), "mape": float(rows["ape"].mean()),
                "coverage_90": float(rows["in90"].mean()),
                "coverage_50": float(rows["in50"].mean()),
            }
            for b in BASELINES:
                row[f"skill_{b}"] = float(1.0 - mean[name] / mean[b])
            out.append(row)
    return pd.DataFrame(out)


def devida_comparison(country: str, frame: pd.DataFrame) -> list[dict]:
    """The unconditional forecast from ``DEVIDA_CUTOFF`` beside each published DEVIDA
    projection and the observation.
    """
    out = []
    for year, (value, sign, source) in DEVIDA_PROJECTIONS.get(country, {}).items():
        rows = frame[(frame["forecaster"] == "unconditional") & (frame["year"] == year)
                     & (frame["cutoff"] == DEVIDA_CUTOFF)]
        if rows.empty:
            continue
        row = rows.iloc[0]
        obs = float(row["observed"])
        out.append({
            "year": year, "cutoff": int(row["cutoff"]), "observed": obs,
            "devida": value, "devida_sign": sign, "source": source,
            "devida_ape": abs(value - obs) / obs, "model_median": float(row["median"]),
            "model_p05": float(row["p05"]), "model_p95": float(row["p95"]),
            "model_ape": float(row["ape"]),
        })
    return out
