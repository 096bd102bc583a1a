"""Checks on reported actuals: known indicator, unit, number type and range, period and dates."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cnplan.limits import MIN_YEAR, finite_problem
from cnplan.plans.levers import LEVERS
from cnplan.track.models import Framework, Indicator

COUNT_UNITS = ("persons", "teams", "groups", "labs", "districts")
"""Units whose values are whole numbers (a unit starting with one of these)."""


@dataclass
class Problem:
    """One thing wrong with an input: the column and what was expected."""

    column: str
    message: str


def unknown_indicator(indicator_id: str, valid: list[str]) -> str:
    """The message for an unknown indicator id: the closest id (``cnplan.errors.did_you_mean``),
    else the ids containing what was typed ("coca" -> coca_ha_national), then every valid id.
    """
    from cnplan.errors import did_you_mean

    hint = did_you_mean(indicator_id, valid)
    if not hint and indicator_id.strip():
        part = [v for v in sorted(valid) if indicator_id.strip().lower() in v.lower()][:3]
        hint = f" (did you mean {' or '.join(repr(v) for v in part)}?)" if part else ""
    return (f"unknown indicator {indicator_id!r}{hint}; valid indicators are "
            f"{', '.join(sorted(valid))}")


THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
"""A number written with thousands commas ("2,100", "12,232.5"): read without the commas.
A comma elsewhere ("2,1") stays an error: it could be a decimal comma."""


def parse_value(raw: object, indicator: Indicator) -> tuple[float | None, list[Problem]]:
    """The value as a float and any problems with its type or range for the indicator."""
    if isinstance(raw, bool):
        return None, [Problem("value", f"expected a number in {indicator.unit}, got {raw!r}")]
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace("_", "")
        if THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            value = float(text)
        except ValueError:
            return None, [
                Problem("value", f"expected a number in {indicator.unit}, got {str(raw)!r}")
            ]
    if (bad := finite_problem(value)) is not None:
        return None, [Problem("value", bad)]
    problems = []
    unit = indicator.unit.lower()
    if unit.startswith(COUNT_UNITS) and not value.is_integer():
        problems.append(
            Problem("value", f"expected a whole number of {indicator.unit}, got {value:g}")
        )
    spec = LEVERS.get(indicator.lever) if indicator.lever else None
    minimum = spec.minimum if spec is not None else 0.0
    maximum = spec.maximum if spec is not None else None
    if "index 0-1" in unit:
        maximum = 1.0 if maximum is None else min(maximum, 1.0)
    if value < minimum:
        problems.append(
            Problem("value", f"expected >= {minimum:g} {indicator.unit}, got {value:g}")
        )
    if maximum is not None and value > maximum:
        problems.append(
            Problem("value", f"expected <= {maximum:g} {indicator.unit}, got {value:g}")
        )
    return value, problems


def check_unit(raw: object, indicator: Indicator) -> list[Problem]:
    """A stated unit must be the indicator's unit (empty means: the indicator's unit)."""
    if raw is None or str(raw).strip() == "":
        return []
    if str(raw).strip().lower() != indicator.unit.lower():
        return [
            Problem("unit", f"expected {indicator.unit!r} for {indicator.id}, got {str(raw)!r}")
        ]
    return []


def parse_period(
    raw: object, framework: Framework, today: datetime
) -> tuple[int | None, list[Problem]]:
    """The period as a year within the plan and not after the current year."""
    text = str(raw).strip()
    try:
        number = float(text)
        if not number.is_integer():
            raise ValueError
        period = int(number)
    except ValueError:
        return None, [
            Problem("period", f"expected a year such as {framework.start_year}, got {text!r}")
        ]
    if not framework.start_year <= period <= framework.end_year:
        return None, [
            Problem(
                "period",
                f"expected a year within the plan {framework.plan_name} "
                f"({framework.start_year}-{framework.end_year}), got {period}",
            )
        ]
    if period > today.year:
        return None, [
            Problem("period", f"expected a year up to the current year {today.year}, got {period}")
        ]
    return period, []


def parse_reported_at(raw: object, today: datetime) -> tuple[datetime | None, list[Problem]]:
    """When the actual was reported: an ISO date or date-time (UTC), not in the future."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        return today, []
    if isinstance(raw, datetime):
        stamp = raw
    else:
        text = str(raw).strip()
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None, [
                Problem(
                    "reported_at",
                    f"expected an ISO date or date-time such as 2006-01-31T09:00:00Z, got {text!r}",
                )
            ]
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    stamp = stamp.replace(microsecond=0)
    if stamp.year < MIN_YEAR:
        return None, [Problem("reported_at", f"expected a date from {MIN_YEAR} on, got "
                              f"{stamp:%Y-%m-%d}")]
    if stamp > today:
        return None, [
            Problem(
                "reported_at",
                f"expected a date not in the future (now {today:%Y-%m-%dT%H:%M:%SZ}), "
                f"got {stamp:%Y-%m-%dT%H:%M:%SZ}",
            )
        ]
    return stamp, []


def check_report_after_period(period: int | None, reported_at: datetime | None) -> list[Problem]:
    """An actual for a year cannot be reported before that year begins."""
    if period is None or reported_at is None or reported_at.year >= period:
        return []
    return [Problem("reported_at", f"expected a date in or after the period {period} it "
                    f"reports on, got {reported_at:%Y-%m-%d}")]


def check_text(raw: object, column: str, required: bool) -> tuple[str, list[Problem]]:
    """A text field; required ones must not be empty."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        text = ""
    else:
        text = str(raw).strip()
    if required and not text:
        return text, [Problem(column, "expected a non-empty value")]
    return text, []
