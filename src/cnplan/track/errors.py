"""The tracker's exception."""

from __future__ import annotations

from cnplan.errors import CnplanError


class TrackError(CnplanError):
    """A tracker operation was refused; the message says why and what was expected."""
