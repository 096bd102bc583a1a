"""The HTML pages: dashboard, data explorer, plans, runs, explorations and the tracker.

Pages render Jinja2 templates from ``templates/`` with assets from ``static/`` (nothing from a
CDN). Forms post back to the page; a refused form is shown again with the messages next to
the fields and status 400. Writes need the sign-in cookie (set by ``/login`` from a token).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cnplan import format as display
from cnplan import i18n, terms
from cnplan.runs import goal_columns_note, trajectory_sentence, years_text
from cnplan.web import catalog
from cnplan.web.auth import COOKIE, identify, require_read, require_write
from cnplan.web.services import InputError, Services, check_dataset, dataset_names
from cnplan.web.settings import DEFAULT_SCENARIOS, MAX_PLAN_BYTES, MAX_SCENARIOS

templates = Jinja2Templates(directory=str(FilePath(__file__).parent / "templates"))
templates.env.autoescape = True  # .j2 is not in Jinja's default list: escape everything
Reader = Annotated[str | None, Depends(require_read)]
Writer = Annotated[str, Depends(require_write)]
JobId = Annotated[int, Path(ge=1, lt=2**63)]

router = APIRouter(include_in_schema=False)


templates.env.filters.update(display.jinja_filters())  # num, year, pct, ha, usd, share
templates.env.filters["goal_years"] = years_text
templates.env.globals["goal_columns_note"] = goal_columns_note
templates.env.filters["trajectory"] = trajectory_sentence
i18n.install_jinja(templates.env)
templates.env.filters.update(terms.jinja_filters())


def request_language(request: Request) -> str | None:
    """The language the reader chose (cookie), if it is one cnplan has; else None (default)."""
    chosen = request.cookies.get(i18n.COOKIE)
    if not chosen:
        return None
    try:
        return i18n.normalize(chosen, source="cookie")
    except i18n.LanguageError:
        return None


def svc(request: Request) -> Services:
    return request.app.state.services


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", identify(request))
    context.setdefault("protect_reads", svc(request).settings.protect_reads)
    with i18n.use_language(request_language(request)):
        return templates.TemplateResponse(request, template, context, status_code=status)


# -- language -----------------------------------------------------------------------------------
@router.get("/language/{code}")
def choose_language(code: str, next: str = "/") -> Response:  # noqa: A002 - the query name
    """Remember the reader's language in a cookie (a year) and go back to the page they were on.

    Only a local path is followed (``/...``, not ``//host``), so the link cannot redirect away.
    """
    try:
        lang = i18n.normalize(code, source="language")
    except i18n.LanguageError as exc:
        raise InputError(str(exc)) from None
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _tracker(request: Request, period: int | None = None
             ) -> tuple[list[dict[str, Any]], str | None]:
    from cnplan.track import TrackError

    try:
        return svc(request).tracker_status(period), None
    except TrackError as exc:
        return [], str(exc)


# -- dashboard ----------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, _: Reader) -> HTMLResponse:
    s = svc(request)
    groups, tracker_error = _tracker(request)
    counts: dict[str, int] = {}
    for g in groups:
        for k, v in g["counts"].items():
            counts[k] = counts.get(k, 0) + v
    return render(
        request, "dashboard.j2",
        runs=catalog.list_runs(s.settings.runs_dir)[:5],
        jobs=s.jobs_list(limit=5),
        explorations=catalog.list_explorations(s.settings.explorations_dir)[:5],
        counts=counts, tracker_error=tracker_error, datasets=dataset_names(),
    )


# -- API documentation ------------------------------------------------------------------------
@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The OpenAPI schema as a readable page, rendered here (Swagger UI would need a CDN)."""
    schema = request.app.openapi()
    return render(request, "docs.j2", schema=schema)


# -- sign in ------------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.j2")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> Response:
    name = svc(request).tokens.check(token.strip())
    if name is None:
        return render(request, "login.j2", status=403,
                      error="token: not a valid token (unknown, revoked or mistyped)")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        max_age=12 * 3600)
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# -- data ---------------------------------------------------------------------------------------
@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request, _: Reader, dataset: str = "peru", variable: str = "coca_ha",
              zone: str = "", source: str = "") -> HTMLResponse:
    s = svc(request)
    meta = s.data_meta(dataset)
    error, rows = None, []
    try:
        rows = s.series_rows(dataset, variable, zone or None, source or None)
    except InputError as exc:
        error = str(exc)
    query = {"variable": variable, "zone": zone, "source": source}
    used = {i for r in rows for i in str(r["source_id"]).split(";") if i}
    cited = [src for src in meta["sources"] if src["source_id"] in used]
    return render(request, "data.j2", status=400 if error else 200, meta=meta, rows=rows,
                  error=error, query=query, dataset=dataset, cited=cited)


