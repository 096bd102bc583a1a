"""Reporting actuals: corrections supersede, bad input is refused with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from cnplan.track import TrackError, history, report

from .conftest import count


def test_report_and_correction_supersedes_without_overwriting(tracker):
    first = report("erad_total", 2005, 12000, "analyst", source="S01", url=tracker)
    second = report("erad_total", "2005", "12232", "analyst", comment="corrected", url=tracker)
    assert first.supersedes is None
    assert second.supersedes == first.id
    rows = history("erad_total", tracker)
    assert [(e.value, e.in_force) for e in rows] == [(12000, False), (12232, True)]
    assert rows[0].source == "S01" and rows[1].comment == "corrected"
    engine = create_engine(tracker)
    with engine.connect() as conn:
        actions = (
            conn.execute(text("SELECT action FROM audit_log WHERE entity = 'actual' ORDER BY id"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert actions == ["report", "report"]


def test_reported_at_is_kept(tracker):
    entry = report("police", 2005, 380, "ministry", reported_at="2006-01-31T09:00:00Z", url=tracker)
    assert entry.reported_at == datetime(2006, 1, 31, 9, 0, 0)


NEXT_YEAR = datetime.now(UTC).year + 1
TOMORROW = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"indicator": "erad"}, "unknown indicator 'erad' (did you mean 'erad_total' or "
                                   "'erad_vraem'?); valid indicators are coca, erad_total"),
        ({"value": "lots"}, "value: expected a number in ha, got 'lots'"),
        ({"value": "-5"}, "value: expected >= 0 ha, got -5"),
        ({"value": "nan"}, "value: expected a finite number"),
        ({"indicator": "police", "value": 12.5}, "expected a whole number of persons, got 12.5"),
        ({"indicator": "precursors", "value": 1.5}, "value: expected <= 1 index 0-1, got 1.5"),
        ({"unit": "acres"}, "unit: expected 'ha' for erad_total, got 'acres'"),
        ({"period": 2004}, "period: expected a year within the plan test-plan (2005-2030)"),
        ({"period": "2005.5"}, "period: expected a year such as 2005"),
        ({"period": NEXT_YEAR}, f"expected a year up to the current year {NEXT_YEAR - 1}"),
        ({"reported_at": TOMORROW}, "reported_at: expected a date not in the future"),
        ({"reported_at": "last week"}, "reported_at: expected an ISO date"),
        ({"reported_by": " "}, "reported_by: expected a non-empty value"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_written(tracker, kwargs, message):
    args = {"indicator": "erad_total", "period": 2005, "value": 100, "reported_by": "me"}
    args.update(kwargs)
    before = count(tracker), count(tracker, "audit_log")
    with pytest.raises(TrackError) as info:
        report(
            args.pop("indicator"),
            args.pop("period"),
            args.pop("value"),
            args.pop("reported_by"),
            url=tracker,
            **args,
        )
    assert message in str(info.value)
    assert "nothing written" in str(info.value) or "unknown indicator" in str(info.value)
    assert (count(tracker), count(tracker, "audit_log")) == before


def test_every_problem_is_listed(tracker):
    with pytest.raises(TrackError) as info:
        report("police", 2004, 1.5, "", url=tracker)
    text_ = str(info.value)
    for column in ("period:", "value:", "reported_by:"):
        assert column in text_
