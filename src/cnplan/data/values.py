"""The forms a value cell may take: a number, a censored value (``>30000``) or a range.

Sources often publish a bound rather than a point ("more than 30,000 ha", "10,000–12,000 ha").
Such a figure is kept as what it is, a lower and/or upper bound, and never turned into a
point: :func:`parse_value` returns ``(value, lower, upper)`` with ``value`` NaN for a bound.
"""

from __future__ import annotations

import math
import re

NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
"""A number, optionally with ``,`` thousands separators in groups of three (``10,000.5``)."""

_POINT = re.compile(rf"^\s*({NUMBER})\s*$")
_CENSORED = re.compile(rf"^\s*(>=|<=|≥|≤|>|<)\s*({NUMBER})\s*$")
_RANGE = re.compile(rf"^\s*({NUMBER})\s*(?:–|—|\.\.|to|-)\s*({NUMBER})\s*$")

EXPECTED = ("a number (e.g. 12500 or 12,500), a censored value ('>30000', '<=500') or a range "
            "('10,000–12,000', '10000..12000')")
"""The expected form, as error messages state it."""

NAN = float("nan")


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def parse_value(text: str) -> tuple[float, float, float]:
    """Parse a value cell into ``(value, lower, upper)``.

    ``"12500"`` → ``(12500, 12500, 12500)``; ``">30000"`` → ``(nan, 30000, nan)``;
    ``"<=500"`` → ``(nan, nan, 500)``; ``"10,000–12,000"`` → ``(nan, 10000, 12000)``;
    ``""`` → all NaN (an explicit gap). Strict and non-strict inequalities give the same bound
    (the difference is below any source's precision).

    Raises
    ------
    ValueError
        If the text is none of these forms, or a range's lower end exceeds its upper end; the
        message states the expected form.
    """
    text = str(text).strip()
    if text == "":
        return NAN, NAN, NAN
    m = _POINT.match(text)
    if m:
        v = _num(m[1])
        return v, v, v
    m = _CENSORED.match(text)
    if m:
        v = _num(m[2])
        return (NAN, v, NAN) if m[1] in {">", ">=", "≥"} else (NAN, NAN, v)
    m = _RANGE.match(text)
    if m:
        lo, hi = _num(m[1]), _num(m[2])
        if lo > hi:
            raise ValueError(f"range {text!r} has its lower end above its upper end")
        if lo == hi:
            return lo, lo, hi
        return NAN, lo, hi
    raise ValueError(f"expected {EXPECTED}, got {text!r}")


def is_value(text: str) -> bool:
    """Whether ``text`` is a valid value cell (see :func:`parse_value`)."""
    try:
        parse_value(text)
    except ValueError:
        return False
    return True


def is_bound(lower: float, upper: float, value: float) -> bool:
    """Whether a parsed value is a bound (censored or ranged) rather than a point or a gap."""
    return math.isnan(value) and not (math.isnan(lower) and math.isnan(upper))