@functools.lru_cache(maxsize=64)
def _chart_svg(dataset: str, variable: str, by_zone: bool, source: str, zone: str) -> bytes:
    """The data layer's chart as SVG; with a zone, that zone's line is drawn over faint others."""
    from cnplan.data.plot import plot_observed

    ds = check_dataset(dataset)
    ax = plot_observed(ds, variable, by="zone" if by_zone else None, source=source or "auto")
    if by_zone and zone:
        for line in ax.get_lines():
            if str(line.get_label()).startswith(f"{zone}:"):
                line.set_linewidth(3.0)
                line.set_zorder(5)
            else:
                line.set_alpha(0.25)
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="svg")
    return buf.getvalue()


@router.get("/data/chart.svg")
def data_chart(request: Request, _: Reader, dataset: str = "peru", variable: str = "coca_ha",
               by: str = "national", source: str = "", zone: str = "") -> Response:
    from cnplan.data import DataError

    ds = check_dataset(dataset)
    if variable not in ds.variables or by not in {"national", "zone"}:
        raise InputError(f"variable/by: expected a variable of {dataset} and by national|zone, "
                         f"got {variable!r}, {by!r}")
    if ds.series(variable=variable, source=source or None).empty:
        raise InputError(f"source: no observations of {variable} for source {source!r}")
    try:
        svg = _chart_svg(dataset, variable, by == "zone", source[:100],
                         zone if zone in ds.zone_ids else "")
    except (DataError, ValueError, KeyError) as exc:
        raise InputError(f"chart: {variable} cannot be drawn for this selection ({exc})") from None
    return Response(svg, media_type="image/svg+xml")


# -- plans --------------------------------------------------------------------------------------
@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request, _: Reader) -> HTMLResponse:
    return render(request, "plans.j2", names=svc(request).plan_names(),
                  max_kb=MAX_PLAN_BYTES // 1024)


@router.post("/plans", response_class=HTMLResponse)
async def plan_upload(request: Request, who: Writer, file: UploadFile,
                      action: Annotated[str, Form()] = "validate") -> HTMLResponse:
    s = svc(request)
    content = await file.read(MAX_PLAN_BYTES + 1)
    saved = None
    plan, problems = await run_in_threadpool(s.validate_plan, content, file.filename or "upload")
    if plan is not None and action == "save":
        try:
            saved, _ = await run_in_threadpool(s.save_plan, content, file.filename or "upload")
        except InputError as exc:
            problems = list(exc.problems.values()) or [str(exc)]
    return render(request, "plans.j2", status=400 if problems else 200, names=s.plan_names(),
                  max_kb=MAX_PLAN_BYTES // 1024, checked=file.filename or "upload",
                  problems=problems, valid=not problems, saved=saved)


@router.get("/plans/{name}", response_class=HTMLResponse)
def plan_page(name: str, request: Request, _: Reader) -> HTMLResponse:
    plan, text = svc(request).plan(name)
    return render(request, "plan.j2", name=name, plan=plan, text=text)


# -- runs ---------------------------------------------------------------------------------------
def _runs_context(request: Request) -> dict[str, Any]:
    s = svc(request)
    names = s.plan_names()
    return {"runs": catalog.list_runs(s.settings.runs_dir), "jobs": s.jobs_list(limit=20),
            "plans": names["builtin"] + names["saved"], "default_n": DEFAULT_SCENARIOS,
            "max_n": MAX_SCENARIOS}


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, _: Reader) -> HTMLResponse:
    return render(request, "runs.j2", **_runs_context(request), form={}, problems={})


