"""Checks of the model against published figures and against natural experiments.

*Literature checks* compare what the fitted model does (effects measured by simulation, never a
parameter read off its prior range) with published estimates cited by key from
``docs/references.md``: eradication's net effect the same year and after five years, and the
share of eradicated fields replanted in expansion and hard-core zones
(:mod:`cnplan.calibrate.effects`, whose ``EVIDENCE`` holds the bands), the spatial spill-over of
eradication to neighbouring zones against Dávalos & Morales' spatial Durbin estimates
(``SPILLOVER``; not part of the fit's evidence), and Peru's break-even leaf price. The
replanting shares are the model's emergent rates (the parameter cut by state presence at its
base level), so a fit that leans on presence to stop replanting fails them.

*Natural experiments* are conditional forecasts from the year before an event, fitted only to
the data up to that year and driven by the eradication that was actually done, compared with
what happened. Their pass bands are set from the observations alone, before any model is run:
the observed change of national area over the event, plus or minus the survey error of the two
observations it rests on (``SURVEY_ERROR_SD``, an assumption). A check passes when the model's
median forecast change lies inside the band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnplan import progress
from cnplan.calibrate.effects import EVIDENCE, SPILLOVER, eradication_effects, spillover_effect
from cnplan.calibrate.history import history_inputs
from cnplan.data import Dataset
from cnplan.i18n import gettext
from cnplan.model import ParameterSet
from cnplan.model.parameters import PARAM_INDEX


@dataclass
class Check:
    name: str
    published: str
    source: str
    model: str
    passed: bool | None  # None: skipped (the text in ``model`` says why)


PERU_ONLY = "checks built from Peru's history are not applied to other countries"
NO_EXPERIMENT = "no natural experiment is declared for this country"

SURVEY_ERROR_SD = 0.10
"""Standard error of one year's national coca-area survey, in log units (assumption; plausible
range 0.05-0.15: satellite surveys are published as points, without intervals). A change
between two surveys has sd sqrt(2) x this; the pass band is its 90% interval."""
BAND_Z = 1.645


@dataclass(frozen=True)
class NaturalExperiment:
    """An event in a country's history: fit to ``cutoff`` (the year before), compare ``until``."""

    country: str
    name: str
    cutoff: int
    until: int
    what: str
    source: str


EXPERIMENTS = (
    NaturalExperiment(
        "Peru", "2013–2015 eradication surge", 2012, 2015,
        "forced eradication rose from 14,171 ha (2012) to 23,900, 31,200 and 35,868 ha",
        "UNODC/DEVIDA surveys and eradication (peru SOURCES.md: S17, S18, S22)",
    ),
    NaturalExperiment(
        "Peru", "2020–2021 eradication pause", 2019, 2021,
        "eradication fell from 25,526 ha (2019) to 6,273 ha (2020) and ~2,553 ha (2021)",
        "DEVIDA 2019–2021 (peru SOURCES.md: S30, S31, S34)",
    ),
    NaturalExperiment(
        "Colombia", "end of aerial spraying (Oct 2015), rise to 2017", 2014, 2017,
        "aerial spraying stopped in October 2015 (0 ha in 2016)",
        "UNODC/SIMCI surveys (colombia sources.csv: C10, C11, C12)",
    ),
    NaturalExperiment(
        "Colombia", "voluntary substitution (PNIS) from 2017", 2016, 2019,
        "PNIS voluntary eradication from 2017 (not a model input: the data has no voluntary "
        "series)",
        "UNODC/SIMCI surveys (colombia sources.csv: C11, C14) [UNODC2019PNIS]",
    ),
)
"""Declared once, with their years chosen from the events' dates, not from any model result."""


def _skip(name: str, published: str, source: str, why: str) -> Check:
    return Check(name, published, source, f"skipped: {why}", None)


def _q(x: np.ndarray, fmt: str = ".3g") -> str:
    lo, med, hi = np.quantile(x, [0.05, 0.5, 0.95])
    return f"{med:{fmt}} [{lo:{fmt}}–{hi:{fmt}}]"


def literature_checks(data: Dataset, pset: ParameterSet, start_year: int = 2005) -> list[Check]:
    """Run every literature check on the posterior sample ``pset`` (deterministic paths)."""
    theta = pset.samples
    if theta is None:
        raise ValueError("literature checks need a fitted parameter set (a posterior sample)")
    end = int(data.national("coca_ha").dropna().index.max())
    inputs, _ = history_inputs(data, start_year, end)
    checks = [*_effect_checks(inputs, theta), spillover_check(inputs, theta)]
    name = "break-even leaf price"
    published = "about US$1/kg (Peru, early 2000s); pass if in the 90% band"
    source = "The Economist 2002, quoted [Economist2002]"
    if data.country != "Peru":
        return [*checks, _skip(name, published, source, PERU_ONLY)]
    be = theta[:, PARAM_INDEX["break_even_price"]]
    lo, hi = np.quantile(be, [0.05, 0.95])
    return [*checks, Check(name, published, source, _q(be), bool(lo <= 1.0 <= hi))]


EFFECT_NAMES = {
    "same_year": "net reduction per ha eradicated, same year",
    "five_year": "net reduction per ha eradicated, after 5 years",
    "replant_expansion": "replanting share after forced eradication",
    "replant_hard_core": "replanting share, hard-core zones",
}


