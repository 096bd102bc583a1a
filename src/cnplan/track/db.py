"""Where the tracker database lives, how to connect to it, and its Alembic migrations.

The URL comes from the caller, else the environment variable ``CNPLAN_TRACK_DB`` (a URL or a
file path), else ``tracker.sqlite`` in the user's data directory. SQLite connections wait for
locks and start every transaction with ``BEGIN IMMEDIATE`` so concurrent writers queue instead
of failing; PostgreSQL is used as it is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from cnplan.track.errors import TrackError

logger = logging.getLogger(__name__)

ENV_VAR = "CNPLAN_TRACK_DB"
HEAD = "0002"
"""The schema revision this version of cnplan writes."""


def default_db_url() -> str:
    """The SQLite URL of ``tracker.sqlite`` in the user's data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('cnplan')) / 'tracker.sqlite'}"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, else ``$CNPLAN_TRACK_DB``, else the default file.

    A value without ``://`` is taken as the path of a SQLite file; ``postgresql://`` and
    ``postgres://`` URLs use the psycopg (3) driver that cnplan installs.
    """
    url = url or os.environ.get(ENV_VAR) or default_db_url()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def now() -> datetime:
    """The current UTC time, naive (as stored), to the second."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets a lock timeout, WAL, foreign keys and BEGIN IMMEDIATE."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise TrackError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise TrackError(f"cannot use database URL {url!r}: {exc}") from None
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 60000")
        if sqlite_path(url) is not None:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("cnplan_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, or None if it has no tracker tables."""
    try:
        with engine.execution_options(cnplan_write=False).connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        raise TrackError(f"cannot open the tracker database: {exc.orig}") from None


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("cnplan.track") / "migrations"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the latest), keeping all data."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    logger.info("tracker database at revision %s", revision)


def open_engine(url: str | None = None) -> Engine:
    """An engine on an existing tracker database at the current schema revision.

    Raises
    ------
    TrackError
        If there is no tracker database at the URL, or its schema is older than this cnplan.
    """
    url = resolve_url(url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise TrackError(
            f"no tracker database at {path}; create it with `cnplan track init` "
            f"(or point {ENV_VAR} / --db at an existing one)"
        )
    engine = make_engine(url)
    revision = current_revision(engine)
    if revision is None:
        engine.dispose()
        raise TrackError(
            f"{safe_url(url)} holds no tracker tables; create them with `cnplan track init`"
        )
    if revision != HEAD:
        engine.dispose()
        raise TrackError(
            f"the tracker database {safe_url(url)} has schema revision {revision}, this cnplan "
            f"needs {HEAD}; run `cnplan track init` to upgrade it (no data is lost)"
        )
    return engine


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def session_scope(engine: Engine, write: bool = True) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error.

    ``write=False`` marks a read-only session: on SQLite it does not take the write lock, so
    status and export do not wait for a running import (WAL readers see the last commit).
    """
    bind = engine if write else engine.execution_options(cnplan_write=False)
    try:
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session
    except OperationalError as exc:  # e.g. "database or disk is full", a read-only file
        raise TrackError(f"the tracker database cannot be used: {exc.orig}") from None
