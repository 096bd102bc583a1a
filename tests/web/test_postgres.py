"""The app over a PostgreSQL tracker (when ``CNPLAN_TEST_PG_URL`` is set, as in CI)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

PG_URL = os.environ.get("CNPLAN_TEST_PG_URL")

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="CNPLAN_TEST_PG_URL is not set (see .ci/services.sh)"),
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]


@pytest.fixture
def pg_url():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"cnplan_web_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_report_and_status_on_postgres(pg_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from cnplan.plans import load_plan
    from cnplan.track import init_db
    from cnplan.web import Settings, create_app
    from cnplan.web.state import StateDB
    from cnplan.web.tokens import create_token

    init_db(load_plan("lima-2005"), pg_url, prefill=False)
    settings = Settings(home=tmp_path / "home", db_url=pg_url).prepare()
    token = create_token(StateDB(settings.state_path), "pg-officer")
    app = create_app(settings, start_jobs=False)
    with TestClient(app) as c:
        auth = {"Authorization": f"Bearer {token}"}
        r = c.post("/api/tracker/actuals", headers=auth,
                   json={"indicator": "police_graduated", "period": 2005, "value": "x"})
        assert r.status_code == 400 and "value" in r.json()["problems"]
        r = c.post("/api/tracker/actuals", headers=auth,
                   json={"indicator": "police_graduated", "period": 2005, "value": 390})
        assert r.status_code == 201, r.text
        rows = {row["indicator"]: row
                for g in c.get("/api/tracker/status?period=2005").json() for row in g["rows"]}
        assert rows["police_graduated"]["actual"] == 390
        assert rows["police_graduated"]["status"] == "on track"  # 390 of 400 (>= 90 %)
