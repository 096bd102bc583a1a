"""Issue 18 case 12: what a killed import leaves behind is cleaned up by the next import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from cnplan.data import import_dataset, load_dataset

ROOT = Path(__file__).resolve().parents[2]


def test_next_import_removes_a_killed_imports_hidden_folder(synth_folder, user_data_dir):
    root = user_data_dir / "datasets"
    # a real process dies (kill -9) after creating its hidden folder, as an import does
    code = ("import os, tempfile, pathlib; root = pathlib.Path(os.environ['ROOT']); "
            "root.mkdir(parents=True, exist_ok=True); "
            "tmp = pathlib.Path(tempfile.mkdtemp(prefix='.testland-', dir=root)); "
            "(tmp / 'observations.csv').write_text('half'); os.kill(os.getpid(), 9)")
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, ROOT=str(root)))
    assert proc.returncode == -signal.SIGKILL
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".testland-")]
    assert len(leftovers) == 1
    import_dataset(synth_folder, "other")
    assert [p.name for p in root.iterdir() if not p.name.startswith(".import")] == ["other"]


def test_a_dataset_moved_aside_by_a_killed_import_comes_back(synth_folder, user_data_dir):
    import_dataset(synth_folder, "testland")
    root = user_data_dir / "datasets"
    (root / "testland").rename(root / ".testland-old")  # killed between the two renames
    import_dataset(synth_folder, "other")
    assert load_dataset("testland").national("coca_ha")[2010] == 100
