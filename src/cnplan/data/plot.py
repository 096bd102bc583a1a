"""Charts of observed data: a national line or lines by model zone, gaps shown as gaps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnplan.data.dataset import AUTO, Dataset

if TYPE_CHECKING:
    from matplotlib.axes import Axes

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
"""Colour-blind-safe palette (Okabe & Ito 2008), cycled for more than eight lines."""


def plot_observed(ds: Dataset, variable: str = "coca_ha", by: str | None = None,
                  source: str | None = AUTO, ax: Axes | None = None) -> Axes:
    """Plot a variable as observed: national line, or one line per model zone (``by="zone"``).

    Missing years are NaN, which breaks the line: nothing is interpolated. Observed points are
    marked, so an isolated value (a point with no line through it) stays visible. The caption
    lists the source ids behind the plotted values.

    Parameters
    ----------
    ds
        The dataset.
    variable
        Variable name, e.g. ``coca_ha``.
    by
        ``None`` for the national series, ``"zone"`` for model-zone lines (crosswalk sums).
    source
        Series/source selection as in :meth:`Dataset.national` (for zones ``"auto"`` means all).
    ax
        Axes to draw on; a new figure is made if omitted (no pyplot global state is touched).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.figure import Figure

    if ax is None:
        ax = Figure(figsize=(9, 5), layout="constrained").add_subplot()
    unit = ds.unit(variable)
    if by == "zone":
        table = ds.by_zone(variable, source=None if source == AUTO else source)
        sources = table.attrs.get("sources", [])
        names = dict(zip(ds.zones["zone_id"], ds.zones["name"], strict=True))
        for i, zone in enumerate(table.columns):
            col = table[zone]
            if col.notna().any():
                ax.plot(table.index, col.to_numpy(dtype=float), marker="o", ms=3.5,
                        color=OKABE_ITO[i % len(OKABE_ITO)], label=f"{zone}: {names[zone]}")
        ax.legend(fontsize=7, loc="upper left")
        what = "by model zone (source zone names summed through the crosswalk)"
    elif by is None:
        s = ds.national(variable, source=source)
        sources = s.attrs.get("sources", [])
        ax.plot(s.index, s.to_numpy(dtype=float), marker="o", ms=3.5, color=OKABE_ITO[4],
                label=f"national ({source or 'all'})")
        what = f"national, series {source!r}"
    else:
        raise ValueError(f"by must be None or 'zone', got {by!r}")
    ax.set_title(f"{ds.country}: {variable} {what}\nobserved values only; gaps are not filled",
                 fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel(f"{variable} ({unit})")
    ax.grid(True, alpha=0.3)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ids = sorted({i for s in sources for i in s.split(";")}, key=lambda x: (len(x), x))
    caption = f"Dataset {ds.name} (version {ds.version}). Sources: {', '.join(ids) or 'none'}"
    ax.annotate("\n".join(_wrap(caption, 140)), xy=(0, 0), xycoords="axes fraction",
                xytext=(0, -36), textcoords="offset points", va="top", fontsize=6)
    return ax


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def save_plot(ax: Axes, path: str, dpi: int = 150) -> None:
    """Save the figure of ``ax`` as an image (format from the file suffix, e.g. ``.png``)."""
    ax.figure.savefig(path, dpi=dpi)


__all__ = ["OKABE_ITO", "plot_observed", "save_plot"]
