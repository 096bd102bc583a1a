"""The run report: goals in plain words, fan charts, zone maps, levers, parameters and sources."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan import format as display
from cnplan import progress, terms
from cnplan.calibrate.record import record_sentence
from cnplan.files import write_text_atomic
from cnplan.format import hectares
from cnplan.i18n import format_datetime
from cnplan.i18n import gettext as _
from cnplan.report import charts as ch
from cnplan.report import zonemap
from cnplan.report.figures import Chart
from cnplan.runs import (
    MIN_FUTURES_FOR_YEARS,
    central_trajectory,
    goal_columns_note,
    percent,
    trajectory_sentence,
    years_text,
)
from cnplan.runs.eradication import (
    LABELS,
    cause_meaning,
    eradication_summary,
    gap_sentence,
    shown_causes,
)

logger = logging.getLogger(__name__)

REPORT_FILE = "report.html"


@dataclass
class RunInputs:
    """What a run report is made from: the ensemble, ``run.json``, the plan and the dataset."""

    folder: Path
    ds: xr.Dataset
    meta: dict[str, Any]
    plan: Any
    data: Any
    observed: dict[str, dict[str, pd.Series]] = field(default_factory=dict)
    zone_observed: pd.DataFrame | None = None

    @property
    def zone_ids(self) -> list[str]:
        return [str(z) for z in self.ds["zone"].to_numpy()]

    @property
    def zone_names(self) -> dict[str, str]:
        zones = self.data.zones
        return dict(zip(zones["zone_id"], zones["name"], strict=True))


def _plan_of(meta: dict[str, Any]) -> Any:
    from cnplan.plans import parse_plan
    from cnplan.yamlio import load_yaml

    if meta.get("plan_effective"):
        return parse_plan(meta["plan_effective"], source="run.json plan_effective")
    return parse_plan(load_yaml(meta["plan_text"]), source="run.json plan_text")


def _observed_series(data: Any, variable: str) -> dict[str, pd.Series]:
    """Every national series of ``variable`` in the data, by series name; {} if it has none."""
    from cnplan.data import DataError

    if variable not in data.variables:
        return {}
    try:
        return {"observed": data.national(variable)}
    except DataError:
        obs = data.observations
        names = sorted(set(obs.loc[obs["variable"] == variable, "series"]) - {""})
        out = {}
        for name in names:
            try:
                out[f"observed ({name.replace('_', ' ')})"] = data.national(variable, source=name)
            except DataError:
                continue
        return out


def load_inputs(folder: str | Path) -> RunInputs:
    """Read a run folder and the dataset it names."""
    from cnplan.data import DataError, load_dataset
    from cnplan.runs import load_run

    folder = Path(folder)
    ds, meta = load_run(folder)
    plan = _plan_of(meta)
    data = load_dataset(meta["data"])
    observed = {
        "coca": _observed_series(data, "coca_ha"),
        "poppy": _observed_series(data, "poppy_ha"),
        "leaf_price": _observed_series(data, "leaf_price"),
    }
    try:
        zone_observed = data.by_zone("coca_ha") if "coca_ha" in data.variables else None
    except DataError:
        zone_observed = None
    return RunInputs(folder, ds, meta, plan, data, observed, zone_observed)


# ---------------------------------------------------------------- words


def hold_base(inputs: RunInputs) -> float | None:
    """Observed national coca in the hold-the-line base year, if the data has it."""
    base_year = inputs.plan.goals.hold_the_line.base_year
    series = next(iter(inputs.observed["coca"].values()), None)
    if series is None or base_year not in series.index or pd.isna(series.loc[base_year]):
        return None
    return float(series.loc[base_year])


def _detail(row: Any, n: int, y0: int, y1: int, hits: int) -> str:
    """The second line of a goal's headline: how many futures reach it, and when."""
    count = getattr(row, "reached_count", 0)
    if count == 0:
        return _("None of the %(n)s simulated futures reaches it at any time in "
                 "%(y0)s–%(y1)s.") % {"n": display.number(n), "y0": y0, "y1": y1}
    values = {"hits": display.number(hits), "n": display.number(n), "by": row.by_year,
              "y0": y0, "y1": y1, "share": percent(row.reached_in_horizon),
              "count": display.number(count)}
    if count < MIN_FUTURES_FOR_YEARS:
        return _("%(hits)s of %(n)s simulated futures reach it by %(by)s and %(count)s at some "
                 "time in %(y0)s–%(y1)s: too few to say when it is usually reached.") % values
    return _(
        "%(hits)s of %(n)s simulated futures reach it by %(by)s; %(share)s (%(count)s) get "
        "there at some time in %(y0)s–%(y1)s, first in %(median)s at the median "
        "(10–90%%: %(p10)s–%(p90)s)."
    ) % {**values, "median": display.year(round(row.year_median)),
         "p10": display.year(round(row.year_p10)), "p90": display.year(round(row.year_p90))}


