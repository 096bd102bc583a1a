"""v1: the base schema: framework, objectives, programmes, indicators, targets, actuals, audit."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "framework",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_name", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("country", sa.String(100), nullable=False),
        sa.Column("start_year", sa.Integer, nullable=False),
        sa.Column("end_year", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "objectives",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("objective_id", sa.String(100), sa.ForeignKey("objectives.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("programme_id", sa.String(100), sa.ForeignKey("programmes.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("lever", sa.String(100), nullable=True),
        sa.Column("zone", sa.String(100), nullable=True),
        sa.Column("baseline", sa.Float, nullable=True),
        sa.Column("baseline_year", sa.Integer, nullable=True),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(100), sa.ForeignKey("indicators.id"), nullable=False),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_targets_indicator_id", "targets", ["indicator_id"])
    op.create_table(
        "actuals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.String(100), sa.ForeignKey("indicators.id"), nullable=False),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("reported_by", sa.String(200), nullable=False),
        sa.Column("reported_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_actuals_indicator_id", "actuals", ["indicator_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("entity", sa.String(50), nullable=False),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ["audit_log", "actuals", "targets", "indicators", "programmes", "objectives"]:
        op.drop_table(table)
    op.drop_table("framework")
