"""The model's parameters: unit, default, plausible range and source, declared once.

Every number the simulator uses that is not data or a plan lever lives here. Each parameter
says where its value comes from: a published figure cited by its key in ``docs/references.md``
(e.g. ``[DEVIDA2021]``) or by its source id in the Peru dataset's ``SOURCES.md`` (``peru S01``),
a value derived from such figures (marked "derived"), or a stated assumption with its plausible
range. Until a calibrated
parameter set is shipped, these defaults are *provisional*: an ensemble draws each parameter
uniformly from its range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ParamSpec:
    """One model parameter with its unit, default, plausible range and provenance."""

    name: str
    unit: str
    default: float
    low: float
    high: float
    source: str
    description: str

    @property
    def is_assumption(self) -> bool:
        return self.source.startswith("assumption")


DATA = "peru"
"""Prefix of a Peru dataset source id (``peru S01``): see ``src/cnplan/data/peru/SOURCES.md``."""

PARAMETERS: tuple[ParamSpec, ...] = (
    # --- planting, abandonment, regeneration -------------------------------------------------
    ParamSpec(
        "planting_rate_max",
        "1/yr",
        0.20,
        0.08,
        0.50,
        "derived: gross new planting ~26,000 ha/yr on ~50,000 ha standing, Peru 2016-2020 "
        "(DEVIDA 2021 [DEVIDA2021])",
        "Highest gross new-planting rate, as a share of standing area, when coca pays far more "
        "than licit crops.",
    ),
    ParamSpec(
        "price_response",
        "1",
        1.0,
        0.4,
        2.5,
        "assumption: no published own-price elasticity of coca area for Peru; the 1995 episode "
        "implies a long-run arc elasticity of order 1 [Anthony2000]",
        "Scale of the log price margin at which planting reaches about 3/4 of its maximum.",
    ),
    ParamSpec(
        "break_even_price",
        "USD/kg",
        1.0,
        0.7,
        1.5,
        "Economist 2002: coca competitive with other crops at about US$1/kg of leaf "
        "[Economist2002]",
        "Leaf price at which coca and licit crops pay the same in the base year.",
    ),
    ParamSpec(
        "licit_income_growth",
        "1/yr",
        0.03,
        0.0,
        0.06,
        "assumption: licit farm income growth (free-trade agreement, stronger economy: cable ¶7)",
        "Yearly growth of licit income, which raises the break-even leaf price.",
    ),
    ParamSpec(
        "abandonment_rate_max",
        "1/yr",
        0.25,
        0.10,
        0.45,
        "derived: 66% of fields abandoned 1995-1999 after the price collapse (IDA 2000 "
        "[Anthony2000]) is about 0.24/yr",
        "Highest yearly share of standing coca abandoned when the leaf price is far below "
        "break-even.",
    ),
    ParamSpec(
        "regeneration_rate",
        "1/yr",
        0.30,
        0.10,
        0.50,
        "assumption: abandoned fields are easily regenerated (UNODC 2003 survey [UNODC2004]; "
        "CIA 1999 [CIA1999])",
        "Yearly share of abandoned fields brought back into production when coca pays.",
    ),
    ParamSpec(
        "land_capacity_factor",
        "1",
        3.0,
        1.5,
        6.0,
        "assumption: land suitable and accessible for coca in a zone, as a multiple of the "
        "zone's largest observed area",
        "Caps a zone's standing area; planting slows as the cap nears (logistic).",
    ),
    ParamSpec(
        "seed_area_ha",
        "ha",
        200.0,
        50.0,
        500.0,
        "assumption: a zone with almost no coca can still be planted from its surroundings",
        "Area added to a zone's standing area when computing its new planting.",
    ),
    ParamSpec(
        "planting_noise_sd",
        "1",
        0.10,
        0.03,
        0.25,
        "assumption: year-to-year variation of planting not explained by price",
        "Standard deviation of the log-normal yearly shock on new planting, per zone.",
    ),
    # --- eradication, replanting, displacement, resistance ------------------------------------
    ParamSpec(
        "replant_share",
        "1",
        0.45,
        0.05,
        0.95,
        "assumption: plausible range 0.05-0.95, wider than the evidence so that the literature "
        "check of the emergent replanting share can fail at both ends; the published 30-60% "
        "after forced eradication, Peru 2016-2020 [DEVIDA2021], and 50-67% in Colombia, 2019 "
        "[InSightCrime2019], enter the calibration as evidence (cnplan.calibrate.effects."
        "EVIDENCE), not as the prior",
        "Share of forcibly eradicated area replanted the following year (outside hard-core zones).",
    ),
    ParamSpec(
        "replant_share_hard_core",
        "1",
        0.75,
        0.20,
        0.99,
        "assumption: plausible range 0.20-0.99, wider than the evidence so that the literature "
        "check can fail at both ends; the published 92% of eradicated land in the VRAEM "
        "replanted within two years [DEVIDA2016] enters the calibration as evidence (band "
        "0.50-0.92, cnplan.calibrate.effects.EVIDENCE), not as the prior",
        "Share of forcibly eradicated area replanted the following year in hard-core zones.",
    ),
    ParamSpec(
        "presence_replant_cut",
        "1",
        0.5,
        0.0,
        0.8,
        "assumption: state presence (police, monitoring) lowers replanting of eradicated fields "
        "(from none to most of it: no published estimate)",
        "Share of replanting prevented at full state presence.",
    ),
    ParamSpec(
        "replant_same_year_share",
        "1",
        0.5,
        0.0,
        1.0,
        "assumption: growers replant as soon as the eradicators leave ([Grillo2021]; 92% of the "
        "VRAEM's eradicated land replanted within two years, [DEVIDA2016]); a same-year net "
        "reduction of 0.02-0.44 ha per ha eradicated ([Mejia2017], [Ibanez2017]) implies much "
        "of it is within the year",
        "Share of the replanting of forcibly eradicated fields done in the same year (the rest "
        "is done the following year).",
    ),
    ParamSpec(
        "risk_deterrence",
        "1 per unit risk",
        1.5,
        0.0,
        4.0,
        "assumption within the literature's sign: eradication deters new fields (Davalos 2016 "
        "[Davalos2016]: small; Davalos & Morales 2019 [Davalos2019]: -8% new coca in sprayed "
        "municipalities; Dion & Russler "
        "2008 [Dion2008]); Peru's 2013-2015 fall came with record eradication "
        f"({DATA} S18, S20, S23)",
        "Strength of the deterrence of new planting by perceived eradication risk: planting is "
        "multiplied by exp(-risk_deterrence x risk), risk being the smoothed share of a zone's "
        "coca eradicated per year.",
    ),
    ParamSpec(
        "risk_update",
        "1/yr",
        0.5,
        0.2,
        1.0,
        "assumption: growers weigh recent eradication more (time-weighted risk learning as in "
        "NarcoLogic, Magliocca et al. 2019 [Magliocca2019])",
        "Weight of the latest year's eradicated share in growers' perceived risk (1: only the "
        "latest year counts).",
    ),
    ParamSpec(
        "displacement_share",
        "1",
        0.3,
        0.0,
        1.0,
        "assumption within the literature's bounds: geographic substitution can be one-for-one "
        "[NRC2001] and control moves where more than how much [Reuter2008]",
        "Share of the area removed for good by eradication that is planted anew in other zones "
        "(mostly expansion frontiers), after a one-year clearing lag.",
    ),
    ParamSpec(
        "eradication_max_share",
        "1",
        0.5,
        0.3,
        0.7,
        f"assumption: Alto Huallaga fell from 9,509 to 4,302 ha in 2012-2013 under eradication "
        f"({DATA} S19)",
        "Largest share of a zone's area that can be eradicated in one year.",
    ),
    ParamSpec(
        "eradication_base_capacity",
        "ha/yr",
        12000.0,
        10000.0,
        15000.0,
        f"12,232 ha eradicated in 2005 ({DATA} S01); never above ~15,000 ha/yr before "
        f"2013 ({DATA} S65)",
        "Forced eradication the existing police escorts can protect in a year.",
    ),
    ParamSpec(
        "escort_productivity",
        "ha/person/yr",
        25.0,
        10.0,
        50.0,
        "assumption: hectares per year one additional escort police officer makes possible",
        "Extra forced-eradication capacity per police officer in eradication security.",
    ),
    ParamSpec(
        "hard_core_edge_share",
        "1",
        0.3,
        0.1,
        0.5,
        "assumption: while serious eradication in the core areas is not possible, the noose is "
        "drawn at their edges (cable ¶1-2)",
        "Share of the planned forced eradication in a hard-core zone carried out at its edges in a "
        "phase that rules out eradication in hard-core zones.",
    ),
    ParamSpec(
        "resistance_gain",
        "1/yr",
        1.0,
        0.5,
        2.0,
        "assumption: growers in core areas resist eradication with armed force (cable ¶2)",
        "Rise of resistance per unit share of a zone's area eradicated without state presence.",
    ),
    ParamSpec(
        "resistance_decay",
        "1/yr",
        0.3,
        0.1,
        0.5,
        "assumption",
        "Yearly decay of resistance, faster where the state is present.",
    ),
    ParamSpec(
        "resistance_block",
        "1",
        0.8,
        0.5,
        1.0,
        "assumption",
        "Share of planned forced eradication blocked at full resistance.",
    ),
    # --- voluntary eradication and alternative development -----------------------------------
    ParamSpec(
        "ad_cost_per_ha",
        "USD/ha",
        1100.0,
        700.0,
        3000.0,
        f"derived: PIRDAIS 2020 S/173.5M for 46,503 ha assisted ({DATA} S72), about "
        "US$1,100/ha at an assumed 3.4 PEN/USD",
        "Alternative-development support needed per hectare voluntarily eradicated.",
    ),
    ParamSpec(
        "ad_upkeep_share",
        "1/yr",
        0.3,
        0.1,
        0.5,
        "assumption: AD must keep the reduction sustainable afterwards (cable ¶6)",
        "Yearly support per hectare held, as a share of the first-year cost per hectare.",
    ),
    ParamSpec(
        "ad_relapse_rate",
        "1/yr",
        0.5,
        0.2,
        0.8,
        "assumption: the reduction lasts only while support lasts (cable ¶6 "
        "[USEmbassyLima2005]: AD resources ensure 'the sustainability of coca reduction')",
        "Yearly share of voluntarily eradicated area without support that returns to coca.",
    ),
    ParamSpec(
        "ad_planting_cut",
        "1",
        0.3,
        0.0,
        0.6,
        "assumption informed by: where Colombia's substitution programme ran, coca fell 11% in "
        "2017 against +17% nationally [UNODC2018Colombia]; San Martin's AD 'model' (28,600 ha in "
        "1992 "
        "to 378 ha in 2009, with eradication and roads) [IDEI2010]; cable ¶6 "
        "[USEmbassyLima2005]: AD makes the reduction sustainable",
        "Largest share of new planting and of replanting that alternative-development spending "
        "in a zone prevents (it raises licit income there); the effect saturates as spending "
        "per hectare of coca grows: 1 - exp(-spending per ha / ad_cost_per_ha).",
    ),
    ParamSpec(
        "voluntary_replant_share",
        "1/yr",
        0.006,
        0.0,
        0.05,
        "UNODC PNIS monitoring 2019: 0.6% replanting one year after first payment [UNODC2019PNIS]",
        "Yearly replanting on supported, voluntarily eradicated land.",
    ),
    # --- prices and interdiction ---------------------------------------------------------------
    ParamSpec(
        "price_elasticity",
        "1",
        1.0,
        0.5,
        2.0,
        "assumption: no published elasticity of Peruvian leaf demand was found",
        "Elasticity of traffickers' leaf demand; price moves by -1/elasticity per unit log supply.",
    ),
    ParamSpec(
        "demand_growth",
        "1/yr",
        0.03,
        0.0,
        0.07,
        "assumption: growth of traffickers' demand for Peruvian leaf",
        "Yearly growth of the leaf quantity traffickers buy at a given price.",
    ),
    ParamSpec(
        "interdiction_price_effect",
        "1",
        0.3,
        0.1,
        0.6,
        "leaf price fell ~60% after the 1995 air-bridge interdiction [Anthony2000] and ~50% "
        "after "
        "the 2015 shoot-down law (DEVIDA, [InSightCrime2016]); the full-intensity value is an "
        "assumption",
        "Fall of the leaf price (log) at full source-zone interdiction intensity.",
    ),
    ParamSpec(
        "precursor_price_effect",
        "1",
        0.1,
        0.0,
        0.2,
        "precursor control has a small and transient effect (kerosene ban; [Ramsey2012])",
        "Fall of the leaf price (log) at full, not yet circumvented, precursor control.",
    ),
    ParamSpec(
        "precursor_substitution_rate",
        "1/yr",
        0.5,
        0.3,
        1.0,
        "traffickers substitute every input but HCl [Ramsey2012]; rate is an assumption",
        "Yearly rate at which traffickers adapt to precursor control.",
    ),
    ParamSpec(
        "price_noise_sd",
        "1",
        0.15,
        0.05,
        0.30,
        f"assumption: leaf price moved 4.3 -> 3.1 USD/kg in 2014-2016 ({DATA} S22, S23)",
        "Standard deviation of the yearly log leaf-price shock.",
    ),
    ParamSpec(
        "price_persistence",
        "1",
        0.5,
        0.0,
        0.8,
        "assumption",
        "Autocorrelation of the yearly log leaf-price shock.",
    ),
    # --- state presence and capacity -----------------------------------------------------------
    ParamSpec(
        "presence_half_police",
        "persons",
        500.0,
        200.0,
        1500.0,
        "assumption",
        "Police stationed in a zone that bring state presence halfway from its base level to full.",
    ),
    ParamSpec(
        "presence_deterrence",
        "1",
        0.3,
        0.1,
        0.6,
        "assumption: planting is inelastic to perceived risk (Ibanez & Carlsson 2010 "
        "[IbanezCarlsson2010])",
        "Share of new planting deterred at full state presence.",
    ),
    ParamSpec(
        "police_zone_share",
        "1",
        0.5,
        0.3,
        0.8,
        "assumption",
        "Share of anti-drug police graduates stationed in coca zones (by area).",
    ),
    ParamSpec(
        "police_attrition",
        "1/yr",
        0.33,
        0.2,
        0.5,
        "cable ¶8: graduates assigned to anti-drug units for 3 years",
        "Yearly share of assigned police who leave the anti-drug units.",
    ),
    ParamSpec(
        "police_cost",
        "USD/person/yr",
        10000.0,
        5000.0,
        20000.0,
        "assumption",
        "Yearly cost of one police officer in anti-drug units or at forward bases.",
    ),
    ParamSpec(
        "eradication_cost",
        "USD/ha",
        1200.0,
        900.0,
        1800.0,
        f"derived: S/117M (~US$36.22M) for ~30,000 ha, Jan-Oct 2015 ({DATA} S64)",
        "Cost of forced eradication per hectare (manual, Peru).",
    ),
    ParamSpec(
        "domestic_budget",
        "million USD/yr",
        30.0,
        15.0,
        60.0,
        "assumption: the state's own counter-narcotics budget in the plan's first year",
        "Domestic budget available for the plan's programmes in the first year.",
    ),
    ParamSpec(
        "gdp_growth",
        "1/yr",
        0.05,
        0.02,
        0.07,
        "assumption: growth of the economy and so of the state's budget (cable ¶7)",
        "Yearly growth of the domestic counter-narcotics budget.",
    ),
    ParamSpec(
        "outreach_will_gain",
        "1/(million USD)",
        0.05,
        0.0,
        0.15,
        "assumption: campaigns link cultivation, trafficking and domestic use (cable ¶8)",
        "Political will gained per million USD of cumulative outreach (towards full will).",
    ),
    ParamSpec(
        "team_cost",
        "million USD/yr",
        0.5,
        0.2,
        1.0,
        "assumption",
        "Yearly cost of one road interdiction group or one port inspection team.",
    ),
    ParamSpec(
        "route_interdiction_effect",
        "1/team",
        0.02,
        0.0,
        0.05,
        "assumption: port and road controls raise traffickers' costs, pushing leaf prices down "
        "(cable ¶5)",
        "Interdiction intensity added by each road group or port team (exponential saturation).",
    ),
    ParamSpec(
        "presence_base",
        "1",
        0.15,
        0.05,
        0.3,
        "assumption: 'lack of central government presence in rural areas' (cable ¶4)",
        "State presence in an expansion zone without dedicated police (traditional zones twice "
        "this, hard-core zones a third).",
    ),
    ParamSpec(
        "resistance_initial_hard_core",
        "1",
        0.5,
        0.3,
        0.8,
        "assumption: 'cocaleros in the core cultivation areas are prepared to resist eradication "
        "with armed force' (cable ¶2)",
        "Resistance to forced eradication in hard-core zones at the start (others start at 0).",
    ),
    # --- opium poppy ---------------------------------------------------------------------------
    ParamSpec(
        "poppy_initial_ha",
        "ha",
        1500.0,
        500.0,
        2500.0,
        "weak: 500 ha (2001) to 2,000-2,500 ha (2005), police and commentary estimates "
        f"({DATA} S71); Peru has no official poppy monitoring",
        "Opium poppy area at the start (drawn from the range: the figure is not known).",
    ),
    ParamSpec(
        "poppy_growth",
        "1/yr",
        0.15,
        0.0,
        0.3,
        f"assumption: poppy spreading to new departments ({DATA} S70)",
        "Yearly growth of undetected opium poppy.",
    ),
    ParamSpec(
        "poppy_detection_base",
        "1",
        0.2,
        0.05,
        0.4,
        "assumption: 'no reliable estimates of how many hectares' (cable ¶3)",
        "Share of poppy fields found each year without dedicated intelligence.",
    ),
    ParamSpec(
        "poppy_eradication_share",
        "1",
        0.7,
        0.5,
        0.9,
        "assumption: 'no political obstacles to eradication when we find poppy' (cable ¶2)",
        "Share of detected poppy eradicated in the year.",
    ),
)

FIXED: tuple[ParamSpec, ...] = (
    # Constants of the equations, declared like the parameters so that each has a unit, a
    # plausible range and a source, but held at their value (not drawn, not calibrated, not in
    # the parameter matrix), so that parameter sets stay valid. ``P`` gives them by name.
    ParamSpec(
        "presence_traditional_factor",
        "1",
        2.0,
        1.0,
        3.0,
        "assumption: traditional (licit-use) areas have more state presence than expansion "
        "zones (ENACO registers growers there)",
        "Base state presence of a traditional unit, as a multiple of presence_base.",
    ),
    ParamSpec(
        "presence_hard_core_factor",
        "1",
        1.0 / 3.0,
        0.1,
        1.0,
        "assumption: 'lack of central government presence in rural areas', least in the "
        "hard-core no-go zones (cable ¶2, ¶4)",
        "Base state presence of a hard-core unit, as a multiple of presence_base.",
    ),
    ParamSpec(
        "presence_max",
        "1",
        0.95,
        0.8,
        1.0,
        "assumption: no unit is ever fully controlled",
        "Upper bound of a unit's base state presence.",
    ),
    ParamSpec(
        "displacement_kind_weight",
        "1",
        0.2,
        0.0,
        1.0,
        "assumption: displaced planting goes mostly to the expansion frontiers (DEVIDA 2025, "
        "docs/references.md)",
        "Attraction of a hard-core or traditional unit for displaced planting, relative to an "
        "expansion unit.",
    ),
    ParamSpec(
        "displacement_land_floor",
        "1",
        0.05,
        0.0,
        0.2,
        "assumption: a unit whose land is fully planted still draws a little displaced planting",
        "Added to a unit's free-land share when weighting where displaced planting goes.",
    ),
    ParamSpec(
        "resistance_decay_floor",
        "1",
        0.5,
        0.0,
        1.0,
        "assumption: resistance fades even without state presence, half as fast",
        "Share of resistance_decay that applies without state presence (all of it at full "
        "presence).",
    ),
    ParamSpec(
        "licit_income_gdp_elasticity",
        "1",
        0.5,
        0.0,
        1.0,
        "assumption: a stronger economy raises licit income in the coca areas (cable ¶7), but "
        "farm incomes there follow the national economy only in part",
        "Share of the economy's growth above (below) gdp_growth_expected that is added to "
        "(taken from) the yearly growth of licit income.",
    ),
    ParamSpec(
        "gdp_growth_expected",
        "1/yr",
        0.05,
        0.02,
        0.07,
        "assumption: the default of gdp_growth, the growth the licit-income trend "
        "(licit_income_growth, calibrated on history) already contains",
        "Economic growth at which licit income grows at licit_income_growth.",
    ),
)
FIXED_VALUES: dict[str, float] = {p.name: p.default for p in FIXED}

PARAM_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
PARAM_INDEX: dict[str, int] = {name: i for i, name in enumerate(PARAM_NAMES)}
SPECS: dict[str, ParamSpec] = {p.name: p for p in PARAMETERS}


def defaults() -> np.ndarray:
    """The default value of every parameter, in ``PARAM_NAMES`` order."""
    return np.array([p.default for p in PARAMETERS])


def bounds() -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of every parameter, in ``PARAM_NAMES`` order."""
    return np.array([p.low for p in PARAMETERS]), np.array([p.high for p in PARAMETERS])


def check_values(values: np.ndarray) -> None:
    """Refuse a parameter matrix with the wrong width or values outside the declared ranges."""
    values = np.atleast_2d(values)
    if values.shape[1] != len(PARAMETERS):
        raise ValueError(f"parameters: expected {len(PARAMETERS)} columns, got {values.shape[1]}")
    low, high = bounds()
    bad = (values < low) | (values > high) | ~np.isfinite(values)
    for j in np.flatnonzero(bad.any(axis=0)):
        spec = PARAMETERS[j]
        v = values[bad[:, j], j][0]
        raise ValueError(
            f"parameter {spec.name}: must be within [{spec.low:g}, {spec.high:g}] {spec.unit}, "
            f"got {v:g}"
        )
