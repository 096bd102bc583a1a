"""Eradication's effect in the model, measured as the empirical literature measures it.

The published figures are net effects of one more hectare eradicated on standing coca
(``docs/references.md``): the same year (Mejía, Restrepo & Rozo 2017 [Mejia2017]: 0.022-0.03
ha per ha sprayed, regression discontinuity; Ibanez & Klasen 2017 [Ibanez2017]: 0.44 ha per
ha forcibly eradicated, farmer panel) and after several years (national aggregates: 1.5
million ha sprayed for ~12,000 ha net [MinJusticia2015], ~1.2 million ha eradicated 2002-2008
for ~25,000 ha net [Mansfield2011]: 0.01-0.02 ha per ha). Reyes 2014 [Reyes2014] even finds a
positive elasticity (more eradication, more coca, 2001-2006 municipal panel, instrumented).

:func:`eradication_effects` measures the same quantities in the model by a controlled
experiment: the historical run with the observed eradication, and the same run with ``extra``
more hectares in one year, with common random numbers (the same parameter rows and the same
shocks; without ``rng`` both are the deterministic paths). The difference in national standing
area that year and ``lag`` years later, per hectare added, is the model's net effect.
:data:`EVIDENCE` states the ranges the calibration keeps the model inside.

:func:`spillover_effect` measures the spatial spill-over the same way, zone by zone: more
eradication in one zone, and the change in new coca the year after in that zone and in its
neighbours, for comparison with Dávalos & Morales' spatial Durbin estimates
(:data:`SPILLOVER`, [Davalos2019], [Davalos2023]; a check, not part of the evidence term).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cnplan.calibrate.history import AERIAL_EQUIVALENT
from cnplan.model import Inputs
from cnplan.model.engine import P, initial_state, scoped_targets, step
from cnplan.model.geography import EXPANSION, HARD_CORE
from cnplan.model.mechanisms import base_presence, replant_rate
from cnplan.model.simulate import Draws, run_chunk


@dataclass(frozen=True)
class Band:
    """A published range a model effect must stay in, with its sources (reference keys)."""

    low: float
    high: float
    source: str

    def inside(self, x: np.ndarray | float) -> np.ndarray | bool:
        return (np.asarray(x) >= self.low) & (np.asarray(x) <= self.high)

    def excess(self, x: np.ndarray) -> np.ndarray:
        """How far ``x`` lies outside the band (0 inside), in the effect's own units."""
        return np.maximum(self.low - x, 0.0) + np.maximum(x - self.high, 0.0)


EVIDENCE: dict[str, Band] = {
    "same_year": Band(
        0.02,
        0.44,
        "0.022-0.03 ha per ha sprayed (aerial, RD) [Mejia2017] to 0.44 ha per ha forcibly "
        "eradicated (manual, farmer panel) [Ibanez2017]",
    ),
    "five_year": Band(
        -0.05,
        0.10,
        "0.01-0.02 ha per ha, national aggregates over 6-12 years [MinJusticia2015], "
        "[Mansfield2011]; a positive elasticity of area to eradication [Reyes2014] admits "
        "slightly negative values; the upper end 0.10 is a judgement (aggregates mix aerial "
        "and manual, and manual eradication is more effective [Mejia2016])",
    ),
    "replant_expansion": Band(
        0.30,
        0.67,
        "30-60% after forced eradication, Peru 2016-2020 [DEVIDA2021]; 50-67% in Colombia, "
        "2019 [InSightCrime2019]",
    ),
    "replant_hard_core": Band(
        0.50,
        0.92,
        "up to 92% within two years in the VRAEM [DEVIDA2016]; at least the expansion zones' "
        "share (judgement)",
    ),
    "aerial_same_year": Band(
        0.022,
        0.03,
        "0.022-0.03 ha per ha sprayed, regression discontinuity at the border of areas where "
        "spraying was banned [Mejia2017]; the model feeds each sprayed hectare as "
        "AERIAL_EQUIVALENT manual hectares (cnplan.calibrate.history)",
    ),
}
"""The published ranges of eradication's effect (see the module docstring). The same-year band
spans aerial and manual eradication: the model has one forced-eradication path, and the
evidence shows manual eradication at the top of the band."""


