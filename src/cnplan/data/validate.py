"""Validation of a dataset (CSV folder or Excel workbook): collects every problem, with location."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from cnplan.data.schema import (
    FORMAT_VERSION,
    FULL_YEAR,
    NATIONAL,
    OPTIONAL,
    REQUIRED,
    SIGNED_UNITS,
    VARIABLE_UNITS,
    DataError,
    Problem,
    column_schemas,
    series_of,
    split_ids,
)
from cnplan.data.values import is_bound, parse_value
from cnplan.errors import did_you_mean
from cnplan.limits import finite_problem

FILES = ("zones", "observations", "crosswalk", "sources", "meta")
MANDATORY = ("zones", "observations")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


class _CsvShape(ValueError):
    """A CSV file whose shape pandas would misread (no header, a row wider than the header)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


def _check_shape(path: Path) -> None:
    """Refuse an empty file or a row with more fields than the header: pandas would take the
    first column of such a file as an index and shift every value one column left.
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise _CsvShape(None, "is empty: expected a header line with the column names")
        for row in reader:
            if len(row) > len(header):
                raise _CsvShape(reader.line_num, f"has {len(row)} fields, the header has "
                                f"{len(header)} (an unquoted comma in a value?)")


def _read_csv(path: Path) -> pd.DataFrame:
    _check_shape(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                       index_col=False)


def read_partial(path: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, str],
                                            list[Problem]]:
    """Read whatever dataset files exist at ``path``, with the problems of reading them.

    Unlike :func:`read_tables` this never stops at a missing or unparsable file, so that
    validation can report the problems of the other files in the same pass.
    """
    path = Path(path)
    tables: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    problems: list[Problem] = []
    if path.is_file() and path.suffix.lower() in EXCEL_SUFFIXES:
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        except Exception as exc:  # openpyxl raises many kinds for broken files
            return {}, {}, [Problem(path.name, None, None, f"cannot read workbook: {exc}")]
        for kind in FILES:
            label = f"{path.name}[{kind}]"
            labels[kind] = label
            if kind in sheets:
                tables[kind] = sheets[kind].fillna("").astype(str)
            elif kind in MANDATORY:
                problems.append(Problem(label, None, None, f"sheet {kind!r} is missing"))
    elif path.is_dir():
        for kind in FILES:
            file = path / f"{kind}.csv"
            labels[kind] = file.name
            if file.is_dir():
                problems.append(Problem(file.name, None, None, "is a folder, expected a file"))
            elif file.exists():
                try:
                    tables[kind] = _read_csv(file)
                except _CsvShape as exc:
                    problems.append(Problem(file.name, exc.line, None, str(exc)))
                except UnicodeDecodeError as exc:
                    problems.append(Problem(file.name, None, None, f"expected UTF-8 text, byte "
                                            f"{exc.start} is not; save the file as UTF-8"))
                except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
                    problems.append(Problem(file.name, None, None, f"cannot parse: {exc}"))
                except OSError as exc:
                    problems.append(Problem(file.name, None, None,
                                            f"cannot be read ({exc.strerror or exc})"))
            elif kind in MANDATORY:
                problems.append(Problem(file.name, None, None, "file is missing"))
    else:
        problems.append(Problem(str(path), None, None,
                                "not a dataset folder or an Excel workbook (.xlsx)"))
    return tables, labels, problems


def read_tables(path: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read the dataset files at ``path`` as text tables.

    Parameters
    ----------
    path
        A dataset folder (``zones.csv``, ``observations.csv``, optional ``crosswalk.csv``,
        ``sources.csv`` and ``meta.csv``) or an Excel workbook with sheets of the same names.

    Returns
    -------
    tables, labels
        Tables by file kind (every cell a string, empty cells ``""``) and the label used in
        problem reports for each (``observations.csv`` or ``book.xlsx[observations]``).

    Raises
    ------
    DataError
        If the path or a mandatory file/sheet is missing or cannot be parsed.
    """
    tables, labels, problems = read_partial(path)
    if problems:
        raise DataError(problems)
    return tables, labels


def _line(index: int) -> int:
    """Return the 1-based file line of a 0-based data row (the header is line 1)."""
    return int(index) + 2


def _columns(kind: str, df: pd.DataFrame, label: str) -> list[Problem]:
    required, optional = REQUIRED[kind], OPTIONAL[kind]
    out = [Problem(label, None, c, "required column is missing") for c in required
           if c not in df.columns]
    allowed = ", ".join(required + optional)
    out += [Problem(label, None, c, f"unexpected column (allowed: {allowed})")
            for c in df.columns if c not in required + optional]
    return out


