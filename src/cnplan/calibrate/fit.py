"""Fitting the model to the monitoring data by ABC-SMC, with the observed eradication as input.

Approximate Bayesian computation with sequential Monte Carlo (Toni et al. 2009; Beaumont et
al. 2009): a population of parameter vectors is drawn from the priors (the documented ranges),
each simulated once through the batched engine; the closest to the observations are kept, then
perturbed and re-selected under a tighter tolerance, generation after generation, with importance
weights that keep the result a posterior sample. The distance compares simulated and observed
national coca area (every year it exists), zone areas (where they exist) and leaf prices (where
they exist); missing values are skipped, never read as zeros.

Only parameters that act in a historical run are fitted; the others (programme costs, police,
AD, poppy, ...) have no observations to learn from, keep their priors, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

import cnplan
from cnplan.calibrate.abc import (
    EPS_QUANTILE,
    EVIDENCE_WEIGHT,
    FITTED,
    KERNEL_SCALE,
    POOL_SD,
    POOLED,
    Smc,
    Target,
    abc_smc,
)
from cnplan.calibrate.effects import effect_year, eradication_effects
from cnplan.calibrate.filter import with_process_sd
from cnplan.calibrate.forecast import structural_error
from cnplan.calibrate.history import Bridged, history_inputs
from cnplan.calibrate.observed import ZONE_FLOOR_HA, Observed
from cnplan.data import Dataset
from cnplan.model import Inputs, ParameterSet
from cnplan.model.simulate import Draws, run_chunk

ZONE_WEIGHT = 0.2
PRICE_WEIGHT = 0.2


def distance(obs: Observed, coca: np.ndarray, zones: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Mean absolute log error per scenario: national + weighted zone and price terms."""
    n_ok = ~np.isnan(obs.national)
    d = np.abs(np.log(coca[:, n_ok] / obs.national[n_ok])).mean(axis=1)
    z_ok = ~np.isnan(obs.zones)
    if z_ok.any():
        zlog = np.log((zones[:, z_ok] + ZONE_FLOOR_HA) / (obs.zones[z_ok] + ZONE_FLOOR_HA))
        d = d + ZONE_WEIGHT * np.abs(zlog).mean(axis=1)
    p_ok = ~np.isnan(obs.price)
    if p_ok.any():
        d = d + PRICE_WEIGHT * np.abs(np.log(price[:, p_ok] / obs.price[p_ok])).mean(axis=1)
    return d + bound_distance(obs, coca)


def bound_distance(obs: Observed, coca: np.ndarray) -> np.ndarray:
    """Mean over bounded years of the log distance to the violated bound (0 inside the bounds).

    A censored (``>30000``) or ranged value is used as a bound, never as a point: a simulated
    area inside it costs nothing, one outside costs |log(sim / nearer bound)|, like a point.
    """
    if obs.lower is None or obs.upper is None:
        return np.zeros(coca.shape[0])
    ok = ~(np.isnan(obs.lower) & np.isnan(obs.upper))
    if not ok.any():
        return np.zeros(coca.shape[0])
    sim = coca[:, ok]
    lo = np.nan_to_num(obs.lower[ok], nan=0.0)
    hi = np.nan_to_num(obs.upper[ok], nan=np.inf)
    below = np.log(np.maximum(lo, 1e-9) / np.maximum(sim, 1e-9)) * (sim < lo)
    above = np.log(np.maximum(sim, 1e-9) / hi) * (sim > hi)
    return (below + above).mean(axis=1)