@dataclass
class EradicationEffects:
    """Net effects per hectare of extra eradication, one value per parameter row."""

    year: int
    extra_ha: float
    lag: int
    same_year: np.ndarray  # (M,) ha less standing coca that year per ha eradicated
    later: np.ndarray  # (M,) the same ``lag`` years later
    replant_expansion: np.ndarray  # (M,) share replanted, expansion zones, base presence
    replant_hard_core: np.ndarray  # (M,) the same in hard-core zones

    @property
    def aerial_same_year(self) -> np.ndarray:
        """The same-year effect of one more hectare sprayed from the air (the model's aerial
        input is worth ``AERIAL_EQUIVALENT`` manual hectares; the effect is linear at the
        margin).
        """
        return AERIAL_EQUIVALENT * self.same_year

    def summary(self) -> dict[str, dict[str, float]]:
        """Median and 90% interval of each effect, with its band and whether it is inside."""
        out = {}
        for key, band in EVIDENCE.items():
            x = self.later if key == "five_year" else getattr(self, key)
            lo, med, hi = np.quantile(x, [0.05, 0.5, 0.95])
            out[key] = {
                "median": float(med),
                "p05": float(lo),
                "p95": float(hi),
                "low": band.low,
                "high": band.high,
                "share_inside": float(np.mean(band.inside(x))),
            }
        return out


def _national(inputs: Inputs, theta: np.ndarray, noise: tuple | None, n_years: int) -> np.ndarray:
    """National area (M, n_years): the run stops after the last year the experiment reads."""
    s, t, z = theta.shape[0], len(inputs.years), len(inputs.zones)
    if noise is None:
        draws = Draws(theta, np.zeros((s, t, z)), np.zeros((s, t)))
    else:
        draws = Draws(theta, *noise)
    out = run_chunk(inputs, draws, n_years, None, ("area",))
    return out["area"].sum(axis=2, dtype=np.float64)


