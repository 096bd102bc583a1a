"""Parameter sets: where an ensemble's parameter values come from, and how they are drawn.

The provisional set draws every parameter uniformly within its declared range (priors from the
literature and stated assumptions). A calibrated set holds a posterior sample and draws rows
from it. Either way a set has a name and a provenance that a run records in ``run.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnplan.model.parameters import PARAM_NAMES, bounds, check_values, defaults

PROVISIONAL = "provisional-priors"


@dataclass
class ParameterSet:
    """A named source of parameter values: uniform priors, a fixed point, or a posterior sample."""

    name: str
    samples: np.ndarray | None = None  # (M, k) rows to draw from; None = uniform priors
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.samples is not None:
            self.samples = np.atleast_2d(np.asarray(self.samples, dtype=float))
            check_values(self.samples)

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw an (n, k) parameter matrix."""
        if self.samples is None:
            low, high = bounds()
            return low + (high - low) * rng.random((n, len(PARAM_NAMES)))
        return self.samples[self.rows(n, rng)]

    def rows(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """The sample rows ``draw`` takes (a posterior sample only), for callers that pair
        each scenario with something else of its row (a filtered state).
        """
        if self.samples is None:
            raise ValueError(f"parameter set {self.name}: no sample rows (uniform priors)")
        return rng.integers(0, len(self.samples), size=n)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "parameters": list(PARAM_NAMES),
            "samples": None if self.samples is None else self.samples.tolist(),
            "provenance": self.provenance,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ParameterSet:
        """Read a parameter set written by :meth:`save`; refuse one for other parameters."""
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        names = raw.get("parameters")
        if names != list(PARAM_NAMES):
            raise ValueError(
                f"parameter set {path}: its parameters do not match this version of the model "
                f"(expected {len(PARAM_NAMES)} named as in cnplan.model.parameters)"
            )
        samples = raw.get("samples")
        return cls(
            raw["name"], None if samples is None else np.array(samples), raw.get("provenance", {})
        )


def provisional() -> ParameterSet:
    """Uniform draws over every parameter's documented plausible range."""
    return ParameterSet(
        PROVISIONAL,
        None,
        {"method": "uniform over each parameter's plausible range (cnplan.model.parameters)"},
    )


def point(values: np.ndarray | None = None, name: str = "defaults") -> ParameterSet:
    """A single parameter vector (the documented defaults unless given)."""
    values = defaults() if values is None else np.asarray(values, dtype=float)
    return ParameterSet(name, values[None, :], {"method": "fixed point"})


CALIBRATED = Path(__file__).parent / "calibrated"


def shipped(data: str = "peru") -> ParameterSet | None:
    """The calibrated parameter set shipped for a dataset, if there is one."""
    path = CALIBRATED / f"{data}.json"
    return ParameterSet.load(path) if path.is_file() else None


def default_parameter_set(data: str = "peru") -> ParameterSet:
    """The calibrated set shipped for ``data`` if any, else the provisional priors."""
    return shipped(data) or provisional()
