"""The model's outputs, declared once: flow key, ensemble name, unit, dims and meaning.

Adding a flow is one declaration here plus the code that computes it in ``engine.step``: the
engine's ``Flows``, the ensemble ``Dataset`` (``simulate.to_dataset``), the plain-Python
reference's record and the table in ``docs/model.md`` are all driven by this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OutputSpec:
    """One yearly output: ``key`` in the engine, ``name`` in the ensemble, per unit or country."""

    key: str
    name: str
    unit: str
    dims: Literal["unit", "country"]
    meaning: str


OUTPUTS: tuple[OutputSpec, ...] = (
    OutputSpec("area", "coca_ha", "ha", "unit", "standing coca at 31 December"),
    OutputSpec("new_planting", "new_planting_ha", "ha/yr", "unit", "gross new planting"),
    OutputSpec(
        "matured", "displaced_in_ha", "ha/yr", "unit", "displaced planting maturing this year"
    ),
    OutputSpec(
        "replanted",
        "replanted_ha",
        "ha/yr",
        "unit",
        "eradicated fields replanted (this and last year's eradication)",
    ),
    OutputSpec("regenerated", "regenerated_ha", "ha/yr", "unit", "abandoned fields brought back"),
    OutputSpec("relapsed", "ad_relapse_ha", "ha/yr", "unit", "AD land replanted with coca"),
    OutputSpec("abandoned", "abandoned_ha", "ha/yr", "unit", "fields abandoned"),
    OutputSpec(
        "eradication_planned",
        "eradication_planned_ha",
        "ha/yr",
        "unit",
        "forced eradication the plan asks for (a group or national target attributed to units "
        "by standing coca); in history mode the observed national figure",
    ),
    OutputSpec(
        "forced_eradication", "forced_eradication_ha", "ha/yr", "unit", "forced eradication done"
    ),
    OutputSpec(
        "eradication_undelivered",
        "eradication_undelivered_ha",
        "ha/yr",
        "unit",
        "planned minus delivered forced eradication (negative where a group or national "
        "target was redirected into the unit)",
    ),
    OutputSpec(
        "voluntary_eradication",
        "voluntary_eradication_ha",
        "ha/yr",
        "unit",
        "voluntary eradication with alternative development",
    ),
    OutputSpec("displaced", "displaced_ha", "ha/yr", "unit", "displaced planting started"),
    OutputSpec("presence", "state_presence", "index 0-1", "unit", "state presence"),
    OutputSpec("resistance", "resistance", "index 0-1", "unit", "resistance to eradication"),
    OutputSpec("leaf_price", "leaf_price", "USD/kg", "country", "farm-gate coca leaf price"),
    OutputSpec(
        "coverage",
        "funding_coverage",
        "share of programme cost funded",
        "country",
        "the share of the standing programmes' cost (police, AD, teams, outreach) that the "
        "state and outside assistance fund; forced eradication is paid from what is left",
    ),
    OutputSpec(
        "eradication_coverage",
        "eradication_funding",
        "share of eradication cost funded",
        "country",
        "the share of the planned forced eradication's cost that the money left funds",
    ),
    OutputSpec(
        "state_capacity",
        "state_capacity",
        "share of programme cost the state funds alone",
        "country",
        "the share of the plan's cost the state's own budget funds",
    ),
    OutputSpec("political_will", "political_will", "index 0-1", "country", "political will"),
    OutputSpec(
        "cost",
        "programme_cost_musd",
        "million USD/yr",
        "country",
        "the plan's programme cost before funding limits: standing programmes (police, AD, "
        "teams, outreach) plus the planned forced eradication",
    ),
    OutputSpec("poppy", "poppy_ha", "ha", "country", "opium poppy"),
    OutputSpec("poppy_eradicated", "poppy_eradicated_ha", "ha/yr", "country", "poppy eradicated"),
    OutputSpec(
        "short_funding",
        "eradication_short_funding_ha",
        "ha/yr",
        "country",
        "planned forced eradication not done for lack of funds",
    ),
    OutputSpec(
        "short_feasibility",
        "eradication_short_feasibility_ha",
        "ha/yr",
        "country",
        "not done because the phase rules out eradication in hard-core units",
    ),
    OutputSpec(
        "short_resistance",
        "eradication_short_resistance_ha",
        "ha/yr",
        "country",
        "not done because of growers' resistance (not overcome by political will)",
    ),
    OutputSpec(
        "short_security",
        "eradication_short_security_ha",
        "ha/yr",
        "country",
        "not done for lack of police escorts (security capacity)",
    ),
    OutputSpec(
        "short_cap",
        "eradication_short_cap_ha",
        "ha/yr",
        "country",
        "not done because the units could not take it (yearly cap, coca left) and the plan's "
        "scope gave nowhere else to go",
    ),
)

SPECS: dict[str, OutputSpec] = {o.key: o for o in OUTPUTS}
UNIT_FLOWS: tuple[str, ...] = tuple(o.key for o in OUTPUTS if o.dims == "unit")
COUNTRY_FLOWS: tuple[str, ...] = tuple(o.key for o in OUTPUTS if o.dims == "country")
SHORTFALL_CAUSES: tuple[str, ...] = (
    "short_funding",
    "short_feasibility",
    "short_resistance",
    "short_security",
    "short_cap",
)


def markdown_table() -> str:
    """The outputs table of ``docs/model.md``."""
    rows = ["| output | unit | per | meaning |", "|---|---|---|---|"]
    rows += [f"| `{o.name}` | {o.unit} | {o.dims} | {o.meaning} |" for o in OUTPUTS]
    return "\n".join(rows)
