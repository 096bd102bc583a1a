"""How cnplan shows a number to a reader: one place for the command line, the reports and the
web app, so the same value reads the same everywhere.

Each kind of quantity has its rule:

- :func:`number` — a general figure: thousands grouped from 1,000 up, otherwise up to four
  significant digits, never rounded to nothing (a share of 0.3 is "0.3", not "0").
- :func:`hectares` — an area: whole hectares from 100 ha up (survey precision), three
  significant digits below.
- :func:`usd` — money in US dollars, whole dollars grouped ("USD 1,234,567").
- :func:`share` — a fraction 0-1 written as a number ("0.3"); :func:`percentage` writes it
  as a percentage ("30%").
- :func:`probability` — a share of simulated futures: never "0%" for a rare event nor "100%"
  for a likely one ("<1%", ">99%"), since a Monte Carlo sample cannot show certainty.
- :func:`year` — a calendar year, never grouped ("2006", not "2,006"); a fractional year
  (a median of first years, 2013.2) keeps one decimal.

Missing values (``None``, NaN) show as an en dash. Separators follow the current language's
locale (:func:`cnplan.i18n.babel_locale`, Babel's CLDR data; ``es_CO`` writes "12.688" and
"0,3"); every function takes ``locale=`` to override it (the hook a report or a test uses).
"""

from __future__ import annotations

import math
from typing import Any

from cnplan.i18n import babel_locale
from cnplan.i18n import gettext as _

MISSING = "–"
"""What a missing value (None, NaN, infinite) shows as."""


def _locale(locale: Any) -> Any:
    """The Babel locale to format in: the one given, else the current language's."""
    if locale is None:
        return babel_locale()
    from babel import Locale

    return locale if isinstance(locale, Locale) else Locale.parse(str(locale))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _decimal(value: float, decimals: int, locale: Any, *, fixed: bool = False) -> str:
    """``value`` with at most (``fixed``: exactly) ``decimals`` decimals, grouped, in ``locale``."""
    from babel.numbers import format_decimal

    tail = ("0" if fixed else "#") * decimals
    pattern = "#,##0" + ("." + tail if decimals else "")
    text = format_decimal(value, format=pattern, locale=_locale(locale))
    return _no_negative_zero(text)


def _no_negative_zero(text: str) -> str:
    """"-0" (a tiny negative rounded away) reads as a sign error; show "0"."""
    stripped = text.lstrip("-−")
    if stripped != text and not any(c in "123456789" for c in stripped):
        return stripped
    return text


def _significant(value: float, digits: int) -> int:
    """Decimals needed to show ``value`` to ``digits`` significant digits."""
    if value == 0:
        return 0
    return max(0, digits - 1 - math.floor(math.log10(abs(value))))


def number(value: Any, digits: int | None = None, *, significant: int = 4,
           locale: Any = None) -> str:
    """A general figure. ``digits`` fixes the decimals; by default values from 1,000 up are
    whole and grouped and smaller ones keep ``significant`` digits (0.3 -> "0.3",
    0.25 -> "0.25", 1234.5 -> "1,234"; trailing zeros dropped). Non-numbers are shown as text.
    """
    if _missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if digits is not None:
        return _decimal(value, digits, locale, fixed=True)
    if abs(value) >= 1000 or float(value).is_integer():
        return _decimal(round(value), 0, locale)
    return _decimal(value, min(_significant(value, significant), 12), locale)


def hectares(value: Any, *, locale: Any = None) -> str:
    """An area in hectares: whole from 100 ha up ("12,688"), three significant digits below
    (a small zone's 12.5 ha stays 12.5). The unit is the caller's to add.
    """
    if _missing(value):
        return MISSING
    value = float(value)
    if abs(value) >= 100:
        return _decimal(round(value), 0, locale)
    return _decimal(value, min(_significant(value, 3), 12), locale)


def usd(value: Any, *, locale: Any = None) -> str:
    """Money in US dollars, whole and grouped: ``USD 1,234,567`` (the code, not "$", which in
    Latin America also means the local peso).
    """
    if _missing(value):
        return MISSING
    return f"USD {_decimal(round(float(value)), 0, locale)}"


def share(value: Any, *, locale: Any = None) -> str:
    """A fraction between 0 and 1 as a number: 0.3 -> "0.3", 0.05 -> "0.05", 1 -> "1"."""
    if _missing(value):
        return MISSING
    return _decimal(float(value), min(_significant(float(value), 3), 12), locale)


def percentage(value: Any, *, locale: Any = None) -> str:
    """A fraction written as a percentage: 0.3 -> "30%", whole percent from 1% up; a share
    below 1% keeps one decimal (0.004 -> "0.4%") so it does not read as none.
    """
    if _missing(value):
        return MISSING
    pct = float(value) * 100
    decimals = 1 if 0 < abs(pct) < 1 else 0
    return _decimal(pct, decimals, locale) + "%"


def probability(p: Any, short: bool = False, *, locale: Any = None) -> str:
    """A probability as a reader should see it: never "0%" for rare, never "100%" for likely.

    Exactly 0 and 1 are shown as such; below 0.5% reads "<1%" (``short``, for tables) or
    "less than 1%", above 99.5% ">99%" or "more than 99%"; otherwise whole percent.
    """
    if _missing(p):
        return MISSING
    p = float(p)
    if p <= 0:
        return "0%"
    if p >= 1:
        return "100%"
    if p < 0.005:
        return "<1%" if short else _("less than 1%")
    if p > 0.995:
        return ">99%" if short else _("more than 99%")
    return _decimal(round(p * 100), 0, locale) + "%"


def year(value: Any, *, locale: Any = None) -> str:
    """A calendar year, never with a thousands separator: 2006 -> "2006"; a fractional year
    (a median over futures) keeps one decimal in the locale's decimal mark: 2013.23 -> "2013.2".
    """
    if _missing(value):
        return MISSING
    value = float(value)
    if abs(value - round(value)) < 0.05:
        return str(int(round(value)))
    text = f"{value:.1f}"
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(_locale(locale)))


def jinja_filters() -> dict[str, Any]:
    """The formatters as Jinja filters (``{{ x|num }}``, ``{{ y|year }}``, ``{{ p|pct }}``),
    for the web app and the HTML reports. A value the template does not have (Jinja's
    ``Undefined``, e.g. a field missing from an unreadable run folder) shows as missing
    instead of failing the whole page.
    """
    from jinja2 import Undefined

    def missing_as_none(fmt: Any) -> Any:
        return lambda value, *a, **k: fmt(None if isinstance(value, Undefined) else value,
                                          *a, **k)

    filters = {
        "num": number,
        "ha": hectares,
        "usd": usd,
        "share": share,
        "percentage": percentage,
        "pct": lambda p: probability(p, short=True),
        "year": year,
    }
    return {name: missing_as_none(fmt) for name, fmt in filters.items()}
