"""Shipped polygons and the adjacency built from them.

Peru's department borders below are those of the official map of departments (INEI, *Perú:
Mapa político*; the same neighbours are listed on each department's page, e.g.
https://en.wikipedia.org/wiki/Cusco_Region , https://en.wikipedia.org/wiki/Loreto_Region ,
https://en.wikipedia.org/wiki/Puno_Region , https://en.wikipedia.org/wiki/Tacna_Region ).
"""

from __future__ import annotations

import numpy as np
import pytest

from cnplan.data import load_dataset
from cnplan.data.boundaries import load_boundaries, touching_pairs
from cnplan.data.load import shipped_path
from cnplan.model.inputs import geography_of

MUST = [
    ("Cusco", "Puno"), ("Cusco", "Madre de Dios"), ("Cusco", "Ucayali"), ("Cusco", "Junín"),
    ("Cusco", "Ayacucho"), ("Cusco", "Apurímac"), ("Cusco", "Arequipa"),
    ("Loreto", "Ucayali"), ("Loreto", "Amazonas"), ("Loreto", "San Martín"),
    ("Huánuco", "Pasco"), ("Huánuco", "San Martín"), ("Ayacucho", "Huancavelica"),
    ("Puno", "Tacna"), ("Tumbes", "Piura"), ("Callao", "Lima Province"),
]
MUST_NOT = [
    ("Tumbes", "Lima"), ("Loreto", "Cusco"), ("Puno", "Ucayali"), ("Tacna", "Arequipa"),
    ("Ayacucho", "Lima"), ("Madre de Dios", "Junín"), ("Piura", "Loreto"),
]


@pytest.fixture(scope="module")
def peru_pairs() -> set[frozenset]:
    b = load_boundaries(shipped_path("peru"))
    return {frozenset(p) for p in touching_pairs(b.departments)}


def test_peru_has_every_department() -> None:
    b = load_boundaries(shipped_path("peru"))
    assert len(set(b.departments) - {"Lima Province", "Callao"}) == 24
    area = b.departments["Puno"].area  # deg^2; Puno is about 72,000 km2 (~6 deg^2 at 15 S)
    assert 5.0 < area < 7.0


@pytest.mark.parametrize("a,b", MUST)
def test_peru_neighbours(peru_pairs, a: str, b: str) -> None:
    assert frozenset((a, b)) in peru_pairs


@pytest.mark.parametrize("a,b", MUST_NOT)
def test_peru_not_neighbours(peru_pairs, a: str, b: str) -> None:
    assert frozenset((a, b)) not in peru_pairs


def test_zones_are_modelled_and_cover_their_departments() -> None:
    b = load_boundaries(shipped_path("peru"))
    zones = load_dataset("peru").zones
    assert set(b.zones) == set(zones["zone_id"]) == set(b.modelled)
    for z in zones.itertuples():
        depts = [b.departments[d] for d in z.departments.split(";")]
        # the zone lies within its departments (up to the rounding of the shipped file)
        outside = b.zones[z.zone_id].difference(_union(depts).buffer(0.01))
        assert outside.area < 1e-3


def _union(geoms):
    from shapely import union_all

    return union_all(geoms)


def test_cross_border_neighbours_along_the_putumayo() -> None:
    pe = load_boundaries(shipped_path("peru")).zones
    co = load_boundaries(shipped_path("colombia")).zones
    both = {**{f"PE:{k}": v for k, v in pe.items()}, **{f"CO:{k}": v for k, v in co.items()}}
    cross = {frozenset(p) for p in touching_pairs(both) if p[0][:2] != p[1][:2]}
    assert frozenset(("PE:amazon", "CO:putumayo_caqueta")) in cross
    assert frozenset(("PE:amazon", "CO:amazonia")) in cross
    assert not any("PE:vraem" in p for p in cross)


def test_peru_geography_displaces_only_to_neighbours() -> None:
    geo = geography_of(load_dataset("peru"))
    k = geo.displacement_kernel().to_dense()
    i = {u: n for n, u in enumerate(geo.units)}
    assert k[i["vraem"], i["la_convencion"]] > 0 and k[i["vraem"], i["central"]] > 0
    assert k[i["vraem"], i["amazon"]] == 0 and k[i["vraem"], i["north"]] == 0
    assert np.allclose(k, k.T)  # borders are symmetric, and so is the distance decay
    assert np.allclose(np.diag(k), 1.0)  # a unit keeps some of its own displaced planting
    leaving = np.zeros((1, geo.n_units))
    leaving[0, i["vraem"]] = 100.0
    inflow = geo.displacement.apply(leaving, np.ones((1, geo.n_units)))
    assert inflow.sum() == pytest.approx(100.0)
    assert set(np.flatnonzero(inflow[0] > 0)) == {i["vraem"], i["la_convencion"], i["central"]}


def test_two_country_geography_displaces_across_the_putumayo() -> None:
    """Peru's and Colombia's zones in one geography: links from the polygons, and coca
    displaced from Peru's Amazon zone reaches Colombia's Putumayo-Caquetá, not its Pacific."""
    from cnplan.data.boundaries import centroid_km
    from cnplan.model.geography import decay_links, geography

    pe = load_boundaries(shipped_path("peru")).zones
    co = load_boundaries(shipped_path("colombia")).zones
    polys = {**{f"PE:{k}": v for k, v in pe.items()}, **{f"CO:{k}": v for k, v in co.items()}}
    units = list(polys)
    countries = ["Peru" if u.startswith("PE:") else "Colombia" for u in units]
    links = decay_links(units, touching_pairs(polys), centroid_km(polys))
    geo = geography(units, countries, ["expansion"] * len(units), np.zeros(len(units)),
                    adjacency=links)
    i = {u: n for n, u in enumerate(units)}
    leaving = np.zeros((1, len(units)))
    leaving[0, i["PE:amazon"]] = 100.0
    inflow = geo.displacement.apply(leaving, np.ones((1, len(units))))[0]
    assert inflow[i["CO:putumayo_caqueta"]] > 0 and inflow[i["CO:amazonia"]] > 0
    assert inflow[i["CO:pacific"]] == 0 and inflow[i["PE:vraem"]] == 0
    assert inflow.sum() == pytest.approx(100.0)
