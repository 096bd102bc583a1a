"""Every figure of every shipped dataset names sources that resolve to a URL.

Generic over ``cnplan.data.load.SHIPPED``, so a country shipped later is covered the day it
lands. The files are read as plain CSV (not through the loader) so that this check does not
depend on how the loader interprets the rows.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from cnplan.data.load import SHIPPED, shipped_path
from cnplan.data.schema import split_ids

URL = re.compile(r"https?://\S+")


def _rows(folder: Path, file: str) -> list[dict[str, str]]:
    with (folder / file).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def unresolved(folder: Path) -> list[str]:
    """Rows of ``observations.csv`` whose source ids are missing or do not lead to a URL."""
    sources = {r["source_id"].strip(): r for r in _rows(folder, "sources.csv")}
    problems = []
    for line, row in enumerate(_rows(folder, "observations.csv"), start=2):
        ids = split_ids(row["source_id"] or "")
        if not ids:
            problems.append(f"observations.csv line {line}: no source id")
        for sid in ids:
            if sid not in sources:
                problems.append(f"observations.csv line {line}: {sid!r} not in sources.csv")
            elif not URL.search(sources[sid]["url"] or ""):
                problems.append(f"sources.csv {sid}: no http(s) URL")
    return problems


@pytest.mark.parametrize("name", SHIPPED)
def test_every_observation_has_source_ids_that_resolve_to_a_url(name):
    problems = unresolved(shipped_path(name))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", ["peru"])
def test_every_source_is_listed_with_its_url_in_sources_md(name):
    # The id and its (first) URL on one line of SOURCES.md, whatever the table layout. Peru's
    # SOURCES.md lists every source; a dataset whose SOURCES.md defers URLs to sources.csv is
    # covered by the resolution test above.
    folder = shipped_path(name)
    lines = (folder / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    missing = []
    for row in _rows(folder, "sources.csv"):
        first_url = URL.search(row["url"]).group(0)
        sid = re.compile(rf"(?<![\w-]){re.escape(row['source_id'])}(?![\w-])")
        if not any(sid.search(ln) and first_url in ln for ln in lines):
            missing.append(row["source_id"])
    assert missing == [], f"{name}/SOURCES.md lacks these source ids with their URL: {missing}"


def test_unknown_or_missing_source_ids_are_caught(tmp_path):
    copy = tmp_path / "peru"
    shutil.copytree(shipped_path("peru"), copy)
    obs = copy / "observations.csv"
    rows = _rows(copy, "observations.csv")
    rows[0]["source_id"] += ";S999"
    rows[1]["source_id"] = ""
    with obs.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    problems = unresolved(copy)
    assert problems == [
        "observations.csv line 2: 'S999' not in sources.csv",
        "observations.csv line 3: no source id",
    ]
