"""Rebuild the shipped Peru ``observations.csv`` from the research notes ``peru-data.md``.

This is a maintainer tool, not part of the runtime API: it documents exactly how every row of
the shipped table was derived from the notes (so a reviewer can re-run it and diff), and it
never invents a number. Usage::

    python -m cnplan.data.build_peru path/to/peru-data.md src/cnplan/data/peru/

Rules applied (see ``SOURCES.md``): values are copied as listed; rows without a value in the
notes are left out (gaps stay gaps) unless the note gives a dated partial figure, which becomes
a part-year row; the first quality flag in the note sets ``quality``; the whole original note is
kept in ``note``.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

COLUMNS = [
    "country", "zone", "year", "period", "variable", "value", "unit", "source_id", "quality",
    "note",
]

_FLAGS = [
    ("[official/press]", "official"),
    ("[official]", "official"),
    ("[press]", "press"),
    ("[3rd-party transcription]", "transcription"),
    ("[weak]", "weak"),
]


def _quality(note: str, default: str) -> str:
    """Return the quality named by the first flag in ``note``, or ``default``."""
    for flag, quality in _FLAGS:
        if flag in note:
            return quality
    return default


def _blocks(text: str) -> list[list[dict[str, str]]]:
    """Return every fenced ``csv`` block of the notes as a list of row dicts, in file order."""
    out = []
    for body in re.findall(r"```csv\n(.*?)```", text, flags=re.S):
        out.append(list(csv.DictReader(io.StringIO(body))))
    return out


def _row(zone: str, year: str | int, variable: str, value: str | float, unit: str,
         source_id: str, quality: str, note: str, period: str = "year") -> dict[str, str]:
    return {
        "country": "Peru", "zone": zone, "year": str(year), "period": period,
        "variable": variable, "value": str(value), "unit": unit, "source_id": source_id,
        "quality": quality, "note": note,
    }


_DEPARTMENTS = {
    "Ayacucho", "Cusco", "Puno", "Junín", "Loreto", "Ucayali", "La Libertad", "San Martín",
    "Pasco", "Huánuco", "Amazonas", "Cajamarca", "Madre de Dios",
}
_MONTH = {"January": "01", "April": "04", "May": "05"}


def _month(year: str, note: str) -> str:
    """Return ``YYYY-MM`` for a monthly price whose note starts with the month's name."""
    for name, number in _MONTH.items():
        if note.startswith(name):
            return f"{year}-{number}"
    raise ValueError(f"no month in note {note!r}")


