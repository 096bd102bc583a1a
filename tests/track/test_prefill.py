"""The lima-2005 framework pre-filled with the actuals the shipped data holds."""

from __future__ import annotations

import pytest

from cnplan.plans import load_plan
from cnplan.track import apply_actuals, history, init_db

from .conftest import count


@pytest.fixture
def lima(db_url):
    plan = load_plan("lima-2005")
    init_db(plan, db_url)
    return plan, db_url


def test_forced_eradication_is_not_prefilled_with_eradication_that_includes_voluntary(db_url):
    lines = init_db(load_plan("lima-2005"), db_url)
    assert history("forced_eradication_ha", db_url) == []  # Peru's figures are forced+voluntary
    assert ("indicator forced_eradication_ha: not pre-filled; the data's eradication_ha counts "
            "forced and voluntary eradication together (no split in the source)") in lines


def test_coca_prefers_the_indicators_series_and_prefill_runs_once(lima):
    plan, url = lima
    coca = {e.period: e for e in history("coca_ha_national", url)}
    assert coca[2005].value == 48200 and coca[2005].source == "S01"  # UNODC, not the US series
    assert "other values for the year: 36000 (S15)" in coca[2005].comment
    n = count(url)
    assert all("not pre-filled" in line for line in init_db(plan, url))  # nothing added
    assert count(url) == n


def test_realised_lima_plan_keeps_planned_eradication_without_a_forced_actual(lima):
    plan, url = lima
    realised, lines = apply_actuals(plan, url)
    zones = list(plan.levers["forced_eradication"])
    arr = realised.lever_array("forced_eradication", zones, [2005, 2006, 2007])
    planned = plan.lever_array("forced_eradication", zones, [2005, 2006, 2007])
    assert (arr == planned).all()
    assert not any(line.startswith("forced_eradication") for line in lines)
