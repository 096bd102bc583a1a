"""What the pages and the API do, in one place: both routers are thin layers over this.

Data, plans and the tracker are reached through their own Python APIs (``cnplan.data``,
``cnplan.plans``, ``cnplan.track``); nothing here re-implements their checks.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnplan.errors import CnplanError
from cnplan.files import write_bytes_atomic
from cnplan.web import catalog
from cnplan.web.jobs import JobManager, new_run_id
from cnplan.web.paths import UnsafeName, check_name, inside
from cnplan.web.settings import MAX_PLAN_BYTES, MAX_SCENARIOS, Settings
from cnplan.web.state import StateDB
from cnplan.web.tokens import TokenChecker
from cnplan.yamlio import YamlError, load_yaml

STATUS_SECONDS = 2.0
"""How long a computed tracker status is reused. Reports made through the app clear it at
once; a report made elsewhere (the CLI, another server) shows within this many seconds."""


class InputError(CnplanError, ValueError):
    """A request the app refuses; ``problems`` maps a field name to what was expected."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


MAX_LOADED_DATASETS = 8
_loaded: dict[str, Any] = {}
_loading: dict[str, threading.Lock] = {}
_loaded_guard = threading.Lock()


def dataset(name: str) -> Any:
    """A loaded dataset, cached for the life of the process (datasets are read-only files).

    Concurrent requests for a dataset not yet loaded share one load: the first loads it under
    the dataset's own lock while the others wait for it (a large import takes minutes to
    load, and four loads at once would take four times the memory). The least recently
    loaded of more than :data:`MAX_LOADED_DATASETS` is dropped.
    """
    from cnplan.data import load_dataset

    with _loaded_guard:
        if name in _loaded:
            return _loaded[name]
        lock = _loading.setdefault(name, threading.Lock())
    with lock:
        with _loaded_guard:
            if name in _loaded:
                return _loaded[name]
        loaded = load_dataset(name)
        with _loaded_guard:
            _loaded[name] = loaded
            while len(_loaded) > MAX_LOADED_DATASETS:
                _loaded.pop(next(iter(_loaded)))
        return loaded


def forget_datasets() -> None:
    """Drop every loaded dataset (the next request loads it again), e.g. after an import."""
    with _loaded_guard:
        _loaded.clear()


def dataset_names() -> list[str]:
    from cnplan.data import available_names

    return list(available_names())


def check_dataset(name: str) -> Any:
    names = dataset_names()
    if name not in names:
        raise catalog.NotFound(f"dataset: expected one of {', '.join(names)}, got {name!r}")
    return dataset(name)


