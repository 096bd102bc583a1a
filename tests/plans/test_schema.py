"""Plan schema: carry-forward lever arrays and located messages for every problem at once."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from cnplan.plans import PlanError, load_plan, parse_plan, plan_text


@pytest.fixture
def raw():
    return yaml.safe_load(plan_text("lima-2005")[0])


def test_lever_array_carries_values_forward(raw):
    raw["levers"]["forced_eradication"] = {"vraem": {2007: 100, 2010: 50}, "central": {2005: 7}}
    raw["levers"]["outside_assistance"] = {"national": {2006: 140, 2012: 100}}
    plan = parse_plan(raw)
    years = range(2005, 2014)
    arr = plan.lever_array("forced_eradication", ["vraem", "central", "north"], years)
    assert arr.shape == (9, 3)
    # 0 before the first given year, then held until the next given year
    assert arr[:, 0].tolist() == [0, 0, 100, 100, 100, 50, 50, 50, 50]
    assert (arr[:, 1] == 7).all()
    assert (arr[:, 2] == 0).all()  # a zone the plan does not mention
    national = plan.lever_array("outside_assistance", ["vraem"], years)
    assert national.shape == (9,)
    assert national.tolist() == [0, 140, 140, 140, 140, 140, 140, 100, 100]


def test_many_problems_are_all_reported_with_locations(raw):
    raw["levers"]["forced_eradication"]["vraem"][2007] = -500
    raw["levers"]["crop_dusting"] = {"national": {2005: 1}}
    raw["levers"]["eradication_security"]["national"][2030] = 120
    del raw["country"]
    raw["phases"][0]["political_will"] = "high"
    raw["phases"][1]["start"] = 2006  # overlaps 2005-2006
    with pytest.raises(PlanError) as info:
        parse_plan(raw, "bad.yaml")
    message = str(info.value)
    problems = info.value.problems
    assert "levers.forced_eradication.vraem[2007]: must be >= 0 ha/yr, got -500" in message
    assert any(p.startswith("levers.crop_dusting: unknown lever") for p in problems)
    assert any(
        p.startswith("levers.eradication_security.national[2030]: year must be within 2005-2015")
        for p in problems
    )
    assert any(p.startswith("country: field required") for p in problems)
    assert any(p.startswith("phases[0].political_will:") and "'high'" in p for p in problems)
    assert any(p.startswith("phases[1].start: overlaps phases[0]") for p in problems)
    assert len(problems) == 6
    assert "plan bad.yaml" in message


def test_value_above_maximum_and_national_key(raw):
    raw["levers"]["precursor_control"] = {"national": {2005: 1.5}}
    raw["levers"]["eradication_security"] = {"vraem": {2005: 10}}
    raw["levers"]["voluntary_eradication"]["national"] = {2005: 10}
    with pytest.raises(PlanError) as info:
        parse_plan(raw)
    problems = info.value.problems
    assert "levers.precursor_control.national[2005]: must be <= 1 index 0-1, got 1.5" in problems
    assert any(p.startswith("levers.eradication_security.vraem: ") for p in problems)
    # A zone lever keyed 'national' is a plan-wide target (spread where the coca is): valid.
    assert not any(p.startswith("levers.voluntary_eradication.national") for p in problems)


def test_bad_year_key_and_value_type(raw):
    raw["levers"]["outside_assistance"]["national"]["soon"] = 10
    raw["levers"]["outside_assistance"]["national"][2008] = "lots"
    with pytest.raises(PlanError) as info:
        parse_plan(raw)
    problems = info.value.problems
    assert any(
        p.startswith("levers.outside_assistance.national[soon]: year must be") for p in problems
    )
    assert any(
        p.startswith("levers.outside_assistance.national[2008]:") and "'lots'" in p
        for p in problems
    )


def test_phase_gap_goal_year_and_duplicate_indicator(raw):
    raw["phases"][1]["start"] = 2008
    raw["goals"]["marginal_producer"]["by_year"] = 2020
    raw["indicators"].append(copy.deepcopy(raw["indicators"][0]))
    with pytest.raises(PlanError) as info:
        parse_plan(raw)
    problems = info.value.problems
    assert any(p.startswith("phases[1].start: leaves a gap") for p in problems)
    assert "goals.marginal_producer.by_year: must be within 2005-2015, got 2020" in problems
    assert any("duplicate indicator id" in p for p in problems)


def test_not_a_mapping_and_bad_yaml(tmp_path):
    with pytest.raises(PlanError, match="must hold a mapping"):
        parse_plan(["a", "list"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(PlanError, match="not valid YAML"):
        load_plan(bad)
    with pytest.raises(PlanError, match="no such built-in plan"):
        load_plan("no-such-plan")


def test_check_zones_lists_unknown_zones():
    plan = load_plan("lima-2005")
    plan.check_zones(
        ["vraem", "huallaga", "la_convencion", "central", "south", "ucayali", "amazon", "north"]
    )
    with pytest.raises(PlanError) as info:
        plan.check_zones(["vraem"])
    assert any(
        p.startswith("levers.forced_eradication.huallaga: unknown zone")
        for p in info.value.problems
    )


def test_years_property():
    plan = load_plan("lima-2005")
    assert np.array_equal(plan.years, np.arange(2005, 2016))
