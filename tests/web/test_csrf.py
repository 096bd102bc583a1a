"""Issue 18 case 5: a signed-in browser cannot be made to write from another origin (CSRF).

The attack of the issue, for real: a page served on another port of 127.0.0.1 auto-posts a
form to the app's ``/tracker`` while the browser holds the app's sign-in cookie.
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import httpx
import pytest

from cnplan.track import history

from .conftest import Server, free_port
from .test_browser import ARGS, CHROMIUM

FORM = {"indicator": "police_graduated", "period": "2005", "value": "4321",
        "reported_by": "attacker", "source": "", "comment": ""}


def _values(server: Server) -> list[float]:
    return [e.value for e in history("police_graduated", server.db)]


def _signed_in(server: Server) -> httpx.Client:
    c = httpx.Client(base_url=server.url, timeout=30)
    r = c.post("/login", data={"token": server.token}, headers={"Origin": server.url})
    assert r.status_code == 303 and "cnplan_token" in c.cookies
    return c


def test_cookie_form_posts_from_another_origin_are_refused(server: Server) -> None:
    before = _values(server)
    other = f"http://127.0.0.1:{free_port()}"
    c = _signed_in(server)
    try:
        for headers in ({"Origin": other}, {"Referer": other + "/attack.html"},
                        {"Origin": "null"}, {}):
            r = c.post("/tracker", data=FORM, headers=headers)
            assert r.status_code == 403 and "cross-site check" in r.text, (headers, r.text)
        assert _values(server) == before
        ok = c.post("/tracker", data=dict(FORM, value="4000"), headers={"Origin": server.url})
        assert ok.status_code == 303, ok.text
    finally:
        c.close()
    assert _values(server)[-1] == 4000
    # an API client with a Bearer token sends no Origin and is not affected
    r = httpx.post(f"{server.url}/api/tracker/actuals", headers=server.auth,
                   json={"indicator": "police_graduated", "period": 2005, "value": 4001})
    assert r.status_code == 201, r.text


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_real_cross_origin_auto_post_writes_nothing(server: Server) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    fields = "".join(f'<input name="{k}" value="{v}">' for k, v in FORM.items())
    attack = (f'<html><body><form id="f" method="post" action="{server.url}/tracker">{fields}'
              '</form><script>document.getElementById("f").submit()</script></body></html>')

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = attack.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Attacker)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    before = _values(server)
    statuses: list[int] = []
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                page = browser.new_page()
                page.goto(f"{server.url}/login")
                page.fill("#token", server.token)
                page.click("button[type=submit]")
                page.wait_for_url(f"{server.url}/")
                page.on("response", lambda r: statuses.append(r.status)
                        if r.url == f"{server.url}/tracker" else None)
                page.goto(f"http://127.0.0.1:{evil.server_port}/attack.html")
                page.wait_for_url(f"{server.url}/tracker", timeout=20_000)
                assert "cross-site check" in page.content()
            finally:
                browser.close()
    finally:
        evil.shutdown()
    assert statuses == [403]
    assert _values(server) == before
