"""Words the project shows that are built from identifiers: levers, units, variables, statuses.

Identifiers stay English in files, APIs and databases (``forced_eradication``, ``ha/yr``,
``on track``); pages, reports and the CLI show them through these functions, so they read in
the current language. Each word is marked with ``N_`` here for the catalogue; an identifier
without a word here is shown as itself (with underscores as spaces).
"""

from __future__ import annotations

from cnplan.i18n import N_, _

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
    "eradication_ha": N_("eradication"),
    "eradication_forced_ha": N_("forced eradication"),
    "eradication_voluntary_ha": N_("voluntary eradication"),
    "dry_leaf_t": N_("dry coca leaf"),
}

STATUSES = {
    "on track": N_("on track"),
    "at risk": N_("at risk"),
    "off track": N_("off track"),
    "no data": N_("no data"),
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


def zone_kind(name: str) -> str:
    """A zone kind (traditional, hard core, expansion) in the current language."""
    return _word(ZONE_KINDS, name)


__all__ = ["LEVER_NAMES", "STATUSES", "UNITS", "VARIABLES", "ZONE_KINDS", "lever_name", "status",
           "unit", "variable", "zone_kind"]
