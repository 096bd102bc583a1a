"""Concurrent writers in separate processes lose nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys

from cnplan.track import history

from .conftest import count

PER_PROCESS = 15


def _reporter(url: str, who: str, start, done) -> None:
    from cnplan.track import report

    start.wait(30)
    for i in range(PER_PROCESS):
        report("erad_total", 2005 + i % 3, 1000 + i, who, comment=f"{who} {i}", url=url)
    done.put(who)


def test_two_processes_reporting_at_once_lose_nothing(tracker):
    ctx = mp.get_context("spawn")
    start, done = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_reporter, args=(tracker, who, start, done)) for who in "AB"]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(90)
        assert p.exitcode == 0
    assert sorted([done.get(timeout=5), done.get(timeout=5)]) == ["A", "B"]
    rows = history("erad_total", tracker)
    assert len(rows) == 2 * PER_PROCESS == count(tracker)
    assert sorted(e.comment for e in rows) == sorted(
        f"{who} {i}" for who in "AB" for i in range(PER_PROCESS)
    )
    # each period's entries form one chain: every entry supersedes the previous one
    for period in (2005, 2006, 2007):
        chain = [e for e in rows if e.period == period]
        assert [e.supersedes for e in chain] == [None] + [e.id for e in chain[:-1]]
        assert [e.in_force for e in chain] == [False] * (len(chain) - 1) + [True]


def test_two_cli_reports_at_once(tracker):
    env = {**os.environ, "CNPLAN_TRACK_DB": tracker}
    cli = "import sys; from cnplan.cli import main; sys.argv[0] = 'cnplan'; main()"
    cmd = [sys.executable, "-c", cli, "track", "report", "police", "--period"]
    procs = [
        subprocess.Popen(
            [*cmd, str(year), "--value", "400", "--by", f"office {year}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for year in (2005, 2006)
    ]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
        assert b"recorded #" in out
    assert sorted(e.reported_by for e in history("police", tracker)) == [
        "office 2005",
        "office 2006",
    ]


def test_readers_do_not_wait_for_a_writer(tracker):
    """A long write transaction does not block status or export (SQLite WAL, PostgreSQL MVCC)."""
    import time

    from cnplan.track import db, export, status
    from cnplan.track.models import Actual

    report_engine = db.make_engine(tracker)
    try:
        with db.session_scope(report_engine) as session:
            session.add(
                Actual(
                    indicator_id="police",
                    period=2005,
                    value=1,
                    reported_by="slow writer",
                    reported_at=db.now(),
                    source="",
                    comment="",
                    recorded_at=db.now(),
                )
            )
            session.flush()
            start = time.monotonic()
            assert "slow writer" not in export(url=tracker)
            assert status(tracker)
            assert time.monotonic() - start < 10
    finally:
        report_engine.dispose()
    assert "slow writer" in export(url=tracker)