def headlines(inputs: RunInputs, goals: pd.DataFrame) -> list[dict[str, str]]:
    """One plain-words sentence per goal, with the years and how many futures reach it."""
    plan, ds = inputs.plan, inputs.ds
    g = plan.goals
    n = len(ds.scenario)
    y0, y1 = int(ds.year[0]), int(ds.year[-1])
    country = plan.country
    what = {
        "hold_the_line": (_("The plan has a %(p)s chance of holding the line — no net expansion "
                           "of coca or opium poppy above their %(base)s level in any year — "
                           "through %(by)s."), {"base": g.hold_the_line.base_year,
                                                "by": g.hold_the_line.by_year}),
        "marginal_producer": (_("The plan has a %(p)s chance of making %(country)s a marginal "
                               "producer (at most %(coca)s ha of coca and %(poppy)s ha of opium "
                               "poppy) by %(by)s."), {
            "country": country, "coca": f"{g.marginal_producer.coca_ha:,.0f}",
            "poppy": f"{g.marginal_producer.poppy_ha:,.0f}", "by": g.marginal_producer.by_year}),
        "stability_point": (_("The plan has a %(p)s chance of reaching the stability point "
                             "(cultivation falling or marginal, and staying marginal for "
                             "%(years)s years without outside assistance) by %(by)s."), {
            "years": g.stability_point.years_without_assistance,
            "by": g.stability_point.by_year}),
    }
    out = []
    for row in goals.itertuples(index=False):
        hits = round(row.probability * n)
        message, values = what[row.goal]
        sentence = message % {**values, "p": percent(row.probability)}
        detail = _detail(row, n, y0, y1, hits)
        level = "good" if row.probability >= 0.5 else "poor" if row.probability < 0.2 else "fair"
        out.append({"goal": row.goal, "sentence": sentence, "detail": detail,
                    "probability": percent(row.probability), "level": level})
    return out


# ---------------------------------------------------------------- charts


def _fan_alt(ds: xr.Dataset, variable: str, unit: str, extra: str = "") -> str:
    values, label, _unit = ch.national_values(ds, variable)
    bands = ch.quantile_bands(values)
    y0, y1 = int(ds.year[0]), int(ds.year[-1])
    fmt = (lambda v: f"{v:,.2f}") if abs(bands["p50"].max()) < 10 else (lambda v: f"{v:,.0f}")
    return _(
        "Fan chart of %(label)s from %(y0)s to %(y1)s over %(n)s simulated futures: median "
        "%(first)s %(unit)s in %(y0)s and %(last)s %(unit)s in %(y1)s, with 90%% of futures "
        "between %(low)s and %(high)s %(unit)s in %(y1)s."
    ) % {"label": label, "y0": y0, "y1": y1, "n": f"{len(ds.scenario):,}",
         "first": fmt(bands["p50"].iloc[0]), "last": fmt(bands["p50"].iloc[-1]), "unit": unit,
         "low": fmt(bands["p05"].iloc[-1]), "high": fmt(bands["p95"].iloc[-1])} + extra


RUN_CHARTS = 8
"""Charts of a run report besides the per-year maps (for the progress bar's total)."""


class _Counted(list):
    """A list of charts that reports each one drawn to :mod:`cnplan.progress`."""

    def __init__(self, task: str, total: int) -> None:
        super().__init__()
        self.task, self.total = task, total

    def append(self, chart: Chart) -> None:
        super().append(chart)
        progress.step(self.task, len(self), max(self.total, len(self)))


