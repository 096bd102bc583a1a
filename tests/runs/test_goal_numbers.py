"""Goal tables and headlines say only what the ensemble supports: year statistics from enough
futures, the count that reached, what each column means, and the median future's trajectory."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from cnplan.i18n import use_language
from cnplan.plans import load_plan
from cnplan.runs import (
    MIN_FUTURES_FOR_YEARS,
    central_trajectory,
    goal_columns_note,
    goal_summary,
    trajectory_sentence,
    years_text,
)
from cnplan.runs.summary import about

GOALS = ("hold_the_line", "marginal_producer", "stability_point")


def _ensemble(reaching: dict[str, list[float]], n: int = 200) -> xr.Dataset:
    """Goal outcomes of ``n`` futures; ``reaching[goal]`` are the years of those that reach it."""
    data = {}
    for goal in GOALS:
        years = np.full(n, np.nan)
        hit = reaching.get(goal, [])
        years[: len(hit)] = hit
        data[f"{goal}_year"] = ("scenario", years)
        data[f"{goal}_reached"] = ("scenario", ~np.isnan(years))
    return xr.Dataset(data, coords={"scenario": np.arange(n)})


def test_one_future_reaching_gives_no_year_statistics() -> None:
    goals = goal_summary(_ensemble({"marginal_producer": [2013.0]}), load_plan("lima-2005"))
    row = goals.set_index("goal").loc["marginal_producer"]
    assert row.reached_count == 1 and np.isnan(row.year_median)
    text = years_text(row)
    assert "2013" not in text and "1 future reaches it" in text and "too few" in text


def test_enough_futures_give_the_median_and_range_with_the_count() -> None:
    years = [2010.0] * 4 + [2012.0] * 4 + [2014.0] * (MIN_FUTURES_FOR_YEARS - 8)
    goals = goal_summary(_ensemble({"hold_the_line": years}), load_plan("lima-2005"))
    row = goals.set_index("goal").loc["hold_the_line"]
    assert row.reached_count == MIN_FUTURES_FOR_YEARS
    assert years_text(row) == "2012 [2010–2014] (10 futures)"
    assert years_text(row, short=True) == "2012 [2010–2014]"
    assert years_text(goals.set_index("goal").loc["stability_point"]) == "never in horizon"


def test_a_stored_goal_mapping_is_read_like_a_row() -> None:
    stored = {"reached_count": 3, "year_median": None, "year_p10": None, "year_p90": None}
    assert years_text(stored) == "too few to say when: 3 futures reach it"
    old = {"year_median": 2009.0, "year_p10": 2008.0, "year_p90": 2011.0}  # older run.json
    assert years_text(old) == "2009 [2008–2011]"
    with use_language("es"):
        assert "3 futuros" in years_text(stored)


def test_the_column_note_explains_by_year_and_at_some_time() -> None:
    note = goal_columns_note()
    assert "by its target year" in note and "even after its target year" in note
    assert f"at least {MIN_FUTURES_FOR_YEARS} futures" in note


@pytest.mark.parametrize(("value", "expected"), [
    (124_600, 125_000), (90_300, 90_500), (48_210, 48_000), (730, 730), (0.0, 0),
])
def test_headline_figures_are_rounded_to_a_readable_about(value: float, expected: int) -> None:
    assert about(value) == expected


def _national(start: float, end: float) -> xr.Dataset:
    years = np.arange(2005, 2016)
    path = np.linspace(start, end, years.size)
    values = np.stack([path * f for f in (0.8, 1.0, 1.2)])[:, :, None]  # scenario, year, crop
    return xr.Dataset({"national_ha": (("scenario", "year", "crop"), values)},
                      coords={"scenario": [0, 1, 2], "year": years, "crop": ["coca"]})


def test_central_trajectory_is_the_median_future_in_words() -> None:
    trajectory = central_trajectory(_national(90_000, 125_000))
    assert trajectory == {"variable": "coca", "unit": "ha", "from_year": 2005, "to_year": 2015,
                          "from": 90_000.0, "to": 125_000.0}
    assert trajectory_sentence(trajectory) == (
        "In the median future, coca rises from about 90,000 ha in 2005 to about 125,000 ha "
        "in 2015.")
    assert "falls" in trajectory_sentence(central_trajectory(_national(60_000, 30_000)))
    assert "stays at about 50,000" in trajectory_sentence(
        central_trajectory(_national(50_000, 51_000)))
    with use_language("es"):
        assert "sube" in trajectory_sentence(trajectory)
