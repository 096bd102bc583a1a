"""docs/model.md cannot drift from the code: every parameter appears with its default and range,
and the generated table is exactly what docs/gen_model_params.py prints today."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from cnplan.model.parameters import PARAMETERS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "model.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", PARAMETERS, ids=lambda p: p.name)
def test_every_parameter_is_documented_with_its_default(doc, spec):
    row = re.search(rf"^\| `{re.escape(spec.name)}` \|(.*)$", doc, flags=re.M)
    assert row, f"{spec.name} missing from docs/model.md"
    cells = [c.strip() for c in row.group(1).split("|")]
    assert cells[1] == f"{spec.default:g}", f"{spec.name}: default {cells[1]} != {spec.default:g}"
    assert cells[2] == f"{spec.low:g} – {spec.high:g}"
    assert cells[0] == spec.unit


def test_generated_tables_are_current(doc):
    # The parameters, the fixed constants and the outputs (driven by their declarations).
    gen = runpy.run_path(str(ROOT / "docs" / "gen_model_params.py"))
    for begin, body, end in gen["blocks"]():
        block = f"{begin}\n{body}\n{end}"
        assert block in doc, "docs/model.md is stale: run python docs/gen_model_params.py --write"


def test_doc_labels_defaults_provisional(doc):
    assert "provisional (literature and assumptions) until calibrated" in doc
