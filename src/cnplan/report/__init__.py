"""Charts and self-contained HTML reports of runs, explorations and the tracker."""

from cnplan.report.charts import fan_chart, goal_curves, lever_timeline, zone_multiples
from cnplan.report.exploration_report import (
    exploration_charts,
    outcome_histogram,
    share_bars,
    write_exploration_report,
)
from cnplan.report.run_report import render_run_report, save_run_charts, write_run_report
from cnplan.report.tracker_report import status_chart, write_tracker_report
from cnplan.report.zonemap import zone_map, zone_map_pair

__all__ = [
    "exploration_charts",
    "fan_chart",
    "goal_curves",
    "lever_timeline",
    "outcome_histogram",
    "render_run_report",
    "save_run_charts",
    "share_bars",
    "status_chart",
    "write_exploration_report",
    "write_run_report",
    "write_tracker_report",
    "zone_map",
    "zone_map_pair",
    "zone_multiples",
]
