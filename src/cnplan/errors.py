"""The errors cnplan raises for bad input, and the one "did you mean" hint they share.

Every error a user can fix (a misspelt lever, a row with a bad value, an unknown unit) derives
from :class:`CnplanError`, so a command line or web handler can catch the project's own errors
with one ``except`` and let programming errors through. Errors that list several located
problems at once (``<kind> <source>, <location>: <what was expected>``) derive from
:class:`LocatedError`. This module imports nothing from the rest of cnplan, so every package
can use it without an import cycle.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


class CnplanError(Exception):
    """An error caused by input a user can fix; the message says where and what was expected."""


class LocatedError(CnplanError):
    """A file could not be read; ``problems`` lists every located problem, each printed as
    ``<kind> <source>, <location>: <what was expected>``.
    """

    kind = "file"

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {self.kind} {source}, {p}" for p in problems)
        super().__init__(f"{self.kind} {source} has {len(problems)} problem(s):\n{lines}")


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name ("Alto Huallaga" ~ "alto huallaga")."""
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


def did_you_mean(name: str, valid: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the valid name closest to a misspelt ``name``, or ``""``.

    Case and accents are ignored first (a user typing ``alto huallaga`` means
    ``Alto Huallaga``); otherwise the closest spelling by :func:`difflib.get_close_matches`
    with similarity at least ``cutoff``.
    """
    by_fold = {_fold(v): str(v) for v in valid}
    key = _fold(name)
    if key in by_fold:
        return f" (did you mean {by_fold[key]!r}?)"
    close = difflib.get_close_matches(key, list(by_fold), n=1, cutoff=cutoff)
    return f" (did you mean {by_fold[close[0]]!r}?)" if close else ""