def build(text: str) -> list[dict[str, str]]:  # noqa: C901 - one linear recipe, table by table
    """Return the observation rows derived from the text of ``peru-data.md``."""
    b = _blocks(text)
    if len(b) != 14:
        raise ValueError(f"expected 14 csv blocks in peru-data.md, found {len(b)}")
    rows: list[dict[str, str]] = []
    # B1: UNODC/DEVIDA national series, tagged so it can never be confused with the US one.
    for r in b[0]:
        rows.append(_row("national", r["year"], "coca_ha", r["value"], "ha", r["source_id"],
                         _quality(r["notes"], "official"), "[series: unodc] " + r["notes"]))
    # B2: US-government national series.
    for r in b[1]:
        rows.append(_row("national", r["year"], "coca_ha", r["value"], "ha", r["source_id"],
                         _quality(r["notes"], "press"), "[series: us] " + r["notes"]))
    # B3: zones. pct_change rows carry no hectares: left out (listed as gaps in SOURCES.md).
    for r in b[2]:
        if r["unit"] != "ha" or not r["value"]:
            continue
        default = "transcription" if r["source_id"].startswith("S30") else "press"
        rows.append(_row(r["zone"], r["year"], "coca_ha", r["value"], "ha", r["source_id"],
                         _quality(r["notes"], default), r["notes"]))
    # B3b: departments, prefixed "dept:" so "Amazonas"/"Madre de Dios" do not clash with zones.
    for r in b[3]:
        rows.append(_row("dept:" + r["department"], r["year"], "coca_ha", r["value"], "ha",
                         r["source_id"], _quality(r["notes"], "transcription"), r["notes"]))
    # B4: national eradication; GAP rows become dated part-year rows (never annual totals).
    partials = {
        "2015": [("to 2015-10", "30000", "S64", "press",
                  "approx. ('~30,000 by late Oct', S64 via B4 2015 note); annual total 35,868")],
        "2017": [("to 2017-11-02", "20668", "S63", "press", "by 2 Nov 2017 (Andina)")],
        "2018": [("2018-02/2018-06", "12664", "S63", "press", "Feb–Jun 2018 (Andina); goal 25,000"),
                 ("2018-02/undated", "19193.48", "S63", "press",
                  "'from February to date' (El Comercio), end date not shown")],
        "2021": [("to 2021-10-28", "2105", "S51", "press",
                  "lowest in a decade; target ~6,000 by year end")],
        "2023": [("to 2023-09-15", "14811.47", "S59", "press", "Andina 15 Sep 2023"),
                 ("to 2023-10-09", "16391.53", "S59", "press", "teleSUR 9 Oct 2023"),
                 ("undated, after 2023-10-09", "18245.76", "S59", "press",
                  "later partial, undated (Peru Informa/Caretas)")],
        "2024": [("to 2024-10", "19981.74", "S60", "press",
                  "77.5% of goal 25,782.34 ha (RM 1086-2024-IN); 75.23% in 'vulnerable zones'")],
        "2025": [("H1", "17810", "S61", "press", "H1 2025 vs goal 34,123 ha")],
    }
    for r in b[4]:
        if r["value"]:
            rows.append(_row("national", r["year"], "eradication_ha", r["value"], "ha",
                             r["source_id"], _quality(r["notes"], "press"), r["notes"]))
        for period, value, sid, quality, note in partials.get(r["year"], []):
            rows.append(_row("national", r["year"], "eradication_ha", value, "ha", sid, quality,
                             f"PART-YEAR: {note}", period=period))
    # B4 by area: all partial-year figures ("partial-year unless noted"), or near year end.
    area_period = {
        ("2016", "S78"): "to 2016-09-22", ("2018", "S63"): "part (2018, undated)",
        ("2019", "S77"): "to 2019-11-02", ("2022", "S58"): "part (near year end)",
        ("2023", "S59"): "part (late 2023)", ("2024", "S60"): "to 2024-10", ("2025", "S61"): "H1",
    }
    for r in b[5]:
        if r["unit"] != "ha" or not r["value"]:
            continue
        zone = "dept:" + r["area"] if r["area"] in _DEPARTMENTS else r["area"]
        rows.append(_row(zone, r["year"], "eradication_ha", r["value"], "ha", r["source_id"],
                         _quality(r["notes"], "press"), r["notes"],
                         period=area_period[(r["year"], r["source_id"])]))
    # B5: leaf prices; USD annual means vs PEN monthly monitoring kept as separate variables.
    for r in b[6]:
        if r["unit"] == "USD/kg":
            rows.append(_row("national", r["year"], "leaf_price", r["value"], "USD/kg",
                             r["source_id"], _quality(r["notes"], "official"), r["notes"]))
        else:
            month = "2020-01" if "January" in r["notes"] else "2020-04"
            rows.append(_row("national", r["year"], "leaf_price_pen", r["value"], "PEN/kg",
                             r["source_id"], _quality(r["notes"], "press"), r["notes"],
                             period=month))
    for r in b[7]:
        rows.append(_row(r["zone"], r["year"], "leaf_price_pen", r["value"], "PEN/kg",
                         r["source_id"], "press", r["notes"] + " (DEVIDA price monitoring)",
                         period=_month(r["year"], r["notes"])))
    for r in b[8]:
        product = r["product"]
        zone = "VRAEM" if product.endswith("VRAEM") else "national"
        base = "pbc_price" if product.startswith("PBC") else "hcl_price"
        if r["unit"] == "USD/kg":
            rows.append(_row(zone, r["year"], base, r["value"], "USD/kg", r["source_id"],
                             _quality(r["notes"], "official"), r["notes"]))
        else:
            rows.append(_row(zone, r["year"], base + "_pen", r["value"], "PEN/kg",
                             r["source_id"], _quality(r["notes"], "press"), r["notes"],
                             period=_month(r["year"], r["notes"])))
    # B6: production. 2009 "NOT ESTIMATED" row has no value: left out.
    variable = {"dry leaf production": ("dry_leaf_t", "t"), "yield": ("yield_kg_ha", "kg/ha/yr"),
                "potential cocaine HCl": ("cocaine_potential_t", "t")}
    for r in b[9]:
        if not r["value"]:
            continue
        name, unit = variable[r["quantity"]]
        note = r["notes"]
        if name == "cocaine_potential_t":
            note = "[series: unodc] " + note
        rows.append(_row("national", r["year"], name, r["value"], unit, r["source_id"],
                         _quality(r["notes"], "official"), note))
    quality = "official"
    for r in b[10]:
        quality = _quality(r["notes"], quality if r["source_id"] == "S41" else "press")
        rows.append(_row("national", r["year"], "cocaine_potential_t", r["value"], "t",
                         r["source_id"], quality, "[series: us] " + r["notes"]))
    # B7: opium poppy (no official monitoring). The two 2005 estimates have different origins.
    for r in b[11]:
        if r["unit"] == "ha":
            series = "unodc_attributed" if "UNODC" in r["notes"] else "police"
            rows.append(_row("national", r["year"], "poppy_ha", r["value"], "ha", r["source_id"],
                             "weak", f"[series: {series}] " + r["notes"]))
        elif r["unit"] == "districts":
            rows.append(_row("national", r["year"], "poppy_districts", r["value"], "districts",
                             r["source_id"], "press", r["notes"]))
        # the 471 kg opiates row is a 2011–2022 cumulative total: left out (SOURCES.md).
    # B8: seizures, one variable per product and unit as listed.
    product = {
        "cocaine paste (PBC)": "seizures_pbc", "coca base paste": "seizures_pbc",
        "cocaine HCl": "seizures_hcl", "all drugs": "seizures_all",
        "destroyed: PBC": "seized_destroyed_pbc", "destroyed: cocaine HCl": "seized_destroyed_hcl",
    }
    quality = "official"
    for r in b[12]:
        quality = _quality(r["notes"], quality)
        name = f"{product[r['product']]}_{r['unit']}"
        period = "to 2021-10-28" if r["year"] == "2021" else "year"
        rows.append(_row("national", r["year"], name, r["value"], r["unit"], r["source_id"],
                         quality, r["notes"], period=period))
    # B9: AD, capacity and budgets.
    b9 = {
        "US counternarcotics funds to Peru": ("national", "us_cn_funding_musd", "year"),
        "US support to eradication": ("national", "us_eradication_funding_musd", "year"),
        "US financing for eradication": ("national", "us_eradication_funding_musd", "year"),
        "eradication spending Jan–Oct": ("national", "eradication_spending_mpen",
                                         "2015-01/2015-10"),
        "AD families incorporated (Huánuco 2013–2017)": ("dept:Huánuco", "ad_families",
                                                          "2013/2017"),
        "DEVIDA VRAEM AD investment": ("VRAEM", "ad_investment_mpen", "year"),
        "PIRDAIS AD investment": ("national", "ad_investment_mpen", "year"),
        "AD area change": ("national", "ad_area_change_pct", "year"),
        "DIRANDRO operations": ("national", "police_operations", "year"),
        "CORAH field staff": ("national", "corah_field_staff", "H1"),
        "labs destroyed by DIRANDRO": ("national", "labs_destroyed", "year"),
    }
    for r in b[13]:
        zone, name, period = b9[r["indicator"]]
        if name == "police_operations" and r["year"] == "2024":
            period = "to 2024-12-04"
        rows.append(_row(zone, r["year"], name, r["value"], r["unit"], r["source_id"],
                         _quality(r["notes"], "press"), r["notes"], period=period))
    rows.extend(_from_text())
    return rows


