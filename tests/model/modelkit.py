"""Helpers shared by the model tests: built-in plans, the Peru dataset and Inputs, loaded once.

Cached objects are shared: tests must not mutate them (use ``dataclasses.replace``)."""

from __future__ import annotations

import functools

from cnplan.data import load_dataset
from cnplan.model import build_inputs
from cnplan.plans import load_plan


@functools.cache
def plan_and_data(plan_name: str):
    plan = load_plan(plan_name)
    return plan, load_dataset(plan.data)


@functools.cache
def inputs_for(plan_name: str, extra_years: int = 0, until: int | None = None):
    plan, data = plan_and_data(plan_name)
    return build_inputs(plan, data, extra_years=extra_years, until=until)
