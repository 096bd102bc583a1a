"""Experiment files, samplers and the meaning of input columns (levers, parameters, drivers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnplan.explore import ExperimentError, evaluate, load_experiment, sample
from cnplan.explore.design import n_rows
from cnplan.model.parameters import SPECS
from cnplan.plans import LEVERS, load_plan

from .conftest import EXAMPLE, small_text


def test_example_experiment_loads_with_its_columns():
    exp = load_experiment(EXAMPLE)
    assert exp.resolve_plan().name == "lima-2005"
    assert "lever:forced_eradication.vraem" in exp.input_columns
    assert "driver:election_will" in exp.input_columns
    assert exp.outcome_columns[:2] == ["hold_the_line_reached", "hold_the_line_year"]
    assert {"coca_ha_2011", "coca_ha_2015", "cost_musd_total", "resistance_max"} <= set(
        exp.outcome_columns
    )
    assert len(sample(exp)) == exp.design.n


def _problems(text: str) -> list[str]:
    with pytest.raises(ExperimentError) as info:
        load_experiment(text)
    return info.value.problems


def test_every_problem_is_located_and_unknown_names_list_the_valid_ones():
    text = small_text().replace("param: price_elasticity", "param: price_elastic")
    text = text.replace("driver: gdp_growth", "driver: gdp")
    text = text.replace("zone: vraem", "zone: vrae")
    text = text.replace("lever: ad_funding", "lever: ad_fund")
    text = text.replace("level: [0, 800]", "level: [900, 100]")
    text = text.replace("- resistance_max", "- resistance_peak\n  - coca_ha: [1990]")
    problems = _problems(text)
    joined = "\n".join(problems)
    assert "uncertainties[0].param: unknown parameter 'price_elastic'" in joined
    assert "did you mean 'price_elasticity'?" in joined
    assert ", ".join(SPECS) in joined  # valid parameters listed
    assert "uncertainties[1].driver: unknown driver 'gdp'" in joined
    assert "election_will, gdp_growth, price_shock" in joined
    assert "levers[0].zone: unknown zone 'vrae'" in joined
    assert "levers[1].lever: unknown lever 'ad_fund'" in joined and ", ".join(LEVERS) in joined
    assert "levers[2].level: low must be <= high, got [900, 100]" in joined
    assert "outcomes[3]: unknown outcome 'resistance_peak'" in joined
    assert "outcomes[4].coca_ha: year must be within 2005-2015, got 1990" in joined
    assert len(problems) == 7


def test_values_outside_declared_bounds_are_refused():
    text = small_text().replace("range: [0.6, 0.9]", "range: [0.6, 1.4]")
    text = text.replace("choices: [2, 3, 6]", "choices: [-1, 3]")
    text = text.replace("- param: price_elasticity", "- {param: replant_share, range: [0, 0.5]}")
    joined = "\n".join(_problems(text))
    assert "uncertainties[2].range: must be within [0, 1] index 0-1, got 1.4" in joined
    assert "levers[3].choices: must be >= 0 teams, got -1" in joined
    lo = SPECS["replant_share"].low
    assert f"uncertainties[0].range: must be within [{lo:g}," in joined


def test_structural_errors_are_located():
    text = small_text().replace("method: latin_hypercube", "method: halton")
    text = text.replace("seed: 7", "seed: seven")
    joined = "\n".join(_problems(text))
    assert "design.method: input should be 'monte_carlo'" in joined
    assert "seed: input should be a valid integer" in joined
    assert "line 3" in "\n".join(_problems("name: x\nplan: [\n  bad: :"))


def test_a_level_on_a_zone_lever_needs_a_zone_and_duplicates_are_refused():
    text = small_text().replace(
        "- {lever: police_graduates, level: [0, 800]}",
        "- {lever: forced_eradication, level: [0, 800]}\n  - {lever: ad_funding, scale: [1, 2]}",
    )
    joined = "\n".join(_problems(text))
    assert "levers[2]: a level for the zone lever forced_eradication needs a 'zone'" in joined
    assert "levers[3]: lever:ad_funding is already varied by levers[1]" in joined


def test_latin_hypercube_puts_one_point_in_every_stratum_of_every_column():
    exp = load_experiment(small_text(n=200))
    rows = sample(exp)
    lo, hi = SPECS["price_elasticity"].low, SPECS["price_elasticity"].high
    u = (rows["param:price_elasticity"] - lo) / (hi - lo)
    assert sorted(np.floor(u * 200).astype(int)) == list(range(200))
    assert set(rows["lever:port_inspection_teams"]) == {2.0, 3.0, 6.0}
    pd.testing.assert_frame_equal(rows, sample(load_experiment(small_text(n=200))))
    other = sample(load_experiment(small_text(n=200).replace("seed: 7", "seed: 8")))
    assert not np.array_equal(rows.to_numpy(), other.to_numpy())


@pytest.mark.parametrize("method", ["monte_carlo", "sobol"])
def test_random_designs_stay_in_range(method):
    exp = load_experiment(small_text(n=256).replace("latin_hypercube", method))
    rows = sample(exp)
    assert len(rows) == 256
    assert rows["driver:gdp_growth"].between(0.02, 0.07).all()
    assert rows["lever:forced_eradication.vraem"].between(0.5, 3.0).all()


def test_full_factorial_is_every_combination():
    text = small_text().replace("method: latin_hypercube", "method: full_factorial\n  levels: 2")
    exp = load_experiment(text.replace("  n: 1200\n", ""))
    rows = sample(exp)
    assert n_rows(exp) == len(rows) == 2**7 * 3
    assert not rows.duplicated().any()
    assert set(rows["driver:gdp_growth"]) == {0.02, 0.07}


def test_missing_columns_take_the_plan_values(small_experiment):
    """A table without lever/driver columns equals one holding the neutral values."""
    plan_price_shock = 0.0
    plan = load_plan("lima-2005")
    neutral = pd.DataFrame(
        {
            "lever:forced_eradication.vraem": [1.0] * 40,
            "lever:ad_funding": 1.0,
            "lever:police_graduates": plan.levers["police_graduates"]["national"][2005],
            "lever:port_inspection_teams": plan.levers["port_inspection_teams"]["national"][2005],
            "driver:election_will": plan.phases[1].political_will,
            "driver:price_shock": plan_price_shock,
        }
    )
    empty = pd.DataFrame(index=neutral.index)
    got = evaluate(small_experiment, neutral, seed=3)
    pd.testing.assert_frame_equal(got, evaluate(small_experiment, empty, seed=3))


def test_scaling_ad_funding_adds_exactly_its_cost(small_experiment):
    """Programme cost is the sum of programme budgets (engine.step): scaling AD by 1.5 adds
    half of the plan's AD funding over the years, whatever else happens in the future."""
    plan = load_plan("lima-2005")
    from cnplan.data import load_dataset
    from cnplan.model import build_inputs

    inputs = build_inputs(plan, load_dataset("peru"))
    ad_total = inputs.levers["ad_funding"].sum()
    rows = pd.DataFrame({"lever:ad_funding": [1.0] * 20})
    base = evaluate(small_experiment, rows)["cost_musd_total"]
    more = evaluate(small_experiment, rows * 1.5)["cost_musd_total"]
    np.testing.assert_allclose(more - base, 0.5 * ad_total, rtol=1e-5)


def test_unknown_row_columns_are_refused_with_the_valid_ones(small_experiment):
    rows = pd.DataFrame({"lever:outreach_campaigns": [1.0]})
    with pytest.raises(ExperimentError, match="unknown input column 'lever:outreach_campaigns'"):
        evaluate(small_experiment, rows)
    with pytest.raises(
        ExperimentError, match=r"rows\[0\].driver:price_shock: must be a finite number"
    ):
        evaluate(small_experiment, pd.DataFrame({"driver:price_shock": [np.nan]}))


def test_missing_plan_data_and_parameter_set_are_located():
    text = small_text().replace("seed: 7", "seed: 7\nparameter_set: nope.json\ndata: mars")
    joined = "\n".join(_problems(text))
    assert "parameter_set: file not found" in joined and "nope.json" in joined
    assert "data: cannot load 'mars'" in joined
    joined = "\n".join(_problems(small_text().replace("plan: lima-2005", "plan: lima-2099")))
    assert "plan: no such built-in plan or file; built-in plans are lima-2005" in joined
