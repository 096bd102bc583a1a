"""Validation of a dataset (CSV folder or Excel workbook): collects every problem, with location."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from cnplan.data.schema import (
    FULL_YEAR,
    NATIONAL,
    OPTIONAL,
    REQUIRED,
    SIGNED_UNITS,
    DataError,
    Problem,
    column_schemas,
    series_of,
    split_ids,
)

FILES = ("zones", "observations", "crosswalk", "sources")
MANDATORY = ("zones", "observations")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def read_tables(path: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read the dataset files at ``path`` as text tables.

    Parameters
    ----------
    path
        A dataset folder (``zones.csv``, ``observations.csv``, optional ``crosswalk.csv`` and
        ``sources.csv``) or an Excel workbook with sheets of the same names.

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
    path = Path(path)
    tables: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    problems: list[Problem] = []
    if path.is_file() and path.suffix.lower() in EXCEL_SUFFIXES:
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        except Exception as exc:  # openpyxl raises many kinds for broken files
            raise DataError([Problem(path.name, None, None, f"cannot read workbook: {exc}")]) \
                from exc
        for kind in FILES:
            label = f"{path.name}[{kind}]"
            if kind in sheets:
                tables[kind] = sheets[kind].fillna("").astype(str)
                labels[kind] = label
            elif kind in MANDATORY:
                problems.append(Problem(label, None, None, f"sheet {kind!r} is missing"))
    elif path.is_dir():
        for kind in FILES:
            file = path / f"{kind}.csv"
            if file.exists():
                try:
                    tables[kind] = _read_csv(file)
                except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                    problems.append(Problem(file.name, None, None, f"cannot parse: {exc}"))
                labels[kind] = file.name
            elif kind in MANDATORY:
                problems.append(Problem(file.name, None, None, "file is missing"))
    else:
        raise DataError([Problem(str(path), None, None,
                                 "not a dataset folder or an Excel workbook (.xlsx)")])
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


def _observation_problems(obs: pd.DataFrame, zones: pd.DataFrame, cross: pd.DataFrame | None,
                          sources: pd.DataFrame | None, label: str) -> list[Problem]:
    """Cross-file and cross-row checks: zones, sources, signs, duplicate keys, mixed units."""
    needed = set(REQUIRED["observations"])
    if not needed <= set(obs.columns):
        return []  # missing columns are already reported; row checks would only add noise
    out: list[Problem] = []
    known_zones = {NATIONAL} | set(zones.get("zone_id", []))
    if cross is not None and "source_name" in cross.columns:
        known_zones |= set(cross["source_name"])
    known_sources = None
    if sources is not None and "source_id" in sources.columns:
        known_sources = set(sources["source_id"])
    countries = set(zones.get("country", []))
    value = pd.to_numeric(obs["value"], errors="coerce")
    for i, row in obs.iterrows():
        line = _line(i)
        if row["zone"] and row["zone"] not in known_zones:
            out.append(Problem(label, line, "zone",
                               f"unknown zone {row['zone']!r}: not 'national', not a zone_id "
                               "of zones and not a source_name of the crosswalk"))
        if known_sources is not None:
            for sid in split_ids(row["source_id"]):
                if sid not in known_sources:
                    out.append(Problem(label, line, "source_id",
                                       f"unknown source id {sid!r} (not in sources)"))
        if countries and row["country"] and row["country"] not in countries:
            out.append(Problem(label, line, "country",
                               f"country {row['country']!r} is not the zones' country "
                               f"({', '.join(sorted(countries))})"))
        v = value.iloc[i]
        if pd.notna(v) and v < 0 and row["unit"] not in SIGNED_UNITS:
            out.append(Problem(label, line, "value",
                               f"must be >= 0 for unit {row['unit']!r}, got {row['value']}"))
        if str(row["value"]).strip() == "" and not str(row["note"]).strip():
            out.append(Problem(label, line, "value",
                               "is empty: leave gaps out, or explain an explicit gap in 'note'"))
    key = obs[["zone", "year", "period", "variable", "source_id"]].copy()
    key["series"] = obs["note"].map(series_of)
    first: dict[tuple, int] = {}
    for i, k in enumerate(key.itertuples(index=False, name=None)):
        if k in first:
            out.append(Problem(label, _line(i), None,
                               "duplicate key (zone, year, period, variable, source_id, series) "
                               f"{k[:5]!r}: same as row {first[k]}"))
        else:
            first[k] = _line(i)
    for variable, group in obs.groupby("variable", sort=False):
        units = list(dict.fromkeys(group["unit"]))
        if len(units) > 1:
            for i in group.index[group["unit"] != units[0]]:
                out.append(Problem(label, _line(i), "unit",
                                   f"variable {variable!r} mixes units: {units[0]!r} in row "
                                   f"{_line(group.index[0])} but {obs.at[i, 'unit']!r} here; "
                                   "use one unit per variable (e.g. a separate variable)"))
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
    return problems


def validate(path: str | Path) -> list[Problem]:
    """Return every problem of the dataset at ``path`` (an empty list if it is valid).

    Unreadable input (missing folder, file or sheet) is reported as problems too.
    """
    try:
        tables, labels = read_tables(path)
    except DataError as err:
        return err.problems
    return validate_tables(tables, labels)


def check(path: str | Path) -> None:
    """Raise :class:`DataError` listing every problem if the dataset at ``path`` is invalid."""
    problems = validate(path)
    if problems:
        raise DataError(problems)


__all__ = ["FULL_YEAR", "check", "read_tables", "validate", "validate_tables"]