def _effect_checks(inputs, theta: np.ndarray) -> list[Check]:
    """Eradication's net effects and replanting shares, measured in the model."""
    effects = eradication_effects(inputs, theta)
    values = {
        "same_year": effects.same_year,
        "five_year": effects.later,
        "replant_expansion": effects.replant_expansion,
        "replant_hard_core": effects.replant_hard_core,
    }
    checks = []
    for key, name in EFFECT_NAMES.items():
        band, x = EVIDENCE[key], values[key]
        where = (f" ({effects.extra_ha:,.0f} ha more in {effects.year})"
                 if key in ("same_year", "five_year") else " (at base state presence)")
        checks.append(Check(
            name,
            f"{band.low:g}–{band.high:g}: {band.source}; pass if the median is inside",
            _keys(band.source),
            _q(x) + where,
            bool(band.low <= float(np.median(x)) <= band.high),
        ))
    return checks


SPILLOVER_NAME = "spill-over of eradication to neighbouring zones"
EDGE = 1e-9
"""Tolerance at the band's edges: without displacement the model's neighbours move exactly as
the far zones do, a ratio of 0 up to rounding."""


def spillover_check(inputs, theta: np.ndarray) -> Check:
    """Eradication's spatial spill-over measured in the model
    (:func:`cnplan.calibrate.effects.spillover_effect`) against Dávalos & Morales' spatial
    Durbin estimates: passes when the eradicated zone's new coca falls (median) and the
    neighbours' change per unit of that fall is inside :data:`SPILLOVER` (median).
    """
    band = SPILLOVER
    if len(inputs.zones) < 2:
        return _skip(SPILLOVER_NAME, band.source, _keys(band.source),
                     "one zone: no neighbouring zone to spill over to")
    e = spillover_effect(inputs, theta)
    ok = np.isfinite(e.ratio)  # rows where some zone had room for the extra and moved
    if not ok.any():
        return _skip(SPILLOVER_NAME, band.source, _keys(band.source),
                     f"no zone could take more eradication in {e.year}")
    ratio, zone, near = e.ratio[ok], e.direct[ok], e.indirect[ok]
    direct, med = float(np.median(zone)), float(np.median(ratio))
    passed = direct < 0 and band.low - EDGE <= med <= band.high + EDGE
    measured = int(ok.sum())
    balloon = "; the zone's own new coca rises: a balloon effect" if direct >= 0 else ""
    return Check(
        SPILLOVER_NAME,
        f"{band.low:g}–{band.high:g} (neighbours' change in new coca per unit of the eradicated "
        f"place's own, both net of the far zones' as the study's year effects): {band.source}; "
        "pass if the eradicated zone's new coca falls and the median ratio is inside",
        _keys(band.source),
        f"{_q(ratio)} (zone {_q(zone, '+.1%')}, neighbours "
        f"{_q(near, '+.1%')}, new coca in {e.year + 1} after 10% more eradication in one "
        f"zone in {e.year}, each zone in turn; neighbours: {e.neighbours}; {measured} of "
        f"{len(ok)} rows){balloon}",
        bool(passed),
    )


def _keys(text: str) -> str:
    """The reference keys a band's text cites (its source column)."""
    import re

    keys = re.findall(r"\[[A-Za-z]+\d{4}[A-Za-z]*\]", text)
    return ", ".join(dict.fromkeys(keys)) or "judgement"


def experiment_band(data: Dataset, exp: NaturalExperiment) -> tuple[float, float, float] | None:
    """Observed change over the event and its pass band (from the observations only), or None
    when the data lacks either year.
    """
    national = data.national("coca_ha")
    if any(y not in national.index or np.isnan(national[y]) for y in (exp.cutoff, exp.until)):
        return None
    change = float(np.log(national[exp.until] / national[exp.cutoff]))
    half = BAND_Z * np.sqrt(2.0) * SURVEY_ERROR_SD
    return float(np.expm1(change)), float(np.expm1(change - half)), float(np.expm1(change + half))


def natural_experiments(
    data: Dataset, start_year: int = 2005, seed: int = 0, theta: np.ndarray | None = None,
    particles: int | None = None, generations: int | None = None,
    partners: tuple[Dataset, ...] = (),
) -> list[Check]:
    """Run the natural experiments declared for ``data``'s country.

    Each refits the model to the data up to the year before the event (rolling-evaluation
    sizes, :mod:`cnplan.calibrate.rolling`; pooled with ``partners``, cut at the same year,
    when any) unless ``theta`` (parameter rows) is given.
    """
    from cnplan.calibrate.rolling import ROLLING_GENERATIONS, ROLLING_PARTICLES, forecast_from

    mine = [e for e in EXPERIMENTS if e.country == data.country]
    if not mine:
        return [_skip("natural experiments", "–", "–", NO_EXPERIMENT)]
    out = []
    national = data.national("coca_ha")
    task = gettext("natural experiments")
    for done, exp in enumerate(mine):
        progress.step(task, done, len(mine))
        label = f"natural experiment: {exp.name}"
        band = experiment_band(data, exp)
        if band is None:
            out.append(_skip(label, exp.what, exp.source,
                             f"no coca_ha for {exp.cutoff} or {exp.until} in the data"))
            continue
        obs, lo, hi = band
        fc = forecast_from(data, exp.cutoff, exp.until, start_year,
                           particles or ROLLING_PARTICLES, generations or ROLLING_GENERATIONS,
                           seed, theta, tuple(partners))
        ens = fc.ensembles["conditional"][:, -1] / float(national[exp.cutoff]) - 1.0
        med = float(np.median(ens))
        out.append(Check(
            label,
            f"{exp.what}; observed {obs:+.0%} ({exp.cutoff}→{exp.until}); pass band "
            f"{lo:+.0%} to {hi:+.0%} (survey error, assumption)",
            exp.source,
            f"{_q(ens, '+.0%')} (conditional forecast from {exp.cutoff})",
            bool(lo <= med <= hi),
        ))
    progress.step(task, len(mine), len(mine))
    return out