def _from_text() -> list[dict[str, str]]:
    """Rows stated in the prose of the notes (licit demand, eradication goals), with sources."""
    def r(*a: str, period: str = "year") -> dict[str, str]:
        return _row("national", *a, period=period)

    return [
        r("2019", "licit_demand_ha", "9079.78", "ha", "S66", "official",
          "INEI 2019 study for DEVIDA (Foreign Ministry); DEVIDA: 'just over 9,000 ha'"),
        r("2019", "licit_demand_t", "11712", "t", "S66", "official",
          "INEI 2019 (Foreign Ministry); Gestión gives 11,172 t (likely a typo)"),
        r("2013", "licit_demand_t", "10728", "t", "S23", "official",
          "INEI 2013 household demand survey (pub. 2015), traditional use; "
          "plus ENACO 2013 industrial 163 t"),
        r("2012", "eradication_target_ha", "14000", "ha", "S16", "press", "goal 14,000"),
        r("2013", "eradication_target_ha", "22000", "ha", "S65", "press",
          "target raised to 22,000"),
        r("2015", "eradication_target_ha", "35000", "ha", "S64", "press", "goal 35,000"),
        r("2016", "eradication_target_ha", "30000", "ha", "S23;S24", "official", "goal 30,000"),
        r("2018", "eradication_target_ha", "25000", "ha", "S63", "press",
          "goal 25,000 (ENLCD 2017–2021)"),
        r("2019", "eradication_target_ha", "25000", "ha", "S62", "official", "goal 25,000"),
        r("2022", "eradication_target_ha", "18000", "ha", "S57", "official",
          "goal 18,000, exceeded in September"),
        r("2023", "eradication_target_ha", "25000", "ha", "S59", "press", "annual goal 25,000"),
        r("2024", "eradication_target_ha", "25782.34", "ha", "S60", "press",
          "RM 1086-2024-IN"),
        r("2025", "eradication_target_ha", "34123", "ha", "S61", "press", "goal 34,123 ha"),
    ]


