"""Numbers on the web pages are formatted by ``cnplan.format``: a share keeps its decimals and a
year has no thousands separator (the old filter rounded 0.3 to "0" and wrote "2,006").
"""

from __future__ import annotations

import re

from .conftest import Server


def _text(server: Server, path: str) -> str:
    with server.client(server.token) as c:
        r = c.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return r.text


def _grouped_years(page: str) -> list[str]:
    """The plan's years (2005-2011) written with a separator, as the old filter did."""
    return [f"2,{y - 2000:03d}" for y in range(2005, 2012) if f"2,{y - 2000:03d}" in page]


def test_plan_page_keeps_small_shares_and_plain_years(server: Server) -> None:
    page = _text(server, "/plans/lima-2005")
    assert "2005: 0.3," in page, "a lever schedule's 0.3 is shown as 0.3, not 0"
    assert not _grouped_years(page), "no year with a thousands separator"


def test_tracker_page_keeps_small_shares_and_plain_years(server: Server) -> None:
    page = _text(server, "/tracker")
    # precursor_regulations: index target 0.5 for 2006 (lima-2005), shown as 0.5 not "0"
    assert re.search(r'<td class="n">0\.5</td>', page), "the 0.5 index target is shown as 0.5"
    assert not _grouped_years(page), "no year with a thousands separator"
