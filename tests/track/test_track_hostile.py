"""Issue 18 case 6 for the tracker: absurd values and dates are located refusals."""

from __future__ import annotations

import pytest

from cnplan.track import TrackError, report


@pytest.mark.parametrize("value", [1e300, float("inf"), "1e400", "nan", True])
def test_absurd_or_non_numeric_values_are_refused(tracker, value) -> None:
    with pytest.raises(TrackError, match="value"):
        report("erad_total", 2006, value, "a", url=tracker)


def test_reported_at_year_one_is_refused(tracker) -> None:
    with pytest.raises(TrackError, match="reported_at: expected a date from 1900"):
        report("erad_total", 2006, 100, "a", reported_at="0001-01-01", url=tracker)


def test_report_dated_before_its_period_is_refused(tracker) -> None:
    with pytest.raises(TrackError, match="reported_at: expected a date in or after the period"):
        report("erad_total", 2012, 100, "a", reported_at="1990-06-01", url=tracker)
    assert report("erad_total", 2012, 100, "a", reported_at="2013-01-15", url=tracker)
