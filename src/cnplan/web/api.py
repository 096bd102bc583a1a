"""The JSON API under ``/api``: the same data, plans, runs, explorations and tracker as the pages.

Every handler is a thin call into :mod:`cnplan.web.services`; errors are turned into JSON by
the handlers registered in :mod:`cnplan.web.app` (404 not found, 400 refused input with the
located message, 401/403 token, 413 too large, 503 tracker database unavailable).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from cnplan.web import catalog
from cnplan.web.auth import require_read, require_write
from cnplan.web.services import Services
from cnplan.web.settings import DEFAULT_SCENARIOS, MAX_PLAN_BYTES, MAX_SCENARIOS

Reader = Annotated[str | None, Depends(require_read)]
Writer = Annotated[str, Depends(require_write)]
JobId = Annotated[int, Path(ge=1, lt=2**63, description="Job number.")]

class Refusal(BaseModel):
    """The body of every refusal (4xx, 503): what was refused and, by field, why."""

    detail: str = Field(description="What was refused, with the located reason.")
    problems: dict[str, str] = Field(
        default_factory=dict, description="Field (or parameter path) -> what was expected.")


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Refusal, "description": text} for status, text in {
        400: "Input refused; `detail` says which field and what was expected.",
        401: "No token presented.",
        403: "The token is not valid, or a form post came from another site.",
        404: "No such item (or a name that is not allowed).",
        411: "A request body without Content-Length.",
        413: "A request body over the size limit.",
        422: "Parameters or body of the wrong form; `problems` names each.",
        503: "The tracker database is missing or not initialised.",
    }.items()
}

router = APIRouter(prefix="/api", responses=ERRORS)

MAX_SERIES_ROWS = 10_000
"""Most rows one series request returns; larger selections are read in pages (``offset``)."""


def services(request: Request) -> Services:
    return request.app.state.services


class RunRequest(BaseModel):
    """A run to start: a built-in or saved plan, ensemble size and seed."""

    model_config = ConfigDict(extra="forbid")
    plan: str = Field("lima-2005", max_length=120, description="Built-in or saved plan name.")
    scenarios: int = Field(DEFAULT_SCENARIOS, ge=1, le=MAX_SCENARIOS)
    seed: int = Field(0, ge=0, lt=2**32)
    with_actuals: bool = Field(False, description="Use the tracker's reported actuals.")


class VariantRequest(BaseModel):
    """What-if changes to a saved run's plan, as ``cnplan run --set`` takes them."""

    model_config = ConfigDict(extra="forbid")
    changes: list[Annotated[str, Field(max_length=200)]] = Field(
        min_length=1, max_length=20,
        description="E.g. ['ad_funding.vraem=2x', 'forced_eradication.huallaga[2008]=5000'].")


class ActualRequest(BaseModel):
    """An actual to report; checked by the tracker (indicator, period, value range, unit)."""

    model_config = ConfigDict(extra="forbid")
    indicator: str = Field(max_length=200)
    period: int | str = Field(description="Year the value is for.")
    value: StrictFloat | StrictInt | StrictStr = Field(
        description="Value in the indicator's unit (a number; JSON true/false is refused).")
    reported_by: str | None = Field(None, max_length=200, description="Default: token name.")
    source: str = Field("", max_length=2000)
    comment: str = Field("", max_length=2000)
    unit: str | None = Field(None, max_length=100)


@router.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    """Liveness check (no token needed)."""
    return {"status": "ok"}


# -- data ---------------------------------------------------------------------------------------
@router.get("/datasets", tags=["data"])
def datasets(_: Reader) -> list[str]:
    """Names of the installed datasets."""
    from cnplan.web.services import dataset_names

    return dataset_names()


@router.get("/datasets/{name}", tags=["data"])
def dataset_meta(name: str, request: Request, _: Reader) -> dict[str, Any]:
    """Variables (with units), zones, series and sources of a dataset."""
    return services(request).data_meta(name)


