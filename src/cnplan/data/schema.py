"""The dataset format: file columns, allowed codes, pandera column schemas, and the error types."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from cnplan.data.values import EXPECTED, is_value
from cnplan.errors import CnplanError

NATIONAL = "national"
"""Zone name of country-total rows in ``observations.csv``."""

FULL_YEAR = "year"
"""``period`` of a full-year value; any other period marks a part-year (or multi-year) value."""

YEAR_MIN, YEAR_MAX = 1900, 2100

REQUIRED = {
    "observations": ["country", "zone", "year", "period", "variable", "value", "unit",
                     "source_id", "quality", "note"],
    "zones": ["zone_id", "name", "country", "kind", "lat", "lon", "departments"],
    "crosswalk": ["source_name", "zone_ids", "level", "note"],
    "sources": ["source_id", "title", "url", "publisher_kind"],
    "meta": ["key", "value"],
}
"""Columns each file must have, in the order they are written."""

OPTIONAL = {"observations": ["lower", "upper"], "zones": ["note"], "crosswalk": [],
            "sources": [], "meta": []}
"""Columns a file may have besides the required ones."""

FORMAT_VERSION = 2
"""The dataset format this code writes (docs/data-format.md). A dataset without ``meta.csv``
is version 1 and is read as version 2 in memory (every version-1 file is a valid version 2)."""

UNITS = frozenset({
    "ha", "acres", "t", "kg", "kg/ha/yr", "USD/kg", "PEN/kg", "BOB/kg", "COP/kg", "pct",
    "million USD", "million PEN", "million COP", "families", "households", "operations",
    "persons", "labs", "districts", "COP/USD", "PEN/USD", "BOB/USD",
})
"""Units an observation may carry. Add a unit here (and to docs/data-format.md) to allow it."""

SIGNED_UNITS = frozenset({"pct"})
"""Units whose values may be negative (changes); every other unit must be >= 0."""

QUALITIES = frozenset({"official", "press", "transcription", "weak", "derived", "other"})
KINDS = frozenset({"traditional", "hard_core", "expansion"})
LEVELS = frozenset({"zone", "aggregate", "department", "area"})
PUBLISHER_KINDS = frozenset({"unodc_devida", "us_government", "peru_government",
                             "government", "press", "other"})

SERIES_TAG = re.compile(r"\[series:\s*([A-Za-z0-9_]+)\]")
"""A note starting ``[series: us]`` puts the row in series ``us`` (e.g. US vs UNODC estimates)."""

ZONE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
"""A zone id as a user may write it (``vraem``, ``BO-ALL``): a letter, then letters, digits,
``_``, ``.`` or ``-`` (no spaces, ``+`` or ``;``, which the crosswalk and source ids use)."""

ERADICATION_KINDS = {
    "eradication_forced_ha": "forced manual eradication",
    "eradication_aerial_ha": "aerial spraying",
    "eradication_voluntary_ha": "voluntary or negotiated eradication (e.g. PNIS, Bolivia's "
                                "rationalisation)",
}
"""Eradication by kind, each its own variable; ``eradication_ha`` is a total of unknown kind."""

VARIABLE_UNITS = {
    "coca_ha": {"ha", "acres"},
    "poppy_ha": {"ha", "acres"},
    "eradication_ha": {"ha", "acres"},
    **{name: {"ha", "acres"} for name in ERADICATION_KINDS},
    "leaf_price": {"USD/kg"},
    "dry_leaf_t": {"t", "kg"},
    "cocaine_potential_t": {"t", "kg"},
}
"""Units allowed for the core variables (others take any unit of ``UNITS``)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located so a user can find and fix it.

    ``row`` is the 1-based line number in the file (header = line 1), or ``None`` for a problem
    with the whole file or a whole column.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


class DataError(CnplanError):
    """Raised when a dataset is invalid or a request cannot be answered from it.

    Carries every problem found (not just the first) so a user can fix them in one pass.
    """

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", None, None, problems)]
        self.problems = list(problems)
        lines = [str(p) if p.file else p.message for p in self.problems]
        if len(lines) == 1:
            super().__init__(lines[0])
        else:
            super().__init__(f"{len(lines)} problems:\n" + "\n".join(f"  - {x}" for x in lines))


