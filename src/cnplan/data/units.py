"""Units a variable may be declared in, and the conversions the model needs.

Each variable has one unit (declared by its rows). The model works in hectares, tonnes and US
dollars per kilogram; a variable in acres, kilograms or a local currency per kilogram is
converted when the model reads it. A local-currency price needs the exchange rate of the same
year from the dataset itself (variable ``exchange_rate_<currency>``, unit ``<CUR>/USD``, with
its own source), so the conversion cites its rate; without one the value stays unconverted.
"""

from __future__ import annotations

import re

import pandas as pd

from cnplan.errors import CnplanError

FACTORS: dict[tuple[str, str], float] = {
    ("acres", "ha"): 0.40468564224,
    ("ha", "acres"): 1 / 0.40468564224,
    ("kg", "t"): 0.001,
    ("t", "kg"): 1000.0,
}
"""Fixed factors: value in the first unit times the factor = value in the second."""

CURRENCY_PER_KG = re.compile(r"^([A-Z]{3})/kg$")
RATE_UNIT = re.compile(r"^([A-Z]{3})/USD$")


def rate_variable(currency: str) -> str:
    """The variable holding a currency's yearly exchange rate (``exchange_rate_cop``)."""
    return f"exchange_rate_{currency.lower()}"


class UnitError(CnplanError, ValueError):
    """A conversion the dataset cannot make (no factor, or no exchange rate)."""


def convert(series: pd.Series, from_unit: str, to_unit: str,
            rate: pd.Series | None = None) -> pd.Series:
    """Convert a yearly series between units.

    Parameters
    ----------
    series
        Values indexed by year, in ``from_unit``.
    rate
        For a local-currency price (``COP/kg`` → ``USD/kg``): units of that currency per US
        dollar, indexed by year. A year without a rate becomes NaN (a gap, never a guess).

    Raises
    ------
    UnitError
        If no factor links the two units, or a currency price has no rate series.
    """
    if from_unit == to_unit:
        return series.copy()
    if (from_unit, to_unit) in FACTORS:
        return series * FACTORS[(from_unit, to_unit)]
    m = CURRENCY_PER_KG.match(from_unit)
    if m and to_unit == "USD/kg":
        if rate is None or rate.dropna().empty:
            raise UnitError(
                f"{from_unit} to USD/kg needs the variable {rate_variable(m[1])} "
                f"(unit {m[1]}/USD) for the same years"
            )
        return series / rate.reindex(series.index)
    raise UnitError(f"no conversion from {from_unit!r} to {to_unit!r}")