def simulate_history(
    inputs: Inputs, params: np.ndarray, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """National coca (S, T), zone coca (S, T, Z) and leaf price (S, T) for each parameter row.

    Without ``rng`` the yearly shocks are zero: the deterministic path the fit compares with
    the observations (shocks are for forecasts, where they widen the bands).
    """
    s, t, z = params.shape[0], len(inputs.years), len(inputs.zones)
    if rng is None:
        draws = Draws(params, np.zeros((s, t, z)), np.zeros((s, t)))
    else:
        draws = Draws(params, rng.standard_normal((s, t, z)), rng.standard_normal((s, t)))
    out = run_chunk(inputs, draws, t, None, ("area", "leaf_price"))
    zones = out["area"].astype(np.float64)
    return zones.sum(axis=2), zones, out["leaf_price"].astype(np.float64)


@dataclass
class Fit:
    """A calibration: the posterior sample, its diagnostics and what it was fitted to."""

    parameter_set: ParameterSet
    distances: np.ndarray
    epsilons: list[float]
    acceptance: list[float]
    simulations: int
    bridged: list[Bridged]
    in_sample_mape: float
    years: tuple[int, int]
    until: int
    notes: list[str] = field(default_factory=list)


def _sim(inputs: Inputs, params: np.ndarray, rng: np.random.Generator | None = None):
    parts = [
        simulate_history(inputs, params[a : a + 4096], rng) for a in range(0, len(params), 4096)
    ]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def mape(forecast: np.ndarray, observed: np.ndarray) -> float:
    """Mean absolute percentage error over the years with an observation."""
    ok = ~np.isnan(observed)
    return float(np.mean(np.abs(forecast[ok] - observed[ok]) / observed[ok]))




def _target(data: Dataset, start_year: int, end_year: int, until: int):
    """A country's history run and its distance to the observations up to ``until``."""
    inputs, bridged = history_inputs(data, start_year, end_year, until)
    obs = Observed.from_data(data, inputs.years, until)

    def dist(theta: np.ndarray) -> np.ndarray:
        return distance(obs, *_sim(inputs, theta))

    last = int(min(until, inputs.years[-1]))
    year = effect_year(replace(inputs, years=inputs.years[inputs.years <= last]))
    return Target(data.name, inputs, dist, year), obs, bridged


def _window(data: Dataset, end_year: int | None, until: int | None) -> tuple[int, int]:
    last = int(data.national("coca_ha").dropna().index.max())
    end_year = end_year or last
    return end_year, until or end_year


def calibrate(
    data: Dataset,
    start_year: int = 2005,
    end_year: int | None = None,
    until: int | None = None,
    particles: int = 500,
    generations: int = 14,
    seed: int = 0,
    evidence: bool = True,
) -> Fit:
    """Fit the model to ``data`` from ``start_year`` to ``until`` (default: the latest year).

    The returned fit's parameter set is a posterior sample (rows equally weighted) whose
    provenance records the data version, cut-off year, method and diagnostics. ``evidence``
    False drops the published eradication effects from the distance (to show the trade-off).
    """
    return calibrate_pooled(
        [data], start_year, until, particles, generations, seed, evidence, end_year
    )[data.name]


def calibrate_pooled(
    datasets: list[Dataset],
    start_year: int = 2005,
    until: int | None = None,
    particles: int = 500,
    generations: int = 14,
    seed: int = 0,
    evidence: bool = True,
    end_year: int | None = None,
) -> dict[str, Fit]:
    """Fit several countries at once with partial pooling (:mod:`cnplan.calibrate.abc`): one
    :class:`Fit` per country, each with its own posterior sample (shared mechanism values plus
    its deviations, its own levels). ``until`` (a cut-off) applies to every country.
    """
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise ValueError(f"calibrate: each dataset once, got {', '.join(names)}")
    built = []
    for data in datasets:
        end, cut = _window(data, end_year, until)
        built.append((data, end, cut, *_target(data, start_year, end, cut)))
    cfg = Smc(particles=particles, generations=generations, evidence=evidence)
    pop, eps, acc, sims = abc_smc([b[3] for b in built], cfg, seed=seed)
    fits = {}
    for c, (data, end, cut, target, obs, bridged) in enumerate(built):
        fits[data.name] = _fit(data, start_year, end, cut, target, obs, bridged, pop.thetas[c],
                               pop.dist, (eps, acc, sims), names, seed, evidence)
    return fits


def _fit(data, start_year, end, until, target, obs, bridged, theta, dist, diag, names, seed,
         evidence) -> Fit:
    """One country's :class:`Fit` from the posterior rows ``theta``, with its provenance."""
    eps, acc, sims = diag
    inputs = target.inputs
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    coca, _, _ = _sim(inputs, theta, rng)
    fit_mape = mape(np.median(coca, axis=0), obs.national)
    error = structural_error(inputs.years, obs.national, _sim(inputs, theta)[0])
    effects = eradication_effects(inputs, theta, year=target.effect_year).summary()
    pooled = len(names) > 1
    provenance = {
        "method": "ABC-SMC (Toni et al. 2009; Beaumont et al. 2009), uniform priors over the "
        "documented ranges, multivariate Gaussian kernel reflected at the bounds, "
        f"{KERNEL_SCALE} x the weighted covariance, tolerance the {EPS_QUANTILE:g} quantile "
        "of the previous distances"
        + (f"; partial pooling of {', '.join(names)}: mechanism parameters shared with "
           f"country deviations of prior sd {POOL_SD} x range" if pooled else ""),
        "data": data.name,
        "data_version": data.version,
        "pooled_with": [n for n in names if n != data.name],
        "pooled_parameters": list(POOLED) if pooled else [],
        "window": [start_year, end],
        "cut_off_year": until,
        "fitted_parameters": list(FITTED),
        "unfitted_parameters": "keep their priors (no observations inform them)",
        "distance": f"mean |log(sim/obs)| national coca + {ZONE_WEIGHT} x zone coca "
        f"(+{ZONE_FLOOR_HA:g} ha) + {PRICE_WEIGHT} x leaf price; missing values skipped"
        + (f"; + {EVIDENCE_WEIGHT} x distance of the eradication effects outside the "
           "published bands (cnplan.calibrate.effects)" if evidence else ""),
        "particles": len(theta),
        "generations": len(eps),
        "epsilons": eps,
        "acceptance_rates": acc,
        "simulated_histories": sims,
        "in_sample_national_mape": fit_mape,
        "eradication_effects": {"year": target.effect_year, **effects},
        "structural_error_sd": error.sigma,
        "structural_error": error.describe(),
        "eradication_input": [vars(b) for b in bridged],
        "initial_state": inputs.notes,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": cnplan.__version__,
        "seed": seed,
    }
    pset = ParameterSet(f"calibrated-{data.name}-{start_year}-{until}", theta, provenance)
    pset = with_process_sd(pset, data, until, start_year, seed)
    return Fit(pset, dist, eps, acc, sims, bridged, fit_mape, (start_year, end), until,
               inputs.notes)
