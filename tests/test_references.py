"""The project carries its own references: every citation points inside the repository.

Code, docs and printed output cite published work by a key of ``docs/references.md``
(``[Mejia2017]``) and data by a dataset's source id (``SOURCES.md``). This scans ``src/``,
``docs/`` and ``README.md`` for pointers to files that are not in the repository (the research
notes the project was built from) and checks that every cited key has an entry with a URL.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [ROOT / "README.md", *sorted((ROOT / "src").rglob("*")),
           *sorted((ROOT / "docs").rglob("*"))]
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".csv", ".toml", ".txt", ".html", ".js",
                 ".css", ".json", ".j2", ".jinja"}

OUTSIDE = re.compile(
    r"reference/|modelling-literature|peru-data\.md|/work/shared|"
    r"\b(?:MISSION|DESIGN|STYLE)\.md\b|000_[0-9a-f]{16}"
)
KEY = re.compile(r"\[([A-Z][A-Za-z]*[A-Za-z]\d{4}[A-Za-z]*)\]")
ENTRY = re.compile(r"^- \*\*\[([^\]]+)\]\*\* (.*)$")
URL = re.compile(r"https?://\S+")
CABLE = re.compile(r"\bcable ¶\d")


def _texts() -> list[tuple[Path, str]]:
    out = []
    for path in SCANNED:
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "README.md"):
            if "__pycache__" not in path.parts:
                out.append((path, path.read_text(encoding="utf-8", errors="replace")))
    return out


def entries() -> dict[str, str]:
    """The entries of docs/references.md, key -> text (an entry may run over several lines)."""
    found: dict[str, str] = {}
    key = None
    for line in (ROOT / "docs" / "references.md").read_text(encoding="utf-8").splitlines():
        m = ENTRY.match(line)
        if m:
            key = m[1]
            assert key not in found, f"docs/references.md: key [{key}] twice"
            found[key] = m[2]
        elif key and line.startswith("  "):
            found[key] += " " + line.strip()
        else:
            key = None
    return found


def outside_pointers(texts: list[tuple[Path, str]]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path, text in texts
        for n, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE.search(line)
    ]


def test_nothing_points_outside_the_repository():
    hits = outside_pointers(_texts())
    assert hits == [], "pointers to files outside the repository:\n" + "\n".join(hits)


def test_the_scan_catches_a_pointer_outside():
    fake = [(ROOT / "docs" / "x.md",
             "see reference/peru-data.md B4\nfine\n(modelling-literature §1.2)")]
    assert len(outside_pointers(fake)) == 2


def test_every_cited_key_has_an_entry_with_authors_year_and_url():
    refs = entries()
    assert len(refs) >= 20
    for key, text in refs.items():
        assert URL.search(text), f"[{key}] has no URL"
        year = re.search(r"\d{4}", key)
        assert year and year[0] in text, f"[{key}]: the entry does not give the year {year}"
    cited = {}
    for path, text in _texts():
        if path.name == "references.md":
            continue
        for key in KEY.findall(text):
            cited.setdefault(key, str(path.relative_to(ROOT)))
    missing = {k: where for k, where in cited.items() if k not in refs}
    assert missing == {}, f"keys cited but not in docs/references.md: {missing}"
    # The parameters' and the literature checks' citations are among them.
    assert {"DEVIDA2021", "Mejia2017", "Ibanez2017", "USEmbassyLima2005"} <= set(cited)


def test_model_parameter_sources_cite_a_key_a_source_id_or_say_assumption():
    from cnplan.model.parameters import PARAMETERS

    for p in PARAMETERS:
        assert (KEY.search(p.source) or re.search(r"\bperu S\d\d\b", p.source)
                or CABLE.search(p.source) or p.is_assumption), f"{p.name}: {p.source}"
    # "cable ¶N" is a declared alias of [USEmbassyLima2005].
    assert '"cable ¶N" means paragraph N of this cable' in entries()["USEmbassyLima2005"]


def test_peru_source_ids_cited_in_code_and_docs_exist():
    import csv

    with (ROOT / "src/cnplan/data/peru/sources.csv").open(encoding="utf-8") as fh:
        ids = {r["source_id"] for r in csv.DictReader(fh)}
    cited = set()
    for _, text in _texts():
        for m in re.finditer(r"\bperu(?: SOURCES\.md:?)? ((?:S\d\d(?:, |/)?)+)", text):
            cited.update(re.findall(r"S\d\d", m[1]))
    assert cited and cited <= ids, sorted(cited - ids)
