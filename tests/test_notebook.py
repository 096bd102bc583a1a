"""The example notebook runs from top to bottom (nbclient, a real kernel) and shows what it
says: two plans compared on the same futures and drawn with the ``ax=`` chart functions.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "compare-plans.ipynb"


def test_compare_plans_notebook_executes(tmp_path: Path, monkeypatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env_path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    monkeypatch.setenv("PYTHONPATH", env_path)  # the kernel imports this checkout's cnplan
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    texts = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs
                      if o.get("output_type") == "execute_result")
    assert "True" in texts  # the runs are paired (common random numbers)
    assert "hold_the_line" in texts and "ad_funding" in texts
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the last cell draws the charts"