@router.post("/runs", response_class=HTMLResponse)
def start_run(request: Request, who: Writer,
              plan: Annotated[str, Form(max_length=120)] = "lima-2005",
              scenarios: Annotated[str, Form(max_length=20)] = str(DEFAULT_SCENARIOS),
              seed: Annotated[str, Form(max_length=20)] = "0",
              with_actuals: Annotated[bool, Form()] = False) -> Response:
    form = {"plan": plan, "scenarios": scenarios, "seed": seed, "with_actuals": with_actuals}
    problems = {}
    numbers = {}
    for key in ("scenarios", "seed"):
        try:
            numbers[key] = int(form[key])
        except ValueError:
            problems[key] = f"expected a whole number, got {form[key]!r}"
    if not problems:
        try:
            job = svc(request).start_run(plan, numbers["scenarios"], numbers["seed"],
                                         with_actuals, who)
        except InputError as exc:
            problems = exc.problems
        else:
            return RedirectResponse(f"/jobs/{job['id']}", status_code=303)
    return render(request, "runs.j2", status=400, **_runs_context(request), form=form,
                  problems=problems)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: JobId, request: Request, _: Reader) -> HTMLResponse:
    return render(request, "job.j2", job=svc(request).job(job_id))


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: str, request: Request, _: Reader) -> HTMLResponse:
    return _run_page(request, run_id)


def _run_page(request: Request, run_id: str, status: int = 200, form: dict | None = None,
              problems: dict | None = None) -> HTMLResponse:
    from cnplan.web.whatif import variant_choices

    s = svc(request)
    folder, run = catalog.read_run(s.settings.runs_dir, run_id)
    with i18n.use_language(request_language(request)):
        run = _goals_in_words(run, folder / "run.json")
        choices = variant_choices(run)
    return render(request, "run.j2", status=status, run=run,
                  job=s.state.job_for_run(run_id), choices=choices,
                  form=form or {}, problems=problems or {})


@router.post("/runs/{run_id}/variant", response_class=HTMLResponse)
def start_variant(run_id: str, request: Request, who: Writer,
                  lever: Annotated[str, Form(max_length=60)] = "",
                  where: Annotated[str, Form(max_length=60)] = "",
                  first: Annotated[str, Form(max_length=8)] = "",
                  last: Annotated[str, Form(max_length=8)] = "",
                  value: Annotated[str, Form(max_length=30)] = "") -> Response:
    """Run the run's plan again with one lever changed, on the same futures."""
    from cnplan.web.whatif import change_text

    form = {"lever": lever, "where": where, "first": first, "last": last, "value": value}
    try:
        job = svc(request).start_variant(run_id, [change_text(**form)], who)
    except InputError as exc:
        return _run_page(request, run_id, status=400, form=form, problems=exc.problems)
    return RedirectResponse(f"/jobs/{job['id']}", status_code=303)


@router.get("/runs/{run_id}/yearly.{ext}")
def run_yearly(run_id: str, ext: str, request: Request, _: Reader) -> FileResponse:
    """The run's yearly bands as a spreadsheet (xlsx) or CSV."""
    folder = catalog.run_folder(svc(request).settings.runs_dir, run_id)
    types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv"}
    path = folder / f"yearly.{ext}"
    if ext not in types or not path.is_file():
        raise catalog.NotFound(f"run {run_id!r} has no yearly.{ext}")
    return FileResponse(path, media_type=types[ext], filename=f"{run_id}-yearly.{ext}")


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, _: Reader, a: str = "", b: str = "") -> HTMLResponse:
    """Pick two runs; with both picked, show them side by side."""
    from cnplan.web.whatif import comparison_context

    s = svc(request)
    runs = [r for r in catalog.list_runs(s.settings.runs_dir) if not r.get("problem")]
    context: dict[str, Any] = {"runs": runs, "a": a, "b": b, "comparison": None}
    if a and b:
        folders = [catalog.run_folder(s.settings.runs_dir, x) for x in (a, b)]
        with i18n.use_language(request_language(request)):
            context["comparison"] = comparison_context(folders)
    return render(request, "compare.j2", **context)


def _goals_in_words(run: dict[str, Any], path: FilePath) -> dict[str, Any]:
    """The run's goals described in the current language (run.json keeps the English words)."""
    from cnplan.plans import PlanError, parse_plan
    from cnplan.runs.summary import goal_descriptions
    from cnplan.yamlio import load_yaml

    try:
        meta = catalog.read_json(path)
        raw = meta.get("plan_effective") or load_yaml(meta.get("plan_text") or "")
        words = goal_descriptions(parse_plan(raw, source=str(path)))
    except (OSError, ValueError, PlanError, AttributeError, TypeError):
        return run  # an old or odd run.json: keep its own words
    goals = [dict(g, description=words.get(g.get("goal"), g.get("description")))
             for g in run.get("goals") or []]
    return dict(run, goals=goals)


