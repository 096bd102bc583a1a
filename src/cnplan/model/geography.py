"""Space as data: the units the engine simulates, their countries, kinds, land caps, groups
and an optional sparse adjacency.

A :class:`Geography` is what the engine knows about space. Peru is one country with eight
units (the dataset's zones); a multi-country geography is the same object with more countries.
The engine never assumes a number of units or countries: per-country quantities (police,
budget, leaf price, political will...) are ``(scenario, country)`` arrays obtained from unit
arrays with segment sums over the unit -> country index (:meth:`Geography.country_sum`), and
given back to the units with :meth:`Geography.to_units`.

Displacement moves hectares along a :class:`Kernel`: a sparse (CSR) matrix whose row ``i``
lists the units that coca leaving unit ``i`` may go to, with weights. Without a declared
adjacency every unit of a country reaches every unit of the same country (today's all-to-all
rule); with one, hectares move only along the declared links (neighbours, cross-border pairs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from cnplan.errors import CnplanError

TRADITIONAL, HARD_CORE, EXPANSION = 0, 1, 2
# Distance decay of displacement between neighbouring units: weight exp(-d / L) for a
# neighbour whose representative point is d km away. The shape (coca displaced by eradication
# reappears mostly in nearby municipalities) follows [RinconRuiz2013] and [Davalos2011]; the
# length is an assumption (plausible range 75-300 km): neither paper gives it in a form that
# transfers to department-sized units.
DISPLACEMENT_DECAY_KM = 150.0
KIND_CODES = {"traditional": TRADITIONAL, "hard_core": HARD_CORE, "expansion": EXPANSION}


class GeographyError(CnplanError, ValueError):
    """A geography that cannot be built: unknown unit, kind or country, or a bad adjacency."""


@dataclass(frozen=True)
class Kernel:
    """A sparse (CSR) operator over units: row ``i`` holds ``indices[indptr[i]:indptr[i+1]]``
    with their ``weights``. ``indices`` within a row are sorted.
    """

    indptr: np.ndarray  # (U + 1,) int
    indices: np.ndarray  # (nnz,) int
    weights: np.ndarray  # (nnz,) float

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_pairs(cls, n: int, pairs: Iterable[tuple[int, int, float]]) -> Kernel:
        """A kernel from ``(from, to, weight)`` triples; repeated pairs add up."""
        dense: dict[tuple[int, int], float] = {}
        for i, j, w in pairs:
            dense[(i, j)] = dense.get((i, j), 0.0) + float(w)
        rows: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for (i, j), w in sorted(dense.items()):
            rows[i].append((j, w))
        indptr = np.cumsum([0] + [len(r) for r in rows])
        indices = np.array([j for r in rows for j, _ in r], dtype=np.int64)
        weights = np.array([w for r in rows for _, w in r], dtype=float)
        return cls(indptr.astype(np.int64), indices, weights)

    def rows(self) -> np.ndarray:
        """The row index of every stored entry (the COO view of the CSR layout)."""
        return np.repeat(np.arange(self.n), np.diff(self.indptr))

    def to_dense(self) -> np.ndarray:
        """The (U, U) matrix (tests and documentation only)."""
        out = np.zeros((self.n, self.n))
        out[self.rows(), self.indices] = self.weights
        return out


class DisplacementOperator:
    """Displacement along a geography's kernel K: inflow_j = w_j sum_i K_ij x_i / (K w)_i.

    Built once per geography (scipy CSR); rows with no attraction send nothing.
    """

    def __init__(self, kernel: Kernel):
        from scipy.sparse import csr_matrix

        n = kernel.n
        self.k = csr_matrix((kernel.weights, kernel.indices, kernel.indptr), shape=(n, n))
        self.kt = self.k.T.tocsr()

    def apply(self, leaving: np.ndarray, weight: np.ndarray) -> np.ndarray:
        reach = (self.k @ weight.T).T  # (S, U): sum_j K_ij w_j
        per_weight = np.divide(leaving, reach, out=np.zeros_like(leaving), where=reach > 0)
        return weight * (self.kt @ per_weight.T).T


@dataclass(frozen=True)
class Geography:
    """The units of a simulation and how they are grouped.

    Units are ordered so that each country's units are contiguous (the order of the dataset's
    zones table when it lists countries in blocks); :meth:`country_sum` relies on it.
    ``budget_weight`` and ``poppy_weight`` scale, per country, the ``domestic_budget`` and
    ``poppy_initial_ha`` parameters (1 for a one-country geography; a multi-country dataset
    states its own).
    """

    units: tuple[str, ...]
    countries: tuple[str, ...]
    country: np.ndarray  # (U,) index into countries
    kinds: np.ndarray  # (U,) TRADITIONAL | HARD_CORE | EXPANSION
    land_cap: np.ndarray  # (U,) largest area observed in each unit, ha
    groups: Mapping[str, np.ndarray] = field(default_factory=dict)  # name -> (U,) bool
    adjacency: Kernel | None = None  # displacement links; None: all-to-all within a country
    budget_weight: np.ndarray | None = None  # (C,)
    poppy_weight: np.ndarray | None = None  # (C,)

    def __post_init__(self) -> None:
        n = len(self.units)
        if n == 0:
            raise GeographyError("a geography needs at least one unit")
        for name in ("country", "kinds", "land_cap"):
            if np.shape(getattr(self, name)) != (n,):
                raise GeographyError(f"geography.{name}: expected one value per unit ({n})")
        if np.any(np.diff(self.country) < 0):
            raise GeographyError(
                "geography: units must be listed country by country (each country's units "
                "contiguous, countries in order)"
            )
        if set(np.unique(self.country)) != set(range(len(self.countries))):
            raise GeographyError("geography: every country needs at least one unit")
        if self.adjacency is not None and self.adjacency.n != n:
            raise GeographyError(f"geography.adjacency: expected {n} rows, got {self.adjacency.n}")
        c = len(self.countries)
        for name in ("budget_weight", "poppy_weight"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.ones(c))
            elif np.shape(getattr(self, name)) != (c,):
                raise GeographyError(f"geography.{name}: expected one value per country ({c})")
        starts = np.flatnonzero(np.r_[True, np.diff(self.country) > 0])
        object.__setattr__(self, "_starts", starts)

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_countries(self) -> int:
        return len(self.countries)

    def country_sum(self, x: np.ndarray) -> np.ndarray:
        """Segment sums over each country's units: (..., U) -> (..., C)."""
        if self.n_countries == 1:  # the same sums; one reduction instead of reduceat
            return x.sum(axis=-1, keepdims=True)
        return np.add.reduceat(x, self._starts, axis=-1)

    def to_units(self, x: np.ndarray) -> np.ndarray:
        """A per-country array given to each country's units: (..., C) -> (..., U)."""
        return np.take(x, self.country, axis=-1)

    def scope(self, key: str) -> np.ndarray:
        """The (U,) mask of a lever key: a unit id, a group name or a country name."""
        if key in self.units:
            return np.array([u == key for u in self.units])
        if key in self.groups:
            return np.asarray(self.groups[key], dtype=bool)
        if key in self.countries:
            return self.country == self.countries.index(key)
        raise GeographyError(
            f"unknown unit, group or country {key!r}; the geography has units "
            f"{', '.join(self.units)}"
            + (f", groups {', '.join(self.groups)}" if self.groups else "")
            + f" and countries {', '.join(self.countries)}"
        )

    @property
    def scope_keys(self) -> list[str]:
        """Every key a unit lever may be given under: units, groups and countries."""
        return [*self.units, *self.groups, *self.countries]

    def displacement_kernel(self) -> Kernel:
        """Where displaced coca may go: the declared adjacency, else every unit of the same
        country (including the unit itself, as today's all-to-all rule).
        """
        if self.adjacency is not None:
            return self.adjacency
        pairs = (
            (i, j, 1.0)
            for i in range(self.n_units)
            for j in range(self.n_units)
            if self.country[i] == self.country[j]
        )
        return Kernel.from_pairs(self.n_units, pairs)

    @cached_property
    def displacement(self) -> DisplacementOperator:
        """The displacement operator over :meth:`displacement_kernel` (built once)."""
        return DisplacementOperator(self.displacement_kernel())


