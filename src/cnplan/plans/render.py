"""Readable views of a plan (rich tables and plain sentences) for the CLI and notebooks."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cnplan import terms
from cnplan.format import number as fmt_number
from cnplan.i18n import gettext as _
from cnplan.i18n import ngettext
from cnplan.plans.levers import LEVERS, NATIONAL
from cnplan.plans.schema import Plan


def schedule_text(schedule: dict[int, float]) -> str:
    """A lever schedule as ``2005: 8,000 → 2007: 12,000``.

    Plans state changes only (values carry forward), so the arrows read as "from then on".
    """
    return " → ".join(f"{year}: {fmt_number(schedule[year])}" for year in sorted(schedule))


def goal_sentences(plan: Plan) -> list[str]:
    """The plan's goals in plain words, so a reader need not know the schema."""
    g = plan.goals
    hold, marginal, stab = g.hold_the_line, g.marginal_producer, g.stability_point
    return [
        _("Hold the line: no net expansion of coca or opium poppy against %(base)s, judged in "
          "%(by)s.") % {"base": hold.base_year, "by": hold.by_year},
        _("Marginal producer: at most %(coca)s ha of coca and %(poppy)s ha of opium poppy by "
          "%(by)s.") % {"coca": fmt_number(marginal.coca_ha),
                        "poppy": fmt_number(marginal.poppy_ha),
                        "by": marginal.by_year},
        _("Stability point: by %(by)s, cultivation falling or at the marginal level, and still "
          "at or below it for %(k)s years if outside assistance stops.") % {
            "by": stab.by_year, "k": stab.years_without_assistance},
        *(_spatial_sentence(goal) for goal in g.spatial),
    ]


def _spatial_sentence(goal) -> str:
    """A spatial goal in plain words (the outcome's id is what a plan file names)."""
    bound = goal.at_least if goal.at_least is not None else goal.at_most
    value = _("its value at the start") if bound == "start" else fmt_number(float(bound))
    text = (_("Spatial goal %(id)s: %(outcome)s at least %(value)s in %(by)s")
            if goal.at_least is not None else
            _("Spatial goal %(id)s: %(outcome)s at most %(value)s in %(by)s"))
    return text % {"id": goal.id, "outcome": goal.outcome, "value": value, "by": goal.by_year} + (
        f" ({goal.source})." if goal.source else ".")


def _header(plan: Plan) -> Panel:
    body = Text()
    body.append(plan.title or plan.name, style="bold")
    body.append(
        f"\n{terms.country(plan.country)} · " + _("data: %(name)s") % {"name": plan.data}
        + f" · {plan.start_year}–{plan.end_year} · "
        + ngettext("%(num)s phase", "%(num)s phases", len(plan.phases)) % {
            "num": len(plan.phases)} + ", "
        + ngettext("%(num)s lever", "%(num)s levers", len(plan.levers)) % {
            "num": len(plan.levers)} + ", "
        + ngettext("%(num)s indicator", "%(num)s indicators", len(plan.indicators)) % {
            "num": len(plan.indicators)}
    )
    if plan.description:
        body.append("\n\n" + " ".join(plan.description.split()), style="dim")
    return Panel(body, title=_("plan %(name)s") % {"name": plan.name}, title_align="left")


def phases_table(plan: Plan) -> Table:
    """One row per phase: years, political will and what is feasible in hard-core zones."""
    table = Table(title=_("Phases"), title_justify="left")
    table.add_column(_("phase"), min_width=10)
    table.add_column(_("years"), no_wrap=True)
    for col in (_("political will"), _("forced in hard core"), _("voluntary in hard core")):
        table.add_column(col, max_width=9)
    table.add_column(_("note"), min_width=12)
    for phase in plan.phases:
        table.add_row(
            phase.name,
            f"{phase.start}–{phase.end}",
            f"{phase.political_will:.2f}",
            _("yes") if phase.hard_core_eradication else _("no"),
            _("yes") if phase.voluntary_in_hard_core else _("no"),
            " ".join(phase.note.split()),
        )
    return table


def levers_table(plan: Plan) -> Table:
    """One row per lever and zone with its year → value schedule, plus zone totals.

    The total row (for additive levers, not indices) is computed with
    :meth:`Plan.lever_array`, so it shows what the model will see after carry-forward, not
    just the numbers written in the file.
    """
    table = Table(title=_("Levers (values hold until the next year given)"),
                  title_justify="left")
    for col in (_("lever"), _("unit"), _("zone"), _("schedule")):
        table.add_column(col, overflow="fold")
    for lever, by_key in plan.levers.items():
        spec = LEVERS.get(lever)
        unit = terms.unit(spec.unit) if spec else "?"
        for i, (key, schedule) in enumerate(by_key.items()):
            table.add_row(
                terms.lever_name(lever) if i == 0 else "", unit if i == 0 else "",
                _("national") if key == NATIONAL else key, schedule_text(schedule)
            )
        additive = spec is not None and not spec.unit.startswith("index")
        if spec is not None and spec.scope == "zone" and len(by_key) > 1 and additive:
            years = sorted({y for schedule in by_key.values() for y in schedule})
            totals = plan.lever_array(lever, list(by_key), years).sum(axis=1)
            table.add_row(
                "",
                "",
                Text(_("all zones"), style="italic"),
                Text(schedule_text(dict(zip(years, totals, strict=True))), style="italic"),
                end_section=True,
            )
        else:
            table.rows[-1].end_section = True
    return table


def _indicator_zone(zone: str | None, lever: str | None) -> str:
    """Where an indicator applies: its zone, ``national``, or ``all zones`` of a zone lever."""
    if zone:
        return zone
    spec = LEVERS.get(lever or "")
    if spec is None:
        return ""
    return _("national") if spec.scope == "national" else _("all zones")


def indicators_table(plan: Plan) -> Table:
    """One row per indicator: unit, baseline, targets by period, lever fed and source."""
    table = Table(title=_("Indicators"), title_justify="left")
    for col, label in (("id", "id"), ("name", _("name")), ("unit", _("unit")),
                       ("baseline", _("baseline")), ("targets", _("targets")),
                       ("lever", _("lever")), ("zone", _("zone")), ("source", _("source"))):
        table.add_column(label, overflow="fold", no_wrap=col in {"id", "lever"})
    for ind in plan.indicators:
        baseline = ("" if ind.baseline is None
                    else f"{fmt_number(ind.baseline)} ({ind.baseline_year})")
        table.add_row(
            ind.id,
            ind.name,
            terms.unit(ind.unit),
            baseline,
            schedule_text(ind.targets),
            ind.lever or "",
            _indicator_zone(ind.zone, ind.lever),
            ind.source,
        )
    return table


def plan_view(plan: Plan) -> RenderableType:
    """Everything a reader needs to check a plan: header, phases, levers, goals, indicators."""
    goals = Text(_("Goals") + "\n", style="italic")
    for sentence in goal_sentences(plan):
        goals.append(f"  • {sentence}\n", style="not italic")
    parts: list[RenderableType] = [_header(plan), phases_table(plan), levers_table(plan), goals]
    if plan.indicators:
        parts.append(indicators_table(plan))
    return Group(*parts)
