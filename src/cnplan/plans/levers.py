"""The catalogue of programme levers a plan can set, with units, scope and bounds.

One place declares every lever so that plans, experiments, the tracker and the model agree on
names, units and what values are allowed (the scikit-learn idea: constraints declared once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cnplan.i18n import N_

Scope = Literal["zone", "national"]


@dataclass(frozen=True)
class LeverSpec:
    """A lever: what it is, its unit, whether it is set per zone or nationally, and its bounds."""

    id: str
    unit: str
    scope: Scope
    description: str
    minimum: float = 0.0
    maximum: float | None = None


LEVERS: dict[str, LeverSpec] = {
    spec.id: spec
    for spec in [
        LeverSpec(
            "forced_eradication",
            "ha/yr",
            "zone",
            N_("Forced (manual, CORAH) eradication target in hectares per year."),
        ),
        LeverSpec(
            "eradication_security",
            "persons",
            "national",
            N_("Police escorting eradication crews (e.g. the 120-member "
               "Eradication Security Group)."),
        ),
        LeverSpec(
            "voluntary_eradication",
            "ha/yr",
            "zone",
            N_("Voluntary eradication agreed with communities in exchange for alternative "
               "development."),
        ),
        LeverSpec(
            "ad_funding",
            "million USD/yr",
            "zone",
            N_("Alternative-development support (technical assistance, roads, licit crops)."),
        ),
        LeverSpec(
            "forward_base_police",
            "persons",
            "zone",
            N_("Police stationed at forward operating bases for sustained "
               "source-zone interdiction."),
        ),
        LeverSpec(
            "source_interdiction",
            "index 0-1",
            "zone",
            N_("Intensity of interdiction of leaf, paste and labs close to the source zone "
               "(0 none, 1 sustained saturation)."),
            maximum=1.0,
        ),
        LeverSpec(
            "road_interdiction_groups",
            "groups",
            "national",
            N_("Mobile road interdiction groups with gamma-ray equipment (precursors and drugs)."),
        ),
        LeverSpec(
            "port_inspection_teams",
            "teams",
            "national",
            N_("Document review groups and cargo-container inspection teams at seaports "
               "and airport."),
        ),
        LeverSpec(
            "precursor_control",
            "index 0-1",
            "national",
            N_("Implementation of precursor-chemical control (law and its regulations)."),
            maximum=1.0,
        ),
        LeverSpec(
            "police_graduates",
            "persons/yr",
            "national",
            N_("Police graduated from supported academies and assigned to anti-drug units."),
        ),
        LeverSpec(
            "police_in_training",
            "persons/yr",
            "national",
            N_("Police cadets starting the (18-month) academy course in the year."),
        ),
        LeverSpec(
            "poppy_intelligence",
            "index 0-1",
            "national",
            N_("Human and technical intelligence on where opium poppy is grown "
               "(0 none, 1 complete)."),
            maximum=1.0,
        ),
        LeverSpec(
            "outreach_campaigns",
            "million USD/yr",
            "national",
            N_("Media and public-relations campaigns on cultivation, trafficking "
               "and domestic use."),
        ),
        LeverSpec(
            "outside_assistance",
            "million USD/yr",
            "national",
            N_("Outside (e.g. US) counter-narcotics assistance to the programme."),
        ),
    ]
}

NATIONAL = "national"
