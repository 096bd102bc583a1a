"""Bounds on what cnplan accepts, declared once so that every reader refuses the same things.

Each bound is a plausibility or resource limit, not a model figure: it says what input cannot
be meant (a year 10^9, 1e300 hectares) or cannot be served on a normal machine (a YAML file
that expands to millions of nodes). ``docs/limits.md`` lists them with the reasons.
"""

from __future__ import annotations

import math
import reprlib

from cnplan.errors import CnplanError

# -- YAML ---------------------------------------------------------------------------------------
YAML_MAX_DEPTH = 100
"""Deepest nesting of mappings/lists in a plan or experiment file (real ones stay under 10)."""

YAML_MAX_NODES = 200_000
"""Most nodes a YAML document may have once every alias is expanded (a 256 kB plan written
out by hand has well under 50,000); an alias bomb of a few hundred bytes has billions."""

# -- numbers ------------------------------------------------------------------------------------
MIN_YEAR = 1900
MAX_YEAR = 2200
"""Years a plan, experiment, dataset row or tracker report may name. The data start in the
1980s; planning horizons beyond 2200 are not meant (assumption, generous on both sides)."""

MAX_ABS_VALUE = 1e12
"""Largest magnitude of any quantity read from a file or a form (hectares, tonnes, US$,
people). World coca is ~10^5-10^6 ha and programme budgets ~10^9 US$; 10^12 leaves room for
any unit cnplan uses while refusing 1e300 (which turns costs into inf)."""

# -- problem size -------------------------------------------------------------------------------
def _memory_limit() -> int:
    import os

    try:
        return int(float(os.environ.get("CNPLAN_MEMORY_LIMIT_GB", "4")) * 1024**3)
    except ValueError:
        return 4 * 1024**3


MAX_MEMORY_BYTES = _memory_limit()
"""Largest memory one run or exploration may plan to hold at once (estimated up front):
4 GB, or ``CNPLAN_MEMORY_LIMIT_GB`` from the environment on a larger machine."""

MAX_RUN_YEARS = 200
"""Longest horizon a run may simulate (years after the plan's start)."""


class SizeError(CnplanError, ValueError):
    """A problem too large to compute here; the message gives the estimate and the limit."""


def human_bytes(n: float) -> str:
    """``3.2 GB``-style size (powers of 1024), for messages."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1024 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:g}"


def memory_problem(estimate: int, what: str, limit: int = MAX_MEMORY_BYTES) -> str | None:
    """Why ``estimate`` bytes for ``what`` is refused (over ``limit``), else None."""
    if estimate <= limit:
        return None
    return (f"{what} needs about {human_bytes(estimate)} of memory; the limit is "
            f"{human_bytes(limit)}")


def finite_problem(value: object, what: str = "value", bound: float = MAX_ABS_VALUE) -> str | None:
    """Why ``value`` is not a plausible number (non-finite, absurd or a boolean), else None."""
    if isinstance(value, bool):
        return f"expected a number, got a boolean ({value})"
    if not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, got {value}"
    if abs(value) > bound:
        return f"{what} {short_repr(value)} is beyond the plausible bound ±{bound:g}"
    return None


def year_problem(value: int) -> str | None:
    """Why ``value`` is not a plausible year, else None."""
    if not MIN_YEAR <= value <= MAX_YEAR:
        return f"expected a year between {MIN_YEAR} and {MAX_YEAR}, got {short_repr(value)}"
    return None


YEAR_KEYS = frozenset({"year", "start", "end", "start_year", "end_year", "by_year", "base_year",
                       "baseline_year", "until", "period"})
"""Mapping keys whose whole-number values are years, wherever they appear in a plan or an
experiment."""


def number_problems(raw: object, where: str = "", depth: int = 0) -> list[str]:
    """Located problems of every number in a parsed YAML/JSON tree: non-finite or absurd
    magnitudes anywhere, implausible years under :data:`YEAR_KEYS` and as integer keys.

    Locations read like ``goals.marginal_producer.coca_ha`` or ``phases[1].end``.
    """
    out: list[str] = []
    if depth > 200:
        return out
    if isinstance(raw, dict):
        for key, value in raw.items():
            here = f"{where}[{key}]" if isinstance(key, int) else (
                f"{where}.{key}" if where else str(key))
            if isinstance(key, int) and not isinstance(key, bool) and (p := year_problem(key)):
                out.append(f"{here}: {p}")
            elif (key in YEAR_KEYS and isinstance(value, int) and not isinstance(value, bool)
                  and (p := year_problem(value))):
                out.append(f"{here}: {p}")
                continue
            out += number_problems(value, here, depth + 1)
    elif isinstance(raw, list | tuple):
        for i, value in enumerate(raw):
            out += number_problems(value, f"{where}[{i}]", depth + 1)
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        if p := finite_problem(raw, "value"):
            out.append(f"{where or '(top level)'}: {p}")
    return out


_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 2


def short_repr(value: object) -> str:
    """A bounded repr for error messages: never the whole of a large (or aliased) input."""
    try:
        return _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails must not hide the real error
        return f"<{type(value).__name__}>"