def effect_year(inputs: Inputs, lag: int = 4) -> int:
    """The default year of the experiment: the latest that still has ``lag`` years after it
    and eradication in it, so the effect is measured where the history has eradication.
    """
    years = inputs.years
    erad = inputs.observed_eradication
    ok = [i for i in range(len(years) - lag) if erad is None or erad[i] > 0]
    return int(years[ok[len(ok) // 2] if ok else 0])


def replant_shares(inputs: Inputs, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The share of forcibly eradicated area replanted (both years) in expansion and hard-core
    units at their base state presence, without alternative development: (expansion, hard).
    """
    p = P(theta)
    rates = []
    for kind in (EXPANSION, HARD_CORE):
        presence = base_presence(np.array([kind]), p)
        rates.append(replant_rate(np.array([kind == HARD_CORE]), presence, 1.0, p)[:, 0])
    return rates[0], rates[1]


def eradication_effects(
    inputs: Inputs,
    theta: np.ndarray,
    year: int | None = None,
    extra: float | None = None,
    lag: int = 4,
    rng: np.random.Generator | None = None,
) -> EradicationEffects:
    """Net reduction of national standing coca per extra hectare eradicated in ``year``.

    ``inputs`` is a history run (:func:`cnplan.calibrate.history.history_inputs`: observed
    eradication as input); ``theta`` the (M, k) parameter rows. ``extra`` defaults to 10% of
    that year's observed eradication (at least 100 ha): small enough to measure the marginal
    effect, as the regressions do. ``lag`` 4 gives the area at the end of the fifth year
    (the eradication year counts as the first). With ``rng`` the runs carry yearly shocks,
    the same in both (common random numbers).
    """
    if inputs.observed_eradication is None:
        raise ValueError("eradication effects need a history run (observed eradication)")
    year = effect_year(inputs, lag) if year is None else year
    i = int(np.searchsorted(inputs.years, year))
    if i >= len(inputs.years) or inputs.years[i] != year:
        raise ValueError(f"eradication effects: {year} is not a simulated year")
    base_erad = inputs.observed_eradication
    extra = max(0.1 * float(base_erad[i]), 100.0) if extra is None else float(extra)
    more_erad = base_erad.copy()
    more_erad[i] += extra
    noise = None
    if rng is not None:
        s, t, z = theta.shape[0], len(inputs.years), len(inputs.zones)
        noise = (rng.standard_normal((s, t, z)), rng.standard_normal((s, t)))
    j = min(i + lag, len(inputs.years) - 1)
    base = _national(inputs, theta, noise, j + 1)
    more = _national(replace(inputs, observed_eradication=more_erad), theta, noise, j + 1)
    expansion, hard = replant_shares(inputs, theta)
    return EradicationEffects(
        year=int(year),
        extra_ha=extra,
        lag=j - i,
        same_year=(base[:, i] - more[:, i]) / extra,
        later=(base[:, j] - more[:, j]) / extra,
        replant_expansion=expansion,
        replant_hard_core=hard,
    )


SPILLOVER = Band(
    0.0,
    1.0,
    "spatial Durbin model, 1,116 Colombian municipalities: aerial eradication in a "
    "municipality cuts its new coca area by 8% and its neighbours' by 3% (2001-2010, "
    "[Davalos2019]), by 9% and 7% (2001-2015, [Davalos2023]): neighbours fall by 0.375-0.78 "
    "of the sprayed municipality's fall, and no balloon effect (neighbours rising) is found. "
    "The abstracts give no standard errors: the band, from 0 (the balloon effect's edge) to 1 "
    "(neighbours fall as much), is a judgement around the two estimates. Rough comparison: "
    "a model zone spans many municipalities, so the municipalities next to a sprayed one are "
    "mostly inside its zone",
)
"""The published spatial spill-over of eradication, as the ratio of the neighbours' relative
change in new coca to the eradicated place's own. Not part of the calibration's evidence term:
the fit is never steered towards it, so it is an out-of-sample check
(:mod:`cnplan.calibrate.checks`)."""


@dataclass
class SpilloverEffect:
    """Relative change in new coca the year after extra eradication in one zone, in that zone
    and in its neighbours, averaged over the zones eradicated that year (one value per row).
    """

    year: int
    zones: list[str]  # the zones eradicated in ``year``, each in its own experiment
    neighbours: str  # how neighbours were found: the geography's links, or all other zones
    own: np.ndarray  # (M,) relative change of new coca in the eradicated zone
    others: np.ndarray  # (M,) relative change of new coca in its neighbours (pooled)
    far: np.ndarray  # (M,) the same in the zones of the country neither eradicated nor next to it
    direct: np.ndarray  # (M,) own net of far, zone by zone (the published -8%)
    indirect: np.ndarray  # (M,) others net of far, zone by zone (the published -3%)

    @property
    def ratio(self) -> np.ndarray:
        """The neighbours' change per unit of the zone's own, both net of the far zones'
        (published 0.375-0.78, both falling); negative is a balloon effect (neighbours gain).
        """
        direct = np.where(np.abs(self.direct) > 1e-12, self.direct, np.nan)
        return self.indirect / direct


def _neighbours(inputs: Inputs, zone: int) -> tuple[np.ndarray, np.ndarray, str]:
    """The zones next to ``zone`` (the geography's displacement links where the dataset has
    polygons, else every other zone of its country) and the far ones (the rest of the country).
    """
    geo = inputs.geography
    near = np.zeros(geo.n_units, dtype=bool)
    if geo.adjacency is not None:
        k = geo.adjacency
        row = slice(k.indptr[zone], k.indptr[zone + 1])
        near[k.indices[row][k.weights[row] > 0]] = True
        how = "zones sharing a border (the geography's links)"
    else:
        near = np.asarray(geo.country) == geo.country[zone]
        how = "every other zone of the country (the dataset has no zone polygons)"
    near[zone] = False
    far = (np.asarray(geo.country) == geo.country[zone]) & ~near
    far[zone] = False
    return np.flatnonzero(near), np.flatnonzero(far), how


def _new_coca(flows) -> np.ndarray:
    """New coca fields of a year (S, U): new planting and displaced planting maturing; the
    replanting of eradicated fields is not new area.
    """
    return flows.new_planting + flows.matured


def _one_zone_more(inputs: Inputs, state, year_index: int, zone: int, done: np.ndarray,
                   share: float) -> tuple[Inputs, np.ndarray]:
    """The year's inputs with ``share`` x the zone's eradication that year (``done``, (S, U),
    delivered in the run without the extra) added in that zone alone, and the extra (S,).

    The national figure becomes what was delivered plus the extra, and the zone weights (per
    row) are set so that every zone is asked what it took, the zone its extra on top: the
    other zones' eradication is unchanged unless the zone has no room for the extra (then
    the engine spreads the rest over the others; :func:`spillover_effect` leaves such rows out).
    """
    area = state.area
    (kind,) = scoped_targets(replace(inputs, eradication_zone_weight=None), year_index, area)
    extra = share * done[:, zone]
    asked = done.copy()
    asked[:, zone] += extra
    scale = area * kind.weight
    weight = np.divide(asked, scale, out=np.zeros_like(asked), where=scale > 0)
    amount = np.repeat(np.asarray(inputs.observed_eradication, float)[:, None], len(extra), 1)
    amount[year_index] = asked.sum(axis=1)  # (T, S): the engine reads row t, an (S,) amount
    return replace(inputs, observed_eradication=amount, eradication_zone_weight=weight), extra


def spillover_effect(
    inputs: Inputs, theta: np.ndarray, year: int | None = None, share: float = 0.1
) -> SpilloverEffect:
    """The spatial spill-over of eradication, measured as Dávalos & Morales measure it
    (:data:`SPILLOVER`): in each zone eradicated in ``year`` (default: the year of
    :func:`eradication_effects`), ``share`` more of its eradication that year, alone; the
    relative change of new coca (new and displaced planting) the year after, in the zone and in
    its neighbours, against the same run without the extra (deterministic paths, the same
    parameter rows). The far zones' change (the rest of the country) is taken off both, as the
    study's year fixed effects take off what moves everywhere (here the national leaf price).
    The zones' changes are averaged with their eradication as weights; a zone without room for
    the extra in a row (at its eradication cap), or without neighbours, is left out of that row.
    """
    if inputs.observed_eradication is None:
        raise ValueError("the spill-over needs a history run (observed eradication)")
    year = effect_year(inputs) if year is None else year
    i = int(np.searchsorted(inputs.years, year))
    if i + 1 >= len(inputs.years) or inputs.years[i] != year:
        raise ValueError(f"spill-over: {year} and the year after must be simulated years")
    p = P(theta)
    calm = (np.zeros((theta.shape[0], len(inputs.zones))), np.zeros(theta.shape[0]))
    state = initial_state(inputs, p)
    for t in range(i):
        state, _ = step(state, t, inputs, p, *calm)
    after, now = step(state, i, inputs, p, *calm)
    done = now.forced_eradication
    base = _new_coca(step(after, i + 1, inputs, p, *calm)[1])
    changes: list[np.ndarray] = []  # per zone (5, S): own, neighbours, far, direct, indirect
    zones, how = [], ""
    for z in np.flatnonzero(done.mean(axis=0) > 0):
        near, far, how = _neighbours(inputs, int(z))
        more, extra = _one_zone_more(inputs, state, i, int(z), done, share)
        moved, flows = step(state, i, more, p, *calm)
        took = flows.forced_eradication[:, z] - done[:, z] >= 0.99 * extra
        new = _new_coca(step(moved, i + 1, inputs, p, *calm)[1])
        own, others, away = (_relative(new, base, x) for x in ([z], near, far))
        rows = [own, others, away, own - np.nan_to_num(away), others - np.nan_to_num(away)]
        changes.append(np.where(took & np.isfinite(others), np.array(rows), np.nan))
        zones.append(str(inputs.zones[z]))
    if not zones:
        raise ValueError(f"spill-over: no zone has eradication in {year}")
    w = done[:, [list(inputs.zones).index(z) for z in zones]].T  # (Z, S) each zone's eradication
    return SpilloverEffect(int(year), zones, how,
                           *(_average(np.array([c[k] for c in changes]), w) for k in range(5)))


def _relative(new: np.ndarray, base: np.ndarray, zones) -> np.ndarray:
    """Relative change of the zones' pooled new coca (S,); NaN when ``zones`` is empty."""
    if len(zones) == 0:
        return np.full(new.shape[0], np.nan)
    before = base[:, zones].sum(axis=1)
    return (new[:, zones].sum(axis=1) - before) / np.maximum(before, 1.0)


def _average(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean over zones (axis 0) of the rows measured (NaN: a zone left out)."""
    w = np.where(np.isnan(x), 0.0, w)
    total = w.sum(axis=0)
    return np.divide((np.nan_to_num(x) * w).sum(axis=0), total,
                     out=np.full(x.shape[1], np.nan), where=total > 0)
