"""Issue 18 case 7: concurrent requests for a dataset not yet loaded share one load, and a
series is served in pages."""

from __future__ import annotations

import threading

import httpx

from cnplan.web.services import dataset, forget_datasets

from .conftest import Server


def test_concurrent_cold_loads_share_one_load() -> None:
    forget_datasets()
    results: list[object] = []
    start = threading.Barrier(4)

    def load() -> None:
        start.wait()
        results.append(dataset("peru"))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert all(r is results[0] for r in results), "each request loaded its own copy"
    assert dataset("peru") is results[0]


def test_concurrent_requests_to_a_real_server_all_answer(server: Server) -> None:
    answers: list[int] = []

    def get() -> None:
        answers.append(httpx.get(f"{server.url}/api/datasets/peru", timeout=60).status_code)

    threads = [threading.Thread(target=get) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 4


def test_series_is_paged(server: Server) -> None:
    url = f"{server.url}/api/datasets/peru/series"
    full = httpx.get(url, params={"variable": "coca_ha"})
    total = int(full.headers["x-total-count"])
    assert total == len(full.json()) > 20
    page = httpx.get(url, params={"variable": "coca_ha", "limit": 10, "offset": 5})
    assert page.json() == full.json()[5:15] and page.headers["x-total-count"] == str(total)
    assert httpx.get(url, params={"variable": "coca_ha", "limit": 10**6}).status_code == 422
