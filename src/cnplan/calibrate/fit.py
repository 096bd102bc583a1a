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

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

import cnplan
from cnplan.calibrate.forecast import structural_error
from cnplan.calibrate.history import Bridged, history_inputs
from cnplan.data import Dataset
from cnplan.model import Inputs, ParameterSet
from cnplan.model.parameters import PARAM_INDEX, PARAM_NAMES, bounds
from cnplan.model.simulate import Draws, run_chunk

log = logging.getLogger(__name__)

FITTED = (
    "planting_rate_max",
    "price_response",
    "break_even_price",
    "licit_income_growth",
    "abandonment_rate_max",
    "regeneration_rate",
    "land_capacity_factor",
    "seed_area_ha",
    "replant_share",
    "replant_share_hard_core",
    "presence_replant_cut",
    "replant_same_year_share",
    "risk_deterrence",
    "risk_update",
    "displacement_share",
    "eradication_max_share",
    "price_elasticity",
    "demand_growth",
    "presence_base",
    "presence_deterrence",
)
"""Parameters that act in a historical run (observed eradication, no programme levers). The
shock sizes are not fitted: the fit compares the deterministic path with the observations."""

ZONE_WEIGHT = 0.2
PRICE_WEIGHT = 0.2
ZONE_FLOOR_HA = 100.0
EPS_QUANTILE = 0.5
"""Each generation's tolerance: this quantile of the previous generation's distances."""
KERNEL_SCALE = 1.0
"""Perturbation kernel sd as a multiple of the population's weighted sd (small: many parameters)."""


