"""Every lever says what its effect rests on, in every run's output, report and run.json."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cnplan.calibrate import FITTED
from cnplan.calibrate.evidence import input_label, lever_label
from cnplan.cli import app
from cnplan.model.parameters import SPECS
from cnplan.plans.levers import LEVER_EVIDENCE, LEVERS

runner = CliRunner()


def test_every_lever_is_declared_and_its_kind_matches_its_parameters():
    assert set(LEVER_EVIDENCE) == set(LEVERS)
    for lever, ev in LEVER_EVIDENCE.items():
        assert all(p in SPECS for p in ev.parameters), lever
        fitted = [p for p in ev.parameters if p in FITTED]
        if ev.kind == "fitted":
            assert fitted, lever
        else:
            assert not fitted, (lever, fitted)  # an unfitted label must not hide a fitted one
        if ev.kind == "published":
            assert "[" in ev.basis and "]" in ev.basis, lever  # cites a reference key


def test_labels_name_the_kind_and_the_key_or_the_range():
    assert lever_label("forced_eradication") == "fitted to data"
    assert lever_label("voluntary_eradication") == "published estimate [UNODC2019PNIS]"
    assert lever_label("poppy_intelligence") == "assumption: poppy_detection_base 0.05–0.4"
    assert input_label("lever:ad_funding.vraem").startswith("assumption: ad_planting_cut")
    assert input_label("param:replant_share") == "fitted to data"
    assert input_label("driver:coca_price") == ""


def test_run_prints_stores_and_reports_the_evidence(tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", "lima-2005", "-n", "16", "--out", str(out)],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "What the evidence says about each lever" in res.output
    assert "assumption: ad_planting_cut" in res.output
    meta = json.loads((out / "run.json").read_text())
    assert meta["lever_evidence"]["ad_funding"]["kind"] == "assumption"
    assert meta["lever_evidence"]["forced_eradication"]["label"] == "fitted to data"
    html = (out / "report.html").read_text()
    assert "evidence for its effect" in html and "assumption: ad_planting_cut" in html
