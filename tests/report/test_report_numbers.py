"""The run report's words and numbers: the median trajectory in the headline, the meaning of
each goal column, year statistics only from enough futures; how each kind of value is written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cnplan.report.run_report import goal_rows, load_inputs, render_run_report
from cnplan.runs import MIN_FUTURES_FOR_YEARS, goal_summary


@pytest.fixture(scope="module")
def html(run_folder: Path) -> str:
    return render_run_report(load_inputs(run_folder), charts=[])


def test_headline_states_the_median_trajectory_from_run_json(run_folder: Path, html: str) -> None:
    meta = json.loads((run_folder / "run.json").read_text())
    trajectory = meta["central_trajectory"]
    assert trajectory["variable"] == "coca" and trajectory["from_year"] == 2005
    sentence = re.search(r'<p class="trajectory" id="trajectory"><strong>(.*?)</strong>',
                         html).group(1)
    assert re.fullmatch(r"In the median future, coca (rises|falls) from about [\d,]+ ha in 2005 "
                        r"to about [\d,]+ ha in 2015\.|In the median future, coca stays at "
                        r"about [\d,]+ ha from 2005 to 2015 \([\d,]+ ha in 2015\)\.", sentence)
    first = int(re.search(r"about ([\d,]+) ha", sentence).group(1).replace(",", ""))
    assert abs(first - trajectory["from"]) <= 0.01 * trajectory["from"]


def test_goal_table_explains_its_columns(html: str) -> None:
    note = re.search(r'<p class="muted" id="goal-columns">(.*?)</p>', html, re.S).group(1)
    assert "by its target year" in note and "at some time" in note


def test_goal_rows_write_each_kind_of_value(run_folder: Path) -> None:
    inputs = load_inputs(run_folder)
    goals = goal_summary(inputs.ds, inputs.plan)
    n = len(inputs.ds.scenario)
    for g, row in zip(goal_rows(goals, n), goals.itertuples(index=False), strict=True):
        assert re.fullmatch(r"20\d\d", g["by"])  # a year, no separator
        assert re.fullmatch(r"(\d{1,3}%|less than 1%|more than 99%|0%|100%)", g["probability"])
        assert re.fullmatch(r"[\d,]+ of [\d,]+", g["futures"])
        if row.reached_count >= MIN_FUTURES_FOR_YEARS:
            assert re.fullmatch(r"20\d\d \[20\d\d–20\d\d\]", g["years"])
        elif row.reached_count:
            assert g["years"].startswith("too few to say when")
        else:
            assert g["years"] == "never in horizon"


def test_compare_report_states_each_run_s_median_trajectory(run_folder: Path) -> None:
    from cnplan.report.compare_report import render_compare_report
    from cnplan.runs import trajectory_sentence
    from cnplan.runs.compare import compare_folders

    meta = json.loads((run_folder / "run.json").read_text())
    html = render_compare_report(compare_folders([run_folder, run_folder]))
    sentence = trajectory_sentence(meta["central_trajectory"])
    assert html.count(f'<span class="trajectory">{sentence}</span>') == 2
