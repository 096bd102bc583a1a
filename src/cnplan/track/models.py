"""The tracker's tables as SQLAlchemy 2.0 ORM models (the schema at the latest migration).

Objectives hold programmes, programmes hold indicators, indicators have targets by period and
reported actuals. Targets and actuals are append-only: a correction is a new row, and the
newest row for an (indicator, period) is the one in force (an actual names the row it
supersedes). Every change is also written to the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the tracker's tables."""


class Framework(Base):
    """The plan a tracker database was created from (one row)."""

    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(100))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Objective(Base):
    """What a group of programmes serves (e.g. eradication, interdiction, the plan's goals)."""

    __tablename__ = "objectives"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    programmes: Mapped[list[Programme]] = relationship(back_populates="objective")


class Programme(Base):
    """A programme under an objective (e.g. forced eradication under the eradication objective)."""

    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    objective_id: Mapped[str] = mapped_column(ForeignKey("objectives.id"))
    title: Mapped[str] = mapped_column(Text)
    objective: Mapped[Objective] = relationship(back_populates="programmes")
    indicators: Mapped[list[Indicator]] = relationship(back_populates="programme")


class Indicator(Base):
    """An indicator: unit, baseline, direction (which way is better) and the lever it feeds."""

    __tablename__ = "indicators"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"))
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(100))
    lever: Mapped[str | None] = mapped_column(String(100), nullable=True)
    zone: Mapped[str | None] = mapped_column(String(100), nullable=True)
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)
    baseline_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    programme: Mapped[Programme] = relationship(back_populates="indicators")


class Target(Base):
    """A target value for an indicator and period; the newest row per period is in force."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime)


class Actual(Base):
    """A reported actual: value for a period, who reported it, when, and its source or comment."""

    __tablename__ = "actuals"
    __table_args__ = (Index("ix_actuals_indicator_period", "indicator_id", "period", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicators.id"))
    period: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("actuals.id"), nullable=True, default=None
    )


class AuditEntry(Base):
    """One change to the database: who, when, what, and the details as JSON text."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")
