"""Path safety, read protection and loopback binding of the web app."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from cnplan.web.paths import UnsafeName, check_name, inside

from .conftest import Server, make_home, start_server

MARKER = "TOP-SECRET-OUTSIDE-HOME"

TRAVERSALS = [
    "/runs/..%2F..%2Fetc",
    "/runs/..%2F..%2Fetc%2Fpasswd/report",
    "/runs/%2E%2E/report",
    "/runs/%252e%252e%252fsecret/report",
    "/runs/....//....//etc",
    "/runs/%2Fetc%2Fpasswd",
    "/runs/outside/report",
    "/api/runs/../../x",
    "/api/runs/..%2F..%2Fsecret.txt",
    "/api/runs/%2e%2e",
    "/api/runs/outside",
    "/api/runs/.hidden",
    "/api/runs/a%00b",
    "/api/runs/..%5C..%5Csecret.txt",
    "/api/explorations/..%2Fruns",
    "/api/explorations/outside",
    "/explorations/..%2F..%2Fsecret.txt/report",
    "/api/plans/..%2F..%2Fsecret",
    "/api/plans/%2Fetc%2Fpasswd",
    "/plans/..%2Fstate",
    "/static/..%2F..%2F..%2Fsecret.txt",
    "/static/../../secret.txt",
    "/data/chart.svg?dataset=..%2F..%2Fsecret",
    "/api/datasets/..%2F..%2Fsecret/series",
]


@pytest.fixture(scope="module")
def planted(server: Server) -> Path:
    """A secret beside the home folder, and symlinks inside it that lead out."""
    outside = server.home.parent / "outside"
    outside.mkdir(exist_ok=True)
    (server.home.parent / "secret.txt").write_text(MARKER)
    (server.home.parent / "secret.yaml").write_text(MARKER)
    (outside / "run.json").write_text(json.dumps({"plan": MARKER, "goals": []}))
    (outside / "report.html").write_text(MARKER)
    (outside / "manifest.json").write_text(json.dumps({"kind": "exploration", "name": MARKER}))
    for sub in ("runs", "explorations"):
        link = server.home / sub / "outside"
        if not link.exists():
            os.symlink(outside, link)
    return outside


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_read_nothing_outside(server: Server, planted: Path, path: str) -> None:
    r = httpx.get(server.url + path, headers={"Accept": "text/html"})
    assert r.status_code in {400, 404, 422}, (path, r.status_code)
    assert MARKER not in r.text
    r = httpx.get(server.url + path)
    assert r.status_code in {400, 404, 422} and MARKER not in r.text


def test_symlinked_folders_are_not_listed(server: Server, planted: Path) -> None:
    for path in ("/api/runs", "/api/explorations", "/runs", "/explorations"):
        r = httpx.get(server.url + path)
        assert r.status_code == 200 and MARKER not in r.text


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "/etc", ".hidden", "a..b", "a\\b",
                                  "x" * 200, "", "a\x00b", "é", "a b"])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafeName):
        check_name(name)
    with pytest.raises(UnsafeName):
        inside(tmp_path, name)


def test_safe_names_resolve_inside(tmp_path: Path) -> None:
    assert inside(tmp_path, "lima-2005-20261126T101010-ab12") == (
        tmp_path.resolve() / "lima-2005-20261126T101010-ab12"
    )
    assert check_name("office-plan.v2") == "office-plan.v2"


def test_protected_reads_need_a_token(fresh_db: str, tmp_path: Path) -> None:
    home, token = make_home(tmp_path)
    srv = start_server(home, fresh_db, token, "--protect-reads")
    try:
        for path in ("/", "/api/runs", "/api/tracker/status", "/data", "/api/datasets"):
            assert httpx.get(srv.url + path).status_code == 401
            assert httpx.get(srv.url + path, headers={"Authorization": "Bearer x"}
                             ).status_code == 403
            assert httpx.get(srv.url + path, headers=srv.auth).status_code == 200
        assert httpx.get(srv.url + "/api/health").status_code == 200
    finally:
        srv.stop()


def test_default_host_is_loopback() -> None:
    import inspect

    from cnplan.cli import app
    from cnplan.web.settings import DEFAULT_HOST

    serve = next(c for c in app.registered_commands if c.name == "serve" or
                 (c.callback and c.callback.__name__ == "serve"))
    default = inspect.signature(serve.callback).parameters["host"].default
    assert default == DEFAULT_HOST == "127.0.0.1"


def test_server_is_not_reachable_on_other_addresses(server: Server) -> None:
    import socket

    port = int(server.url.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
            own = s.getsockname()[0]
        except OSError:
            pytest.skip("no non-loopback address on this machine")
    if own.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://{own}:{port}/api/health", timeout=2)


def test_user_input_is_escaped_in_pages(server: Server) -> None:
    evil = '"><script>alert(1)</script>'
    r = httpx.post(f"{server.url}/tracker", headers={**server.auth, "Accept": "text/html"},
                   data={"indicator": "police_graduated", "period": "2006", "value": evil,
                         "comment": evil})
    assert r.status_code == 400
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    r = httpx.post(f"{server.url}/plans", headers={**server.auth, "Accept": "text/html"},
                   files={"file": ("x.yaml", f"name: '{evil}'\n".encode())})
    assert r.status_code == 400 and "<script>alert(1)</script>" not in r.text
    r = httpx.get(f"{server.url}/data", params={"variable": evil})
    assert "<script>alert(1)</script>" not in r.text