def _numeric(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _is_number(s: pd.Series) -> pd.Series:
    return _numeric(s).notna() | (s.str.strip() == "")


def _in(allowed: frozenset[str], what: str) -> pa.Check:
    return pa.Check(lambda s: s.isin(allowed),
                    error=f"{what} must be one of {', '.join(sorted(allowed))}")


_NONEMPTY = pa.Check(lambda s: s.str.strip() != "", error="must not be empty")
_YEAR = pa.Check(
    lambda s: (_numeric(s) % 1 == 0) & _numeric(s).between(YEAR_MIN, YEAR_MAX),
    error=f"must be a whole year between {YEAR_MIN} and {YEAR_MAX}",
)


def _range(lo: float, hi: float) -> pa.Check:
    return pa.Check(lambda s: _numeric(s).between(lo, hi) | _numeric(s).isna(),
                    error=f"must be between {lo} and {hi}")


_NUMBER = pa.Check(_is_number, error="must be a number")
_VALUE = pa.Check(lambda s: s.map(is_value), error=f"must be {EXPECTED}")
_NUMBER_REQUIRED = pa.Check(lambda s: _numeric(s).notna(), error="must be a number")


def column_schemas() -> dict[str, dict[str, pa.Column]]:
    """Return the pandera column checks of every file, applied to the raw text of each cell.

    Cells are read as text so that a bad value is reported where it is, rather than turning a
    whole column into ``object`` or NaN before it can be checked.
    """
    text = {"dtype": str, "nullable": False, "coerce": True}
    return {
        "observations": {
            "country": pa.Column(checks=[_NONEMPTY], **text),
            "zone": pa.Column(checks=[_NONEMPTY], **text),
            "year": pa.Column(checks=[_YEAR], **text),
            "period": pa.Column(checks=[_NONEMPTY], **text),
            "variable": pa.Column(
                checks=[pa.Check.str_matches(r"^[a-z][a-z0-9_]*$",
                                             error="must be a lower_snake_case name")], **text),
            "value": pa.Column(checks=[_VALUE], **text),
            "unit": pa.Column(checks=[_in(UNITS, "unit")], **text),
            "source_id": pa.Column(checks=[_NONEMPTY], **text),
            "quality": pa.Column(checks=[_in(QUALITIES, "quality")], **text),
            "note": pa.Column(**text),
            "lower": pa.Column(checks=[_NUMBER], required=False, **text),
            "upper": pa.Column(checks=[_NUMBER], required=False, **text),
        },
        "zones": {
            "zone_id": pa.Column(
                checks=[pa.Check.str_matches(
                    ZONE_ID.pattern,
                    error="must be an id: a letter, then letters, digits, '_', '.' or '-'")],
                unique=True, **text),
            "name": pa.Column(checks=[_NONEMPTY], **text),
            "country": pa.Column(checks=[_NONEMPTY], **text),
            "kind": pa.Column(checks=[_in(KINDS, "kind")], **text),
            "lat": pa.Column(checks=[_NUMBER_REQUIRED, _range(-90, 90)], **text),
            "lon": pa.Column(checks=[_NUMBER_REQUIRED, _range(-180, 180)], **text),
            "departments": pa.Column(**text),
            "note": pa.Column(required=False, **text),
        },
        "crosswalk": {
            "source_name": pa.Column(checks=[_NONEMPTY], unique=True, **text),
            "zone_ids": pa.Column(**text),
            "level": pa.Column(checks=[_in(LEVELS, "level")], **text),
            "note": pa.Column(**text),
        },
        "sources": {
            "source_id": pa.Column(checks=[_NONEMPTY], unique=True, **text),
            "title": pa.Column(**text),
            "url": pa.Column(**text),
            "publisher_kind": pa.Column(checks=[_in(PUBLISHER_KINDS, "publisher_kind")], **text),
        },
        "meta": {
            "key": pa.Column(checks=[_in(frozenset({"format_version"}), "key")], unique=True,
                             **text),
            "value": pa.Column(checks=[_NONEMPTY], **text),
        },
    }


def series_of(note: str) -> str:
    """Return the series named by a ``[series: X]`` tag in a note, or ``""`` if there is none."""
    m = SERIES_TAG.search(note or "")
    return m.group(1) if m else ""


def split_ids(source_id: str) -> list[str]:
    """Split a ``;``-joined source id cell (``"S30;S33"``) into its ids."""
    return [s.strip() for s in str(source_id).split(";") if s.strip()]
