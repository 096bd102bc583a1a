"""The plan's goals from simulated trajectories: hold the line, marginal producer, stability.

Each goal gives, per scenario, whether it is reached by the plan's target year and the first
year it is reached (NaN if never within the horizon), so an ensemble reports a probability and a
distribution of years.

- **Hold the line**: no net expansion against the base year: national coca at or below its
  base-year level, and poppy at or below its base-year level, in every year from the plan's start
  to the goal's year. The year reached is the first year with no net expansion.
- **Marginal producer**: coca at or below ``coca_ha`` and poppy at or below ``poppy_ha``. The year
  reached is the first year both hold; the goal is reached if that is by its year.
- **Stability point**: the first year in which cultivation is falling (or already marginal) *and*
  a counterfactual branch in which outside assistance stops that year keeps coca and poppy at or
  below the marginal levels for the following ``years_without_assistance`` years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GoalConfig:
    """Thresholds and years of the three goals, resolved against the data."""

    base_year: int
    base_coca: float | None  # observed national coca in the base year, if the data has it
    hold_by: int
    coca_marginal: float
    poppy_marginal: float
    marginal_by: int
    stability_by: int
    years_without_assistance: int


def first_year(condition: np.ndarray, years: np.ndarray) -> np.ndarray:
    """First year along axis 1 at which ``condition`` holds; NaN where it never does."""
    hit = condition.any(axis=1)
    idx = condition.argmax(axis=1)
    return np.where(hit, years[idx].astype(float), np.nan)


def hold_the_line(
    coca: np.ndarray, poppy: np.ndarray, poppy0: np.ndarray, years: np.ndarray, cfg: GoalConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Reached flag and first year of no net expansion, per scenario.

    ``poppy0`` is each scenario's poppy area at the end of the year before the start, used as
    the base when the base year precedes the simulation (poppy has no observed series).
    """
    if cfg.base_year < years[0]:
        base_poppy = poppy0
        base_coca = np.full(coca.shape[0], cfg.base_coca if cfg.base_coca is not None else np.nan)
    else:
        i = int(np.searchsorted(years, cfg.base_year))
        base_poppy = poppy[:, i]
        base_coca = coca[:, i] if cfg.base_coca is None else np.full(coca.shape[0], cfg.base_coca)
    held = (coca <= base_coca[:, None]) & (poppy <= base_poppy[:, None])
    upto = years <= cfg.hold_by
    reached = held[:, upto].all(axis=1)
    return reached, first_year(held, years)


def marginal(coca: np.ndarray, poppy: np.ndarray, cfg: GoalConfig) -> np.ndarray:
    """Where coca and poppy are both at or below the marginal-producer levels."""
    return (coca <= cfg.coca_marginal) & (poppy <= cfg.poppy_marginal)


def marginal_producer(
    coca: np.ndarray, poppy: np.ndarray, years: np.ndarray, cfg: GoalConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Reached flag (by the goal's year) and first marginal year, per scenario."""
    year = first_year(marginal(coca, poppy, cfg), years)
    return year <= cfg.marginal_by, year


def stability_point(
    coca: np.ndarray,
    coca_before: np.ndarray,
    poppy: np.ndarray,
    branch_ok: np.ndarray,
    years: np.ndarray,
    cfg: GoalConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Reached flag and first stability year, per scenario.

    ``coca_before`` is national coca at the end of the year before the start; ``branch_ok[s, t]``
    says whether the no-assistance branch started in year ``t`` stayed marginal.
    """
    previous = np.concatenate([coca_before[:, None], coca[:, :-1]], axis=1)
    falling = (coca < previous) | (coca <= cfg.coca_marginal)
    year = first_year(falling & branch_ok, years)
    return year <= cfg.stability_by, year
