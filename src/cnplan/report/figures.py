"""Chart records for reports: a figure with id, title and alt text; embed or save it."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "cnplan"}
"""Text stays text in SVG (smaller, selectable, read by screen readers); stable ids."""


@dataclass
class Chart:
    """A chart of a report: ``id`` (file name and HTML anchor), title, alt text and figure."""

    id: str
    title: str
    alt: str
    figure: Figure
    caption: str = ""

    def svg(self) -> str:
        """The figure as SVG text."""
        import matplotlib

        buffer = io.StringIO()
        with matplotlib.rc_context(SVG_RC):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    def data_uri(self) -> str:
        """The figure as an SVG ``data:`` URI, for an ``<img>`` that needs no file or network."""
        encoded = base64.b64encode(self.svg().encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"

    def save(self, folder: str | Path, formats: tuple[str, ...] = ("png",), dpi: int = 150
             ) -> list[Path]:
        """Write the chart as ``<folder>/<id>.<format>`` for each format; return the paths."""
        import matplotlib

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for fmt in formats:
            path = folder / f"{self.id}.{fmt}"
            with matplotlib.rc_context(SVG_RC):
                meta = {"Date": None} if fmt == "svg" else None
                self.figure.savefig(path, format=fmt, dpi=dpi, metadata=meta)
            paths.append(path)
        return paths


__all__ = ["Chart"]
