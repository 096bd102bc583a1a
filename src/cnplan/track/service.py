"""Reporting actuals one at a time or from a file, their history, and export to CSV or Excel.

Actuals are never changed: a new report for an indicator and period supersedes the previous
one. A file import is one transaction: every row is checked first, any bad row refuses the
whole file (all bad rows listed), and a failure part-way leaves the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cnplan.track import db
from cnplan.track.errors import TrackError
from cnplan.track.models import Actual, AuditEntry, Framework, Indicator
from cnplan.track.validate import (
    Problem,
    check_report_after_period,
    check_text,
    check_unit,
    parse_period,
    parse_reported_at,
    parse_value,
    unknown_indicator,
)

COLUMNS = [
    "indicator",
    "period",
    "value",
    "unit",
    "reported_by",
    "reported_at",
    "source",
    "comment",
]
"""Columns of import and export files, in order (the indicator id first)."""

REQUIRED = ["indicator", "period", "value", "reported_by"]


@dataclass(frozen=True)
class Entry:
    """One reported actual as read back from the database."""

    id: int
    indicator: str
    period: int
    value: float
    unit: str
    reported_by: str
    reported_at: datetime
    source: str
    comment: str
    supersedes: int | None
    in_force: bool


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows read, entries added, rows already in the database."""

    rows: int
    added: int
    unchanged: int


def _framework(session: Session) -> Framework:
    framework = session.scalar(select(Framework))
    if framework is None:
        raise TrackError("the tracker database holds no framework; run `cnplan track init`")
    return framework


