"""Translation checks: a catalogue's gaps, and English left in a page rendered in another language.

Used by the tests (every report and page rendered in Spanish must show none of the English
messages it has translations for) and useful to a translator after ``pybabel update``.
Text a page marks ``translate="no"`` (the HTML attribute for names, data and user content,
such as a plan's own description or a source's title) is not checked.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from cnplan.i18n import DOMAIN, catalogue_path

_PLACEHOLDER = re.compile(r"%\([^)]*\)[sdfr]|\{[^}]*\}|%%|<[^>]+>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Visible(HTMLParser):
    """Collects the text a reader sees, plus ``alt``/``title``/``aria-label``/``placeholder``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag in ("script", "style") or values.get("translate") == "no"
        if tag not in _VOID and (hidden or self._skip):
            self._skip.append(tag)
        if not self._skip and not hidden:
            for name in ("alt", "title", "aria-label", "placeholder"):
                if values.get(name):
                    self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The words of a page a reader sees (scripts, styles and ``translate="no"`` left out)."""
    parser = _Visible()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _catalogue(lang: str):  # noqa: ANN202 - babel's Catalog, imported lazily
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def missing_translations(lang: str) -> list[str]:
    """Messages of the ``lang`` catalogue without a translation (every plural form counted)."""
    out = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(strings):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def english_fragments(lang: str, min_chars: int = 14) -> dict[str, str]:
    """English text of each translated message, as fragments between placeholders and tags.

    Only fragments of at least ``min_chars`` characters and two words whose message translates
    to something else are kept, so that words both languages share ("plan", "USD/kg") do not
    count. Maps each fragment to its message.
    """
    out: dict[str, str] = {}
    for message in _catalogue(lang):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not all(strings) or set(ids) & set(strings):
            continue
        translated = " ".join(strings)
        for msgid in ids:
            for fragment in _PLACEHOLDER.split(msgid):
                fragment = re.sub(r"\s+", " ", fragment).strip(" .,;:()[]—–-")
                if (len(fragment) >= min_chars and " " in fragment
                        and fragment not in translated):
                    out[fragment] = ids[0]
    return out


def english_left(html: str, lang: str) -> list[str]:
    """English fragments of translated messages that a page in ``lang`` still shows."""
    text = visible_text(html)
    return sorted(f for f in english_fragments(lang) if f in text)


__all__ = ["english_fragments", "english_left", "missing_translations", "visible_text"]
