"""Creating, re-initialising and migrating the tracker database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from cnplan.plans import parse_plan
from cnplan.track import TrackError, history, init_db, report
from cnplan.track import db as tdb

from .conftest import PLAN, count


def test_init_creates_schema_at_head_and_is_idempotent(db_url, plan):
    lines = init_db(plan, db_url, prefill=False)
    assert any("created the tracker schema" in line for line in lines)
    engine = tdb.make_engine(db_url)
    assert tdb.current_revision(engine) == tdb.HEAD
    engine.dispose()
    n_targets, n_audit = count(db_url, "targets"), count(db_url, "audit_log")
    assert count(db_url, "indicators") == len(plan.indicators)
    assert init_db(plan, db_url, prefill=False) == []
    assert count(db_url, "targets") == n_targets
    assert count(db_url, "audit_log") == n_audit


def test_changed_target_is_a_new_entry_and_audited(tracker, plan):
    raw = {**PLAN, "indicators": [dict(i) for i in PLAN["indicators"]]}
    raw["indicators"][0] = {**raw["indicators"][0], "targets": {2005: 9000, 2007: 10000}}
    before = count(tracker, "targets")
    lines = init_db(parse_plan(raw), tracker, prefill=False)
    assert lines == ["indicator erad_total: target 2005 8000 -> 9000"]
    assert count(tracker, "targets") == before + 1
    engine = create_engine(tracker)
    with engine.connect() as conn:
        values = (
            conn.execute(
                text(
                    "SELECT value FROM targets WHERE indicator_id = 'erad_total' AND period = 2005 "
                    "ORDER BY id"
                )
            )
            .scalars()
            .all()
        )
        audit = conn.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE entity = 'target' AND detail LIKE '%9000%'")
        ).scalar_one()
    engine.dispose()
    assert values == [8000, 9000]
    assert audit == 1


def test_other_plan_is_refused(tracker, plan):
    other = parse_plan({**PLAN, "name": "another"})
    with pytest.raises(TrackError, match="holds plan 'test-plan', not 'another'"):
        init_db(other, tracker, prefill=False)


def test_missing_sqlite_file_is_a_clear_error(tmp_path):
    with pytest.raises(TrackError, match="no tracker database .* `cnplan track init`"):
        history("erad_total", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert not (tmp_path / "none.sqlite").exists()


def test_default_url_comes_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CNPLAN_TRACK_DB", str(tmp_path / "x.sqlite"))
    assert tdb.resolve_url() == f"sqlite:///{tmp_path / 'x.sqlite'}"
    monkeypatch.delenv("CNPLAN_TRACK_DB")
    assert tdb.resolve_url().endswith("/tracker.sqlite")
    assert "cnplan" in tdb.resolve_url()
    assert tdb.resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert tdb.resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_migration_from_v1_keeps_data(db_url, plan):
    engine = tdb.make_engine(db_url)
    tdb.upgrade(engine, "0001")
    assert tdb.current_revision(engine) == "0001"
    stamp = "2006-02-01 10:00:00"
    statements = [
        "INSERT INTO framework (id, plan_name, title, country, start_year, end_year, created_at) "
        f"VALUES (1, 'test-plan', '', 'Peru', 2005, 2030, '{stamp}')",
        "INSERT INTO objectives (id, title, position) VALUES ('eradication', 'Eradication', 1)",
        "INSERT INTO programmes (id, objective_id, title) "
        "VALUES ('forced_eradication_corah', 'eradication', 'Forced eradication (CORAH)')",
        "INSERT INTO indicators (id, programme_id, name, unit, lever, zone, baseline, "
        "baseline_year, direction, source, note, position) VALUES ('erad_total', "
        "'forced_eradication_corah', 'Forced eradication', 'ha', 'forced_eradication', NULL, "
        "10000, 2004, 'higher', '', '', 0)",
    ]
    for i, (period, value) in enumerate([(2005, 12000), (2005, 12232), (2006, 9000)]):
        statements.append(
            "INSERT INTO actuals (indicator_id, period, value, reported_by, reported_at, source, "
            f"comment, recorded_at) VALUES ('erad_total', {period}, {value}, 'v1 user', "
            f"'{stamp}', 'S01', 'entry {i}', '{stamp}')"
        )
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    engine.dispose()
    with pytest.raises(TrackError, match="revision 0001.*cnplan track init"):
        history("erad_total", db_url)
    lines = init_db(plan, db_url, prefill=False)
    assert lines[0] == f"upgraded the tracker schema from revision 0001 to {tdb.HEAD}"
    rows = history("erad_total", db_url)
    assert [(e.period, e.value, e.comment, e.reported_by) for e in rows] == [
        (2005, 12000, "entry 0", "v1 user"),
        (2005, 12232, "entry 1", "v1 user"),
        (2006, 9000, "entry 2", "v1 user"),
    ]
    assert [e.supersedes for e in rows] == [None, rows[0].id, None]
    assert [e.in_force for e in rows] == [False, True, True]
    entry = report("erad_total", 2005, 12300, "v2 user", url=db_url)
    assert entry.supersedes == rows[1].id
