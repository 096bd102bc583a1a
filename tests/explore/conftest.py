"""Shared fixtures for the exploration tests: a small experiment around lima-2005."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "lima-2005-explore.yaml"

SMALL = """
name: small
plan: lima-2005
seed: 7
chunk_size: {chunk}
uncertainties:
  - param: price_elasticity
  - driver: gdp_growth
    range: [0.02, 0.07]
  - driver: election_will
    range: [0.6, 0.9]
  - driver: price_shock
    range: [-0.3, 0.3]
levers:
  - {{lever: forced_eradication, zone: vraem, scale: [0.5, 3.0]}}
  - {{lever: ad_funding, scale: [0.6, 1.7]}}
  - {{lever: police_graduates, level: [0, 800]}}
  - {{lever: port_inspection_teams, choices: [2, 3, 6]}}
outcomes:
  - goals
  - coca_ha: [2011, 2015]
  - cost_musd_total
  - resistance_max
design:
  method: latin_hypercube
  n: {n}
"""


def small_text(n: int = 1200, chunk: int = 256) -> str:
    """The small test experiment's YAML (varied levers, parameters and all three drivers)."""
    return SMALL.format(n=n, chunk=chunk)


@pytest.fixture(scope="session")
def small_experiment():
    from cnplan.explore import load_experiment

    return load_experiment(small_text())


@pytest.fixture(scope="session")
def reference_folder(tmp_path_factory, small_experiment):
    """The small experiment run in this process, chunk size 256: the reference results."""
    from cnplan.explore import run_exploration

    out = tmp_path_factory.mktemp("explore") / "reference"
    return run_exploration(small_experiment, out, progress=False)
