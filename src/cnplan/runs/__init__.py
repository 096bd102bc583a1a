"""Runs: summaries of a simulated ensemble (goals, yearly bands) and the run folder on disk."""

from cnplan.format import probability as percent
from cnplan.runs.folder import RunError, load_run, write_run
from cnplan.runs.summary import goal_summary, yearly_table

__all__ = ["RunError", "goal_summary", "load_run", "percent", "write_run", "yearly_table"]
