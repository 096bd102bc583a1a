"""The FastAPI application: ``create_app(settings)`` wires pages, API, errors and the job runner.

Errors never surface as a 500 with a traceback: library refusals (bad plan, unknown
indicator, missing tracker database, unsafe or unknown names) become 400/404/503 responses —
JSON under ``/api``, a short HTML page elsewhere — each with the located message.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cnplan import i18n
from cnplan.web import api, pages
from cnplan.web.auth import COOKIE, AuthError
from cnplan.web.catalog import NotFound
from cnplan.web.services import InputError, Services
from cnplan.web.settings import MAX_PLAN_BYTES, Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = MAX_PLAN_BYTES + 64 * 1024
"""Largest request body accepted (a plan upload plus its multipart envelope)."""

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cross_site_problem(request: Request) -> str | None:
    """Why a browser-style write looks forged (CSRF), or None.

    A write that carries no ``Authorization`` header is a form post a browser sends with the
    sign-in cookie. Its ``Origin`` (else ``Referer``) must name this server (host and port:
    a page on another port of the same host is another origin, and ``SameSite`` cookies do not
    tell them apart). A cookie-carrying write with neither header is refused too; API clients
    send a Bearer token and are not affected.
    """
    if request.method not in UNSAFE_METHODS or request.headers.get("authorization"):
        return None
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        if COOKIE in request.cookies:
            return ("cross-site check: this form post has no Origin or Referer header; "
                    "send it from the app's own page")
        return None
    from urllib.parse import urlsplit

    host = request.headers.get("host", "")
    if source == "null" or urlsplit(source).netloc.lower() != host.lower():
        return ("cross-site check: this form post comes from another site "
                f"({source[:80]}), not from this server's own pages; refused")
    return None


class LimitsAndHeaders:
    """Refuse oversized bodies up front (413) and add security headers to every response.

    A body without ``Content-Length`` (chunked) is refused with 411, so the limit cannot be
    bypassed by streaming; browsers and HTTP clients send the length for forms and uploads.
    A plain ASGI middleware (not ``BaseHTTPMiddleware``): it adds no task per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        length = request.headers.get("content-length")
        refusal = None
        if length is None and "chunked" in request.headers.get("transfer-encoding", "").lower():
            refusal = _error(request, 411, "request body: send Content-Length (chunked bodies "
                             "are not accepted)")
        elif length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            refusal = _error(request, 413, f"request body: at most {MAX_BODY_BYTES // 1024} kB "
                             f"(a plan file may be {MAX_PLAN_BYTES // 1024} kB), got {length} "
                             "bytes")
        elif (problem := cross_site_problem(request)) is not None:
            refusal = _error(request, 403, problem)
        if refusal is not None:
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error(request: Request, status: int, message: str, problems: dict | None = None,
           headers: dict | None = None) -> Response:
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        body = {"detail": message}
        if problems:
            body["problems"] = problems
        return JSONResponse(body, status_code=status, headers=headers)
    with i18n.use_language(pages.request_language(request)):
        html = pages.templates.get_template("error.j2").render(
            request=request, status=status, message=message, user=None, protect_reads=False
        )
    return HTMLResponse(html, status_code=status, headers=headers)


def _handlers(app: FastAPI) -> None:
    from cnplan.plans import PlanError
    from cnplan.track import TrackError

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(request, exc.status, str(exc), headers=headers)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return _error(request, 400, str(exc), exc.problems)

    @app.exception_handler(PlanError)
    async def plan_error(request: Request, exc: PlanError) -> Response:
        return _error(request, 400, str(exc), {"plan": "; ".join(exc.problems)})

    @app.exception_handler(TrackError)
    async def track_error(request: Request, exc: TrackError) -> Response:
        return _error(request, 503, f"tracker: {exc}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": "request refused", "problems": problems},
                                status_code=422)
        return _error(request, 422, "; ".join(f"{k}: {v}" for k, v in problems.items()))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, f"internal error ({type(exc).__name__}); see the server log")


def create_app(settings: Settings | None = None, start_jobs: bool = True) -> FastAPI:
    """Build the app for ``settings`` (home folder, tracker database, read protection).

    Parameters
    ----------
    settings
        Where the app lives; the home folder is created if missing.
    start_jobs
        Start the background job runner with the app (off in tests that only read).
    """
    settings = (settings or Settings()).prepare()
    services = Services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_jobs:
            services.jobs.start()
        try:
            yield
        finally:
            if start_jobs:
                services.jobs.stop()

    from cnplan import __version__

    app = FastAPI(
        title="cnplan",
        version=__version__,
        description="Counter-narcotics planning: data, plans, runs, explorations and the results "
        "tracker. Writes need a token (`Authorization: Bearer ...`, create one with "
        "`cnplan token create NAME`).",
        lifespan=lifespan,
        docs_url=None,  # /docs is served by pages.api_docs without a CDN
        redoc_url=None,
    )
    app.state.services = services
    app.add_middleware(LimitsAndHeaders)
    _handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