def _reflect(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Fold proposals back into [low, high] (a reflected Gaussian kernel stays symmetric, so
    proposals are never wasted outside the prior's support, with 20 parameters most would be).
    """
    span = high - low
    y = np.mod(x - low, 2.0 * span)
    return low + np.where(y > span, 2.0 * span - y, y)


def _kernel(new: np.ndarray, old: np.ndarray, sd: np.ndarray, low, high) -> np.ndarray:
    """Density (up to a constant) of the reflected Gaussian kernel from each ``old`` row to each
    ``new`` row: (N_new, N_old), with the nearest mirror images at both bounds.
    """
    out = np.ones((len(new), len(old)))
    for j in range(new.shape[1]):
        a, b = new[:, j, None], old[None, :, j]
        k = sum(np.exp(-0.5 * ((a - m) / sd[j]) ** 2) for m in (b, 2 * low[j] - b, 2 * high[j] - b))
        out *= k
    return out


@dataclass
class Observed:
    """The observations a fit compares with, as arrays aligned with the simulated years."""

    years: np.ndarray
    national: np.ndarray  # (T,) NaN where missing or after the cut-off
    zones: np.ndarray  # (T, Z)
    price: np.ndarray  # (T,)
    lower: np.ndarray | None = None  # (T,) national bounds (censored or ranged values), NaN
    upper: np.ndarray | None = None  # where open; used only as bounds, never as points

    @classmethod
    def from_data(cls, data: Dataset, years: np.ndarray, until: int | None = None) -> Observed:
        keep = years <= (until if until is not None else years[-1])
        national = data.national("coca_ha").reindex(years).to_numpy(float, copy=True)
        if len(data.zone_ids) > 1:
            zones = data.by_zone("coca_ha").reindex(index=years, columns=data.zone_ids)
            zones = zones.to_numpy(float, copy=True)
        else:
            zones = np.full((len(years), 1), np.nan)
        price = (
            data.national("leaf_price").reindex(years).to_numpy(float, copy=True)
            if "leaf_price" in data.variables
            else np.full(len(years), np.nan)
        )
        national[~keep] = np.nan
        zones[~keep] = np.nan
        price[~keep] = np.nan
        lower = np.full(len(years), np.nan)
        upper = np.full(len(years), np.nan)
        for row in data.bounds("coca_ha").itertuples(index=False):
            at = np.flatnonzero(years == row.year)
            if at.size and keep[at[0]] and np.isnan(national[at[0]]):
                lower[at[0]], upper[at[0]] = row.lower, row.upper
        return cls(years, national, zones, price, lower, upper)


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


def _prior_draw(n: int, rng: np.random.Generator) -> np.ndarray:
    low, high = bounds()
    return low + (high - low) * rng.random((n, len(PARAM_NAMES)))


def abc_smc(
    inputs: Inputs,
    obs: Observed,
    particles: int = 1000,
    generations: int = 10,
    first_pool: int = 40_000,
    batch: int = 20_000,
    seed: int = 0,
    max_batches: int = 30,
) -> tuple[np.ndarray, np.ndarray, list[float], list[float], int]:
    """Run ABC-SMC; return the accepted parameters, their distances, tolerances, acceptance
    rates and the number of simulated histories.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    low, high = bounds()
    idx = np.array([PARAM_INDEX[name] for name in FITTED])
    theta = _prior_draw(first_pool, rng)
    dist = distance(obs, *_sim(inputs, theta))
    order = np.argsort(dist)[:particles]
    theta, dist = theta[order], dist[order]
    weights = np.full(particles, 1.0 / particles)
    epsilons, acceptance, sims = [float(dist.max())], [particles / first_pool], first_pool
    for gen in range(1, generations):
        eps = float(np.quantile(dist, EPS_QUANTILE))
        mean = weights @ theta[:, idx]
        sd = KERNEL_SCALE * np.sqrt(weights @ (theta[:, idx] - mean) ** 2)
        kept_t, kept_d, tried = [], [], 0
        for _ in range(max_batches):
            pick = rng.choice(len(theta), size=batch, p=weights)
            prop = _prior_draw(batch, rng)  # unfitted parameters keep fresh prior draws
            step = theta[pick][:, idx] + sd * rng.standard_normal((batch, idx.size))
            prop[:, idx] = _reflect(step, low[idx], high[idx])
            d = distance(obs, *_sim(inputs, prop))
            tried += batch
            ok = d <= eps
            kept_t.append(prop[ok])
            kept_d.append(d[ok])
            if sum(len(k) for k in kept_d) >= particles:
                break
        new_t, new_d = np.concatenate(kept_t)[:particles], np.concatenate(kept_d)[:particles]
        sims += tried
        if len(new_t) < particles // 4:
            log.warning("ABC-SMC generation %s accepted only %s; stopping", gen, len(new_t))
            break
        # Importance weights for a uniform prior: w_i ∝ 1 / sum_j w_j K(theta_i | theta_j).
        kernel = _kernel(new_t[:, idx], theta[:, idx], sd, low[idx], high[idx])
        new_w = 1.0 / (kernel @ weights)
        theta, dist, weights = new_t, new_d, new_w / new_w.sum()
        epsilons.append(eps)
        acceptance.append(len(new_t) / tried)
    # Resample to an equally weighted posterior sample.
    rows = rng.choice(len(theta), size=len(theta), p=weights)
    return theta[rows], dist[rows], epsilons, acceptance, sims


def _sim(inputs: Inputs, params: np.ndarray, rng: np.random.Generator | None = None):
    parts = [
        simulate_history(inputs, params[a : a + 4096], rng) for a in range(0, len(params), 4096)
    ]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def mape(forecast: np.ndarray, observed: np.ndarray) -> float:
    """Mean absolute percentage error over the years with an observation."""
    ok = ~np.isnan(observed)
    return float(np.mean(np.abs(forecast[ok] - observed[ok]) / observed[ok]))


def calibrate(
    data: Dataset,
    start_year: int = 2005,
    end_year: int | None = None,
    until: int | None = None,
    particles: int = 1000,
    generations: int = 10,
    seed: int = 0,
) -> Fit:
    """Fit the model to ``data`` from ``start_year`` to ``until`` (default: the latest year).

    The returned fit's parameter set is a posterior sample (rows equally weighted) whose
    provenance records the data version, cut-off year, method and diagnostics.
    """
    national = data.national("coca_ha").dropna()
    last = int(national.index.max())
    end_year = end_year or last
    until = until or end_year
    inputs, bridged = history_inputs(data, start_year, end_year, until)
    obs = Observed.from_data(data, inputs.years, until)
    theta, dist, eps, acc, sims = abc_smc(
        inputs, obs, particles=particles, generations=generations, seed=seed
    )
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    coca, _, _ = _sim(inputs, theta, rng)
    fit_mape = mape(np.median(coca, axis=0), obs.national)
    error = structural_error(inputs.years, obs.national, _sim(inputs, theta)[0])
    name = f"calibrated-{data.name}-{start_year}-{until}"
    provenance = {
        "method": "ABC-SMC (Toni et al. 2009; Beaumont et al. 2009), uniform priors over the "
        f"documented ranges, Gaussian kernel reflected at the bounds, {KERNEL_SCALE} x the "
        f"weighted sd, tolerance the {EPS_QUANTILE:g} quantile of the previous distances",
        "data": data.name,
        "data_version": data.version,
        "window": [start_year, end_year],
        "cut_off_year": until,
        "fitted_parameters": list(FITTED),
        "unfitted_parameters": "keep their priors (no observations inform them)",
        "distance": f"mean |log(sim/obs)| national coca + {ZONE_WEIGHT} x zone coca "
        f"(+{ZONE_FLOOR_HA:g} ha) + {PRICE_WEIGHT} x leaf price; missing values skipped",
        "particles": len(theta),
        "generations": len(eps),
        "epsilons": eps,
        "acceptance_rates": acc,
        "simulated_histories": sims,
        "in_sample_national_mape": fit_mape,
        "structural_error_sd": error.sigma,
        "structural_error": error.describe(),
        "eradication_input": [vars(b) for b in bridged],
        "initial_state": inputs.notes,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": cnplan.__version__,
        "seed": seed,
    }
    pset = ParameterSet(name, theta, provenance)
    return Fit(
        pset, dist, eps, acc, sims, bridged, fit_mape, (start_year, end_year), until, inputs.notes
    )
