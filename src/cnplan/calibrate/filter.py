"""State estimation: the distribution of the model's state given every observation up to a year.

A forecast made in year Y should start from what the data say about year Y, not from one
deterministic path. :func:`filter_history` runs a bootstrap particle filter (Gordon, Salmond &
Smith 1993) through the observed years: each particle carries a posterior parameter row and
its own state (every unit's standing area, replant pool, pipeline, abandoned fields, perceived
risk, resistance, price shock), stepped by the engine with the observed eradication as input
and random shocks; each year with observations, particles are weighted by how well their
areas match them and resampled (systematic resampling) among the particles of the same
parameter row (:data:`ROW_PARTICLES` each). The rows keep their posterior weight: the filter
estimates the state given each row, it does not refit the parameters. The result, at the end
of the cut-off year, is an equally weighted sample of (parameters, state) that later runs
start from.

**Model error as process noise.** The model misses the data by more than its own shocks
explain (the structural error of :mod:`cnplan.calibrate.forecast`), so the filter lets each
particle's standing areas drift each year by a log-normal factor of sd ``process_sd`` (half of
it common to the country, half by unit): without it no particle could follow a history the
model misses. Its size is estimated by maximum likelihood (:func:`estimate_process_sd`): the
filter's likelihood is the product of the one-year-ahead predictive densities of the
observations, so the sd that maximises it is the one whose one-year forecasts were best
calibrated over the training years. (The calibration's residual sd, ``structural_error_sd``,
measures how far the *fitted* paths miss, which is smaller than how far forecasts miss: with
it, backtests held too few observations inside their bands.) A parameter set carries the
estimate as ``process_sd`` in its provenance, and the national error it amounts to as
``process_sd_national`` (:func:`national_sd`), which ``cnplan run``'s structural error uses
(:func:`cnplan.model.structural.structural_sd` falls back on the residual sd without them).

**Forecasts of surveys.** A forecast is scored against the next survey, which carries the
observation error below; forecast ensembles (:func:`forecast_from`) therefore include it.

**Observation model** (assumptions, stated): national area observed with a log-normal error of
sd :data:`NATIONAL_OBS_SD`; a zone's area with sd :data:`ZONE_OBS_SD` on ``area + 100 ha``;
a censored or ranged national value costs nothing inside its bounds and like a point outside;
the national leaf price with sd :data:`PRICE_OBS_SD` (it selects the particles whose price
shock matches the observed price, so a filtered area far from the model's path does not
imply a price the data contradict).

This replaces the scaling of each simulated path through the last national observation
(:func:`cnplan.calibrate.forecast.anchored_forecast`): the state is conditioned on every
observation, by unit, and the parameters that survive the filter are those that track the data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cnplan.calibrate.history import history_inputs
from cnplan.calibrate.observed import ZONE_FLOOR_HA, Observed
from cnplan.data import Dataset
from cnplan.model import ParameterSet
from cnplan.model.engine import P, State, initial_state, step
from cnplan.model.simulate import StartState
from cnplan.model.structural import fitted_sd, structural_sd

NATIONAL_OBS_SD = 0.05
"""Log sd of a national area survey around the true area (assumption: UNODC/DEVIDA estimates
are satellite interpretation plus field checks, within about 5%)."""
ZONE_OBS_SD = 0.30
"""Log sd of a zone's surveyed area (on area + 100 ha) around the model's (assumption: zone
boundaries of the data and the model's zones do not match exactly)."""
DRIFT_YEARS = 5
"""Observed years over which the filter averages the common model-error steps the surviving
particles needed (the model's recent systematic miss, carried on by ``step_forward(...,
drift=True)``)."""
ROW_PARTICLES = 20
"""Particles per posterior parameter row (5 tracked the state less well in the backtests).
The filter estimates the *state* given each row and resamples only among a row's own
particles: the rows are already the calibration's posterior given the same observations, so
weighting rows against each other would count the data twice and, with static parameters,
leaves one or a few rows (a run started from it would have no parameter uncertainty left)."""
PROCESS_SD_GRID = tuple(float(x) for x in np.geomspace(0.04, 0.64, 9))
"""Candidate yearly process-noise sds (log units) for :func:`estimate_process_sd` (assumption:
from 4%, less than any survey's yearly change, to 64%, more than the largest yearly change of
a national series in the shipped data)."""
PROCESS_SD_SEEDS = 4
"""Filter runs averaged per candidate (common random numbers across candidates)."""
PRICE_OBS_SD = 0.15
"""Log sd of an observed national leaf price around the model's (assumption: a yearly average
of farm-gate prices that vary by valley and month)."""
COCA_FIELDS = ("area", "pipeline", "replant_pool", "ad_area", "abandoned", "resistance", "risk",
               "price_shock", "precursor_adapt")
"""The state a filtered start gives a run; programme state (police, budget, outreach, poppy)
comes from the run's own plan."""


@dataclass
class Filtered:
    """The filtered state at the end of ``year``: equally weighted particles.

    ``params`` (M, k) and ``state`` (M rows) go together row by row; ``national`` (M, T) is each
    particle's ancestral national path over ``years`` (the filtered trajectory); ``ess`` the
    mean effective sample size of a parameter row's particles after each year's weighting
    (:data:`ROW_PARTICLES` where nothing was observed).
    """

    year: int
    years: np.ndarray
    params: np.ndarray
    state: State
    national: np.ndarray
    ess: np.ndarray
    log_likelihood: float
    process_sd: float
    zones: list[str]
    source: ParameterSet  # the parameter set filtered
    drift: float = 0.0  # mean yearly common model-error step over the last DRIFT_YEARS

    @property
    def parameter_set(self) -> ParameterSet:
        """The particles' parameters as a parameter set (rows equally weighted, row i with
        state row i), keeping the source's provenance (its structural error among it).
        """
        provenance = {**self.source.provenance, "filtered": self.describe()}
        return ParameterSet(f"{self.source.name}-filtered-{self.year}", self.params, provenance)

    @property
    def national_sd(self) -> float:
        """The yearly model error of the national area that the process noise amounts to at
        the cut-off (:func:`national_sd`).
        """
        return national_sd(self.process_sd, self.state.area)

    def start(self) -> StartState:
        """The start of a run in ``year + 1`` (:func:`cnplan.model.simulate.simulate`)."""
        return StartState(self.state, self.parameter_set, COCA_FIELDS, self.describe(),
                          self.zones)

    def describe(self) -> str:
        return (
            f"initial state: particle filter ({len(self.params)} particles) through the "
            f"observations {int(self.years[0])}-{self.year}, parameter set {self.source.name}, "
            f"process noise sd {self.process_sd:.3f}, observation sd {NATIONAL_OBS_SD} "
            f"(national) / {ZONE_OBS_SD} (zones); {len(self.params) // ROW_PARTICLES} "
            f"parameter rows, {ROW_PARTICLES} particles each, lowest mean effective sample "
            f"size per row {float(np.min(self.ess)):.1f}"
        )


def national_sd(process_sd: float, area: np.ndarray) -> float:
    """The yearly sd of the log national area that the filter's process noise gives, for unit
    areas ``area`` (M, U): half its variance is common to the country and half independent by
    unit, so the national log changes by ``c + sum_u s_u e_u`` (``s`` the units' shares of the
    national area), of variance ``sd^2 (1/2 + 1/2 sum_u s_u^2)``, averaged over the particles.
    Part of the estimated noise serves to follow the zones' shares (zone surveys weigh in the
    likelihood); a national forecast carries only what it does to the national total.
    """
    shares = area / np.maximum(area.sum(axis=1, keepdims=True), 1e-9)
    return float(process_sd * np.sqrt(0.5 + 0.5 * np.mean((shares**2).sum(axis=1))))


def process_sd_of(paramset: ParameterSet) -> float:
    """The filter's process noise for ``paramset``: its calibration's estimate
    (``process_sd``), else :func:`structural_sd`'s value.
    """
    sd = fitted_sd(paramset, "process_sd")
    return structural_sd(paramset)[0] if sd is None else sd


def log_likelihood(obs: Observed, t: int, area: np.ndarray,
                   price: np.ndarray | None = None) -> np.ndarray:
    """Log density of year ``t``'s observations given each particle's unit areas (S, U) and
    leaf price (S,).
    """
    national = area.sum(axis=1)
    out = np.zeros(area.shape[0])
    if price is not None and not np.isnan(obs.price[t]):
        out += -0.5 * (np.log(obs.price[t] / np.maximum(price, 1e-9)) / PRICE_OBS_SD) ** 2
    if not np.isnan(obs.national[t]):
        out += -0.5 * (np.log(obs.national[t] / np.maximum(national, 1.0)) / NATIONAL_OBS_SD) ** 2
    elif obs.lower is not None and not (np.isnan(obs.lower[t]) and np.isnan(obs.upper[t])):
        lo = np.nan_to_num(obs.lower[t], nan=0.0)
        hi = np.nan_to_num(obs.upper[t], nan=np.inf)
        sim = np.maximum(national, 1.0)
        miss = np.log(np.maximum(lo, 1.0) / sim) * (sim < lo) + np.log(sim / hi) * (sim > hi)
        out += -0.5 * (miss / NATIONAL_OBS_SD) ** 2
    zones = obs.zones[t]
    ok = ~np.isnan(zones)
    if ok.any() and area.shape[1] == len(zones):
        z = np.log((zones[ok] + ZONE_FLOOR_HA) / (area[:, ok] + ZONE_FLOOR_HA))
        out += -0.5 * ((z / ZONE_OBS_SD) ** 2).sum(axis=1)
    return out


def _observed_any(obs: Observed, t: int) -> bool:
    bound = obs.lower is not None and not (np.isnan(obs.lower[t]) and np.isnan(obs.upper[t]))
    return bool(~np.isnan(obs.national[t]) or bound or (~np.isnan(obs.zones[t])).any()
                or ~np.isnan(obs.price[t]))


def filter_history(
    data: Dataset,
    paramset: ParameterSet,
    until: int | None = None,
    start_year: int = 2005,
    particles: int = 1000,
    seed: int = 0,
    process_sd: float | None = None,
) -> Filtered:
    """Filter the state through ``data``'s observations from ``start_year`` to ``until``.

    ``process_sd``: the yearly model error (default: the parameter set's, :func:`process_sd_of`).

    **For forecasts and backtests**: call it with the cut-off as ``until`` and the posterior
    fitted up to that cut-off; only observations up to ``until`` are read (the land caps and
    eradication weights too, as in :func:`history_inputs`). Then:

    - conditional forecast (observed eradication of the test years as input):
      :func:`forecast_from` ``(filtered, data, end_year, rng)``, or :func:`step_forward`
      ``(filtered, inputs, rng)`` with any history inputs (e.g. a status-quo eradication);
    - unconditional forecast (a plan, e.g. the status quo, from ``until + 1``):
      ``simulate(plan, data, parameter_set=..., start=filtered.start())``.

    Both replace :func:`cnplan.calibrate.forecast.anchored_forecast`'s scaling through the last
    observation; after the cut-off the model error carries on in both as the run's structural
    random walk on the reported area.
    """
    if paramset.samples is None:
        raise ValueError("state estimation needs a fitted parameter set (a posterior sample)")
    last = int(data.national("coca_ha").dropna().index.max())
    until = last if until is None else int(until)
    if until < start_year:
        raise ValueError(f"filter: the cut-off {until} is before the first year {start_year}")
    inputs, _ = history_inputs(data, start_year, until, until)
    obs = Observed.from_data(data, inputs.years, until)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    groups = max(1, particles // ROW_PARTICLES)
    n_rows = len(paramset.samples)
    rows = rng.choice(n_rows, size=groups, replace=groups > n_rows)
    params = np.repeat(paramset.samples[rows], ROW_PARTICLES, axis=0)
    particles = len(params)
    sd = process_sd_of(paramset) if process_sd is None else float(process_sd)
    p = P(params)
    state = initial_state(inputs, p)
    n_t, n_u = len(inputs.years), len(inputs.zones)
    national = np.empty((particles, n_t))
    common = np.zeros((particles, n_t))  # each particle's common model-error steps (ancestral)
    ess = np.full(n_t, float(ROW_PARTICLES))
    row_ll = np.zeros(groups)  # log-likelihood of the observations given each parameter row
    for t in range(n_t):
        state, flows = step(state, t, inputs, p, rng.standard_normal((particles, n_u)),
                            rng.standard_normal(particles))
        common[:, t] = sd * np.sqrt(0.5) * rng.standard_normal(particles)
        noise = common[:, t, None] + sd * np.sqrt(0.5) * rng.standard_normal((particles, n_u))
        state = replace(state, area=state.area * np.exp(noise))
        national[:, t] = state.area.sum(axis=1)
        if not _observed_any(obs, t):
            continue
        logw = log_likelihood(obs, t, state.area, flows.leaf_price[:, 0]).reshape(groups, -1)
        top = logw.max(axis=1, keepdims=True)
        w = np.exp(logw - top)
        row_ll += top[:, 0] + np.log(w.mean(axis=1))
        w /= w.sum(axis=1, keepdims=True)
        ess[t] = float(np.mean(1.0 / np.sum(w**2, axis=1)))
        keep = resample_within_rows(w, rng)
        state = state.take(keep)
        national, common = national[keep], common[keep]
    observed_years = [t for t in range(n_t) if _observed_any(obs, t)]
    recent = observed_years[-DRIFT_YEARS:] if observed_years else []
    drift = float(common[:, recent].mean()) if recent else 0.0
    top = row_ll.max()
    total = top + np.log(np.mean(np.exp(row_ll - top)))
    return Filtered(until, inputs.years, params, state, national, ess, float(total), sd,
                    list(inputs.zones), paramset, drift)


def resample_within_rows(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling of each parameter row's particles among themselves: ``weights``
    (rows, k), each row summing to 1; returns the flat indices (rows * k) of the particles kept.
    """
    groups, k = weights.shape
    cum = np.cumsum(weights, axis=1)
    cum[:, -1] = 1.0
    points = (rng.random((groups, 1)) + np.arange(k)) / k
    local = (cum[:, None, :] < points[:, :, None]).sum(axis=2)
    return (np.arange(groups)[:, None] * k + local).ravel()


def estimate_process_sd(
    data: Dataset,
    paramset: ParameterSet,
    until: int | None = None,
    start_year: int = 2005,
    particles: int = 1000,
    seed: int = 0,
) -> float:
    """The process-noise sd that maximises the filter's likelihood of the observations up to
    ``until`` (only those are read).

    Each candidate of :data:`PROCESS_SD_GRID` is scored by the mean log-likelihood of
    :data:`PROCESS_SD_SEEDS` filter runs (the same seeds for every candidate, so their
    difference is not sampling noise); the best and its two neighbours are refined by the
    vertex of a parabola in log sd, kept inside the grid.
    """
    grid = np.log(PROCESS_SD_GRID)
    ll = np.array([
        np.mean([filter_history(data, paramset, until, start_year, particles, seed + k,
                                process_sd=float(np.exp(g))).log_likelihood
                  for k in range(PROCESS_SD_SEEDS)])
        for g in grid
    ])
    best = int(np.argmax(ll))
    if 0 < best < len(grid) - 1:
        a, b, _ = np.polyfit(grid[best - 1 : best + 2], ll[best - 1 : best + 2], 2)
        if a < 0:
            return float(np.exp(np.clip(-b / (2 * a), grid[best - 1], grid[best + 1])))
    return float(np.exp(grid[best]))


def with_process_sd(paramset: ParameterSet, data: Dataset, until: int | None = None,
                    start_year: int = 2005, seed: int = 0) -> ParameterSet:
    """``paramset`` with its process noise estimated on ``data`` up to ``until``
    (:func:`estimate_process_sd`) recorded as ``process_sd`` in its provenance, and the
    national model error it amounts to in the filtered state at ``until``
    (:func:`national_sd`) as ``process_sd_national`` (the run's structural error).
    """
    sd = estimate_process_sd(data, paramset, until, start_year, seed=seed)
    filtered = filter_history(data, paramset, until, start_year, seed=seed, process_sd=sd)
    return ParameterSet(paramset.name, paramset.samples,
                        {**paramset.provenance, "process_sd": sd,
                         "process_sd_national": filtered.national_sd})


def forecast_from(
    filtered: Filtered,
    data: Dataset,
    end_year: int,
    rng: np.random.Generator,
    start_year: int = 2005,
) -> tuple[np.ndarray, np.ndarray]:
    """A conditional forecast of the surveys: the filtered particles stepped on with the
    observed eradication of ``filtered.year + 1`` .. ``end_year`` and fresh shocks, model error
    continuing as a random walk on the reported area (:func:`step_forward`), each year's
    national area times a survey error of sd :data:`NATIONAL_OBS_SD`. Returns (years,
    national area as surveyed (M, T')).

    Only the eradication input of the test years is read (what was done), never their areas.
    """
    inputs, _ = history_inputs(data, start_year, end_year, filtered.year)
    years, national = step_forward(filtered, inputs, rng)
    return years, national * np.exp(NATIONAL_OBS_SD * rng.standard_normal(national.shape))


def step_forward(
    filtered: Filtered, inputs, rng: np.random.Generator, drift: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Step the filtered particles through the years of ``inputs`` after ``filtered.year``.

    ``inputs`` is a history run over the same first year as the filter (e.g. from
    :func:`history_inputs`, its ``observed_eradication`` the eradication to assume after the
    cut-off: observed for a conditional forecast, a status-quo level for an unconditional one).
    Returns (years, national area as reported (M, T')).

    After the cut-off the model error is the run's structural error
    (:mod:`cnplan.model.structural`): the state follows the model, and the reported area
    drifts from it by a random walk in log area from 0 at the cut-off, so the error persists;
    its yearly sd is the national part of the process noise (:attr:`Filtered.national_sd`).
    (Inside the filter the same error perturbs the state, so that particles can follow the
    observations; stepped on without observations, the model's dynamics pulled such
    perturbations back and the spread grew less with the horizon than forecast errors do.)
    The backtest therefore scores the error model ``cnplan run`` uses.
    """
    ahead = np.flatnonzero(inputs.years > filtered.year)
    if inputs.years[0] != filtered.years[0]:
        raise ValueError("step_forward: the inputs must start in the filter's first year")
    p = P(filtered.params)
    state = filtered.state
    m, n_u = filtered.params.shape[0], len(inputs.zones)
    out = np.empty((m, len(ahead)))
    walk, sd = np.zeros(m), filtered.national_sd
    for j, t in enumerate(ahead):
        state, _ = step(state, int(t), inputs, p, rng.standard_normal((m, n_u)),
                        rng.standard_normal(m))
        walk += sd * rng.standard_normal(m) + (filtered.drift if drift else 0.0)
        out[:, j] = state.area.sum(axis=1) * np.exp(walk)
    return inputs.years[ahead], out


RUN_PARTICLES = 4000
"""Particles of a run's filtered start: 200 parameter rows of :data:`ROW_PARTICLES` each."""
HISTORY_START = 2005
"""First year of the history the shipped calibrations simulate (their ``window``)."""


def run_start(plan, data: Dataset, paramset: ParameterSet, seed: int = 0,
              particles: int = RUN_PARTICLES) -> StartState | None:
    """The filtered start of a run, or None where a run starts from the data as it is.

    A plan starting in year Y starts from the state filtered through the observations up to
    Y - 1 when the parameter set is fitted (a posterior sample), Y - 1 is after the first
    history year and the data have a national area in Y - 1 or earlier, and the plan runs on
    this dataset's zones (one country). Otherwise (e.g. the lima-2005 plan, which starts where
    the history starts) None.
    """
    year = int(plan.start_year) - 1
    start = int(paramset.provenance.get("window", [HISTORY_START])[0])
    national = data.national("coca_ha").dropna()
    if paramset.samples is None or year <= start or national.empty:
        return None
    if int(national.index.min()) > year:
        return None
    filtered = filter_history(data, paramset, until=min(year, int(national.index.max())),
                              start_year=start, particles=particles, seed=seed)
    if filtered.year != year:
        return None  # the data end before the plan's start year: nothing to filter up to it
    return filtered.start()