def _cells(kind: str, df: pd.DataFrame, label: str) -> list[Problem]:
    """Run the pandera checks of the columns that are present; one problem per failing cell."""
    cols = {c: col for c, col in column_schemas()[kind].items() if c in df.columns}
    try:
        pa.DataFrameSchema(cols, strict=False).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        out = []
        for case in err.failure_cases.itertuples(index=False):
            index = None if pd.isna(case.index) else _line(case.index)
            if case.check == "field_uniqueness":
                message = f"duplicate value {case.failure_case!r} (must be unique)"
            else:
                message = f"{case.check}, got {case.failure_case!r}"
            out.append(Problem(label, index, case.column, message))
        return sorted(out, key=lambda p: (p.row or 0, p.column or ""))
    return []


def _zone_problems(zones: pd.DataFrame, cross: pd.DataFrame | None, label: str) -> list[Problem]:
    if cross is None or not {"zone_ids", "level"} <= set(cross.columns):
        return []
    known = set(zones.get("zone_id", pd.Series(dtype=str)))
    out = []
    for i, row in cross.iterrows():
        ids = [z for z in str(row["zone_ids"]).split("+") if z.strip()]
        for z in ids:
            if z not in known:
                out.append(Problem(label, _line(i), "zone_ids",
                                   f"zone id {z!r} is not in zones (known: {sorted(known)})"))
        if row["level"] == "zone" and len(ids) != 1:
            out.append(Problem(label, _line(i), "zone_ids",
                               "a 'zone' row must map to exactly one zone id"))
        if row["level"] == "aggregate" and not ids:
            out.append(Problem(label, _line(i), "zone_ids",
                               "an 'aggregate' row must list its zone ids joined by '+'"))
    return out


def _known_zones(zones: pd.DataFrame, cross: pd.DataFrame | None) -> set[str]:
    """Every way an observation may name a zone: ``national``, zone ids, zone names and
    crosswalk names.
    """
    known = {NATIONAL} | set(zones.get("zone_id", [])) | set(zones.get("name", []))
    if cross is not None and "source_name" in cross.columns:
        known |= set(cross["source_name"])
    return known


def _row_problems(row: dict, line: int, label: str, known_zones: set[str],
                  known_sources: set[str] | None, countries: set[str]) -> list[Problem]:
    """Cross-file checks of one observation row (only on the columns it has)."""
    out: list[Problem] = []
    zone = row.get("zone", "")
    if zone and zone not in known_zones:
        hint = did_you_mean(zone, known_zones, cutoff=0.75)
        out.append(Problem(label, line, "zone",
                           f"unknown zone {zone!r}: expected 'national', a zone_id or name of "
                           f"zones, or a source_name of the crosswalk{hint}"))
    if known_sources is not None:
        for sid in split_ids(row.get("source_id", "")):
            if sid not in known_sources:
                out.append(Problem(label, line, "source_id",
                                   f"unknown source id {sid!r} (not in sources)"))
    country = row.get("country", "")
    if countries and country and country not in countries:
        out.append(Problem(label, line, "country",
                           f"country {country!r} is not the zones' country "
                           f"({', '.join(sorted(countries))})"))
    unit, variable = row.get("unit", ""), row.get("variable", "")
    allowed = VARIABLE_UNITS.get(variable)
    if allowed and unit and unit not in allowed:
        out.append(Problem(label, line, "unit",
                           f"{variable} must be in {' or '.join(sorted(allowed))}, got {unit!r}"))
    return out + _value_problems(row, line, label)


def _value_problems(row: dict, line: int, label: str) -> list[Problem]:
    """Signs, bounds and explicit gaps of one row's value (and lower/upper columns)."""
    if "value" not in row:
        return []
    try:
        value, lower, upper = parse_value(row["value"])
    except ValueError:
        return []  # the cell check already reports the expected form
    out: list[Problem] = []
    extra = {c: pd.to_numeric(row.get(c, ""), errors="coerce") for c in ("lower", "upper")}
    given = {c: v for c, v in extra.items() if pd.notna(v)}
    implausible = [Problem(label, line, column, problem)
                   for column, x in (("value", value), ("value", lower), ("value", upper),
                                     *given.items())
                   if pd.notna(x) and (problem := finite_problem(float(x)))]
    if implausible:
        return implausible[:1]  # one per row: bounds and signs of inf say nothing more
    if given and is_bound(lower, upper, value):
        out.append(Problem(label, line, "value",
                           f"is the bound {row['value']!r} and lower/upper columns are also "
                           "set: give a bound once"))
    lower = given.get("lower", lower)
    upper = given.get("upper", upper)
    if pd.notna(lower) and pd.notna(upper) and lower > upper:
        out.append(Problem(label, line, "lower",
                           f"lower bound {lower:g} is above the upper bound {upper:g}"))
    if pd.notna(value) and (lower > value or upper < value):
        out.append(Problem(label, line, "value",
                           f"{value:g} is outside its own bounds [{lower:g}, {upper:g}]"))
    unit = row.get("unit", "")
    smallest = min((x for x in (value, lower, upper) if pd.notna(x)), default=None)
    if smallest is not None and smallest < 0 and unit not in SIGNED_UNITS:
        out.append(Problem(label, line, "value",
                           f"must be >= 0 for unit {unit!r}, got {row['value']}"))
    if (str(row["value"]).strip() == "" and not given
            and not str(row.get("note", "")).strip()):
        out.append(Problem(label, line, "value",
                           "is empty: leave gaps out, or explain an explicit gap in 'note'"))
    return out


