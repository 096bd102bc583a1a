"""Issue 18, property-based: generated YAML (aliases, deep nesting, huge numbers, wrong types)
fed to plan and experiment loading gives a plan/experiment or a located error, quickly and in
bounded memory; never a hang, a traceback or another exception type."""

from __future__ import annotations

import copy
import re
import resource
import time
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.explore.conftest import small_text

from cnplan.explore import ExperimentError, load_experiment
from cnplan.plans import PlanError, parse_plan, plan_text
from cnplan.yamlio import YamlError, load_yaml

LIMA = load_yaml(plan_text("lima-2005")[0])
SMALL = load_yaml(small_text(n=50, chunk=25))
LOCATED = re.compile(r"^\S.*?: \S", re.S)  # a location (line, field path), then why
SECONDS = 5.0
MEMORY_KB = 300_000

odd_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([1e300, -1e300, 10**9, 0, -1, 2**63]),
)
odd_values = st.recursive(
    st.one_of(odd_numbers, st.booleans(), st.none(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict) -> str:
    """``base`` with one to three places replaced by odd values, deep nests or alias trees."""
    raw = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(raw)[1:]))
        node = raw
        for part in path[:-1]:
            node = node[part]
        depth = draw(st.integers(0, 150))
        value = draw(odd_values)
        for _ in range(depth if draw(st.booleans()) else 0):
            value = [value]
        node[path[-1]] = value
    return yaml.safe_dump(raw, sort_keys=False, width=10**6)


@st.composite
def alias_bombs(draw: st.DrawFn) -> str:
    levels, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    lines = ["a0: &a0 [" + ",".join(["x"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]"
              for i in range(1, levels)]
    return "\n".join(lines) + "\nname: *a" + str(levels - 1) + "\n"


@st.composite
def deep_text(draw: st.DrawFn) -> str:
    depth = draw(st.integers(1, 6000))
    return "name: x\nvalue: " + "[" * depth + "]" * depth + "\n"


texts = st.one_of(alias_bombs(), deep_text(), st.text(max_size=200))


def _check_located(problems: list[str]) -> None:
    assert problems
    for p in problems:
        assert LOCATED.match(p), p
        assert len(p) < 2000, p[:200]


def _load_plan(text: str) -> None:
    try:
        parse_plan(load_yaml(text), "gen.yaml")
    except YamlError as exc:
        _check_located([str(exc)])
    except PlanError as exc:
        _check_located(exc.problems)


def _load_experiment(text: str) -> None:
    try:
        load_experiment(text if "\n" in text else text + "\n")
    except ExperimentError as exc:
        _check_located(exc.problems)


def _bounded(load: Any, text: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    load(text)
    assert time.monotonic() - t0 < SECONDS
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < MEMORY_KB


COMMON = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))


@COMMON
@given(text=st.one_of(mutated(LIMA), texts))
def test_generated_plans_load_or_give_located_errors(text: str) -> None:
    _bounded(_load_plan, text)


@COMMON
@given(text=st.one_of(mutated(SMALL), texts))
def test_generated_experiments_load_or_give_located_errors(text: str) -> None:
    _bounded(_load_experiment, text)
