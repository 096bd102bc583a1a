"""The observations a fit or a filter compares the model with, aligned with simulated years.

Shared by the calibration's distance (:mod:`cnplan.calibrate.fit`) and the state filter's
likelihood (:mod:`cnplan.calibrate.filter`), which the fit uses in turn to estimate the model's
forecast error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnplan.data import Dataset

ZONE_FLOOR_HA = 100.0
"""Added to zone areas before their log is compared, so a zone without coca has a finite error
(assumption; plausible range 10-1,000 ha)."""


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
