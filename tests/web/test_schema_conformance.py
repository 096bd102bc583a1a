"""Issue 18 case 11: every API operation's responses match its OpenAPI schema (schemathesis).

Generated requests (valid and invalid) go to a real server; each response must not be a 5xx
and its status code, content type and body must be those the schema declares, refusals (400,
404, 422, ...) included. ``POST /api/runs`` is left out as in ``test_fuzz.py`` (it would queue
simulations).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Server

schemathesis = pytest.importorskip("schemathesis")

EXAMPLES = 10


def test_every_response_matches_the_schema(server: Server) -> None:
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    tested = [op for op in operations if not (op.path == "/api/runs" and op.method == "post")]
    assert len(tested) >= 15
    failures: dict[str, str] = {}

    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for op in tested:

        @given(case=st.one_of(*(op.as_strategy(mode) for mode in modes)))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call(base_url=server.url, headers=server.auth, timeout=30)
            try:
                case.validate_response(response, checks=checks)
            except BaseException as exc:  # schemathesis raises a group: collect them all
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.setdefault(f"{case.method} {case.path}", str(exc)[:600])

        check()

    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
