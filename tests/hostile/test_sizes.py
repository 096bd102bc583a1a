"""Issue 18 case 4: problem sizes are refused up front with the estimate and the limit."""

from __future__ import annotations

import resource
import time

import pytest
from tests.explore.conftest import small_text

from cnplan.explore import ExperimentError, load_experiment
from cnplan.limits import SizeError
from cnplan.model import simulate

from .conftest import cli


@pytest.mark.parametrize(("args", "expected"), [
    (["--until", "1000000000", "-n", "10"], "until: expected a year between 1900 and 2200"),
    (["-n", "100000000"], "n (-n/--scenarios): 100,000,000 futures"),
])
def test_cli_run_refuses_absurd_sizes_up_front(tmp_path, args, expected) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    code, output, escaped = cli("run", "lima-2005", *args, "--out", str(tmp_path / "r"))
    assert time.monotonic() - t0 < 10
    assert code == 1 and escaped is None, output
    assert expected in " ".join(output.split())
    assert "the limit is" in output or "year" in expected
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000  # kB
    assert not (tmp_path / "r").exists()


def test_simulate_names_estimate_and_limit() -> None:
    with pytest.raises(SizeError, match=r"needs about [\d.,]+ [GT]B of memory; the limit is 4"):
        simulate("lima-2005", n=100_000_000)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("seed: 7", "seed: 7\nuntil: 1000000000", "until: expected a year"),
    ("n: 1200", "n: 100000000", "design.n: 100,000,000 rows of"),
    ("method: latin_hypercube\n  n: 1200", "method: full_factorial\n  levels: 1000",
     "design: the full factorial has 3,000,000,000,000,000,000,000 rows"),
])
def test_experiment_sizes_are_refused_with_location(old: str, new: str, expected: str) -> None:
    with pytest.raises(ExperimentError) as err:
        load_experiment(small_text().replace(old, new))
    assert any(p.startswith(expected) for p in err.value.problems), err.value.problems


def test_full_factorial_rows_are_exact_integers_not_overflowed() -> None:
    text = small_text().replace("method: latin_hypercube\n  n: 1200",
                                "method: full_factorial\n  levels: 1000")
    text = text.replace("choices: [2, 3, 6]", "level: [2, 6]")
    text = text.replace("  - {lever: ad_funding, scale: [0.6, 1.7]}\n",
                        "  - {lever: ad_funding, scale: [0.6, 1.7]}\n"
                        "  - {lever: outreach_campaigns, scale: [0.5, 2]}\n")
    with pytest.raises(ExperimentError) as err:
        load_experiment(text)
    assert any(f"{1000 ** 9:,} rows" in p for p in err.value.problems), err.value.problems
