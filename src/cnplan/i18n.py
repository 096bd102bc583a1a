"""Languages: which one is current (option, ``CNPLAN_LANG``, cookie), its messages and locale.

cnplan speaks English (the source language of every message) and Spanish. The current
language lives in a context variable, so a web request, a CLI invocation and a report
rendered in a worker thread each see their own; nothing global changes at import time.

Resolution order: an explicit :func:`use_language` / :func:`set_language` (the CLI's
``--lang``, the web app's cookie) over the ``CNPLAN_LANG`` environment variable over English.
A language may carry a region (``es_CO``, ``en_GB``): the messages follow the language, the
number and date formats follow the region (Babel's CLDR data). Plain ``es`` formats as
Latin American Spanish (``es_419``).

Catalogues are gettext ``.po`` files under ``cnplan/locale/<lang>/LC_MESSAGES/cnplan.po``,
extracted with Babel (see ``docs/translating.md``). They are compiled in memory on first use
(Babel's ``read_po`` then ``write_mo``), so a fresh ``pip install -e .`` needs no build step
and a ``.po`` edit shows at the next start without a stale ``.mo``.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from importlib import resources
from typing import Any

from cnplan.errors import CnplanError

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
"""Languages with a catalogue, by code, each named in itself (for a language switch)."""

DEFAULT_LANGUAGE = "en"
ENV_VAR = "CNPLAN_LANG"
COOKIE = "cnplan_lang"
DOMAIN = "cnplan"

_FORMAT_LOCALE = {"en": "en_US", "es": "es_419"}
_current: ContextVar[str | None] = ContextVar("cnplan_language", default=None)


class LanguageError(CnplanError, ValueError):
    """A language code cnplan cannot use (no catalogue, or not a locale Babel knows)."""


def normalize(code: str, *, source: str = "language") -> str:
    """``code`` as ``ll`` or ``ll_RR`` (``es-pe`` → ``es_PE``), refused unless supported.

    Raises
    ------
    LanguageError
        Naming ``source`` (e.g. ``--lang`` or ``CNPLAN_LANG``), what arrived and what is
        allowed.
    """
    from babel import Locale, UnknownLocaleError

    text = str(code).strip().replace("-", "_")
    allowed = ", ".join(LANGUAGES)
    lang, _, region = text.partition("_")
    lang = lang.lower()
    if lang not in LANGUAGES:
        raise LanguageError(f"{source}: unknown language {code!r}; expected one of {allowed} "
                            f"(optionally with a region, e.g. es_PE)")
    if not region:
        return lang
    out = f"{lang}_{region.upper()}"
    try:
        Locale.parse(out)
    except (UnknownLocaleError, ValueError) as exc:
        raise LanguageError(f"{source}: unknown region in {code!r} ({exc})") from None
    return out


def default_language() -> str:
    """The language of ``CNPLAN_LANG`` if set (refused with a clear error if unknown), else en."""
    value = os.environ.get(ENV_VAR, "").strip()
    return normalize(value, source=ENV_VAR) if value else DEFAULT_LANGUAGE


def get_language() -> str:
    """The current language code (with region if one was given)."""
    return _current.get() or default_language()


def language() -> str:
    """The current language without region: the key of its catalogue (``en`` or ``es``)."""
    return get_language().partition("_")[0]


def set_language(code: str | None, *, source: str = "language") -> Token:
    """Make ``code`` current in this context (``None``: back to ``CNPLAN_LANG``/English)."""
    return _current.set(None if code is None else normalize(code, source=source))


def reset_language(token: Token) -> None:
    """Undo the :func:`set_language` that returned ``token``."""
    _current.reset(token)


@contextmanager
def use_language(code: str | None, *, source: str = "language") -> Iterator[str]:
    """Run a block in ``code`` (``None`` keeps the current language); yields the code in use."""
    if code is None:
        yield get_language()
        return
    token = set_language(code, source=source)
    try:
        yield get_language()
    finally:
        _current.reset(token)


def catalogue_path(lang: str) -> Any:
    """The ``.po`` file of ``lang`` inside the package (a Traversable)."""
    return resources.files("cnplan") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled messages of ``lang`` (English: the identity), cached per process."""
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    """``message`` in the current language (itself if it has no translation)."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart from the same words elsewhere."""
    return translations(language()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` for extraction where it is defined; translate it where it is shown."""
    return message


def babel_locale() -> Any:
    """The Babel ``Locale`` that formats numbers and dates in the current language."""
    from babel import Locale

    code = get_language()
    return Locale.parse(code if "_" in code else _FORMAT_LOCALE[code])


def format_datetime(value: Any, *, with_time: bool = True) -> str:
    """A date (long form) or a date-time (medium date, 24-hour UTC time) in the current locale."""
    from babel.dates import format_date, format_time

    if with_time and hasattr(value, "hour"):
        return (format_date(value, format="medium", locale=babel_locale()) + ", "
                + format_time(value, "HH:mm", locale=babel_locale()) + " UTC")
    return format_date(value, format="long", locale=babel_locale())


def install_jinja(env: Any) -> Any:
    """Give a Jinja2 environment ``_``/``gettext``/``ngettext`` and ``{% trans %}`` blocks.

    The callables read the current language at render time, so one environment serves every
    language. New-style gettext: ``_('%(n)s futures', n=n)`` formats and escapes the values.
    Trans blocks are trimmed (whitespace collapsed), which is also how Babel extracts them.
    """
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, pgettext=pgettext,
                                  newstyle=True)
    env.globals["current_language"] = language
    env.globals["LANGUAGES"] = LANGUAGES
    return env


__all__ = ["COOKIE", "DEFAULT_LANGUAGE", "ENV_VAR", "LANGUAGES", "LanguageError", "N_", "_",
           "babel_locale", "default_language", "format_datetime", "get_language", "gettext",
           "install_jinja", "language", "ngettext", "normalize", "pgettext", "reset_language",
           "set_language",
           "translations", "use_language"]
