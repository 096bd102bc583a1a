"""The lima-2005 framework pre-filled with the actuals the shipped data holds."""

from __future__ import annotations

import pytest

from cnplan.plans import load_plan
from cnplan.track import SHIPPED_DATA, apply_actuals, history, init_db

from .conftest import count


@pytest.fixture
def lima(db_url):
    plan = load_plan("lima-2005")
    init_db(plan, db_url)
    return plan, db_url


def test_eradication_2005_comes_from_the_data(lima):
    plan, url = lima
    rows = {e.period: e for e in history("forced_eradication_ha", url)}
    e2005 = rows[2005]
    assert (e2005.value, e2005.source, e2005.reported_by) == (12232, "S01", SHIPPED_DATA)
    assert e2005.unit == "ha"
    assert all(plan.start_year <= p <= plan.end_year for p in rows)


def test_coca_prefers_the_indicators_series_and_prefill_runs_once(lima):
    plan, url = lima
    coca = {e.period: e for e in history("coca_ha_national", url)}
    assert coca[2005].value == 48200 and coca[2005].source == "S01"  # UNODC, not the US series
    assert "other values for the year: 36000 (S15)" in coca[2005].comment
    n = count(url)
    assert init_db(plan, url) == []
    assert count(url) == n


def test_realised_lima_plan_uses_observed_eradication(lima):
    plan, url = lima
    realised, lines = apply_actuals(plan, url)
    zones = list(plan.levers["forced_eradication"])
    arr = realised.lever_array("forced_eradication", zones, [2005, 2006, 2007])
    assert arr[0].sum() == pytest.approx(12232)
    assert arr[1].sum() == pytest.approx(12688)  # 2006 actual (S86, UNODC/DEVIDA 2006 report)
    assert arr[2].sum() == pytest.approx(12000)  # no 2007 actual (a gap): the plan's own value
    assert lines[0].startswith("forced_eradication 2005: national actual 12232 ha/yr")
