"""Plan rendering: schedules and goals in plain words."""

from __future__ import annotations

from rich.console import Console

from cnplan.plans import load_plan
from cnplan.plans.render import goal_sentences, plan_view, schedule_text


def test_schedule_text_sorted_with_separators():
    assert schedule_text({2007: 12000, 2005: 8000}) == "2005: 8,000 → 2007: 12,000"
    assert schedule_text({2005: 0.3}) == "2005: 0.3"


def test_goal_sentences_lima():
    text = " ".join(goal_sentences(load_plan("lima-2005")))
    assert "15,000 ha of coca" in text and "by 2011" in text and "against 2004" in text


def test_plan_view_renders_totals():
    console = Console(width=200, record=True)
    console.print(plan_view(load_plan("lima-2005")))
    out = console.export_text()
    assert "2005: 8,000 → 2007: 12,000" in out  # forced eradication, all zones
    assert "Hold the line" in out and "coca_ha_national" in out
