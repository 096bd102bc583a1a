"""The status rule: targets by period, direction-aware achievement, thresholds and trend."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from cnplan.track import report, status
from cnplan.track.status import achievement, classify, indicator_status, target_for, trend


def test_target_for_periods():
    targets = {2006: 50000.0, 2011: 15000.0}
    assert target_for(2006, targets) == 50000
    assert target_for(2011, targets) == 15000
    assert target_for(2008, targets) == pytest.approx(50000 - 35000 * 2 / 5)
    assert target_for(2014, targets) == 15000  # held after the last target
    assert target_for(2005, targets) is None  # before the first target, no baseline
    assert target_for(2005, {2007: 10000.0}, 8000.0, 2004) == pytest.approx(8000 + 2000 / 3)


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (9000, 10000, "higher", "on track"),
        (8999, 10000, "higher", "at risk"),
        (6000, 10000, "higher", "at risk"),
        (5999, 10000, "higher", "off track"),
        (16000, 15000, "lower", "on track"),  # 15000/16000 = 94%
        (20000, 15000, "lower", "at risk"),  # 75%
        (40000, 15000, "lower", "off track"),  # 37.5%
        (0, 15000, "lower", "on track"),
        (5, 0, "higher", "on track"),
    ],
)
def test_direction_aware_thresholds(actual, target, direction, expected):
    assert classify(achievement(actual, target, direction)) == expected


def test_trend():
    assert trend([1.0], "higher") == "-"
    assert trend([100.0, 120.0], "higher") == "improving"
    assert trend([100.0, 120.0], "lower") == "worsening"
    assert trend([100.0, 100.5], "lower") == "steady"


def _ind(**kw):
    base = dict(
        id="x",
        name="x",
        unit="ha",
        direction="higher",
        baseline=None,
        baseline_year=None,
        lever="forced_eradication",
    )
    return SimpleNamespace(**{**base, **kw})


def test_current_year_target_is_pro_rated_for_per_year_levers():
    today = datetime(2026, 7, 2, 12)  # about half the year gone
    row = indicator_status(_ind(), {2026: 10000.0}, {2026: 5000.0}, today)
    assert row.target == pytest.approx(5000, rel=0.01)
    assert row.status == "on track"
    stock = indicator_status(_ind(lever=None), {2026: 10000.0}, {2026: 5000.0}, today)
    assert stock.target == 10000 and stock.status == "off track"


def test_no_data_shows_the_next_target():
    row = indicator_status(_ind(), {2005: 1.0, 2030: 2.0}, {}, datetime(2026, 1, 1))
    assert (row.status, row.period, row.target, row.actual) == ("no data", 2030, 2.0, None)


def test_status_table_groups_by_objective(tracker):
    report("erad_total", 2005, 7000, "a", url=tracker)
    report("erad_total", 2006, 9500, "a", url=tracker)
    report("coca", 2008, 40000, "unodc", url=tracker)
    groups = {g.id: g for g in status(tracker, period=2006)}
    assert list(groups) == ["goals", "eradication", "interdiction", "police_capacity"]
    erad = groups["eradication"].rows[0]
    assert (erad.indicator, erad.period, erad.actual) == ("erad_total", 2006, 9500)
    assert erad.target == pytest.approx(9000)  # between 8000 (2005) and 10000 (2007)
    assert (erad.status, erad.trend) == ("on track", "improving")
    assert round(erad.percent) == 106
    assert groups["eradication"].counts == {"on track": 1, "no data": 1}
    assert groups["goals"].rows[0].status == "no data"  # 2008's actual is after the period


def test_one_period_for_the_whole_view_and_lower_is_better_percent(tracker):
    report("erad_total", 2005, 7000, "a", url=tracker)
    report("erad_total", 2006, 9500, "a", url=tracker)
    report("coca", 2008, 40000, "unodc", url=tracker)
    groups = {g.id: g for g in status(tracker)}
    assert {g.period for g in groups.values()} == {2008}
    assert {r.period for g in groups.values() for r in g.rows} == {2008}  # never mixed years
    coca = groups["goals"].rows[0]
    assert coca.direction == "lower"
    assert coca.target == pytest.approx(36000)
    assert coca.status == "on track"  # 36000 / 40000 = 90 %
    assert round(coca.percent) == 90  # lower is better: target / actual, not 111 %
    erad = groups["eradication"].rows[0]
    assert (erad.status, erad.actual) == ("no data", None)
    assert (erad.last_period, erad.last_actual) == (2006, 9500)


def test_series_has_every_period_in_force(tracker):
    from cnplan.track import series

    report("erad_total", 2005, 7000, "a", url=tracker)
    report("erad_total", 2006, 9500, "a", url=tracker)
    report("erad_total", 2006, 9400, "a", comment="corrected", url=tracker)
    by_id = {s.indicator: s for s in series(tracker)}
    erad = by_id["erad_total"]
    assert erad.actuals == {2005: 7000, 2006: 9400}  # the correction replaces what it corrects
    assert erad.targets == {2005: 8000, 2007: 10000}
    assert (erad.baseline, erad.baseline_year) == (10000, 2004)
    assert by_id["erad_vraem"].actuals == {}  # a gap stays a gap
    assert [s.indicator for s in series(tracker)][:1] == ["coca"]  # framework order