def run_charts(inputs: RunInputs, map_years: list[int] | None = None) -> list[Chart]:
    """Every chart of the run report, in report order.

    ``map_years`` adds one zone map per year (e.g. to save as PNG); the start-vs-end
    pair is always included.
    """
    ds, plan = inputs.ds, inputs.plan
    g = plan.goals
    y0, y1 = int(ds.year[0]), int(ds.year[-1])
    out: list[Chart] = _Counted(_("drawing charts"), RUN_CHARTS + len(map_years or []))

    base = hold_base(inputs)
    thresholds = {_("marginal producer (≤ %(ha)s ha)") % {
        "ha": f"{g.marginal_producer.coca_ha:,.0f}"}: g.marginal_producer.coca_ha}
    if base is not None:
        thresholds[_("hold the line: %(year)s level") % {"year": g.hold_the_line.base_year}] = base
    ax = ch.fan_chart(ds, "coca", observed=inputs.observed["coca"], thresholds=thresholds)
    out.append(Chart(
        "fan_coca", _("National coca area"), _fan_alt(
            ds, "coca", "ha", " " + (_("Goal lines: marginal producer at %(mp)s ha.") % {
                "mp": f"{g.marginal_producer.coca_ha:,.0f}"} if base is None else _(
                "Goal lines: marginal producer at %(mp)s ha, hold-the-line base %(base)s ha.") % {
                "mp": f"{g.marginal_producer.coca_ha:,.0f}", "base": f"{base:,.0f}"})
        ), ax.figure,
        _("Observed: the dataset's national series (UNODC/DEVIDA where several exist).")))

    ax = ch.fan_chart(ds, "poppy", observed=inputs.observed["poppy"],
                      thresholds={_("marginal producer"): g.marginal_producer.poppy_ha})
    out.append(Chart("fan_poppy", _("National opium-poppy area"),
                     _fan_alt(ds, "poppy", "ha", " " + _("Marginal-producer level %(ha)s ha.") % {
                         "ha": f"{g.marginal_producer.poppy_ha:,.0f}"}), ax.figure,
                     _("Poppy estimates are sparse and disagree; each series is drawn apart.")))

    ax = ch.fan_chart(ds, "leaf_price", observed=inputs.observed["leaf_price"])
    out.append(Chart("fan_leaf_price", _("Coca leaf price"),
                     _fan_alt(ds, "leaf_price", "USD/kg"), ax.figure))

    ax = ch.fan_chart(ds, "state_capacity")
    out.append(Chart("fan_state_capacity", _("State capacity"),
                     _fan_alt(ds, "state_capacity", _("(share)"),
                              " " + _("No observed series exists for this model quantity.")),
                     ax.figure, _("A model quantity: the share of the programme's cost the "
                                  "state could fund alone. It has no observed series.")))

    ax = ch.goal_curves(ds, plan)
    out.append(Chart("goal_curves", _("When the goals are first reached"),
                     _("Step chart of the share of futures that have first reached each goal by "
                       "each year, with the goals' target years marked."), ax.figure))

    axes = ch.zone_multiples(ds, inputs.zone_observed, inputs.zone_names)
    med = ds["coca_ha"].median("scenario")
    biggest = str(med.sel(year=y1).idxmax("zone").item())
    out.append(Chart(
        "zone_multiples", _("Coca area by zone"),
        _("Small multiples, one fan chart per zone (%(k)s zones), of coca area %(y0)s–%(y1)s "
          "with observed points; in %(y1)s the largest median area is in %(zone)s (%(ha)s ha).")
        % {"k": len(inputs.zone_ids), "y0": y0, "y1": y1,
           "zone": inputs.zone_names.get(biggest, biggest),
           "ha": f"{float(med.sel(year=y1, zone=biggest)):,.0f}"}, axes[0].figure))

    axes = zonemap.zone_map_pair(ds, inputs.data.zones, (y0, y1), observed=inputs.zone_observed)
    out.append(Chart(
        "zone_map", _("Zone map, %(y0)s and %(y1)s") % {"y0": y0, "y1": y1},
        _("Two maps of Peru with a bubble per zone sized by median simulated coca area, in "
          "%(y0)s and %(y1)s; black rings show observed area where the data has it.")
        % {"y0": y0, "y1": y1} + " " + "; ".join(
            f"{zonemap.short_name(inputs.zone_names.get(z, z))}: "
            f"{float(med.sel(year=y0, zone=z)):,.0f} → {float(med.sel(year=y1, zone=z)):,.0f} ha"
            for z in inputs.zone_ids) + ".", axes[0].figure))

    max_area = float(med.max())
    for year in map_years or []:
        ax = zonemap.zone_map(ds, inputs.data.zones, year, observed=inputs.zone_observed,
                              max_area=max_area, ax=ch.new_axes((5.0, 6.0)))
        out.append(Chart(
            f"zone_map_{year}", _("Zone map, %(year)s") % {"year": year},
            _("Map of Peru with a bubble per zone sized by median simulated coca area in "
              "%(year)s:") % {"year": year} + " "
            + "; ".join(f"{zonemap.short_name(inputs.zone_names.get(z, z))} "
                        f"{float(med.sel(year=year, zone=z)):,.0f} ha" for z in inputs.zone_ids)
            + ".", ax.figure))

    if map_years:
        from cnplan.report.spacemap import choropleth_charts

        out += choropleth_charts(ds, inputs.data, map_years, inputs.zone_names)

    ax = ch.lever_timeline(plan, inputs.zone_ids)
    out.append(Chart("lever_timeline", _("The plan's levers over time"),
                     _("Timeline of the plan's levers, one row per lever and one column per "
                       "year, with each value written where it changes and the plan's phases "
                       "marked."), ax.figure))
    return out