def geography(
    units: Sequence[str],
    countries: Sequence[str],
    kinds: Sequence[str],
    land_cap: Sequence[float],
    groups: Mapping[str, Sequence[str]] | None = None,
    adjacency: Iterable[tuple[str, str, float]] | None = None,
    budget_weight: Mapping[str, float] | None = None,
    poppy_weight: Mapping[str, float] | None = None,
) -> Geography:
    """Build a :class:`Geography` from names (a dataset's zones table, a test, a notebook).

    ``countries`` is each unit's country name; ``adjacency`` lists ``(from, to, weight)``
    links by unit id (give both directions for a symmetric border).
    """
    units = list(units)
    names = list(dict.fromkeys(countries))
    index = {u: i for i, u in enumerate(units)}
    try:
        kind_codes = np.array([KIND_CODES[k] for k in kinds])
    except KeyError as e:
        raise GeographyError(
            f"unknown unit kind {e.args[0]!r}; expected one of {', '.join(KIND_CODES)}"
        ) from None
    groups_mask = {}
    for name, members in (groups or {}).items():
        unknown = [m for m in members if m not in index]
        if unknown:
            raise GeographyError(f"group {name!r}: unknown units {', '.join(unknown)}")
        groups_mask[name] = np.isin(units, list(members))
    kernel = None
    if adjacency is not None:
        links = []
        for a, b, w in adjacency:
            for u in (a, b):
                if u not in index:
                    raise GeographyError(f"adjacency: unknown unit {u!r}")
            if not w >= 0:
                raise GeographyError(f"adjacency {a}->{b}: weight must be >= 0, got {w}")
            links.append((index[a], index[b], w))
        kernel = Kernel.from_pairs(len(units), links)

    def per_country(values: Mapping[str, float] | None) -> np.ndarray | None:
        return None if values is None else np.array([float(values.get(c, 1.0)) for c in names])

    return Geography(
        units=tuple(units),
        countries=tuple(names),
        country=np.array([names.index(c) for c in countries]),
        kinds=kind_codes,
        land_cap=np.asarray(land_cap, dtype=float),
        groups=groups_mask,
        adjacency=kernel,
        budget_weight=per_country(budget_weight),
        poppy_weight=per_country(poppy_weight),
    )


def decay_links(
    units: Sequence[str],
    pairs: Iterable[tuple[str, str]],
    distance_km: np.ndarray,
    decay_km: float = DISPLACEMENT_DECAY_KM,
) -> list[tuple[str, str, float]]:
    """Displacement links from neighbour pairs: each unit keeps its own displaced planting
    (weight 1, distance 0) and sends to each neighbour with weight ``exp(-d / decay_km)``,
    both directions. ``distance_km[i, j]`` is between ``units[i]`` and ``units[j]``.
    """
    index = {u: i for i, u in enumerate(units)}
    links = [(u, u, 1.0) for u in units]
    for a, b in pairs:
        w = float(np.exp(-distance_km[index[a], index[b]] / decay_km))
        links += [(a, b, w), (b, a, w)]
    return links


def one_country(units: Sequence[str], kinds: np.ndarray, land_cap: np.ndarray) -> Geography:
    """A one-country geography from unit ids and kind codes (Inputs built without one)."""
    return Geography(
        units=tuple(units),
        countries=("country",),
        country=np.zeros(len(units), dtype=np.int64),
        kinds=np.asarray(kinds),
        land_cap=np.asarray(land_cap, dtype=float),
    )
