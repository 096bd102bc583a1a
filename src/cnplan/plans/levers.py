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

EvidenceKind = Literal["fitted", "published", "assumption"]


@dataclass(frozen=True)
class LeverEvidence:
    """What a lever's effect in the model rests on.

    ``fitted``: the parameters that carry it are fitted to the monitoring data (``cnplan
    calibrate``); ``published``: they are set from a published estimate (cited by key of
    ``docs/references.md``); ``assumption``: no data or estimate informs them, only a stated
    range. ``parameters`` are the model parameters through which the lever acts (the first one
    is named in the label); ``basis`` says in one line what the evidence is.
    """

    kind: EvidenceKind
    parameters: tuple[str, ...]
    basis: str


LEVER_EVIDENCE: dict[str, LeverEvidence] = {
    "forced_eradication": LeverEvidence(
        "fitted",
        ("replant_share", "replant_share_hard_core", "replant_same_year_share",
         "eradication_max_share", "risk_deterrence", "displacement_share"),
        "fitted to coca area with the observed eradication as input, kept inside the published "
        "net effects [Mejia2017], [Ibanez2017], [MinJusticia2015], [Mansfield2011]",
    ),
    "eradication_security": LeverEvidence(
        "assumption", ("escort_productivity", "resistance_block"),
        "hectares one more escort makes possible: no published figure",
    ),
    "voluntary_eradication": LeverEvidence(
        "published", ("voluntary_replant_share",),
        "0.6% replanting one year after the first payment, Colombia's PNIS [UNODC2019PNIS]",
    ),
    "ad_funding": LeverEvidence(
        "assumption", ("ad_planting_cut", "ad_relapse_rate", "ad_cost_per_ha"),
        "its effect on planting and relapse is not in the data; cost per hectare derived from "
        "PIRDAIS 2020 (peru SOURCES.md S72)",
    ),
    "forward_base_police": LeverEvidence(
        "assumption", ("presence_half_police", "police_zone_share"),
        "how police raise state presence is not in the data (presence's own effect is fitted)",
    ),
    "source_interdiction": LeverEvidence(
        "published", ("interdiction_price_effect",),
        "leaf price fell ~60% after the 1995 air-bridge interdiction [Anthony2000]",
    ),
    "road_interdiction_groups": LeverEvidence(
        "assumption", ("route_interdiction_effect",), "no published estimate",
    ),
    "port_inspection_teams": LeverEvidence(
        "assumption", ("route_interdiction_effect",), "no published estimate",
    ),
    "precursor_control": LeverEvidence(
        "assumption", ("precursor_price_effect", "precursor_substitution_rate"),
        "small and transient in the literature [Ramsey2012], without a figure",
    ),
    "police_graduates": LeverEvidence(
        "assumption", ("presence_half_police", "police_attrition"),
        "how police raise state presence is not in the data",
    ),
    "police_in_training": LeverEvidence(
        "assumption", ("presence_half_police", "police_attrition"),
        "acts through the graduates it becomes",
    ),
    "poppy_intelligence": LeverEvidence(
        "assumption", ("poppy_detection_base",), "no reliable poppy estimates exist",
    ),
    "outreach_campaigns": LeverEvidence(
        "assumption", ("outreach_will_gain",), "no published estimate",
    ),
    "outside_assistance": LeverEvidence(
        "assumption", (),
        "money, whose effect is that of the levers it funds",
    ),
}
"""Declared once, next to the levers: shown by ``cnplan run`` (output, report, run.json),
``cnplan sensitivity`` and ``cnplan optimize`` (:mod:`cnplan.calibrate.evidence`)."""