@router.get("/datasets/{name}/series", tags=["data"])
def series(
    name: str,
    request: Request,
    _: Reader,
    variable: Annotated[str, Query(max_length=100)] = "coca_ha",
    zone: Annotated[str | None, Query(max_length=200, description="Zone id, source zone "
                                      "name or 'national'.")] = None,
    source: Annotated[str | None, Query(max_length=100, description="Series (unodc, us), "
                                        "publisher kind or source id.")] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    limit: Annotated[int, Query(ge=1, le=MAX_SERIES_ROWS, description="Rows per page.")]
    = MAX_SERIES_ROWS,
    offset: Annotated[int, Query(ge=0, lt=2**31, description="Rows to skip.")] = 0,
) -> Any:
    """Observed rows of one variable, optionally for one zone and source; JSON or CSV.

    At most ``limit`` rows from ``offset`` (pages of a large imported dataset); the header
    ``X-Total-Count`` gives the number of rows of the whole selection.
    """
    everything = services(request).series_rows(name, variable, zone, source)
    rows = everything[offset:offset + limit]
    total = {"X-Total-Count": str(len(everything))}
    if format == "csv":
        buf = io.StringIO()
        fields = list(rows[0]) if rows else ["zone", "year", "variable", "value"]
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        filename = f"{name}-{variable}.csv"
        return Response(buf.getvalue(), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', **total})
    return JSONResponse(rows, headers=total)


# -- plans --------------------------------------------------------------------------------------
@router.get("/plans", tags=["plans"])
def plans(request: Request, _: Reader) -> dict[str, list[str]]:
    """Built-in plans and plans saved from uploads."""
    return services(request).plan_names()


@router.get("/plans/{name}", tags=["plans"])
def plan(name: str, request: Request, _: Reader) -> dict[str, Any]:
    """A plan: its validated content and its YAML text."""
    import json

    loaded, text = services(request).plan(name)
    return {"name": name, "plan": json.loads(loaded.model_dump_json()), "text": text}


async def _read_upload(file: UploadFile) -> bytes:
    return await file.read(MAX_PLAN_BYTES + 1)


@router.post("/plans/validate", tags=["plans"])
async def validate_plan(
    request: Request, _: Writer, file: Annotated[UploadFile, File(description="Plan YAML")]
) -> dict[str, Any]:
    """Check an uploaded plan (at most 256 kB) and list every located problem; nothing saved."""
    content = await _read_upload(file)
    loaded, problems = await run_in_threadpool(
        services(request).validate_plan, content, file.filename or "upload")
    return {"valid": loaded is not None, "name": loaded.name if loaded else None,
            "problems": problems}


@router.post("/plans", tags=["plans"], status_code=201)
async def save_plan(
    request: Request, who: Writer, file: Annotated[UploadFile, File(description="Plan YAML")]
) -> dict[str, Any]:
    """Validate an uploaded plan and save it under its ``name`` so runs can use it."""
    content = await _read_upload(file)
    name, _ = await run_in_threadpool(
        services(request).save_plan, content, file.filename or "upload")
    return {"name": name, "saved_by": who}


# -- runs ---------------------------------------------------------------------------------------
@router.get("/runs", tags=["runs"])
def runs(request: Request, _: Reader) -> list[dict[str, Any]]:
    """Saved runs, newest first, with their goal probabilities."""
    return catalog.list_runs(services(request).settings.runs_dir)


@router.get("/runs/{run_id}", tags=["runs"])
def run(run_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """One run: plan, seed, ensemble size, data and parameter versions, goals, report link."""
    svc = services(request)
    _, out = catalog.read_run(svc.settings.runs_dir, run_id)
    out["report_url"] = f"/runs/{run_id}/report" if out["has_report"] else None
    return out


@router.post("/runs", tags=["runs"], status_code=202)
def start_run(body: RunRequest, request: Request, who: Writer) -> dict[str, Any]:
    """Queue a run in the background; poll ``/api/jobs/{id}`` for its status."""
    return services(request).start_run(body.plan, body.scenarios, body.seed,
                                       body.with_actuals, who)


@router.post("/runs/{run_id}/variant", tags=["runs"], status_code=202)
def start_variant(run_id: str, body: VariantRequest, request: Request,
                  who: Writer) -> dict[str, Any]:
    """Queue a what-if variant of a saved run (its plan with these changes added to its own) on
    the same futures; the job's ``run_id`` and ``base_run`` go to ``/api/compare``.
    """
    return services(request).start_variant(run_id, body.changes, who)


@router.get("/compare", tags=["runs"])
def compare_runs(request: Request, _: Reader,
                 a: Annotated[str, Query(max_length=200)],
                 b: Annotated[str, Query(max_length=200)]) -> dict[str, Any]:
    """Two saved runs side by side: goal probabilities with the difference (b - a) and its
    Monte Carlo standard error, yearly national coca bands, levers that differ and cost.
    """
    from cnplan.web.whatif import comparison_json

    runs_dir = services(request).settings.runs_dir
    return comparison_json([catalog.run_folder(runs_dir, x) for x in (a, b)])


@router.get("/jobs", tags=["runs"])
def jobs(request: Request, _: Reader) -> list[dict[str, Any]]:
    """Background runs, newest first: status (queued, running, done, failed) and progress."""
    return services(request).jobs_list()


@router.get("/jobs/{job_id}", tags=["runs"])
def job(job_id: JobId, request: Request, _: Reader) -> dict[str, Any]:
    """One background run; ``progress`` is an estimate while it is running."""
    return services(request).job(job_id)


# -- explorations -------------------------------------------------------------------------------
@router.get("/explorations", tags=["explorations"])
def explorations(request: Request, _: Reader) -> list[dict[str, Any]]:
    """Exploration folders (those with an exploration manifest) and their manifest fields."""
    return catalog.list_explorations(services(request).settings.explorations_dir)


@router.get("/explorations/{name}", tags=["explorations"])
def exploration(name: str, request: Request, _: Reader) -> dict[str, Any]:
    """One exploration's manifest fields, an outcome summary and its report link if any."""
    folder = catalog.exploration_folder(services(request).settings.explorations_dir, name)
    out = catalog.exploration_summary(folder) or {}
    out["summary"] = catalog.outcome_summary(folder)
    out["report_url"] = f"/explorations/{name}/report" if out.get("has_report") else None
    return out


# -- tracker ------------------------------------------------------------------------------------
@router.get("/tracker/status", tags=["tracker"])
def tracker_status(request: Request, _: Reader,
                   period: Annotated[int | None, Query(ge=1900, le=2200)] = None
                   ) -> list[dict[str, Any]]:
    """Status of every indicator by objective (on track, at risk, off track, no data), all in
    one period: ``period``, or by default the latest year with any actual.
    """
    return services(request).tracker_status(period)


@router.post("/tracker/actuals", tags=["tracker"], status_code=201)
def report_actual(body: ActualRequest, request: Request, who: Writer) -> JSONResponse:
    """Report an actual; it supersedes an earlier one for the same indicator and period."""
    entry = services(request).report_actual(body.model_dump(), who)
    return JSONResponse(entry, status_code=201)