@dataclass
class Services:
    """The app's state: settings, the state database, token checker and job manager."""

    settings: Settings
    state: StateDB = field(init=False)
    tokens: TokenChecker = field(init=False)
    jobs: JobManager = field(init=False)
    _status_lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _status: tuple[float, list[dict[str, Any]]] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.state = StateDB(self.settings.state_path)
        self.tokens = TokenChecker(self.state)
        self.jobs = JobManager(self.settings, self.state)

    # -- data ---------------------------------------------------------------------------------
    def data_meta(self, name: str) -> dict[str, Any]:
        ds = check_dataset(name)
        series = sorted(s for s in set(ds.observations["series"]) if s)
        return {
            "name": ds.name,
            "version": ds.version,
            "country": ds.country,
            "variables": [{"name": v, "unit": ds.unit(v)} for v in ds.variables],
            "zones": [{"id": z, "name": n, "kind": k} for z, n, k in
                      ds.zones[["zone_id", "name", "kind"]].itertuples(index=False)],
            "series": series,
            "sources": ds.sources.fillna("").to_dict(orient="records"),
        }

    def series_rows(self, name: str, variable: str, zone: str | None,
                    source: str | None) -> list[dict[str, Any]]:
        """Observation rows for a variable, zone (id, source name or ``national``) and source."""
        ds = check_dataset(name)
        if variable not in ds.variables:
            raise InputError(
                f"variable: expected one of {', '.join(ds.variables)}, got {variable!r}",
                {"variable": "unknown variable"},
            )
        rows = ds.series(variable=variable, zone=zone or None, source=source or None)
        cols = ["zone", "year", "period", "variable", "value", "unit", "source_id", "quality",
                "series", "note"]
        table = rows[cols].astype(object).where(rows[cols].notna(), None)
        return table.to_dict(orient="records")

    # -- plans --------------------------------------------------------------------------------
    def plan_names(self) -> dict[str, list[str]]:
        from cnplan.plans import builtin_plans

        return {"builtin": builtin_plans(), "saved": catalog.saved_plans(self.settings.plans_dir)}

    def plan_ref(self, name: str) -> str:
        """What ``cnplan run`` takes for plan ``name``: a built-in name or a saved file path."""
        from cnplan.plans import builtin_plans

        if name in builtin_plans():
            return name
        try:
            path = inside(self.settings.plans_dir, f"{check_name(name, 'plan')}.yaml", "plan")
        except UnsafeName as exc:
            raise catalog.NotFound(str(exc)) from None
        if not path.is_file():
            raise catalog.NotFound(f"plan: no built-in or saved plan {name!r}")
        return str(path)

    def plan(self, name: str) -> tuple[Any, str]:
        """The validated plan and its YAML text."""
        from cnplan.plans import load_plan, plan_text

        ref = self.plan_ref(name)
        return load_plan(ref), plan_text(ref)[0]

    def validate_plan(self, content: bytes, filename: str) -> tuple[Any | None, list[str]]:
        """Check an uploaded plan: size, encoding, YAML, schema, and zones of its dataset."""
        from cnplan.plans import PlanError, parse_plan
        from cnplan.plans.schema import zone_problems

        label = filename if catalog.NAME.fullmatch(filename or "") else "upload"
        if len(content) > MAX_PLAN_BYTES:
            return None, [f"file: at most {MAX_PLAN_BYTES // 1024} kB ({MAX_PLAN_BYTES:,} bytes), "
                          "got more"]
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [f"file: expected UTF-8 text, byte {exc.start} is not"]
        try:
            raw = load_yaml(text)
        except YamlError as exc:
            return None, [str(exc)]
        try:
            plan = parse_plan(raw, label)
        except PlanError as exc:
            return None, list(exc.problems)
        if plan.data not in dataset_names():
            return None, [f"data: expected one of {', '.join(dataset_names())}, got {plan.data!r}"]
        problems = zone_problems(plan.model_dump(), dataset(plan.data).zone_ids)
        return (None, problems) if problems else (plan, [])

    def save_plan(self, content: bytes, filename: str) -> tuple[str, Any]:
        """Validate and store an uploaded plan under its ``name``; return (name, plan)."""
        from cnplan.plans import builtin_plans

        plan, problems = self.validate_plan(content, filename)
        if plan is None:
            raise InputError("plan refused, nothing saved", {"file": "; ".join(problems)})
        try:
            name = check_name(plan.name, "plan name")
        except UnsafeName as exc:
            raise InputError(str(exc), {"file": str(exc)}) from None
        if name in builtin_plans():
            msg = f"name: {name!r} is a built-in plan; give the uploaded plan another name"
            raise InputError(msg, {"file": msg})
        path = inside(self.settings.plans_dir, f"{name}.yaml", "plan")
        write_bytes_atomic(path, content)
        return name, plan

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, plan: str, scenarios: int, seed: int, with_actuals: bool,
                  who: str) -> dict[str, Any]:
        """Queue a run after checking its inputs; the plan is validated before anything starts."""
        from cnplan.plans import PlanError

        problems = {}
        if not isinstance(scenarios, int) or not 1 <= scenarios <= MAX_SCENARIOS:
            problems["scenarios"] = f"expected a whole number from 1 to {MAX_SCENARIOS:,}, " \
                                    f"got {scenarios!r}"
        if not isinstance(seed, int) or not 0 <= seed < 2**32:
            problems["seed"] = f"expected a whole number from 0 to {2**32 - 1}, got {seed!r}"
        try:
            self.plan(plan)
        except catalog.NotFound as exc:
            problems["plan"] = str(exc)
        except PlanError as exc:
            problems["plan"] = str(exc)
        if problems:
            raise InputError("run refused: " + "; ".join(f"{k}: {v}" for k, v in
                                                         problems.items()), problems)
        run_id = new_run_id(plan)
        job_id = self.state.add_job(run_id, self.plan_ref(plan), scenarios, seed, with_actuals,
                                    who)
        self.jobs.submit()
        return self.job(job_id)

    def start_variant(self, run_id: str, changes: list[str], who: str) -> dict[str, Any]:
        """Queue a what-if variant of a saved run: its plan with the run's own ``--set`` changes
        and these, on the same futures (seed and number), so the two compare pairwise.
        """
        from cnplan.data import load_dataset
        from cnplan.errors import LocatedError
        from cnplan.plans.variant import variant

        _, run = catalog.read_run(self.settings.runs_dir, run_id)
        plan_name = str(run.get("plan") or "")
        changes = [c.strip() for c in changes if c and c.strip()]
        if not changes:
            raise InputError("variant refused: give at least one change",
                             {"change": "give a lever and a value, e.g. ad_funding.vraem=2x"})
        try:
            plan, _text = self.plan(plan_name)
        except catalog.NotFound:
            msg = (f"the plan of this run, {plan_name!r}, is neither built in nor saved in the "
                   "app; upload it under Plans first")
            raise InputError(f"variant refused: {msg}", {"change": msg}) from None
        every = [c["text"] for c in run.get("variant") or []] + changes
        try:
            variant(plan, every, load_dataset(plan.data))
        except LocatedError as exc:
            msg = "; ".join(exc.problems)
            raise InputError(f"variant refused: {msg}", {"change": msg}) from None
        new_id = new_run_id(f"{plan_name}-variant")
        job_id = self.state.add_job(new_id, self.plan_ref(plan_name), int(run["scenarios"]),
                                    int(run["seed"]), False, who, changes=every,
                                    base_run=run_id)
        self.jobs.submit()
        return self.job(job_id)

    def job(self, job_id: int) -> dict[str, Any]:
        job = self.state.job(job_id)
        if job is None:
            raise catalog.NotFound(f"no job {job_id}")
        return self._public_job(job)

    def jobs_list(self, limit: int = 50) -> list[dict[str, Any]]:
        return [self._public_job(j) for j in self.state.jobs(limit)]

    def _public_job(self, job: dict[str, Any]) -> dict[str, Any]:
        plan = job["plan"]
        out = {k: job[k] for k in ("id", "run_id", "scenarios", "seed", "status", "progress",
                                   "stage", "message", "submitted_by", "created", "started",
                                   "finished")}
        out["plan"] = Path(plan).stem if plan.endswith(".yaml") else plan
        out["with_actuals"] = bool(job["with_actuals"])
        out["changes"] = json.loads(job.get("changes") or "[]")
        out["base_run"] = job.get("base_run")
        out["progress_is_estimate"] = job["status"] == "running"
        return out

    # -- tracker ------------------------------------------------------------------------------
    def tracker_status(self, period: int | None = None) -> list[dict[str, Any]]:
        """Indicator status by objective, as plain dicts (raises TrackError if no database).

        ``period`` shows that year for every indicator (not cached); by default the tracker's
        view period (the latest year with any actual).

        Computing it takes tens of ms (the tracker opens and checks its database each time), so
        the result is reused for :data:`STATUS_SECONDS`. When it is stale, one thread
        recomputes it while the others keep answering with the previous table (never older
        than one recomputation), instead of queueing behind it.
        """
        if period is not None:
            return self._compute_status(period)
        cached = self._status
        if cached is not None and time.monotonic() - cached[0] < STATUS_SECONDS:
            return cached[1]
        if cached is not None and not self._status_lock.acquire(blocking=False):
            return cached[1]  # someone else is recomputing
        if cached is None:
            self._status_lock.acquire()
        try:
            current = self._status
            if current is not None and time.monotonic() - current[0] < STATUS_SECONDS:
                return current[1]
            value = self._compute_status()
            self._status = (time.monotonic(), value)
            return value
        finally:
            self._status_lock.release()

    def _compute_status(self, period: int | None = None) -> list[dict[str, Any]]:
        from dataclasses import asdict

        from cnplan.track import status

        groups = status(self.settings.db_url, period=period)
        return [
            {"id": g.id, "title": g.title, "counts": g.counts, "period": g.period,
             "rows": [catalog._clean(asdict(r)) for r in g.rows]}
            for g in groups
        ]

    def report_actual(self, fields: dict[str, Any], who: str) -> dict[str, Any]:
        """Record an actual through the tracker service; its refusal becomes field problems."""
        from dataclasses import asdict

        from cnplan.track import TrackError, report

        try:
            entry = report(
                fields.get("indicator") or "",
                fields.get("period") if fields.get("period") not in (None, "") else "",
                fields.get("value") if fields.get("value") not in (None, "") else "",
                fields.get("reported_by") or who,
                source=fields.get("source") or "",
                comment=fields.get("comment") or "",
                unit=fields.get("unit") or None,
                url=self.settings.db_url,
            )
        except TrackError as exc:
            raise InputError(str(exc), field_problems(str(exc))) from None
        self._status = None  # the next read recomputes, so the report shows at once
        out = asdict(entry)
        out["reported_at"] = entry.reported_at.isoformat(timespec="seconds")
        return out


def field_problems(message: str) -> dict[str, str]:
    """Split the tracker's "  column: message" lines into a field -> message mapping."""
    problems: dict[str, str] = {}
    for line in message.splitlines()[1:]:
        column, sep, text = line.strip().partition(": ")
        if sep:
            problems[column] = (problems[column] + "; " + text) if column in problems else text
    if not problems:
        problems["form"] = message
    return problems
