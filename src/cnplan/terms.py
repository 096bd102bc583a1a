"""Words the project shows that are built from identifiers: levers, units, variables, statuses.

Identifiers stay English in files, APIs and databases (``forced_eradication``, ``ha/yr``,
``on track``); pages, reports and the CLI show them through these functions, so they read in
the current language. Each word is marked with ``N_`` here for the catalogue; an identifier
without a word here is shown as itself (with underscores as spaces).
"""

from __future__ import annotations

from typing import Any

from cnplan.i18n import N_
from cnplan.i18n import gettext as _

LEVER_NAMES = {
    "forced_eradication": N_("forced eradication"),
    "eradication_security": N_("eradication security"),
    "voluntary_eradication": N_("voluntary eradication"),
    "ad_funding": N_("alternative development funding"),
    "forward_base_police": N_("forward base police"),
    "source_interdiction": N_("source-zone interdiction"),
    "road_interdiction_groups": N_("road interdiction groups"),
    "port_inspection_teams": N_("port inspection teams"),
    "precursor_control": N_("precursor control"),
    "police_graduates": N_("police graduates"),
    "police_in_training": N_("police in training"),
    "poppy_intelligence": N_("opium-poppy intelligence"),
    "outreach_campaigns": N_("outreach campaigns"),
    "outside_assistance": N_("outside assistance"),
}

UNITS = {
    "ha": N_("ha"),
    "ha/yr": N_("ha/yr"),
    "USD/kg": N_("USD/kg"),
    "PEN/kg": N_("PEN/kg"),
    "share": N_("share"),
    "persons": N_("persons"),
    "persons/yr": N_("persons/yr"),
    "million USD/yr": N_("million USD/yr"),
    "million USD": N_("million USD"),
    "index 0-1": N_("index 0-1"),
    "groups": N_("groups"),
    "teams": N_("teams"),
    "t": N_("t"),
    "kg": N_("kg"),
    "kg/ha/yr": N_("kg/ha/yr"),
    "pct": N_("%"),
    "families": N_("families"),
    "million PEN": N_("million soles"),
    "labs": N_("laboratories"),
    "operations": N_("operations"),
    "districts": N_("districts"),
}

VARIABLES = {
    "coca": N_("coca"),
    "poppy": N_("poppy"),
    "leaf price": N_("leaf price"),
    "eradication": N_("eradication"),
    "state capacity": N_("state capacity"),
    "coca_ha": N_("coca area"),
    "poppy_ha": N_("opium-poppy area"),
    "leaf_price": N_("coca leaf price"),
    "leaf_price_pen": N_("coca leaf price (soles)"),
    "leaf_price_weighted": N_("coca leaf price (weighted mean)"),
    "eradication_ha": N_("eradication"),
    "eradication_forced_ha": N_("forced eradication"),
    "eradication_voluntary_ha": N_("voluntary eradication"),
    "dry_leaf_t": N_("dry coca leaf"),
    "ad_area_change_pct": N_("change in alternative-development area"),
    "ad_area_assisted_ha": N_("area assisted by alternative development"),
    "ad_budget_mpen": N_("alternative-development budget"),
    "ad_families": N_("families in alternative development"),
    "ad_investment_mpen": N_("alternative-development investment"),
    "cocaine_potential_t": N_("potential cocaine production"),
    "corah_field_staff": N_("CORAH field staff"),
    "eradication_spending_mpen": N_("eradication spending"),
    "eradication_change_pct": N_("change in eradication"),
    "eradication_target_ha": N_("eradication target"),
    "hcl_price": N_("cocaine hydrochloride price"),
    "hcl_price_pen": N_("cocaine hydrochloride price (soles)"),
    "labs_destroyed": N_("laboratories destroyed"),
    "licit_demand_ha": N_("area for licit demand"),
    "licit_demand_t": N_("licit demand for coca leaf"),
    "pbc_price": N_("coca paste (PBC) price"),
    "pbc_price_pen": N_("coca paste (PBC) price (soles)"),
    "police_operations": N_("police operations"),
    "poppy_districts": N_("districts with opium poppy"),
    "poppy_eradication_ha": N_("opium-poppy eradication"),
    "seized_destroyed_hcl_kg": N_("cocaine hydrochloride seized or destroyed"),
    "seized_destroyed_pbc_kg": N_("coca paste seized or destroyed"),
    "seizures_all_kg": N_("drug seizures"),
    "seizures_all_t": N_("drug seizures"),
    "seizures_hcl_kg": N_("cocaine hydrochloride seizures"),
    "seizures_pbc_kg": N_("coca paste seizures"),
    "us_cn_funding_musd": N_("US counter-narcotics funding"),
    "us_eradication_funding_musd": N_("US eradication funding"),
    "yield_kg_ha": N_("coca leaf yield"),
}