def space_context(inputs: RunInputs) -> dict[str, Any]:
    """The report's space section: choropleth, cells, spatial goals, zone x year table."""
    from cnplan.report import spacemap

    ds = inputs.ds
    space = spacemap.map_context(ds, inputs.data)
    if space is not None:
        space["zone_ids"] = [inputs.zone_names.get(z["id"], z["id"]) for z in space["zones"]]
        space["cell_numbers"] = {y: {k: c[k] for k in ("n_coca", "n_new", "n_ad", "free_km2")}
                                 for y, c in (space["cells"] or {}).items()}
    return {
        "space": space,
        "spatial_goals": spacemap.spatial_goal_rows(ds, inputs.plan),
        "spatial_medians": spacemap.spatial_medians(ds),
        "zone_table": spacemap.zone_year_table(ds, inputs.zone_names),
        "department_table": spacemap.department_year_table(ds, inputs.data),
    }


def map_data(inputs: RunInputs) -> dict[str, Any]:
    """Data for the report's interactive year map (drawn by inline script, no network)."""
    ds = inputs.ds
    zones = inputs.data.zones.set_index("zone_id").reindex(inputs.zone_ids)
    med = ds["coca_ha"].median("scenario").transpose("year", "zone").to_numpy()
    years = [int(y) for y in ds["year"].to_numpy()]
    observed: dict[str, list[float | None]] = {}
    if inputs.zone_observed is not None:
        table = inputs.zone_observed.reindex(columns=inputs.zone_ids)
        for year in years:
            if year in table.index:
                row = [None if pd.isna(v) else round(float(v)) for v in table.loc[year]]
                if any(v is not None for v in row):
                    observed[str(year)] = row
    outlines = zonemap.load_outlines()["countries"]
    return {
        "years": years,
        "zones": [{"id": z, "name": zonemap.short_name(str(zones.loc[z, "name"])),
                   "lon": float(zones.loc[z, "lon"]), "lat": float(zones.loc[z, "lat"])}
                  for z in inputs.zone_ids],
        "median": {str(y): [round(float(v)) for v in med[i]] for i, y in enumerate(years)},
        "observed": observed,
        "max_area": float(med.max()),
        "country": "PER",
        "outlines": {iso: item["rings"] for iso, item in outlines.items()},
    }


# ---------------------------------------------------------------- tables


def _schedule(values: dict) -> str:
    return "; ".join(f"{int(y)}: {v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 10
                     else f"{int(y)}: {v:,.0f}" for y, v in sorted(values.items()))


def lever_rows(inputs: RunInputs) -> list[dict[str, Any]]:
    """The plan's levers as table rows: lever, what it is, unit and its schedule by zone."""
    from cnplan.calibrate.evidence import lever_label
    from cnplan.plans.levers import LEVERS

    rows = []
    for lever, by_zone in inputs.plan.levers.items():
        spec = LEVERS[lever]
        zones = [{"zone": _("national") if zone == "national" else
                  zonemap.short_name(inputs.zone_names.get(zone, zone)),
                  "schedule": _schedule(values)} for zone, values in by_zone.items()]
        rows.append({"lever": terms.lever_name(lever), "description": _(spec.description),
                     "unit": terms.unit(spec.unit), "zones": zones,
                     "evidence": lever_label(lever)})
    return rows


