"""Fixtures for the tracker tests: a database URL per back end and a small plan."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cnplan.plans import parse_plan
from cnplan.track import init_db

PG_URL = os.environ.get("CNPLAN_TEST_PG_URL")

PLAN = {
    "name": "test-plan",
    "country": "Peru",
    "data": "peru",
    "start_year": 2005,
    "end_year": 2030,
    "phases": [
        {
            "name": "all",
            "start": 2005,
            "end": 2030,
            "political_will": 1.0,
            "hard_core_eradication": True,
        }
    ],
    "levers": {
        "forced_eradication": {
            "vraem": {2005: 0, 2007: 2000},
            "huallaga": {2005: 2000},
            "central": {2005: 6000},
        },
        "police_graduates": {"national": {2005: 400, 2008: 300}},
    },
    "goals": {
        "hold_the_line": {"base_year": 2004, "by_year": 2006},
        "marginal_producer": {"by_year": 2011},
        "stability_point": {"by_year": 2015},
    },
    "indicators": [
        {
            "id": "erad_total",
            "name": "Forced eradication",
            "unit": "ha",
            "lever": "forced_eradication",
            "baseline": 10000,
            "baseline_year": 2004,
            "targets": {2005: 8000, 2007: 10000},
        },
        {
            "id": "erad_vraem",
            "name": "Forced eradication in the VRAEM",
            "unit": "ha",
            "lever": "forced_eradication",
            "zone": "vraem",
            "targets": {2007: 2000},
        },
        {
            "id": "police",
            "name": "Police graduated",
            "unit": "persons",
            "lever": "police_graduates",
            "targets": {2005: 400},
        },
        {
            "id": "precursors",
            "name": "Precursor control",
            "unit": "index 0-1",
            "lever": "precursor_control",
            "targets": {2006: 0.5},
        },
        {
            "id": "coca",
            "name": "National coca cultivation",
            "unit": "ha",
            "baseline": 50000,
            "baseline_year": 2004,
            "targets": {2006: 50000, 2011: 15000},
        },
    ],
}


@pytest.fixture
def plan():
    return parse_plan(PLAN, "test-plan.yaml")


def _create_pg_database(base: str, template: str | None = None) -> str:
    name = f"cnplan_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    finally:
        admin.dispose()
    return name


def _drop_pg_database(base: str, name: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _pg_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("CNPLAN_TEST_PG_URL is not set (source .ci/services.sh to get PostgreSQL)")
    return request.param


@pytest.fixture
def db_url(backend, tmp_path):
    """An empty database: a SQLite file always, PostgreSQL when CNPLAN_TEST_PG_URL is set."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite'}"
        return
    name = _create_pg_database(PG_URL)
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_database(PG_URL, name)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """Per back end, a database initialised from the test plan, copied for each test."""
    made: dict[str, str] = {}
    yield made
    if "postgresql" in made:
        _drop_pg_database(PG_URL, made["postgresql"])


@pytest.fixture
def tracker(backend, tmp_path, _templates, tmp_path_factory):
    """A database initialised from the test plan (no shipped-data prefill)."""
    plan_ = parse_plan(PLAN, "test-plan.yaml")
    if backend == "sqlite":
        if "sqlite" not in _templates:
            path = tmp_path_factory.mktemp("template") / "tracker.sqlite"
            init_db(plan_, f"sqlite:///{path}", prefill=False)
            _templates["sqlite"] = str(path)
        shutil.copy(_templates["sqlite"], tmp_path / "tracker.sqlite")
        yield f"sqlite:///{tmp_path / 'tracker.sqlite'}"
        return
    if "postgresql" not in _templates:
        name = _create_pg_database(PG_URL)
        _templates["postgresql"] = name
        init_db(plan_, _pg_url(name), prefill=False)
    name = _create_pg_database(PG_URL, template=_templates["postgresql"])
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_database(PG_URL, name)


def count(url: str, table: str = "actuals") -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()
