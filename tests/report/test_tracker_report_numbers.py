"""The tracker report's numbers: one period, direction-aware percent, shares not rounded to 0,
the reported coca trajectory in its headline."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from cnplan.plans import load_plan
from cnplan.report.tracker_report import write_tracker_report
from cnplan.track import init_db, report, status


def _rows(html: str) -> dict[str, list[str]]:
    out = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        ident = re.search(r"\((\w+)\)", cells[0]) if cells else None
        if ident:
            out[ident.group(1)] = cells
    return out


def test_tracker_report_values(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.sqlite'}"
    init_db(load_plan("lima-2005"), db, prefill=False)
    report("coca_ha_national", 2005, "48,200", "UNODC", url=db)
    report("coca_ha_national", 2006, 51400, "UNODC", url=db)
    report("police_graduated", 2005, 380, "academy", url=db)
    html = write_tracker_report(db, tmp_path / "t.html").read_text(encoding="utf-8")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    coca = next(r for g in status(db) for r in g.rows if r.indicator == "coca_ha_national")
    assert ("Reported coca area went from 48,200 ha in 2005 to 51,400 ha in 2006. The target "
            f"for 2006 is {coca.target:,.0f} ha.") in text
    assert "Period: 2006, the same year for every indicator" in text
    rows = _rows(html)
    # unit, target, actual, % of target, status, trend, last reported
    assert rows["coca_ha_national"][3] == "51,400"
    assert rows["coca_ha_national"][4] == f"{100 * coca.target / 51400:.0f}%"  # lower is better
    assert rows["police_graduated"][3] == "–" and rows["police_graduated"][-1] == "380 (2005)"
    precursor = next(r for g in status(db) for r in g.rows
                     if r.indicator == "precursor_regulations")
    assert 0 < precursor.target < 1
    assert rows["precursor_regulations"][2] == f"{precursor.target:.4g}"  # not rounded to 0
