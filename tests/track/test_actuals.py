"""Realised levers: actuals replace planned lever values for the years that have them."""

from __future__ import annotations

import pytest

from cnplan.track import TrackError, apply_actuals, report


def test_national_total_is_split_over_zones_in_proportion_to_the_plan(tracker, plan):
    report("erad_total", 2006, 12000, "a", url=tracker)
    realised, lines = apply_actuals(plan, tracker)
    fe = realised.levers["forced_eradication"]
    # planned 2006: vraem 0, huallaga 2000, central 6000
    assert fe["huallaga"][2006] == pytest.approx(3000)
    assert fe["central"][2006] == pytest.approx(9000)
    assert fe["vraem"][2006] == 0
    # the year after keeps the plan's own values
    assert fe["huallaga"][2007] == 2000 and fe["central"][2007] == 6000
    assert fe["vraem"][2007] == 2000
    zones = ["vraem", "huallaga", "central"]
    arr = realised.lever_array("forced_eradication", zones, range(2005, 2010))
    planned = plan.lever_array("forced_eradication", zones, range(2005, 2010))
    assert arr[1].sum() == pytest.approx(12000)
    assert (arr[[0, 2, 3, 4]] == planned[[0, 2, 3, 4]]).all()
    assert len(lines) == 1
    assert (
        "forced_eradication 2006: national actual 12000 ha/yr (erad_total) split across" in lines[0]
    )
    assert "in proportion to the plan's planned values for 2006" in lines[0]
    assert "Levers realised from reported actuals" in realised.description
    # the input plan is untouched
    assert 2006 not in plan.levers["forced_eradication"]["huallaga"]


def test_zone_actual_is_used_and_the_national_remainder_split(tracker, plan):
    report("erad_total", 2007, 10000, "a", url=tracker)
    report("erad_vraem", 2007, 1000, "a", url=tracker)
    realised, lines = apply_actuals(plan, tracker)
    fe = realised.levers["forced_eradication"]
    assert fe["vraem"][2007] == 1000
    # remainder 9000 over huallaga (2000) and central (6000)
    assert fe["huallaga"][2007] == pytest.approx(2250)
    assert fe["central"][2007] == pytest.approx(6750)
    assert fe["vraem"][2008] == 2000  # plan value in force from 2007
    assert any("split across huallaga, central" in line for line in lines)
    assert any(line.startswith("forced_eradication.vraem 2007: actual 1000") for line in lines)


def test_national_lever_and_latest_correction(tracker, plan):
    report("police", 2006, 350, "a", url=tracker)
    report("police", 2006, 360, "a", comment="corrected", url=tracker)
    report("police", 2007, 380, "a", url=tracker)
    realised, lines = apply_actuals(plan, tracker)
    assert realised.levers["police_graduates"]["national"] == {
        2005: 400,
        2006: 360,
        2007: 380,
        2008: 300,
    }
    assert lines == [
        "police_graduates 2006: actual 360 persons/yr (police) instead of planned 400",
        "police_graduates 2007: actual 380 persons/yr (police) instead of planned 400",
    ]
    realised.lever_array("police_graduates", [], range(2005, 2010))


def test_lever_not_in_the_plan_gets_a_schedule(tracker, plan):
    report("precursors", 2006, 0.4, "a", url=tracker)
    realised, _ = apply_actuals(plan, tracker)
    assert realised.levers["precursor_control"]["national"] == {2006: 0.4, 2007: 0.0}


def test_no_actuals_no_change(tracker, plan):
    realised, lines = apply_actuals(plan, tracker)
    assert lines == [] and realised.levers == plan.levers


def test_missing_database(tmp_path, plan):
    with pytest.raises(TrackError, match="cnplan track init"):
        apply_actuals(plan, str(tmp_path / "none.sqlite"))
