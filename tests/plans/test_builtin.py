"""The built-in plans load, and lima-2005 encodes the figures of the 2005 Lima cable."""

from __future__ import annotations

import numpy as np
import pytest

from cnplan.plans import LEVERS, builtin_plans, load_plan

ZONES = ["vraem", "huallaga", "la_convencion", "central", "south", "ucayali", "amazon", "north"]


@pytest.fixture(scope="module")
def lima():
    return load_plan("lima-2005")


def _total(plan, lever, year):
    return float(plan.lever_array(lever, ZONES, [year]).sum())


def _zone(plan, lever, zone, year):
    return float(plan.lever_array(lever, [zone], [year])[0, 0])


def _national(plan, lever, year):
    return float(plan.lever_array(lever, ZONES, [year])[0])


@pytest.mark.parametrize("name", ["lima-2005", "peru-baseline"])
def test_builtin_plans_load(name):
    assert name in builtin_plans()
    plan = load_plan(name)
    assert plan.name == name
    assert plan.data == "peru"


def test_lima_years_and_phases(lima):
    # cable ¶1: "within 10 years ... a stability point"; ¶2: new government from mid-2006.
    assert (lima.start_year, lima.end_year) == (2005, 2015)
    first, second = lima.phase_of(2006), lima.phase_of(2007)
    assert not first.hard_core_eradication and not first.voluntary_in_hard_core
    assert second.hard_core_eradication and second.voluntary_in_hard_core
    assert second.political_will > first.political_will


def test_lima_forced_eradication_8000_ha_in_2005(lima):
    # cable ¶8: "We will eradicate 8,000 hectares of managed coca focusing on new areas".
    assert _total(lima, "forced_eradication", 2005) == 8000
    # cable ¶2: no serious eradication in the core areas before the 2006 elections.
    assert _zone(lima, "forced_eradication", "vraem", 2005) == 0
    assert _zone(lima, "forced_eradication", "vraem", 2006) == 0


def test_lima_voluntary_eradication_3000_ha_none_in_vraem(lima):
    # cable ¶6: "voluntarily eradicate up to 3,000 hectares in traditional coca-growing areas";
    # not feasible "in hard-core areas, such as the VRAE" in CY 2005.
    assert _total(lima, "voluntary_eradication", 2005) == 3000
    assert _zone(lima, "voluntary_eradication", "vraem", 2005) == 0


def test_lima_security_police_and_bases(lima):
    # cable ¶8: 120-member Eradication Security Group.
    assert _national(lima, "eradication_security", 2005) == 120
    # cable ¶8: 400 police graduated, another 400 begin an 18-month course.
    assert _national(lima, "police_graduates", 2005) == 400
    assert _national(lima, "police_in_training", 2005) == 400
    # cable ¶8: forward operating bases for 200 police in the VRAE and Monzón (huallaga zone).
    bases = lima.lever_array("forward_base_police", ["vraem", "huallaga"], [2005])
    assert bases.sum() == 200 and (bases > 0).all()
    assert _total(lima, "forward_base_police", 2005) == 200
    # cable ¶8: a Mobile Road Interdiction Group.
    assert _national(lima, "road_interdiction_groups", 2005) == 1


def test_lima_goals(lima):
    # cable ¶1, ¶3: as much as 15,000 ha of coca and a few hundred ha of poppy, "within its
    # term" (¶2, the administration of 2006-2011); stability point within 10 years (¶1).
    goals = lima.goals
    assert goals.marginal_producer.coca_ha == 15000
    assert 100 <= goals.marginal_producer.poppy_ha <= 900
    assert goals.marginal_producer.by_year == 2011
    assert goals.hold_the_line.by_year == 2006
    assert goals.stability_point.by_year == 2015


# Every lever the cable names (¶2, ¶5, ¶6, ¶7, ¶8) - that is the whole catalogue.
CABLE_LEVERS = [
    "forced_eradication",  # ¶8
    "eradication_security",  # ¶8
    "voluntary_eradication",  # ¶6
    "ad_funding",  # ¶6
    "forward_base_police",  # ¶8
    "source_interdiction",  # ¶5
    "road_interdiction_groups",  # ¶8
    "port_inspection_teams",  # ¶8
    "precursor_control",  # ¶5
    "police_graduates",  # ¶8
    "police_in_training",  # ¶8
    "poppy_intelligence",  # ¶2
    "outreach_campaigns",  # ¶8
    "outside_assistance",  # ¶3, ¶7
]


def test_lima_sets_every_lever_the_cable_names(lima):
    assert set(CABLE_LEVERS) <= set(LEVERS)
    missing = [lever for lever in CABLE_LEVERS if lever not in lima.levers]
    assert not missing


# cable ¶8: each item of the next-12-months programme is an indicator with a target (2005).
PARA8_INDICATORS = {
    "port_inspection_teams": None,  # no count in the cable (assumption in the plan)
    "forced_eradication_ha": 8000,
    "eradication_security_group": 120,
    "police_graduated": 400,
    "police_course_started": 400,
    "forward_base_police": 200,
    "road_interdiction_group": 1,
    "outreach_campaigns": None,  # no amount in the cable
}


@pytest.mark.parametrize(("ind_id", "target"), PARA8_INDICATORS.items())
def test_lima_para8_indicators_have_targets(lima, ind_id, target):
    by_id = {ind.id: ind for ind in lima.indicators}
    ind = by_id[ind_id]
    assert "¶8" in ind.source
    assert 2005 in ind.targets
    if target is not None:
        assert ind.targets[2005] == target
    assert ind.lever in LEVERS
    # the indicator's target matches what the lever delivers in 2005
    spec = LEVERS[ind.lever]
    value = lima.lever_array(ind.lever, ZONES, [2005]).sum()
    assert value == ind.targets[2005], spec.id


def test_lima_goal_indicators(lima):
    by_id = {ind.id: ind for ind in lima.indicators}
    assert by_id["coca_ha_national"].targets[2011] == 15000
    assert by_id["poppy_ha_national"].targets[2011] == lima.goals.marginal_producer.poppy_ha


def test_baseline_levels():
    plan = load_plan("peru-baseline")
    assert (plan.start_year, plan.end_year) == (2025, 2035)
    # S61: 2025 eradication goal 34,123 ha, held to the end.
    totals = plan.lever_array("forced_eradication", ZONES, plan.years).sum(axis=1)
    assert np.allclose(totals, 34123)
    assert plan.goals.hold_the_line.base_year == 2024
    assert plan.goals.marginal_producer.by_year == 2030
    assert plan.goals.stability_point.by_year == 2035
