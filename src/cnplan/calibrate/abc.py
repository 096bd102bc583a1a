"""ABC-SMC over one country or several pooled ones, with the published eradication evidence.

Approximate Bayesian computation with sequential Monte Carlo (Toni et al. 2009; Beaumont et
al. 2009): a population of parameter vectors is drawn from the prior, each simulated once
through the batched engine; the closest to the observations are kept, then perturbed and
re-selected under a tighter tolerance, generation after generation, with importance weights
(prior density over the kernel mixture) that keep the result a posterior sample.

**Partial pooling.** With several countries, the *mechanism* parameters (:data:`POOLED`: how
growers plant, replant, abandon, are deterred and displaced, how prices respond) are a shared
value plus a country deviation with a normal prior of sd :data:`POOL_SD` (in units of the
parameter's prior range): a hierarchical prior that lets each country's history inform the
others' effect sizes while allowing real differences. *Levels and caps* (:data:`LOCAL`:
break-even price, licit income growth, demand growth, land capacity, seed area, eradication
cap, base state presence) are each country's own, with uniform priors. The joint distance is
the sum of the countries' distances. With one country there are no deviations.

**Evidence.** Each candidate that fits the data within the generation's tolerance is also
measured by the controlled experiment of :mod:`cnplan.calibrate.effects` (one more hectare
eradicated); its distance grows by :data:`EVIDENCE_WEIGHT` times how far its same-year and
5-year net effects and replanting shares lie outside the published ranges
(:data:`cnplan.calibrate.effects.EVIDENCE`). The weight makes the evidence win where the data
and the evidence disagree (``docs/calibration.md`` shows the trade-off).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from cnplan import progress
from cnplan.calibrate.effects import EVIDENCE, eradication_effects
from cnplan.i18n import gettext
from cnplan.model import Inputs
from cnplan.model.geography import HARD_CORE
from cnplan.model.parameters import PARAM_INDEX, PARAM_NAMES, bounds

log = logging.getLogger(__name__)

POOLED = (
    "planting_rate_max",
    "price_response",
    "abandonment_rate_max",
    "regeneration_rate",
    "replant_share",
    "replant_share_hard_core",
    "presence_replant_cut",
    "replant_same_year_share",
    "risk_deterrence",
    "risk_update",
    "displacement_share",
    "price_elasticity",
    "presence_deterrence",
)
"""Mechanism parameters: shared across pooled countries, with country deviations."""
LOCAL = (
    "break_even_price",
    "licit_income_growth",
    "land_capacity_factor",
    "seed_area_ha",
    "eradication_max_share",
    "demand_growth",
    "presence_base",
)
"""Levels and caps: each country's own."""
FITTED = POOLED + LOCAL
"""Parameters that act in a historical run (observed eradication, no programme levers). The
shock sizes are not fitted: the fit compares the deterministic path with the observations."""

POOL_SD = 0.10
"""Prior sd of a country's deviation from the shared value of a mechanism parameter, as a
share of the parameter's prior range (assumption: countries differ by a tenth of the plausible
range, rarely by more than a third)."""
DEV_MAX = 3.0 * POOL_SD
EVIDENCE_WEIGHT = 2.0
"""Distance added per unit of a net effect (ha per ha) or replanting share outside its band
(assumption: an effect 0.05 outside costs as much as a 10% miss of every observation)."""
EPS_QUANTILE = 0.5
"""Each generation's tolerance: this quantile of the previous generation's distances."""
KERNEL_SCALE = 1.0
"""Perturbation kernel covariance as a multiple of the population's weighted covariance (a
multivariate normal, which beats independent coordinates when parameters trade off, as planting
rate and break-even price do here: Filippi et al. 2013). Beaumont et al. 2009 use twice it;
once keeps the acceptance rate up in 20-50 dimensions."""
MIN_ACCEPTANCE = 0.01
"""Stop when a generation accepts fewer proposals than this (the tolerance no longer falls
at an affordable cost)."""


