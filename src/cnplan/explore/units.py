"""Units of an exploration's input columns, so limits and indices are shown in their own units.

``param:<name>`` takes the parameter's declared unit, ``driver:<name>`` the driver's,
``lever:<lever>[.<zone>]`` the lever's unit when the experiment sets its level, or "x plan" when
it scales the plan's own series.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def input_units(columns: Iterable[str], experiment: Any | None = None) -> dict[str, str]:
    """Unit of each known input column (unknown columns are left out)."""
    from cnplan.explore.experiment import DRIVERS
    from cnplan.model.parameters import SPECS
    from cnplan.plans import LEVERS

    modes = {}
    if experiment is not None:
        modes = {lv.column: lv.mode for lv in getattr(experiment, "levers", [])}
    out: dict[str, str] = {}
    for col in columns:
        kind, _, name = col.partition(":")
        if kind == "param" and name in SPECS:
            out[col] = SPECS[name].unit
        elif kind == "driver" and name in DRIVERS:
            out[col] = DRIVERS[name][0]
        elif kind == "lever":
            lever = name.split(".")[0]
            if modes.get(col) == "scale":
                out[col] = "x plan"
            elif lever in LEVERS:
                out[col] = LEVERS[lever].unit
    return out
