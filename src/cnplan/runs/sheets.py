"""Spreadsheets of a run: ``yearly.csv`` and ``yearly.xlsx``, the bands by year, zone and variable.

An adviser is asked to "send the table": a file that opens in a spreadsheet, one row per
variable, zone and year with its unit, the median and the 10-90% band over the futures and the
observed value where the data has one. The CSV is for programs; the workbook adds a sheet that
says what the run was (plan, seed, futures, variant) so the numbers travel with their origin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from cnplan.data import Dataset
from cnplan.runs.summary import yearly_table

YEARLY_CSV = "yearly.csv"
YEARLY_XLSX = "yearly.xlsx"
COLUMNS = ["variable", "zone", "year", "unit", "p10", "median", "p90", "observed"]


def yearly_bands(ds: xr.Dataset, data: Dataset | None = None) -> pd.DataFrame:
    """National rows then zone rows of :func:`yearly_table`, in one tall table."""
    table = pd.concat([yearly_table(ds, data, by="national"), yearly_table(ds, data, by="zone")],
                      ignore_index=True)
    return table[COLUMNS]


def wide_by_zone(table: pd.DataFrame, column: str = "median") -> dict[str, pd.DataFrame]:
    """One year x zone table per variable of the zone rows of a yearly table."""
    zones = table[table["zone"] != "national"]
    out = {}
    for variable, part in zones.groupby("variable", sort=False):
        out[str(variable)] = part.pivot(index="year", columns="zone", values=column)[
            list(dict.fromkeys(part["zone"]))]
    return out


def _about_rows(meta: dict[str, Any]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("plan", meta.get("plan")),
        ("plan source", meta.get("plan_source")),
        ("futures", meta.get("scenarios")),
        ("seed", meta.get("seed")),
        ("parameter set", meta.get("parameter_set")),
        ("data", f"{meta.get('data')} ({meta.get('data_version')})"),
        ("code version", meta.get("code_version")),
        ("columns", "p10, median, p90: 10th percentile, median and 90th percentile over the "
                    "futures; observed: the dataset's value (empty where it has none)"),
    ]
    rows += [("variant", f"--set {c['text']}") for c in meta.get("variant") or []]
    return rows


def write_yearly(folder: str | Path, table: pd.DataFrame, meta: dict[str, Any]) -> list[Path]:
    """Write ``yearly.csv`` and ``yearly.xlsx`` (sheets ``yearly`` and ``about``) in a folder."""
    folder = Path(folder)
    csv_path, xlsx_path = folder / YEARLY_CSV, folder / YEARLY_XLSX
    table.to_csv(csv_path, index=False, lineterminator="\n")
    about = pd.DataFrame(_about_rows(meta), columns=["item", "value"])
    with pd.ExcelWriter(xlsx_path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="yearly", index=False)
        about.to_excel(writer, sheet_name="about", index=False)
        sheet = writer.sheets["yearly"]
        sheet.freeze_panes = "A2"
        for col, width in zip("ABCDEFGH", (20, 16, 8, 10, 12, 12, 12, 12), strict=True):
            sheet.column_dimensions[col].width = width
        writer.sheets["about"].column_dimensions["A"].width = 16
        writer.sheets["about"].column_dimensions["B"].width = 90
    return [csv_path, xlsx_path]
