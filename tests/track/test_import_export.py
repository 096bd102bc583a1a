"""Import and export of actuals: round trips, all-or-nothing imports, located errors."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap

import pytest
from openpyxl import load_workbook

from cnplan.track import TrackError, export, import_file, init_db, report, service

from .conftest import count

HEADER = "indicator,period,value,unit,reported_by,reported_at,source,comment"


def _fill(url):
    report(
        "erad_total",
        2005,
        12000,
        "analyst",
        source="S01",
        url=url,
        reported_at="2006-01-10T08:00:00Z",
    )
    report(
        "erad_total",
        2005,
        12232,
        "analyst",
        comment='corrected, with "quotes", commas',
        url=url,
        reported_at="2006-02-10T08:00:00Z",
    )
    report("police", 2005, 380, "ministry", url=url, reported_at="2006-01-31")
    report("precursors", 2006, 0.35, "ministry", url=url, reported_at="2007-01-31")


def test_export_csv_layout(tracker):
    _fill(tracker)
    text_ = export(url=tracker)
    rows = list(csv.reader(io.StringIO(text_)))
    assert ",".join(rows[0]) == HEADER
    assert rows[1] == [
        "erad_total",
        "2005",
        "12232",
        "ha",
        "analyst",
        "2006-02-10T08:00:00Z",
        "",
        'corrected, with "quotes", commas',
    ]
    assert [r[0] for r in rows[1:]] == ["erad_total", "police", "precursors"]
    assert rows[3][2] == "0.35"
    history = list(csv.reader(io.StringIO(export(url=tracker, history=True))))
    assert len(history) == 5


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("all_entries", [False, True])
def test_round_trip_changes_nothing(tracker, tmp_path, suffix, all_entries):
    _fill(tracker)
    before = export(url=tracker, history=True)
    path = tmp_path / f"actuals{suffix}"
    export(path, tracker, history=all_entries)
    result = import_file(path, tracker)
    assert result.added == 0 and result.unchanged == result.rows
    assert export(url=tracker, history=True) == before


def test_excel_has_the_csv_layout(tracker, tmp_path):
    _fill(tracker)
    export(tmp_path / "a.xlsx", tracker)
    sheet = load_workbook(tmp_path / "a.xlsx").active
    cells = [
        ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == list(csv.reader(io.StringIO(export(url=tracker))))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_into_a_fresh_database_reproduces_the_history(tracker, tmp_path, plan, suffix):
    _fill(tracker)
    path = tmp_path / f"all{suffix}"
    export(path, tracker, history=True)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    init_db(plan, other, prefill=False)
    result = import_file(path, other)
    assert (result.rows, result.added) == (4, 4)
    assert export(url=other, history=True) == export(url=tracker, history=True)


def test_invalid_rows_refuse_the_whole_file_and_are_all_listed(tracker, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "\n"
        "erad_total,2005,12232,ha,analyst,,S01,\n"
        "nope,2005,1,,analyst,,,\n"
        "police,2005,12.5,persons,ministry,,,\n"
        "coca,1990,40000,ha,unodc,,,\n"
        "coca,2006,40000,acres,,,,\n"
        "precursors,2006,0.5,,ministry,2999-01-01,,\n",
        encoding="utf-8",
    )
    with pytest.raises(TrackError) as info:
        import_file(path, tracker)
    message = str(info.value)
    assert "import refused, nothing written; 6 problem(s)" in message
    for expected in [
        "row 3, column indicator: unknown indicator 'nope'; valid indicators are",
        "row 4, column value: expected a whole number of persons, got 12.5",
        "row 5, column period: expected a year within the plan test-plan (2005-2030), got 1990",
        "row 6, column unit: expected 'ha' for coca, got 'acres'",
        "row 6, column reported_by: expected a non-empty value",
        "row 7, column reported_at: expected a date not in the future",
    ]:
        assert expected in message
    assert "row 2" not in message
    assert count(tracker) == 0


def test_missing_and_unknown_columns_are_refused(tracker, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("indicator,year,value,who\nerad_total,2005,1,me\n", encoding="utf-8")
    with pytest.raises(TrackError, match="missing column.*period, reported_by; unknown column"):
        import_file(path, tracker)
    other = tmp_path / "x.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(TrackError, match="expected a .csv or .xlsx"):
        import_file(other, tracker)
    with pytest.raises(TrackError, match="file not found"):
        import_file(tmp_path / "missing.csv", tracker)


def _good_file(tmp_path, n=6):
    path = tmp_path / "good.csv"
    lines = [HEADER] + [f"erad_total,{2005 + i},{1000 + i},ha,analyst,,,row {i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_failure_in_the_middle_of_an_import_leaves_the_database_as_it_was(
    tracker, tmp_path, monkeypatch
):
    report("erad_total", 2005, 12232, "analyst", url=tracker)
    before = export(url=tracker, history=True), count(tracker, "audit_log")
    real = service._record
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "_record", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_file(_good_file(tmp_path), tracker)
    assert (export(url=tracker, history=True), count(tracker, "audit_log")) == before


def test_process_killed_in_the_middle_of_an_import_leaves_the_database_as_it_was(tracker, tmp_path):
    before = export(url=tracker, history=True), count(tracker, "audit_log")
    script = textwrap.dedent(
        f"""
        import os
        from cnplan.track import import_file, service
        real = service._record
        calls = []
        def crash(*args, **kwargs):
            calls.append(1)
            if len(calls) == 4:
                os._exit(3)  # no cleanup, no rollback: like a power cut
            return real(*args, **kwargs)
        service._record = crash
        import_file({str(_good_file(tmp_path))!r}, {tracker!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == 3, proc.stderr.decode()
    assert (export(url=tracker, history=True), count(tracker, "audit_log")) == before
    assert import_file(_good_file(tmp_path), tracker).added == 6
