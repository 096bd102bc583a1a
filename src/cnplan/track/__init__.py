"""The programme results tracker: objectives, indicators, targets, actuals, status, realised levers.

The database (SQLite by default, PostgreSQL by URL) is created and migrated with Alembic; see
``docs/tracker.md`` for the data model, the status rule and the command line.
"""

from __future__ import annotations

from cnplan.track.actuals import apply_actuals, realised_levers
from cnplan.track.db import default_db_url, resolve_url, upgrade
from cnplan.track.errors import TrackError
from cnplan.track.framework import init_db
from cnplan.track.prefill import SHIPPED_DATA
from cnplan.track.service import Entry, ImportResult, export, history, import_file, report
from cnplan.track.status import IndicatorSeries, IndicatorStatus, ObjectiveStatus, series, status

__all__ = [
    "SHIPPED_DATA",
    "Entry",
    "ImportResult",
    "IndicatorSeries",
    "IndicatorStatus",
    "ObjectiveStatus",
    "TrackError",
    "apply_actuals",
    "default_db_url",
    "export",
    "history",
    "import_file",
    "init_db",
    "realised_levers",
    "report",
    "resolve_url",
    "series",
    "status",
    "upgrade",
]
