"""Runs: summaries of a simulated ensemble (goals, yearly bands) and the run folder on disk."""

from cnplan.format import probability as percent
from cnplan.runs.folder import RunError, load_run, write_run
from cnplan.runs.summary import (
    MIN_FUTURES_FOR_YEARS,
    central_trajectory,
    goal_columns_note,
    goal_summary,
    trajectory_sentence,
    yearly_table,
    years_text,
)

__all__ = ["MIN_FUTURES_FOR_YEARS", "RunError", "central_trajectory", "goal_columns_note",
           "goal_summary", "load_run", "percent", "trajectory_sentence", "write_run",
           "yearly_table", "years_text"]
