"""The tracker's exception."""

from __future__ import annotations


class TrackError(Exception):
    """A tracker operation was refused; the message says why and what was expected."""