# Who published each source document (so code can tell UNODC/DEVIDA from US-government text).
_KIND = {
    "unodc_devida": "S01 S02 S03 S18 S20 S22 S23 S27 S30",
    "us_government": "S41 S79",
    "peru_government": "S46 S66",
    "other": "S45 S47 S71 S76",
}


def build_sources(text: str) -> list[dict[str, str]]:
    """Return ``sources.csv`` rows from table (a) of the notes; unlisted ids are ``press``."""
    kind = {sid: k for k, ids in _KIND.items() for sid in ids.split()}
    rows = []
    for line in text.splitlines():
        m = re.match(r"\| (S\d\d) \| (.*?) \| (.*?) \|$", line)
        if m:
            sid, title, url = m.groups()
            rows.append({"source_id": sid, "title": title.replace("**", ""), "url": url,
                         "publisher_kind": kind.get(sid, "press")})
    return rows


def main(argv: list[str] | None = None) -> None:
    """Write ``observations.csv`` and ``sources.csv`` from ``peru-data.md`` into a folder."""
    args = sys.argv[1:] if argv is None else argv
    text = Path(args[0]).read_text(encoding="utf-8")
    out = Path(args[1])
    for name, rows in (("observations.csv", build(text)), ("sources.csv", build_sources(text))):
        with (out / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {len(rows)} rows to {out / name}")


if __name__ == "__main__":
    main()
