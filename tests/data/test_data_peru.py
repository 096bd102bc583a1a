"""The shipped Peru dataset against its published figures (SOURCES.md source ids per value)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cnplan import load_dataset as lazy_load
from cnplan.data import load_dataset, validate
from cnplan.data.load import shipped_path


@pytest.fixture(scope="module")
def peru():
    return load_dataset("peru")


def test_shipped_peru_validates_cleanly():
    assert validate(shipped_path("peru")) == []


def test_lazy_package_attribute_and_stable_version(peru):
    again = lazy_load("peru")
    assert again.version == peru.version and len(peru.version) == 12
    assert peru.country == "Peru"
    assert peru.zone_ids == ["vraem", "huallaga", "la_convencion", "central", "south",
                             "ucayali", "amazon", "north"]


@pytest.mark.parametrize("year,value", [
    (2001, 46200),  # S04, converted from acres as listed
    (2005, 48200),  # S01
    (2011, 62500),  # S14
    (2015, 40300),  # S22
    (2019, 54655),  # S30
    (2022, 95008),  # S30/S34
    (2024, 89755),  # S30/S39
])
def test_unodc_national_series(peru, year, value):
    s = peru.national("coca_ha", source="unodc")
    assert s[year] == value
    assert s.attrs["unit"] == "ha"
    assert peru.national("coca_ha")[year] == value  # default "auto" picks unodc


def test_us_series_is_separate_and_never_mixed(peru):
    us = peru.national("coca_ha", source="us")
    un = peru.national("coca_ha", source="unodc")
    assert us[2019] == 72000  # S42
    assert us[2020] == 88200  # S43
    assert us[1992] == 129100  # S44
    assert un[2019] == 54655 and un[2020] == 61777
    assert un.index.min() == 2001  # no US 1990s value leaks into the UNODC series
    assert 2021 not in us.index or math.isnan(us[2021])
    rows = peru.series("coca_ha", zone="national", source="us")
    assert rows["note"].str.startswith("[series: us]").all()


def test_two_series_without_choice_is_refused(peru):
    from cnplan.data import DataError

    with pytest.raises(DataError, match="several national values"):
        peru.national("coca_ha", source=None)
    with pytest.raises(DataError, match="several series"):
        peru.national("poppy_ha")


def test_eradication_gaps_are_nan_not_zero(peru):
    s = peru.national("eradication_ha")
    for year in (2007, 2008, 2018, 2021):  # still gaps after the search (SOURCES.md)
        assert math.isnan(s[year]), year
    assert s[2006] == 12688  # S86: UNODC/DEVIDA 2006 report via La Hora
    assert s[2010] == 12033 and s[2011] == 10290  # S85: UNODC survey for 2011
    assert s[2022] == 21627.68  # S57
    assert s[2020] == 6272.8  # S50
    assert 2023 not in s.index and 2024 not in s.index  # only part-year figures exist
    assert (s.dropna() > 0).all()


def test_part_year_eradication_rows_are_flagged(peru):
    rows = peru.series("eradication_ha", zone="national")
    part = rows[rows["period"] != "year"]
    assert set(part["year"]) >= {2018, 2021, 2023, 2024, 2025}
    full_years = set(rows.loc[rows["period"] == "year", "year"])
    assert not {2018, 2021, 2023, 2024, 2025} & full_years
    r2021 = part[part["year"] == 2021].iloc[0]
    assert r2021["value"] == 2105 and r2021["period"] == "to 2021-10-28"  # S51


def test_by_zone_crosswalk_aggregation(peru):
    bz = peru.by_zone("coca_ha")
    assert bz.loc[2005, "vraem"] == 15500  # Apurimac-Ene, S01
    assert bz.loc[2005, "huallaga"] == 16000  # Alto Huallaga, S01
    assert bz.loc[2005, "la_convencion"] == 12500  # S01
    assert bz.loc[2024, "vraem"] == 36345  # S30
    south = ["Inambari-Tambopata", "San Gabán", "Kosñipata", "Camanti", "Madre de Dios",
             "Tahuamanu", "Fitzcarrald"]
    obs = peru.observations
    members = obs[(obs["year"] == 2024) & obs["zone"].isin(south)
                  & (obs["variable"] == "coca_ha")]
    assert len(members) == 7
    assert bz.loc[2024, "south"] == members["value"].sum()
    assert math.isnan(bz.loc[2005, "south"])  # inside "Elsewhere": not split, not 0
    assert math.isnan(bz.loc[2010, "vraem"])  # gap year


def test_by_zone_of_a_source_without_rows_is_an_empty_table(peru):
    table = peru.by_zone("coca_ha", source="no-such-source")
    assert table.empty and list(table.columns) == peru.zone_ids


def test_aggregates_are_exposed_not_split(peru):
    ag = peru.aggregates("coca_ha")
    e2004 = ag[(ag["year"] == 2004) & (ag["zone"] == "Elsewhere")].iloc[0]
    assert e2004["value"] == 6000
    assert e2004["zone_ids"] == ("central", "south", "ucayali", "amazon", "north")
    assert set(ag["year"]) == {2004, 2005, 2014, 2017}


# Zones and departments add up to the national figure. Measured maximum discrepancies:
# zones 2004/2005 (with "Elsewhere") 0 ha; zones 2018-2024 at most 2 ha (0.002%, per-zone
# rounding of the DEVIDA tables); departments 2018-2024 at most 2 ha; departments 2017: 29 ha
# (49,871 vs 49,900), because the 2017 national figure (S27) is rounded to the hundred.
@pytest.mark.parametrize("year", [2004, 2005, 2018, 2019, 2020, 2021, 2022, 2023, 2024])
def test_zones_add_up_to_national(peru, year):
    national = peru.national("coca_ha")[year]
    zones = peru.by_zone("coca_ha").loc[year].sum(min_count=1)
    ag = peru.aggregates("coca_ha")
    spanning = ag[(ag["year"] == year) & (ag["zone"] == "Elsewhere")]["value"].sum()
    assert abs(zones + spanning - national) <= 2


@pytest.mark.parametrize("year", range(2017, 2025))
def test_departments_add_up_to_national(peru, year):
    obs = peru.observations
    depts = obs[(obs["year"] == year) & obs["zone"].str.startswith("dept:")
                & (obs["variable"] == "coca_ha")]
    assert len(depts) == 13
    tolerance = 50 if year == 2017 else 2  # 2017 national is rounded to the hundred (S27)
    assert abs(depts["value"].sum() - peru.national("coca_ha")[year]) <= tolerance


def test_no_variable_mixes_units_and_values_have_sources(peru):
    obs = peru.observations
    assert (obs.groupby("variable")["unit"].nunique() == 1).all()
    # Every row has a value or a bound (the 2008 poppy ">2000", S96), never neither.
    assert (obs["value"].notna() | obs["lower"].notna() | obs["upper"].notna()).all()
    assert obs["value"].isna().sum() == 1
    assert obs["source_id"].str.match(r"^S\d\d(;S\d\d)*$").all()
    assert set(obs["quality"]) <= {"official", "press", "transcription", "weak"}
    assert (obs.loc[obs["variable"] == "poppy_ha", "quality"] == "weak").all()


def test_every_zone_name_is_in_crosswalk(peru):
    names = set(peru.observations["zone"]) - {"national"}
    assert names <= set(peru.crosswalk["source_name"])
    cw = peru.crosswalk.set_index("source_name")
    assert cw.loc["Madre de Dios", "zone_ids"] == "south"
    assert cw.loc["dept:Madre de Dios", "level"] == "department"
    assert cw.loc["Amazonas", "zone_ids"] == "north"


def test_series_filter_by_model_zone(peru):
    rows = peru.series("coca_ha", zone="vraem")
    assert {"Apurimac-Ene", "VRAE", "VRAEM", "VRAE (Apurímac y Ene)"} == set(rows["zone"])
    assert isinstance(rows, pd.DataFrame)


def test_leaf_prices_arithmetic_and_weighted_means_are_separate_series(peru):
    arith = peru.national("leaf_price")
    weighted = peru.national("leaf_price_weighted")
    assert arith[2006] == 2.52  # S87, UNODC/DEVIDA 2006 report as reported
    assert arith[2010] == 3.1 and arith[2011] == 3.3  # S85, UNODC survey for 2011
    assert (arith[2014], weighted[2014]) == (4.3, 3.7)  # S22 "Datos clave"
    assert (arith[2015], weighted[2015]) == (3.9, 3.2)  # S22
    assert (arith[2016], weighted[2016]) == (3.1, 2.2)  # S23
    for year in (2007, 2008, 2009, 2017, 2024):  # gaps stay gaps (SOURCES.md)
        assert math.isnan(arith.get(year, math.nan)), year
    vraem = peru.series("leaf_price", zone="Apurímac-Ene and Mantaro River Valley")
    assert vraem["value"].tolist() == [2.8]
    assert tuple(peru.zone_ids_of(vraem["zone"].iloc[0])) == ("vraem",)


def test_alternative_development_reach_and_poppy_rows(peru):
    fam = peru.series("ad_families")
    got = {(r.zone, r.year, r.period): r.value for r in fam.itertuples()}
    assert got[("national", 2020, "year")] == 58222  # S72
    assert got[("VRAEM", 2023, "year")] == 6012  # S93
    assert got[("VRAEM", 2021, "to 2021-10-14")] == 16913  # S92, part-year
    assert peru.national("ad_budget_mpen")[2017] == 150  # S90, an allocation
    assert peru.national("poppy_eradication_ha")[2010] == 21  # S88 (UNODC WDR 2012)
    assert peru.national("eradication_target_ha")[2017] == 25000  # S62; S89 in the note
    part = peru.series("eradication_ha", zone="national")
    assert part.loc[part["year"] == 2025, "value"].max() == 34182.14  # S94, to 26 Nov


def test_poppy_2008_is_a_lower_bound_never_a_point(peru):
    police = peru.national("poppy_ha", source="police")
    assert 2008 not in police.index or math.isnan(police[2008])  # S96: "overcomes 2000 ha"
    bound = peru.bounds("poppy_ha")
    row = bound[bound["year"] == 2008].iloc[0]
    assert row["lower"] == 2000 and math.isnan(row["upper"]) and row["source_id"] == "S96"