def provenance_rows(provenance: dict[str, Any]) -> dict[str, str]:
    """The parameter set's provenance as text per key (lists and mappings as compact JSON)."""
    import json

    out = {}
    for key, value in provenance.items():
        if isinstance(value, float):
            out[key] = f"{value:.4g}"
        elif isinstance(value, str | int):
            out[key] = str(value)
        else:
            out[key] = json.dumps(value, ensure_ascii=False, default=str,
                                  separators=(", ", ": "))
    return out


def source_rows(inputs: RunInputs) -> list[dict[str, str]]:
    """Every source behind the observed series drawn in the report, with what it was used for."""
    used: dict[str, list[str]] = {}
    what_national = {"coca": _("national coca"), "poppy": _("national poppy"),
                     "leaf_price": _("national leaf price")}
    labelled = [
        (what_national.get(name, name) + ("" if label == "observed" else f" {label[9:]}"),
         series)
        for name, by_label in inputs.observed.items() for label, series in by_label.items()
    ]
    if inputs.zone_observed is not None:
        labelled.append((_("coca area by zone"), inputs.zone_observed))
    for what, series in labelled:
        for ids in series.attrs.get("sources", []):
            for sid in str(ids).split(";"):
                if sid.strip():
                    used.setdefault(sid.strip(), [])
                    if what not in used[sid.strip()]:
                        used[sid.strip()].append(what)
    table = inputs.data.sources.set_index("source_id") if len(inputs.data.sources) else None
    rows = []
    for sid in sorted(used, key=lambda s: (len(s), s)):
        info = table.loc[sid] if table is not None and sid in table.index else None
        rows.append({
            "id": sid,
            "title": "" if info is None else str(info["title"]),
            "url": "" if info is None else str(info["url"]),
            "publisher": "" if info is None else str(info["publisher_kind"]),
            "used_for": ", ".join(used[sid]),
        })
    return rows


def parameter_rows(ds: xr.Dataset) -> list[dict[str, str]]:
    """Median and 5–95% range of every model parameter over the ensemble."""
    if "parameters" not in ds:
        return []
    q = np.quantile(ds["parameters"].to_numpy(), [0.05, 0.5, 0.95], axis=0)
    return [{"name": str(name), "median": f"{q[1, j]:.4g}", "range": f"{q[0, j]:.4g} – "
             f"{q[2, j]:.4g}"} for j, name in enumerate(ds["parameter"].to_numpy())]


def goal_rows(goals: pd.DataFrame, n: int) -> list[dict[str, str]]:
    rows = []
    for row in goals.itertuples(index=False):
        rows.append({
            "goal": row.description,
            "by": str(row.by_year),
            "probability": percent(row.probability),
            "futures": _("%(k)s of %(n)s") % {"k": f"{round(row.probability * n):,}",
                                               "n": f"{n:,}"},
            "years": years_text(row, short=True),
            "in_horizon": percent(row.reached_in_horizon),
        })
    return rows


def yearly_rows(inputs: RunInputs) -> list[dict[str, str]]:
    from cnplan.runs import yearly_table

    table = yearly_table(inputs.ds, inputs.data, by="national")
    rows = []
    for r in table.itertuples(index=False):
        fmt = "{:,.2f}" if r.unit in ("USD/kg", "share") else "{:,.0f}"

        def f(v: float, fmt: str = fmt) -> str:
            return "–" if pd.isna(v) else fmt.format(v)

        rows.append({"variable": terms.variable(r.variable), "unit": terms.unit(r.unit),
                     "year": str(r.year),
                     "median": f(r.median), "band": f"{f(r.p10)} – {f(r.p90)}",
                     "observed": f(r.observed)})
    return rows


# ---------------------------------------------------------------- HTML