def _check(
    raw: dict[str, Any],
    indicators: dict[str, Indicator],
    framework: Framework,
    today: datetime,
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse and check one report; return the clean fields and every problem found."""
    problems: list[Problem] = []
    indicator_id, found = check_text(raw.get("indicator"), "indicator", True)
    problems += found
    indicator = indicators.get(indicator_id)
    if indicator_id and indicator is None:
        problems.append(Problem("indicator", unknown_indicator(indicator_id, list(indicators))))
    period, found = parse_period(raw.get("period"), framework, today)
    problems += found
    value = None
    if indicator is not None:
        value, found = parse_value(raw.get("value"), indicator)
        problems += found
        problems += check_unit(raw.get("unit"), indicator)
    reported_by, found = check_text(raw.get("reported_by"), "reported_by", True)
    problems += found
    reported_at, found = parse_reported_at(raw.get("reported_at"), today)
    problems += found + check_report_after_period(period, reported_at)
    source, _ = check_text(raw.get("source"), "source", False)
    comment, _ = check_text(raw.get("comment"), "comment", False)
    clean = {
        "indicator_id": indicator_id,
        "period": period,
        "value": value,
        "reported_by": reported_by,
        "reported_at": reported_at,
        "source": source,
        "comment": comment,
    }
    return clean, problems


def _latest_id(session: Session, indicator_id: str, period: int) -> int | None:
    return session.scalar(
        select(func.max(Actual.id)).where(
            Actual.indicator_id == indicator_id, Actual.period == period
        )
    )


def _exists(session: Session, fields: dict[str, Any]) -> bool:
    """Whether an identical entry (all fields, including when it was reported) is stored."""
    query = select(Actual.id).where(*(getattr(Actual, k) == v for k, v in fields.items()))
    return session.scalar(query.limit(1)) is not None


def _record(session: Session, fields: dict[str, Any], actor: str, action: str) -> Actual:
    """Append one actual, superseding the one in force for its indicator and period."""
    previous = _latest_id(session, fields["indicator_id"], fields["period"])
    row = Actual(**fields, recorded_at=db.now(), supersedes_id=previous)
    session.add(row)
    session.flush()
    session.add(
        AuditEntry(
            at=row.recorded_at,
            actor=actor,
            action=action,
            entity="actual",
            entity_id=str(row.id),
            detail=json.dumps({**fields, "supersedes": previous}, default=str, sort_keys=True),
        )
    )
    return row


def _lock(session: Session, indicator_ids: Iterable[str]) -> None:
    """Lock the indicators' rows (PostgreSQL) so concurrent reports of one indicator queue."""
    ids = sorted(set(indicator_ids))
    if ids:
        session.execute(
            select(Indicator.id)
            .where(Indicator.id.in_(ids))
            .order_by(Indicator.id)
            .with_for_update()
        ).all()


def report(
    indicator: str,
    period: int | str,
    value: float | str,
    reported_by: str,
    *,
    source: str = "",
    comment: str = "",
    unit: str | None = None,
    reported_at: datetime | str | None = None,
    url: str | None = None,
) -> Entry:
    """Record a reported actual; it supersedes any earlier one for the indicator and period.

    Parameters
    ----------
    indicator
        Indicator id (see ``cnplan track status``).
    period
        The year the value is for; within the plan and not after the current year.
    value
        The value, in the indicator's unit (a whole number for counts).
    reported_by
        Who reports it.
    source, comment
        Where the figure comes from; any remark.
    unit
        If given, must equal the indicator's unit (a guard against mixed units).
    reported_at
        When it was reported (default now); not in the future.
    url
        Database URL or SQLite path.

    Returns
    -------
    Entry
        The stored entry.

    Raises
    ------
    TrackError
        Listing every problem; nothing is written.
    """
    raw = {
        "indicator": indicator,
        "period": period,
        "value": value,
        "unit": unit,
        "reported_by": reported_by,
        "reported_at": reported_at,
        "source": source,
        "comment": comment,
    }
    engine = db.open_engine(url)
    try:
        with db.session_scope(engine) as session:
            framework = _framework(session)
            indicators = {i.id: i for i in session.scalars(select(Indicator))}
            clean, problems = _check(raw, indicators, framework, db.now())
            if problems:
                raise TrackError(
                    "report refused, nothing written:\n"
                    + "\n".join(f"  {p.column}: {p.message}" for p in problems)
                )
            _lock(session, [clean["indicator_id"]])
            row = _record(session, clean, reported_by, "report")
            return _entry(row, indicators[row.indicator_id].unit, True)
    finally:
        engine.dispose()


def _entry(row: Actual, unit: str, in_force: bool) -> Entry:
    return Entry(
        id=row.id,
        indicator=row.indicator_id,
        period=row.period,
        value=row.value,
        unit=unit,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
        source=row.source,
        comment=row.comment,
        supersedes=row.supersedes_id,
        in_force=in_force,
    )


def entries(session: Session, indicator: str | None = None, history: bool = True) -> list[Entry]:
    """Stored actuals in report order; ``history=False``: those in force, by indicator."""
    indicators = {i.id: i for i in session.scalars(select(Indicator))}
    if indicator is not None and indicator not in indicators:
        raise TrackError(unknown_indicator(indicator, list(indicators)))
    query = select(Actual)
    if indicator is not None:
        query = query.where(Actual.indicator_id == indicator)
    rows = list(session.scalars(query.order_by(Actual.id)))
    latest = {(r.indicator_id, r.period): r.id for r in rows}
    out = [
        _entry(r, indicators[r.indicator_id].unit, latest[(r.indicator_id, r.period)] == r.id)
        for r in rows
        if history or latest[(r.indicator_id, r.period)] == r.id
    ]
    order = {ind.id: ind.position for ind in indicators.values()}
    if history:
        return out
    return sorted(out, key=lambda e: (order[e.indicator], e.period))


def history(indicator: str, url: str | None = None) -> list[Entry]:
    """Every actual reported for an indicator, oldest first, with which one is in force."""
    engine = db.open_engine(url)
    try:
        with db.session_scope(engine, write=False) as session:
            return entries(session, indicator)
    finally:
        engine.dispose()


def _read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV or Excel file as dicts (column -> cell); raise TrackError on bad files."""
    import pandas as pd

    if not path.is_file():
        raise TrackError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, dtype=object)
        else:
            raise TrackError(f"{path}: expected a .csv or .xlsx file, got {suffix or 'no suffix'}")
    except TrackError:
        raise
    except Exception as exc:  # any parser failure means a bad file for the user
        raise TrackError(f"{path}: cannot read the file: {exc}") from None
    columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise TrackError(
            f"{path}: {'; '.join(parts)}; expected the columns {', '.join(COLUMNS)} "
            f"({', '.join(REQUIRED)} required)"
        )
    frame.columns = columns
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict(orient="records")


def import_file(path: str | Path, url: str | None = None, actor: str | None = None) -> ImportResult:
    """Import actuals from a CSV or Excel file in the export layout, all or nothing.

    Rows identical to a stored entry (same indicator, period, value, reporter, time, source and
    comment) are skipped, so importing an export changes nothing. Rows for the same indicator
    and period are recorded in file order, the last one in force.

    Raises
    ------
    TrackError
        If any row is invalid, listing every bad row (row number as in a spreadsheet, the
        header being row 1), column and what was expected; nothing is written.
    """
    path = Path(path)
    rows = _read_table(path)
    engine = db.open_engine(url)
    try:
        with db.session_scope(engine) as session:
            framework = _framework(session)
            indicators = {i.id: i for i in session.scalars(select(Indicator))}
            today = db.now()
            cleaned, bad = [], []
            for number, raw in enumerate(rows, start=2):
                clean, problems = _check(raw, indicators, framework, today)
                bad += [f"  row {number}, column {p.column}: {p.message}" for p in problems]
                cleaned.append(clean)
            if bad:
                raise TrackError(
                    f"{path.name}: import refused, nothing written; {len(bad)} problem(s):\n"
                    + "\n".join(bad)
                )
            _lock(session, (c["indicator_id"] for c in cleaned))
            added = unchanged = 0
            for clean in cleaned:
                if _exists(session, clean):
                    unchanged += 1
                    continue
                _record(session, clean, actor or clean["reported_by"], f"import {path.name}")
                added += 1
            return ImportResult(rows=len(rows), added=added, unchanged=unchanged)
    finally:
        engine.dispose()


def format_value(value: float) -> str:
    """A value as text without a spurious ``.0`` (12232, 0.3)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_time(stamp: datetime) -> str:
    """A stored (UTC) time as ISO text with a ``Z``."""
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _records(rows: Sequence[Entry]) -> list[dict[str, Any]]:
    return [
        {
            "indicator": e.indicator,
            "period": e.period,
            "value": format_value(e.value),
            "unit": e.unit,
            "reported_by": e.reported_by,
            "reported_at": format_time(e.reported_at),
            "source": e.source,
            "comment": e.comment,
        }
        for e in rows
    ]


def export(
    out: str | Path | IO[str] | None = None, url: str | None = None, history: bool = False
) -> str | None:
    """Write actuals as CSV or Excel (by file suffix), indicator id in the first column.

    Parameters
    ----------
    out
        A ``.csv`` or ``.xlsx`` path, or a text stream; None returns the CSV text.
    url
        Database URL or SQLite path.
    history
        All entries in the order they were reported (superseded ones too); default only the
        actuals in force, by indicator and period.
    """
    import csv
    import io

    engine = db.open_engine(url)
    try:
        with db.session_scope(engine, write=False) as session:
            records = _records(entries(session, history=history))
    finally:
        engine.dispose()
    if isinstance(out, str | Path) and Path(out).suffix.lower() in {".xlsx", ".xlsm"}:
        _write_xlsx(Path(out), records)
        return None
    if isinstance(out, str | Path) and Path(out).suffix.lower() != ".csv":
        raise TrackError(f"{out}: expected a .csv or .xlsx file name")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    text = buffer.getvalue()
    if out is None:
        return text
    if isinstance(out, str | Path):
        Path(out).write_text(text, encoding="utf-8")
    else:
        out.write(text)
    return None


def _write_xlsx(path: Path, records: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "actuals"
    sheet.append(COLUMNS)
    for rec in records:
        value = float(rec["value"])
        sheet.append(
            [
                rec["indicator"],
                rec["period"],
                int(value) if value.is_integer() else value,
                *(rec[c] for c in COLUMNS[3:]),
            ]
        )
    book.save(path)


def entry_dict(entry: Entry) -> dict[str, Any]:
    """An entry as a plain dict (for JSON output)."""
    out = asdict(entry)
    out["reported_at"] = format_time(entry.reported_at)
    return out
