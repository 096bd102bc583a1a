"""Issue 18 case 6 for plans and experiments: non-finite and absurd numbers are refused where
they stand (bounds from ``cnplan.limits``)."""

from __future__ import annotations

import copy

import pytest
from tests.explore.conftest import small_text

from cnplan.explore import ExperimentError, load_experiment
from cnplan.plans import PlanError, parse_plan, plan_text
from cnplan.yamlio import load_yaml

LIMA = load_yaml(plan_text("lima-2005")[0])


def _broken(path: tuple, value: object) -> dict:
    raw = copy.deepcopy(LIMA)
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize(("path", "value", "where", "why"), [
    (("goals", "marginal_producer", "coca_ha"), float("inf"),
     "goals.marginal_producer.coca_ha", "finite"),
    (("goals", "marginal_producer", "coca_ha"), float("nan"),
     "goals.marginal_producer.coca_ha", "finite"),
    (("phases", -1, "end"), 10**9, "phases[2].end", "year between 1900 and 2200"),
    (("levers", "forced_eradication", "vraem", 2007), 1e300,
     "levers.forced_eradication.vraem[2007]", "plausible bound"),
    (("indicators", 0, "targets", 2005), float("inf"), "indicators[0].targets[2005]", "finite"),
    (("levers", "forced_eradication", "vraem", 2007), "1e300",
     "levers.forced_eradication.vraem[2007]", "plausible bound"),
])
def test_plan_refuses_absurd_numbers_where_they_stand(path, value, where, why) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(_broken(path, value), "p.yaml")
    assert any(p.startswith(where) and why in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize(("old", "new", "where"), [
    ("level: [0, 800]", "level: [0, 1e300]", "levers[2].level[1]"),
    ("level: [0, 800]", "level: [0, .inf]", "levers[2].level[1]"),
    ("seed: 7", "seed: 7\nuntil: 1000000000", "until"),
    ("range: [0.02, 0.07]", "range: [0.02, .nan]", "uncertainties[1].range[1]"),
])
def test_experiment_refuses_absurd_numbers(old: str, new: str, where: str) -> None:
    with pytest.raises(ExperimentError) as err:
        load_experiment(small_text().replace(old, new))
    assert any(p.startswith(where) for p in err.value.problems), err.value.problems