def _key_problems(obs: pd.DataFrame, label: str) -> list[Problem]:
    """Duplicate keys and mixed units (needs the key columns; reported once if absent)."""
    out: list[Problem] = []
    cols = ["zone", "year", "period", "variable", "source_id"]
    if set(cols) <= set(obs.columns):
        key = obs[cols].copy()
        key["series"] = obs["note"].map(series_of) if "note" in obs.columns else ""
        first: dict[tuple, int] = {}
        for i, k in enumerate(key.itertuples(index=False, name=None)):
            if k in first:
                out.append(Problem(label, _line(i), None,
                                   "duplicate key (zone, year, period, variable, source_id, "
                                   f"series) {k[:5]!r}: same as row {first[k]}"))
            else:
                first[k] = _line(i)
    if {"variable", "unit"} <= set(obs.columns):
        for variable, group in obs.groupby("variable", sort=False):
            units = list(dict.fromkeys(group["unit"]))
            for i in group.index[group["unit"] != units[0]]:
                out.append(Problem(label, _line(i), "unit",
                                   f"variable {variable!r} mixes units: {units[0]!r} in row "
                                   f"{_line(group.index[0])} but {obs.at[i, 'unit']!r} here; "
                                   "use one unit per variable (e.g. a separate variable)"))
    return out


def _observation_problems(obs: pd.DataFrame, zones: pd.DataFrame, cross: pd.DataFrame | None,
                          sources: pd.DataFrame | None, label: str) -> list[Problem]:
    """Cross-file and cross-row checks: zones, sources, signs, bounds, keys, units.

    Every check runs on the columns that are present, so a missing column is reported
    together with the problems of every other column (one pass, not in stages).
    """
    known_zones = _known_zones(zones, cross)
    known_sources = None
    if sources is not None and "source_id" in sources.columns:
        known_sources = set(sources["source_id"])
    countries = set(zones.get("country", []))
    out: list[Problem] = []
    for i, row in enumerate(obs.to_dict("records")):
        out += _row_problems(row, _line(i), label, known_zones, known_sources, countries)
    return out + _key_problems(obs, label)


def _meta_problems(meta: pd.DataFrame, label: str) -> list[Problem]:
    rows = meta[meta.get("key", pd.Series(dtype=str)) == "format_version"]
    out = []
    for i, row in rows.iterrows():
        version = str(row.get("value", "")).strip()
        if version not in {str(v) for v in range(1, FORMAT_VERSION + 1)}:
            out.append(Problem(label, _line(i), "value",
                               f"format_version must be 1..{FORMAT_VERSION}, got {version!r} "
                               "(a newer cnplan may be needed)"))
    return out


def validate_tables(tables: dict[str, pd.DataFrame], labels: dict[str, str]) -> list[Problem]:
    """Return every problem of a dataset given as text tables (see :func:`read_tables`)."""
    problems: list[Problem] = []
    for kind, df in tables.items():
        problems += _columns(kind, df, labels[kind])
        problems += _cells(kind, df, labels[kind])
    zones = tables.get("zones", pd.DataFrame(columns=REQUIRED["zones"]))
    cross = tables.get("crosswalk")
    if cross is not None:
        problems += _zone_problems(zones, cross, labels["crosswalk"])
    if "observations" in tables:
        problems += _observation_problems(tables["observations"], zones, cross,
                                          tables.get("sources"), labels["observations"])
    if "meta" in tables:
        problems += _meta_problems(tables["meta"], labels["meta"])
    return problems


def validate(path: str | Path) -> list[Problem]:
    """Return every problem of the dataset at ``path`` (an empty list if it is valid).

    Unreadable input (missing folder, file or sheet) is reported with the problems of the
    files that could be read, in one list.
    """
    tables, labels, problems = read_partial(path)
    return problems + validate_tables(tables, labels)


def check(path: str | Path) -> None:
    """Raise :class:`DataError` listing every problem if the dataset at ``path`` is invalid."""
    problems = validate(path)
    if problems:
        raise DataError(problems)


__all__ = ["FULL_YEAR", "check", "read_partial", "read_tables", "validate", "validate_tables"]