def reflect(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Fold values back into [low, high] (a reflected Gaussian kernel stays symmetric, so
    proposals are never wasted outside the prior's support).
    """
    span = high - low
    y = np.mod(x - low, 2.0 * span)
    return low + np.where(y > span, 2.0 * span - y, y)


@dataclass(frozen=True)
class Layout:
    """The fitted vector ``z``: shared mechanism values (unit scale), one deviation block per
    country (only with several countries), then each country's levels (unit scale).
    """

    n_countries: int

    @property
    def pooled(self) -> bool:
        return self.n_countries > 1

    def blocks(self) -> tuple[int, int, int]:
        """Sizes of (shared, deviations, locals)."""
        c = self.n_countries
        return len(POOLED), len(POOLED) * c if self.pooled else 0, len(LOCAL) * c

    @property
    def dim(self) -> int:
        return sum(self.blocks())

    def limits(self) -> tuple[np.ndarray, np.ndarray]:
        s, d, loc = self.blocks()
        low = np.concatenate([np.zeros(s), np.full(d, -DEV_MAX), np.zeros(loc)])
        high = np.concatenate([np.ones(s), np.full(d, DEV_MAX), np.ones(loc)])
        return low, high

    def prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        s, d, loc = self.blocks()
        dev = reflect(POOL_SD * rng.standard_normal((n, d)), -DEV_MAX, DEV_MAX)
        return np.concatenate([rng.random((n, s)), dev, rng.random((n, loc))], axis=1)

    def log_prior(self, z: np.ndarray) -> np.ndarray:
        s, d, _ = self.blocks()
        return -0.5 * ((z[:, s : s + d] / POOL_SD) ** 2).sum(axis=1)

    def unit(self, z: np.ndarray, c: int) -> np.ndarray:
        """Country ``c``'s fitted parameters on the unit scale, in :data:`FITTED` order."""
        s, d, _ = self.blocks()
        shared = z[:, :s]
        if self.pooled:
            shared = reflect(shared + z[:, s + c * s : s + (c + 1) * s], 0.0, 1.0)
        local = z[:, s + d + c * len(LOCAL) : s + d + (c + 1) * len(LOCAL)]
        return np.concatenate([shared, local], axis=1)

    def params(self, z: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
        """Each country's full parameter matrix: fitted columns from ``z``, the others fresh
        prior draws (no observation informs them, so they keep their priors).
        """
        low, high = bounds()
        idx = np.array([PARAM_INDEX[name] for name in FITTED])
        out = []
        for c in range(self.n_countries):
            theta = low + (high - low) * rng.random((len(z), len(PARAM_NAMES)))
            theta[:, idx] = low[idx] + (high[idx] - low[idx]) * self.unit(z, c)
            out.append(theta)
        return out


@dataclass
class Target:
    """One country's history: simulated with its observed eradication, compared with its
    observations by ``distance`` (parameters (n, k) -> (n,) distances and national paths).
    """

    name: str
    inputs: Inputs
    distance: object  # Callable[[np.ndarray], np.ndarray]
    effect_year: int


def evidence_penalty(target: Target, theta: np.ndarray) -> np.ndarray:
    """How far each row's eradication effects lie outside the published bands (0 inside)."""
    e = eradication_effects(target.inputs, theta, year=target.effect_year)
    total = EVIDENCE["same_year"].excess(e.same_year) + EVIDENCE["five_year"].excess(e.later)
    total += EVIDENCE["replant_expansion"].excess(e.replant_expansion)
    if (np.asarray(target.inputs.kinds) == HARD_CORE).any():
        total += EVIDENCE["replant_hard_core"].excess(e.replant_hard_core)
    return EVIDENCE_WEIGHT * total


@dataclass
class Population:
    """Accepted particles: fitted vectors ``z`` (N, D), each country's parameters, distances."""

    z: np.ndarray
    thetas: list[np.ndarray]
    dist: np.ndarray

    def take(self, rows: np.ndarray) -> Population:
        return Population(self.z[rows], [t[rows] for t in self.thetas], self.dist[rows])


def _score(targets: list[Target], thetas: list[np.ndarray], eps: float, evidence: bool):
    """Joint distances: the data's for every row, plus the evidence penalty for the rows whose
    data distance is within ``eps`` (the others cannot be accepted anyway).
    """
    dist = sum(t.distance(th) for t, th in zip(targets, thetas, strict=True))
    if evidence:
        rows = np.flatnonzero(dist <= eps)
        if rows.size:
            for t, th in zip(targets, thetas, strict=True):
                dist[rows] += evidence_penalty(t, th[rows])
    return dist


def _whiten(x: np.ndarray, chol: np.ndarray) -> np.ndarray:
    return np.linalg.solve(chol, x.T).T


def _weights(layout: Layout, new: np.ndarray, old: Population, w: np.ndarray, chol) -> np.ndarray:
    """Importance weights: prior density over the kernel mixture sum_j w_j K(new | old_j),
    normalised (log-sum-exp). The kernel's mirror images at the bounds are left out (an
    approximation that matters only for particles within a kernel width of a bound).
    """
    a, b = _whiten(new, chol), _whiten(old.z, chol)
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    logk = -0.5 * np.maximum(sq, 0.0) + np.log(np.maximum(w, 1e-300))[None, :]
    top = logk.max(axis=1, keepdims=True)
    mix = top[:, 0] + np.log(np.exp(logk - top).sum(axis=1))
    logw = layout.log_prior(new) - mix
    # Truncated importance sampling (after Ionides 2008): no weight above sqrt(N) times the
    # median weight. In 20-50 dimensions a kernel step's whitened length varies by several
    # units, so raw weights differ by e^10 and a handful of particles would take the whole
    # population; the truncation trades that variance for a bias that vanishes as N grows.
    logw = np.minimum(logw, np.median(logw) + 0.5 * np.log(len(logw)))
    out = np.exp(logw - logw.max())
    return out / out.sum()


def _kernel_chol(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Cholesky factor of the perturbation kernel's covariance: ``KERNEL_SCALE`` x the
    population's weighted covariance (Beaumont et al. 2009 use twice it), kept positive
    definite by a small ridge.
    """
    mean = w @ z
    cov = ((z - mean) * w[:, None]).T @ (z - mean) / max(1.0 - (w * w).sum(), 1e-9)
    cov = KERNEL_SCALE * cov + 1e-10 * np.eye(z.shape[1])
    return np.linalg.cholesky(cov + 1e-8 * np.trace(cov) / z.shape[1] * np.eye(z.shape[1]))


@dataclass
class Smc:
    """The ABC-SMC settings."""

    particles: int = 500
    generations: int = 14
    first_pool: int = 20_000
    batch: int = 10_000
    max_batches: int = 10
    evidence: bool = True


def _generation(layout, targets, pop, weights, eps, cfg: Smc, rng):
    """Propose from the weighted population until ``particles`` are within ``eps``."""
    low, high = layout.limits()
    chol = _kernel_chol(pop.z, weights)
    kept, tried = [], 0
    for _ in range(cfg.max_batches):
        pick = rng.choice(len(pop.z), size=cfg.batch, p=weights)
        step = rng.standard_normal((cfg.batch, layout.dim)) @ chol.T
        z = reflect(pop.z[pick] + step, low, high)
        thetas = layout.params(z, rng)
        d = _score(targets, thetas, eps, cfg.evidence)
        tried += cfg.batch
        ok = np.flatnonzero(d <= eps)
        kept.append(Population(z[ok], [t[ok] for t in thetas], d[ok]))
        if sum(len(k.z) for k in kept) >= cfg.particles:
            break
    new = Population(
        np.concatenate([k.z for k in kept]),
        [np.concatenate([k.thetas[c] for k in kept]) for c in range(len(targets))],
        np.concatenate([k.dist for k in kept]),
    )
    return new.take(np.arange(min(len(new.z), cfg.particles))), tried, chol


def abc_smc(targets: list[Target], cfg: Smc, seed: int = 0):
    """Run ABC-SMC on ``targets`` (one country, or several pooled); return the equally weighted
    posterior :class:`Population`, the tolerances, acceptance rates and simulations run.
    """
    layout = Layout(len(targets))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    z = layout.prior(cfg.first_pool, rng)
    thetas = layout.params(z, rng)
    fit_only = _score(targets, thetas, -np.inf, False)
    cut = float(np.sort(fit_only)[min(2 * cfg.particles, len(fit_only)) - 1])
    dist = _score(targets, thetas, cut, cfg.evidence)
    dist[fit_only > cut] = np.inf  # not measured against the evidence: never kept
    order = np.argsort(dist)[: cfg.particles]
    pop = Population(z, thetas, dist).take(order)
    weights = np.full(len(order), 1.0 / len(order))
    epsilons, acceptance, sims = [float(pop.dist.max())], [len(order) / cfg.first_pool], 0
    sims = cfg.first_pool
    progress.step(gettext("ABC-SMC generations"), 1, cfg.generations)
    for gen in range(1, cfg.generations):
        eps = float(np.quantile(pop.dist, EPS_QUANTILE))
        new, tried, chol = _generation(layout, targets, pop, weights, eps, cfg, rng)
        sims += tried
        if len(new.z) < cfg.particles // 4:
            log.warning("ABC-SMC generation %s accepted only %s; stopping", gen, len(new.z))
            break
        weights = _weights(layout, new.z, pop, weights, chol)
        pop = new
        epsilons.append(eps)
        acceptance.append(len(new.z) / tried)
        progress.step(gettext("ABC-SMC generations"), gen + 1, cfg.generations)
        if acceptance[-1] < MIN_ACCEPTANCE:
            break
    rows = rng.choice(len(pop.z), size=len(pop.z), p=weights)
    return pop.take(rows), epsilons, acceptance, sims * len(targets)
