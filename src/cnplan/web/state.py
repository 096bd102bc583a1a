"""The app's own SQLite database: hashed API tokens and the job table of background runs.

Kept apart from the tracker database on purpose: the tracker may be a shared PostgreSQL
server, while tokens and jobs belong to one app installation and its home folder. Each call
opens its own connection (SQLite connections are not shared between threads) in WAL mode so
that readers never wait for the job runner's writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    scenarios INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    with_actuals INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    pid INTEGER,
    changes TEXT NOT NULL DEFAULT '[]',
    base_run TEXT
);
"""

ADDED_JOB_COLUMNS = {
    "changes": "TEXT NOT NULL DEFAULT '[]'",
    "base_run": "TEXT",
}
"""Columns added to ``jobs`` after its first release (what-if variants: the ``--set`` changes as
a JSON list and the run they vary); a state database made before them gets them on opening."""

JOB_STATUSES = ("queued", "running", "done", "failed")


def now_iso() -> str:
    """Current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class StateDB:
    """Thin access layer over ``state.sqlite``; every method is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self.connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)
            have = {r[1] for r in con.execute("PRAGMA table_info(jobs)")}
            for column, kind in ADDED_JOB_COLUMNS.items():
                if column not in have:
                    con.execute(f"ALTER TABLE jobs ADD COLUMN {column} {kind}")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction on this thread's connection (kept open: opening costs ~1 ms)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30)
            con.row_factory = sqlite3.Row
            # WAL + NORMAL: no fsync per progress update; still never corrupt (SQLite docs)
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        with con:
            yield con

    # -- tokens -------------------------------------------------------------------------------
    def add_token(self, token_id: str, name: str, salt: bytes, digest: bytes) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT INTO tokens (id, name, salt, hash, created) VALUES (?, ?, ?, ?, ?)",
                (token_id, name, salt, digest, now_iso()),
            )

    def token(self, token_id: str) -> sqlite3.Row | None:
        with self.connect() as con:
            return con.execute(
                "SELECT * FROM tokens WHERE id = ? AND revoked IS NULL", (token_id,)
            ).fetchone()

    def tokens(self) -> list[dict[str, Any]]:
        with self.connect() as con:
            rows = con.execute("SELECT id, name, created, revoked FROM tokens ORDER BY created")
            return [dict(r) for r in rows]

    def revoke_token(self, token_id: str) -> bool:
        with self.connect() as con:
            cur = con.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (now_iso(), token_id),
            )
            return cur.rowcount == 1

    # -- jobs ---------------------------------------------------------------------------------
    def add_job(self, run_id: str, plan: str, scenarios: int, seed: int, with_actuals: bool,
                submitted_by: str, changes: list[str] | None = None,
                base_run: str | None = None) -> int:
        import json

        with self.connect() as con:
            cur = con.execute(
                "INSERT INTO jobs (run_id, plan, scenarios, seed, with_actuals, status, stage,"
                " submitted_by, created, changes, base_run)"
                " VALUES (?, ?, ?, ?, ?, 'queued', 'waiting', ?, ?, ?, ?)",
                (run_id, plan, scenarios, seed, int(with_actuals), submitted_by, now_iso(),
                 json.dumps(list(changes or [])), base_run),
            )
            return int(cur.lastrowid)

    def job(self, job_id: int) -> dict[str, Any] | None:
        with self.connect() as con:
            row = con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return dict(row) if row else None

    def job_for_run(self, run_id: str) -> dict[str, Any] | None:
        with self.connect() as con:
            row = con.execute("SELECT * FROM jobs WHERE run_id = ?", (run_id,)).fetchone()
            return dict(row) if row else None

    def jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.connect() as con:
            rows = con.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))
            return [dict(r) for r in rows]

    def update_job(self, job_id: int, **fields: Any) -> None:
        if not fields:
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.connect() as con:
            con.execute(f"UPDATE jobs SET {cols} WHERE id = ?", (*fields.values(), job_id))

    def claim_next(self) -> dict[str, Any] | None:
        """Mark the oldest queued job running and return it (``None`` if none is queued)."""
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute(
                "SELECT * FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            con.execute(
                "UPDATE jobs SET status = 'running', stage = 'starting', started = ? "
                "WHERE id = ?",
                (now_iso(), row["id"]),
            )
            return dict(row) | {"status": "running"}

    def seconds_per_scenario(self) -> float | None:
        """Mean wall time per scenario of the last finished runs (for the progress estimate)."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT started, finished, scenarios FROM jobs WHERE status = 'done' "
                "AND started IS NOT NULL AND finished IS NOT NULL ORDER BY id DESC LIMIT 5"
            ).fetchall()
        rates = []
        for r in rows:
            took = (datetime.fromisoformat(r["finished"])
                    - datetime.fromisoformat(r["started"])).total_seconds()
            rates.append(max(took, 0.5) / max(r["scenarios"], 1))
        return sum(rates) / len(rates) if rates else None
