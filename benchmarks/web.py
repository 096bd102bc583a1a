"""Drive the web app with concurrent readers on loopback while a run goes on in the background.

Starts ``cnplan serve`` on a free 127.0.0.1 port with a fresh home and tracker database, queues
one run (``--run-scenarios`` futures) through the API, then lets ``--clients`` threads send
``--requests`` GETs to each endpoint (the dashboard ``/``, the tracker status API
``/api/tracker/status`` and the job status API ``/api/jobs/{id}``), bounded by ``--seconds``.
Prints requests per second and p50/p95 latency per endpoint, whether the run was still going,
and the load average. Goal: p95 under 200 ms for reads at 20 concurrent clients.

Usage: ``python benchmarks/web.py [--clients 20] [--requests 400] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(home: Path, db: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-c", "from cnplan.cli import main; main()", "serve", "--port",
           str(port), "--home", str(home), "--db", db]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def hammer(url: str, path: str, clients: int, total: int, seconds: float) -> dict:
    """``total`` GETs of ``path`` from ``clients`` threads (stop early after ``seconds``)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=30) as c:
            while time.monotonic() < deadline:
                with lock:
                    if next(counter, None) is None:
                        return
                t0 = time.perf_counter()
                r = c.get(path)
                took = time.perf_counter() - t0
                with lock:
                    latencies.append(took)
                    errors += r.status_code != 200

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = np.array(latencies) * 1000
    return {"n": len(lat), "errors": errors, "rps": len(lat) / wall,
            "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)),
            "max": float(lat.max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=60.0, help="time bound per endpoint")
    parser.add_argument("--run-scenarios", type=int, default=5000)
    args = parser.parse_args()

    from cnplan.plans import load_plan
    from cnplan.track import init_db
    from cnplan.web.settings import Settings
    from cnplan.web.state import StateDB
    from cnplan.web.tokens import create_token

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = f"sqlite:///{root / 'tracker.sqlite'}"
        init_db(load_plan("lima-2005"), db)
        home = Settings(home=root / "home").prepare().home
        token = create_token(StateDB(home / "state.sqlite"), "bench")
        proc, url = start(home, db)
        try:
            job = httpx.post(f"{url}/api/runs", headers={"Authorization": f"Bearer {token}"},
                             json={"scenarios": args.run_scenarios, "seed": 1}).json()
            while httpx.get(f"{url}/api/jobs/{job['id']}").json()["status"] == "queued":
                time.sleep(0.1)
            for path in ("/", "/api/tracker/status", f"/api/jobs/{job['id']}"):
                httpx.get(url + path)  # warm caches (dataset, tracker engine, templates)
            print(f"cnplan web benchmark: {args.clients} concurrent clients on loopback, "
                  f"{args.requests} GETs per endpoint (bound {args.seconds:.0f} s), "
                  f"a {args.run_scenarios:,}-future run in the background; cpus={os.cpu_count()}")
            print(f"{'endpoint':<24}{'requests':>9}{'errors':>7}{'req/s':>8}{'p50 ms':>8}"
                  f"{'p95 ms':>8}{'max ms':>8}  run during")
            worst = 0.0
            for label, path in (("dashboard /", "/"),
                                ("tracker status API", "/api/tracker/status"),
                                ("job status API", f"/api/jobs/{job['id']}")):
                before = httpx.get(f"{url}/api/jobs/{job['id']}").json()["status"]
                s = hammer(url, path, args.clients, args.requests, args.seconds)
                after = httpx.get(f"{url}/api/jobs/{job['id']}").json()["status"]
                worst = max(worst, s["p95"])
                print(f"{label:<24}{s['n']:>9}{s['errors']:>7}{s['rps']:>8.1f}{s['p50']:>8.1f}"
                      f"{s['p95']:>8.1f}{s['max']:>8.1f}  {before} -> {after}")
            verdict = "met" if worst < 200 else "NOT met"
            print(f"goal p95 < 200 ms for reads at {args.clients} clients: {verdict} "
                  f"(worst p95 {worst:.1f} ms)")
            print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
