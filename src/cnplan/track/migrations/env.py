"""Alembic environment for the tracker: runs on a connection handed over by ``cnplan.track.db``."""

from __future__ import annotations

from alembic import context

from cnplan.track.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run the tracker migrations through cnplan.track.db.upgrade()")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
