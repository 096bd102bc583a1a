"""What-if variants: ``--set`` parsing, applying to a plan, located errors, and ``cnplan run``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.data import load_dataset
from cnplan.plans import load_plan
from cnplan.plans.variant import VariantError, variant

runner = CliRunner()


@pytest.fixture(scope="module")
def plan():
    return load_plan("lima-2005")


@pytest.fixture(scope="module")
def peru():
    return load_dataset("peru")


def _values(p, lever, key):
    return p.lever_array(lever, [key], p.years)[:, 0] if key != "national" else \
        p.lever_array(lever, [], p.years)


def test_scale_doubles_every_year_of_one_zone_only(plan, peru):
    new, changes = variant(plan, ["ad_funding.vraem=2x"], peru)
    np.testing.assert_allclose(_values(new, "ad_funding", "vraem"),
                               2 * _values(plan, "ad_funding", "vraem"))
    np.testing.assert_allclose(_values(new, "ad_funding", "huallaga"),
                               _values(plan, "ad_funding", "huallaga"))
    assert changes[0].op == "scale" and changes[0].value == 2.0
    assert "variant: ad_funding.vraem=2x" in new.title


def test_level_from_a_year_and_for_a_span(plan, peru):
    new, _ = variant(plan, ["forced_eradication.huallaga[2008]=5000",
                            "forced_eradication.central[2009-2010]=1,000"], peru)
    years = list(plan.years)
    hual = _values(new, "forced_eradication", "huallaga")
    assert hual[years.index(2007)] == 4000 and (hual[years.index(2008):] == 5000).all()
    central = _values(new, "forced_eradication", "central")
    assert central[years.index(2008)] == 3500 and central[years.index(2011)] == 3500
    assert (central[years.index(2009):years.index(2010) + 1] == 1000).all()


def test_percent_and_national_lever(plan, peru):
    new, _ = variant(plan, ["outside_assistance=-50%"], peru)
    np.testing.assert_allclose(_values(new, "outside_assistance", "national"),
                               0.5 * _values(plan, "outside_assistance", "national"))


def test_group_level_of_an_index_sets_every_zone_and_of_an_amount_the_total(plan, peru):
    new, _ = variant(plan, ["source_interdiction.hard_core=0.8", "ad_funding.hard_core=40"],
                     peru)
    for zone in ("vraem", "huallaga"):
        assert (_values(new, "source_interdiction", zone) == 0.8).all()
        assert (_values(new, "ad_funding", zone) == 0).all()
    assert new.levers["ad_funding"]["hard_core"] == {2005: 40.0}


def test_every_problem_is_located_with_did_you_mean(plan, peru):
    with pytest.raises(VariantError) as info:
        variant(plan, ["ad_fundng.vraem=2x", "forced_eradication.hualaga[2008]=5000",
                       "precursor_control[2030]=0.5", "ad_funding.vraem=lots", "nonsense",
                       "ad_funding.amazon[2009-2007]=1"], peru)
    text = str(info.value)
    assert "6 problem(s)" in text
    assert "ad_fundng.vraem=2x: unknown lever 'ad_fundng' (did you mean 'ad_funding'?)" in text
    assert "hualaga[2008]=5000: unknown zone, group or country 'hualaga' (did you mean " \
           "'huallaga'?)" in text
    assert "year must be within 2005-2015 (the plan's years), got 2030" in text
    assert "got 'lots'" in text
    assert "--set nonsense: expected LEVER[.ZONE][[YEAR]]=VALUE" in text
    assert "the last year must be >= the first (2009), got 2007" in text


def test_out_of_bounds_after_scaling_names_the_change(plan, peru):
    with pytest.raises(VariantError, match=r"source_interdiction.vraem=3x: levers\."
                                           r"source_interdiction.vraem\[2007\]: must be <= 1"):
        variant(plan, ["source_interdiction.vraem=3x"], peru)


def test_scaling_nothing_and_a_zone_level_without_zone_are_refused(plan, peru):
    with pytest.raises(VariantError, match="nothing to scale"):
        variant(plan, ["forward_base_police.central=2x"], peru)
    with pytest.raises(VariantError, match="needs a zone, group, country"):
        variant(plan, ["ad_funding=5"], peru)
    with pytest.raises(VariantError, match="is a national lever"):
        variant(plan, ["precursor_control.vraem=0.5"], peru)


def test_cnplan_run_with_set_records_the_changes(tmp_path):
    out = tmp_path / "v"
    result = runner.invoke(app, ["run", "-n", "20", "--out", str(out), "--no-report",
                                 "--set", "ad_funding.vraem=2x",
                                 "--set", "forced_eradication.huallaga[2008]=5000"])
    assert result.exit_code == 0, result.output
    assert "variant: --set ad_funding.vraem=2x" in result.output
    meta = json.loads((out / "run.json").read_text())
    assert [c["text"] for c in meta["variant"]] == ["ad_funding.vraem=2x",
                                                   "forced_eradication.huallaga[2008]=5000"]
    assert meta["variant"][1] == {"text": "forced_eradication.huallaga[2008]=5000",
                                  "lever": "forced_eradication", "key": "huallaga",
                                  "years": [2008, 2015], "op": "level", "value": 5000.0}
    assert meta["plan_effective"]["levers"]["forced_eradication"]["huallaga"]["2008"] == 5000


def test_cnplan_run_with_a_bad_set_writes_nothing(tmp_path):
    result = runner.invoke(app, ["run", "-n", "5", "--out", str(tmp_path / "x"), "--no-report",
                                 "--set", "ad_funding.vrem=2x"])
    assert result.exit_code == 1
    assert "did you mean 'vraem'?" in result.output
    assert not (tmp_path / "x").exists()


def test_the_run_report_of_a_variant_lists_its_changes(tmp_path):
    out = tmp_path / "v"
    result = runner.invoke(app, ["run", "-n", "20", "--out", str(out),
                                 "--set", "ad_funding.vraem=2x"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert 'id="variant"' in html and "--set ad_funding.vraem=2x" in html
