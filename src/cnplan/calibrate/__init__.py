"""Calibration: fitting the model to monitoring data, backtests, and literature checks."""

from cnplan.calibrate.fit import FITTED, Fit, calibrate

__all__ = ["FITTED", "Fit", "calibrate"]