def _report_file(folder: FilePath, what: str, request: Request | None = None,
                 write: Any = None) -> FileResponse:
    """The folder's self-contained report.html (404 naming ``what`` if it has none).

    In a language other than the one ``report.html`` was written in, the report is rendered
    once in the reader's language with ``write(folder, out)`` and kept as
    ``report.<lang>.html`` beside it (a cache: deleting it only costs a re-render).
    """
    if not (folder / "report.html").is_file():
        raise catalog.NotFound(f"{what} has no report")
    lang = request_language(request) if request is not None else None
    if write is None or lang is None or _report_language(folder / "report.html") == lang:
        return FileResponse(folder / "report.html", media_type="text/html")
    localized = folder / f"report.{lang}.html"
    if not localized.is_file() or localized.stat().st_mtime < (folder / "report.html").stat(
    ).st_mtime:
        with i18n.use_language(lang):
            write(folder, localized)
    return FileResponse(localized, media_type="text/html")


def _report_language(path: FilePath) -> str:
    """The ``lang`` attribute a report was written with (``en`` for reports before it had one)."""
    head = path.open("rb").read(200).decode("utf-8", "replace")
    marker = head.find('lang="')
    return head[marker + 6:head.find('"', marker + 6)] if marker >= 0 else "en"


@router.get("/runs/{run_id}/report")
def run_report(run_id: str, request: Request, _: Reader) -> FileResponse:
    from cnplan.report import write_run_report

    return _report_file(catalog.run_folder(svc(request).settings.runs_dir, run_id),
                        f"run {run_id!r}", request, write_run_report)


# -- explorations -------------------------------------------------------------------------------
@router.get("/explorations", response_class=HTMLResponse)
def explorations_page(request: Request, _: Reader) -> HTMLResponse:
    root = svc(request).settings.explorations_dir
    return render(request, "explorations.j2", items=catalog.list_explorations(root))


@router.get("/explorations/{name}", response_class=HTMLResponse)
def exploration_page(name: str, request: Request, _: Reader) -> HTMLResponse:
    folder = catalog.exploration_folder(svc(request).settings.explorations_dir, name)
    return render(request, "exploration.j2", item=catalog.exploration_summary(folder),
                  summary=catalog.outcome_summary(folder))


@router.get("/explorations/{name}/report")
def exploration_report(name: str, request: Request, _: Reader) -> FileResponse:
    from cnplan.report import write_exploration_report

    folder = catalog.exploration_folder(svc(request).settings.explorations_dir, name)
    return _report_file(folder, f"exploration {name!r}", request,
                        lambda f, out: write_exploration_report(f, out=out))


# -- tracker ------------------------------------------------------------------------------------
ACTUAL_FIELDS = ("indicator", "period", "value", "reported_by", "source", "comment")


@router.get("/tracker", response_class=HTMLResponse)
def tracker_page(request: Request, _: Reader,
                 reported: Annotated[int | None, Query(ge=1, lt=2**63)] = None,
                 period: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> HTMLResponse:
    groups, error = _tracker(request, period)
    return render(request, "tracker.j2", groups=groups, tracker_error=error, form={},
                  problems={}, reported=reported)


@router.post("/tracker", response_class=HTMLResponse)
def tracker_report(
    request: Request, who: Writer,
    indicator: Annotated[str, Form(max_length=200)] = "",
    period: Annotated[str, Form(max_length=20)] = "",
    value: Annotated[str, Form(max_length=50)] = "",
    reported_by: Annotated[str, Form(max_length=200)] = "",
    source: Annotated[str, Form(max_length=2000)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = dict(zip(ACTUAL_FIELDS, (indicator, period, value, reported_by, source, comment),
                    strict=True))
    try:
        entry = svc(request).report_actual(form, who)
    except InputError as exc:
        groups, error = _tracker(request)
        return render(request, "tracker.j2", status=400, groups=groups, tracker_error=error,
                      form=form, problems=exc.problems, reported=None)
    return RedirectResponse(f"/tracker?reported={entry['id']}&period={entry['period']}",
                            status_code=303)  # show the year just recorded
