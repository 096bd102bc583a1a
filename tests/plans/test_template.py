"""New plan files: the template and copies of built-in plans are valid plans."""

from __future__ import annotations

import yaml

from cnplan.plans import load_plan, parse_plan
from cnplan.plans.template import new_plan_text, template_text


def test_template_is_a_valid_plan():
    plan = parse_plan(yaml.safe_load(template_text()), "template.yaml")
    assert plan.levers


def test_new_plan_text_renames_and_keeps_comments(tmp_path):
    text = new_plan_text("my-lima", "lima-2005")
    assert "cable ¶8" in text  # the citations survive the copy
    path = tmp_path / "my-lima.yaml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    assert plan.name == "my-lima"
    assert plan.levers == load_plan("lima-2005").levers