STATUSES = {
    "on track": N_("on track"),
    "at risk": N_("at risk"),
    "off track": N_("off track"),
    "no data": N_("no data"),
    "no target": N_("no target"),
}

COUNTRIES = {
    "Peru": N_("Peru"),
    "Colombia": N_("Colombia"),
    "Bolivia": N_("Bolivia"),
}

QUALITY = {
    "official": N_("official"),
    "press": N_("press"),
    "transcription": N_("transcription"),
    "weak": N_("weak"),
    "estimate": N_("estimate"),
}

DIRECTIONS = {"higher": N_("higher"), "lower": N_("lower")}

TRENDS = {"improving": N_("improving"), "worsening": N_("worsening"), "steady": N_("steady")}

JOB_STATUSES = {
    "queued": N_("queued"),
    "running": N_("running"),
    "done": N_("done"),
    "failed": N_("failed"),
}

ZONE_KINDS = {
    "traditional": N_("traditional"),
    "hard_core": N_("hard core"),
    "expansion": N_("expansion"),
}


def _word(table: dict[str, str], key: str) -> str:
    key = str(key)
    return _(table[key]) if key in table else key.replace("_", " ")


def lever_name(lever_id: str) -> str:
    """A lever's name in the current language (``forced_eradication`` → "forced eradication")."""
    return _word(LEVER_NAMES, lever_id)


def unit(name: str) -> str:
    """A unit in the current language (``ha/yr`` → "ha/año" in Spanish)."""
    return _word(UNITS, name)


def variable(name: str) -> str:
    """A variable's name in the current language."""
    return _word(VARIABLES, name)


def status(name: str) -> str:
    """A tracker status in the current language."""
    return _word(STATUSES, name)


def country(name: str) -> str:
    """A country's name in the current language (Peru → Perú)."""
    return _word(COUNTRIES, name)


def quality(name: str) -> str:
    """A data-quality flag in the current language."""
    return _word(QUALITY, name)


def direction(name: str) -> str:
    """Which way is better for an indicator (higher, lower) in the current language."""
    return _word(DIRECTIONS, name)


def trend(name: str) -> str:
    """An indicator's trend (improving, worsening, steady) in the current language."""
    return _word(TRENDS, name)


def job_status(name: str) -> str:
    """A background run's status (queued, running, done, failed) in the current language."""
    return _word(JOB_STATUSES, name)


def zone_kind(name: str) -> str:
    """A zone kind (traditional, hard core, expansion) in the current language."""
    return _word(ZONE_KINDS, name)


def jinja_filters() -> dict[str, Any]:
    """These words as Jinja2 filters (``{{ r.status|status }}``) for pages and reports."""
    return {"status": status, "unit": unit, "variable": variable, "lever": lever_name,
            "country": country, "quality": quality, "direction": direction, "trend": trend,
            "job_status": job_status, "zone_kind": zone_kind}


__all__ = ["COUNTRIES", "DIRECTIONS", "JOB_STATUSES", "LEVER_NAMES", "QUALITY", "STATUSES",
           "TRENDS", "UNITS", "VARIABLES", "ZONE_KINDS", "country", "direction", "jinja_filters",
           "job_status",
           "lever_name", "quality", "status", "trend", "unit", "variable", "zone_kind"]
