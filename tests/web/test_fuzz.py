"""Fuzz the JSON API from its OpenAPI schema (schemathesis): no request gives a 500.

Every operation is exercised with a valid token (so writes get past authentication and reach
the validation code) except ``POST /api/runs``, which would queue real simulations; its input
checks are covered in ``test_api.py``. Each operation gets a small, derandomised batch of
generated requests (schemathesis' strategies driven by hypothesis), so this runs in ~20 s.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from .conftest import Server

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 15


def test_api_never_gives_a_server_error(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    fuzzed = [op for op in operations if not (op.path == "/api/runs" and op.method == "post")]
    assert len(fuzzed) >= 15  # every operation of the API, not an empty schema
    failures: list[str] = []
    calls = 0

    for op in fuzzed:

        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            nonlocal calls
            response = case.call(base_url=server.url, headers=server.auth, timeout=30)
            calls += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} "
                                f"-> {response.status_code}: {response.text[:300]}")

        check()

    assert calls >= len(fuzzed) * 3
    assert not failures, "\n".join(failures[:10])