def eradication_context(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The report's eradication section: the gap sentence, the causes shown with their
    meanings, and the national and per-unit rows formatted for reading.
    """
    if not summary:
        return None
    causes = shown_causes(summary)
    return {
        "sentence": gap_sentence(summary),
        "asked": summary["planned_total"] > 0,
        "causes": [{"key": c, "label": _(LABELS[c]), "meaning": cause_meaning(c)}
                   for c in causes],
        "rows": [{"year": r["year"], "planned": hectares(r["planned"]),
                  "delivered": hectares(r["delivered"]),
                  "undelivered": hectares(r["undelivered"]),
                  "causes": [hectares(r["by_cause"][c]) for c in causes]}
                 for r in summary["years"]],
        "units": [{"unit": unit, "cells": [
            f"{hectares(p)} / {hectares(d)}" for p, d in zip(v["planned"], v["delivered"],
                                                             strict=True)]}
            for unit, v in summary["by_unit"].items() if max(v["planned"], default=0) > 0
            or max(v["delivered"], default=0) > 0],
        "years": [r["year"] for r in summary["years"]],
    }


def template_env() -> Any:
    """The Jinja2 environment of the report templates (package data, autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from cnplan.i18n import install_jinja

    env = install_jinja(Environment(
        loader=PackageLoader("cnplan.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    ))
    env.filters.update(terms.jinja_filters())
    from cnplan.format import jinja_filters

    env.filters.update(jinja_filters())
    return env


def render_run_report(inputs: RunInputs, charts: list[Chart] | None = None) -> str:
    """The run report as one self-contained HTML string."""
    from cnplan.runs import goal_summary

    ds, meta, plan = inputs.ds, inputs.meta, inputs.plan
    years = [int(y) for y in ds["year"].to_numpy()]
    if charts is None:
        charts = run_charts(inputs)
    by_id = {c.id: {"id": c.id, "title": c.title, "alt": c.alt, "caption": c.caption,
                    "src": c.data_uri()} for c in charts}
    goals = goal_summary(ds, plan)
    outline = zonemap.load_outlines()
    context = {
        "title": plan.title or plan.name,
        "plan": plan,
        "meta": meta,
        "n": len(ds.scenario),
        "years": years,
        "headlines": headlines(inputs, goals),
        "trajectory": trajectory_sentence(meta.get("central_trajectory")
                                          or central_trajectory(ds)),
        "goal_note": goal_columns_note(),
        "goal_rows": goal_rows(goals, len(ds.scenario)),
        "forecast_record": record_sentence(meta["forecast_record"])
        if meta.get("forecast_record") else "",
        "eradication": eradication_context(meta.get("eradication") or eradication_summary(ds)),
        "charts": by_id,
        "fans": [by_id[k] for k in ("fan_coca", "fan_poppy", "fan_leaf_price",
                                    "fan_state_capacity") if k in by_id],
        "map_data": map_data(inputs),
        **space_context(inputs),
        "levers": lever_rows(inputs),
        "phases": plan.phases,
        "parameters": parameter_rows(ds),
        "provenance": provenance_rows(meta.get("parameter_set_provenance") or {}),
        "assumptions": meta.get("assumptions") or [],
        "sources": source_rows(inputs),
        "yearly": yearly_rows(inputs),
        "outline_source": outline.get("source", ""),
        "generated": format_datetime(datetime.now(UTC)),
        "folder": str(inputs.folder),
    }
    return template_env().get_template("run_report.html.j2").render(**context)


def write_run_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write ``report.html`` (one self-contained file, opens offline) for a run folder.

    Parameters
    ----------
    folder
        A run folder written by ``cnplan run`` (``ensemble.nc``, ``run.json``).
    out
        Where to write the report (default ``<folder>/report.html``).

    Returns
    -------
    pathlib.Path
        The report's path.
    """
    started = time.perf_counter()
    inputs = load_inputs(folder)
    html = render_run_report(inputs)
    path = Path(out) if out is not None else Path(folder) / REPORT_FILE
    write_text_atomic(path, html)
    logger.info("run report %s written in %.2f s (%d bytes)", path,
                time.perf_counter() - started, len(html))
    return path


def save_run_charts(folder: str | Path, outdir: str | Path,
                    formats: tuple[str, ...] = ("png",)) -> list[Path]:
    """Save each chart of a run's report as ``<outdir>/<chart id>.<format>``."""
    inputs = load_inputs(folder)
    paths: list[Path] = []
    for chart in run_charts(inputs):
        paths.extend(chart.save(outdir, formats))
    return paths


__all__ = ["load_inputs", "render_run_report", "run_charts", "save_run_charts",
           "write_run_report"]
