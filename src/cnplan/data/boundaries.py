"""A dataset's shipped polygons (``boundaries.geojson``): departments and modelled zones.

The file is built offline by :mod:`cnplan.data.build_boundaries` from Natural Earth (see the
dataset's ``SOURCES.md``); nothing is downloaded at run time. From the polygons come the links
between units (:func:`touching_pairs`: two units are neighbours when their polygons share a
border, within a tolerance that absorbs the simplification) and the distances between them
(:func:`centroid_km`). Distances use a local equirectangular projection (longitude scaled by
the cosine of the dataset's mean latitude): a few per cent off over a country, which is well
inside what a choropleth or a distance decay needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

FILE = "boundaries.geojson"
KM_PER_DEGREE_LAT = 110.57  # WGS84 meridian degree near the equator (km)
KM_PER_DEGREE_LON = 111.32  # WGS84 equatorial degree of longitude (km)
TOUCH_TOLERANCE_KM = 3.0  # simplified shared borders may leave gaps of a tolerance (2 km)


@dataclass(frozen=True)
class Boundaries:
    """Polygons by id at two levels; ``modelled`` ids are built by a rule, not surveyed."""

    departments: dict  # name -> shapely geometry
    zones: dict  # zone id -> shapely geometry
    modelled: frozenset[str]
    rule: str

    def polygons(self, level: str = "zone") -> dict:
        return self.zones if level == "zone" else self.departments


def boundaries_path(folder: str | Path) -> Path:
    return Path(folder) / FILE


def has_boundaries(folder: str | Path) -> bool:
    return boundaries_path(folder).is_file()


def load_boundaries(folder: str | Path) -> Boundaries:
    """Read ``boundaries.geojson`` of a dataset folder (cached per file and modification
    time: a re-imported dataset is read again).
    """
    path = boundaries_path(folder)
    return _read(str(path), path.stat().st_mtime_ns)


@cache
def _read(file: str, _mtime_ns: int) -> Boundaries:
    from shapely.geometry import shape

    path = Path(file)
    raw = json.loads(path.read_text(encoding="utf-8"))
    levels: dict[str, dict] = {"department": {}, "zone": {}}
    modelled, rule = set(), ""
    for i, f in enumerate(raw.get("features", [])):
        p = f.get("properties", {})
        if p.get("level") not in levels or "id" not in p:
            raise ValueError(f"{path}, feature {i}: expected properties id and level "
                             f"(department or zone), got {p}")
        levels[p["level"]][p["id"]] = shape(f["geometry"])
        if p.get("modelled"):
            modelled.add(p["id"])
            rule = p.get("rule", rule)
    return Boundaries(levels["department"], levels["zone"], frozenset(modelled), rule)


def projector(lat0: float):
    """lon/lat degrees -> km in a local equirectangular projection centred on ``lat0``."""
    kx = KM_PER_DEGREE_LON * np.cos(np.radians(lat0))

    def to_km(lon, lat):
        return np.asarray(lon) * kx, np.asarray(lat) * KM_PER_DEGREE_LAT

    return to_km, kx


def mean_lat(polygons: dict) -> float:
    return float(np.mean([g.centroid.y for g in polygons.values()]))


def touching_pairs(polygons: dict, tolerance_km: float = TOUCH_TOLERANCE_KM) -> list[tuple]:
    """Pairs ``(a, b)`` (a before b in the dict's order) whose polygons share a border: they
    are closer than ``tolerance_km`` and their overlap after buffering is longer than a point
    (a buffered corner contact of two diagonal neighbours is not a border).
    """
    names = list(polygons)
    tol = tolerance_km / KM_PER_DEGREE_LAT
    out = []
    for i, a in enumerate(names):
        ga = polygons[a].buffer(tol)
        for b in names[i + 1:]:
            gb = polygons[b]
            if not ga.intersects(gb):
                continue
            shared = ga.intersection(gb.buffer(tol))
            if shared.area > 6 * tol**2:  # a border over ~3 tolerances long, not two corners
                out.append((a, b))
    return out


def centroid_km(polygons: dict, lat0: float | None = None) -> np.ndarray:
    """The (n, n) distances between the representative points of polygons, km."""
    lat0 = mean_lat(polygons) if lat0 is None else lat0
    to_km, _ = projector(lat0)
    pts = [g.representative_point() for g in polygons.values()]
    x, y = to_km([p.x for p in pts], [p.y for p in pts])
    return np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])


def boundary_problems(path: str | Path, zone_ids: list[str]) -> list[str]:
    """Located problems of a ``boundaries.geojson`` for a dataset with ``zone_ids``: it must
    be GeoJSON whose features have ``id`` and ``level`` (department or zone) and a polygon,
    and every zone id it names must be a zone of the dataset.
    """
    from shapely.geometry import shape

    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{path}: not readable JSON ({exc})"]
    problems = []
    features = raw.get("features") if isinstance(raw, dict) else None
    if not isinstance(features, list):
        return [f"{path}: expected a GeoJSON FeatureCollection with a features list"]
    for i, f in enumerate(features):
        props = f.get("properties") if isinstance(f, dict) else None
        where = f"{path}, feature {i}"
        if not isinstance(props, dict) or props.get("level") not in ("department", "zone") \
                or not props.get("id"):
            problems.append(f"{where}: expected properties id and level (department or zone)")
            continue
        try:
            geom = shape(f.get("geometry"))
        except Exception as exc:  # shapely raises several types for bad geometry
            problems.append(f"{where} ({props['id']}): bad geometry ({exc})")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{where} ({props['id']}): expected a Polygon or MultiPolygon, "
                            f"got {geom.geom_type}")
        if props["level"] == "zone" and props["id"] not in zone_ids:
            problems.append(f"{where}: zone {props['id']!r} is not in zones.csv "
                            f"({', '.join(zone_ids)})")
    return problems
