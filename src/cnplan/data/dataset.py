"""The in-memory ``Dataset``: observations, zones, crosswalk and sources, with query helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cnplan.data.schema import FULL_YEAR, NATIONAL, DataError, split_ids

AUTO = "auto"
"""``source`` value that picks the only series of a variable, or ``unodc`` if there are several."""

PREFERRED_SERIES = "unodc"


@dataclass
class Dataset:
    """A validated monitoring dataset for one country.

    Attributes
    ----------
    name
        ``peru`` for the shipped dataset, the import name, or the folder name.
    observations
        Tidy table (one value per row) with the file's columns plus a derived ``series`` column
        (from a ``[series: X]`` tag in ``note``, else ``""``), ``year`` as int and ``value`` as
        float (NaN for an explicit gap).
    zones, crosswalk, sources
        The other files; ``crosswalk`` is built from ``zones`` (each id maps to itself) when the
        dataset has no crosswalk file, ``sources`` is empty when it has no sources file.
    version
        Short content hash of the files, so results can name the exact data they used.
    """

    name: str
    observations: pd.DataFrame
    zones: pd.DataFrame
    crosswalk: pd.DataFrame
    sources: pd.DataFrame
    version: str
    path: str = ""
    format_version: int = 1  # the files' format version (read as the current one in memory)
    _zone_map: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _levels: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for row in self.crosswalk.itertuples(index=False):
            ids = tuple(z for z in str(row.zone_ids).split("+") if z)
            self._zone_map[row.source_name] = ids
            self._levels[row.source_name] = row.level
        for z in self.zone_ids:
            self._zone_map.setdefault(z, (z,))
            self._levels.setdefault(z, "zone")
        for z, name in zip(self.zone_ids, self.zones["name"], strict=True):
            self._zone_map.setdefault(name, (z,))  # a zone's own name stands for it
            self._levels.setdefault(name, "zone")
        if "bound" not in self.observations.columns:
            self.observations["bound"] = False

    # -- basic facts --------------------------------------------------------------------------
    @property
    def country(self) -> str:
        """The country of the dataset (from ``zones.csv``)."""
        return str(self.zones["country"].iloc[0]) if len(self.zones) else ""

    @property
    def zone_ids(self) -> list[str]:
        """Model zone ids in ``zones.csv`` order (the order every zone axis uses)."""
        return list(self.zones["zone_id"])

    @property
    def variables(self) -> list[str]:
        """Variables present in the observations, sorted."""
        return sorted(self.observations["variable"].unique())

    def unit(self, variable: str) -> str:
        """Return the unit of ``variable`` (validation guarantees there is one)."""
        units = self.observations.loc[self.observations["variable"] == variable, "unit"]
        if units.empty:
            from cnplan.errors import did_you_mean

            raise DataError(f"variable {variable!r} is not in dataset {self.name!r}"
                            f"{did_you_mean(variable, self.variables)}; "
                            f"known: {', '.join(self.variables)}")
        return str(units.iloc[0])

    def zone_ids_of(self, source_name: str) -> tuple[str, ...]:
        """Return the model zone ids a source's zone name maps to (empty if unmapped)."""
        return self._zone_map.get(source_name, ())

    def resolve_zone(self, name: str) -> str:
        """Return the model zone id for a zone as a user writes it (``BO-ALL``, ``Alto
        Huallaga``, a zone's name), through the crosswalk.

        Raises
        ------
        DataError
            If the name maps to no single zone (the message lists the zones).
        """
        ids = self._zone_map.get(name, ())
        if len(ids) == 1:
            return ids[0]
        from cnplan.errors import did_you_mean

        what = "spans several zones" if ids else "is not a zone id, zone name or crosswalk name"
        hint = did_you_mean(name, self._zone_map, cutoff=0.75)
        raise DataError(f"zone {name!r} {what} of dataset {self.name!r}"
                        f"{hint}; zones: {', '.join(self.zone_ids)}")

    def level_of(self, source_name: str) -> str:
        """Return the crosswalk level of a zone name (``national`` for country totals)."""
        return NATIONAL if source_name == NATIONAL else self._levels.get(source_name, "")

    def publisher_kind(self, source_id: str) -> str:
        """Return the publisher kind of the first id of a source cell (``""`` if unknown)."""
        ids = split_ids(source_id)
        if not ids or self.sources.empty:
            return ""
        match = self.sources.loc[self.sources["source_id"] == ids[0], "publisher_kind"]
        return str(match.iloc[0]) if len(match) else ""

    # -- queries ------------------------------------------------------------------------------
    def _source_mask(self, obs: pd.DataFrame, source: str) -> pd.Series:
        """Rows whose series, publisher kind of the first source, or any source id is ``source``."""
        kinds = obs["source_id"].map(self.publisher_kind)
        ids = obs["source_id"].map(split_ids)
        return (obs["series"] == source) | (kinds == source) | ids.map(lambda x: source in x)

    def series(self, variable: str | None = None, zone: str | None = None,
               source: str | None = None, full_year: bool = False,
               points: bool = False) -> pd.DataFrame:
        """Return the observation rows matching all the given filters, sorted by zone and year.

        Parameters
        ----------
        variable
            Variable name, e.g. ``coca_ha``.
        zone
            A zone name exactly as the source used it (``"Alto Huallaga"``), ``national``, or a
            model zone id (``huallaga``): then every name mapping only to that zone matches.
        source
            A series (``unodc``, ``us``), a publisher kind (``unodc_devida``) or a source id.
        full_year
            Keep only full-year rows (``period == "year"``).
        points
            Leave out censored and ranged rows (bounds, see :meth:`bounds`).
        """
        obs = self.observations
        mask = pd.Series(True, index=obs.index)
        if variable is not None:
            mask &= obs["variable"] == variable
        if zone is not None:
            if zone in self.zone_ids:
                names = [n for n, ids in self._zone_map.items() if ids == (zone,)]
                mask &= obs["zone"].isin(names)
            else:
                mask &= obs["zone"] == zone
        if source is not None:
            mask &= self._source_mask(obs, source)
        if full_year:
            mask &= obs["period"] == FULL_YEAR
        if points:
            mask &= ~obs["bound"].astype(bool)
        return obs[mask].sort_values(["zone", "year", "period"], kind="stable")

    def _pick_series(self, rows: pd.DataFrame, variable: str, source: str | None) -> pd.DataFrame:
        if source is None:
            return rows
        if source != AUTO:
            return rows[self._source_mask(rows, source)]
        present = sorted(set(rows["series"]))
        if len(present) <= 1:
            return rows
        if PREFERRED_SERIES in present:
            return rows[rows["series"] == PREFERRED_SERIES]
        if "" in present:  # an untagged main series next to tagged others (e.g. "us")
            return rows[rows["series"] == ""]
        raise DataError(f"{variable!r} has several series ({', '.join(present)}); "
                        "choose one with source=...")

    def national(self, variable: str = "coca_ha", source: str | None = AUTO) -> pd.Series:
        """Return the full-year national series of ``variable`` indexed by year.

        Years between the first and last observation with no full-year value are NaN (a gap,
        never 0); part-year rows are never used. A dataset with one zone and no ``national`` rows
        uses that zone's rows, since its zone is the whole country.

        Parameters
        ----------
        variable
            Variable name.
        source
            ``"auto"`` (default): the variable's only series, or the ``unodc`` series when
            several exist (so US-government estimates are never mixed in); a series name
            (``unodc``, ``us``), publisher kind or source id to pick one; ``None`` for all rows.

        Raises
        ------
        DataError
            If the variable is unknown, or the selection still holds two values for one year.
        """
        unit = self.unit(variable)
        rows = self.series(variable=variable, zone=NATIONAL, full_year=True, points=True)
        if rows.empty and len(self.zone_ids) == 1:
            rows = self.series(variable=variable, zone=self.zone_ids[0], full_year=True,
                               points=True)
        rows = self._pick_series(rows, variable, source)
        dup = rows["year"].duplicated(keep=False)
        if dup.any():
            years = sorted(set(rows.loc[dup, "year"]))
            raise DataError(f"{variable!r} has several national values for years {years} "
                            f"(sources {sorted(set(rows.loc[dup, 'source_id']))}); "
                            "choose one with source=...")
        out = rows.set_index("year")["value"].sort_index()
        if len(out):
            out = out.reindex(range(int(out.index.min()), int(out.index.max()) + 1))
        out.index.name = "year"
        out.name = variable
        out.attrs.update(unit=unit, sources=sorted(set(rows["source_id"])), variable=variable)
        return out

    def by_zone(self, variable: str = "coca_ha", source: str | None = None) -> pd.DataFrame:
        """Return full-year values summed to model zones: index year, one column per zone id.

        Each source name is mapped through the crosswalk; names at level ``zone`` that map to
        one model zone are summed per year (e.g. ``Huallaga`` + ``Bajo Huallaga``). Aggregates
        spanning several zones are not split (see :meth:`aggregates`); departments and areas are
        not zones. A zone with no value in a year is NaN, never 0.

        Raises
        ------
        DataError
            If one source name has two values in a year (pick a ``source``).
        """
        unit = self.unit(variable)
        rows = self.series(variable=variable, source=source, full_year=True, points=True)
        rows = rows.loc[rows["zone"].map(lambda z: self.level_of(z) == "zone").astype(bool)]
        dup = rows.duplicated(["zone", "year"], keep=False)
        if dup.any():
            raise DataError(f"{variable!r}: several values for the same zone name and year "
                            f"({rows.loc[dup, ['zone', 'year']].drop_duplicates().values.tolist()})"
                            "; choose one with source=...")
        rows = rows.assign(zone_id=rows["zone"].map(lambda z: self._zone_map[z][0]))
        table = (rows.groupby(["year", "zone_id"])["value"].sum(min_count=1)
                 .unstack("zone_id"))
        table = table.reindex(columns=self.zone_ids)
        if len(table):
            table = table.reindex(range(int(table.index.min()), int(table.index.max()) + 1))
        table.index.name = "year"
        table.columns.name = "zone_id"
        table.attrs.update(unit=unit, sources=sorted(set(rows["source_id"])), variable=variable)
        return table

    def aggregates(self, variable: str = "coca_ha") -> pd.DataFrame:
        """Return full-year rows of names that span several model zones, with their zone sets.

        These (e.g. 2004–2005 ``Elsewhere``) cannot be put in one zone column without inventing
        a split, so they are given as they are: columns year, zone, zone_ids (tuple), value,
        unit, source_id.
        """
        rows = self.series(variable=variable, full_year=True, points=True)
        rows = rows[rows["zone"].map(lambda z: self.level_of(z) == "aggregate")]
        rows = rows.assign(zone_ids=rows["zone"].map(self.zone_ids_of))
        return rows[["year", "zone", "zone_ids", "value", "unit", "source_id"]].reset_index(
            drop=True)

    def bounds(self, variable: str = "coca_ha", zone: str = NATIONAL,
               source: str | None = AUTO) -> pd.DataFrame:
        """Return the full-year censored and ranged values of ``variable`` for one zone name.

        Columns year, lower, upper (NaN where a side is open), source_id, indexed by row. These
        are bounds, never points: :meth:`national` and :meth:`by_zone` leave them out, and the
        calibration uses them only as bounds (a simulated value inside them costs nothing).
        """
        rows = self.series(variable=variable, zone=zone, full_year=True)
        rows = rows[rows["bound"].astype(bool)]
        if len(rows) and source is not None:
            rows = self._pick_series(rows, variable, source)
        return rows[["year", "lower", "upper", "source_id"]].reset_index(drop=True)

    def national_in(self, variable: str, unit: str, source: str | None = AUTO) -> pd.Series:
        """Return :meth:`national` converted to ``unit`` (see :mod:`cnplan.data.units`).

        A local-currency price is converted with the dataset's own exchange-rate series
        (``exchange_rate_<cur>``) of the same year; years without a rate are NaN.

        Raises
        ------
        DataError
            If the conversion is impossible (e.g. no exchange-rate series).
        """
        from cnplan.data.units import CURRENCY_PER_KG, UnitError, convert, rate_variable

        series = self.national(variable, source)
        have = self.unit(variable)
        rate = None
        m = CURRENCY_PER_KG.match(have)
        if m and unit == "USD/kg" and rate_variable(m[1]) in self.variables:
            rate = self.national(rate_variable(m[1]))
        try:
            out = convert(series, have, unit, rate)
        except UnitError as exc:
            raise DataError(f"dataset {self.name!r}, variable {variable!r}: {exc}") from None
        out.attrs.update(series.attrs, unit=unit, converted_from=have)
        if rate is not None:
            out.attrs["sources"] = sorted(set(series.attrs["sources"]) | set(rate.attrs["sources"]))
        return out

    def summary(self) -> dict[str, object]:
        """Return a short description (years, zones, variables, sources) for listings."""
        obs = self.observations
        return {
            "name": self.name,
            "country": self.country,
            "years": f"{int(obs['year'].min())}–{int(obs['year'].max())}" if len(obs) else "",
            "zones": len(self.zone_ids),
            "variables": len(self.variables),
            "sources": len(self.sources) if len(self.sources)
            else len({i for s in obs["source_id"] for i in split_ids(s)}),
            "rows": len(obs),
            "version": self.version,
        }
