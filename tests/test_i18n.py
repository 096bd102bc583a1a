"""Languages: resolution (option, CNPLAN_LANG), the Spanish catalogue's completeness, and the CLI.

The completeness check extracts every message from the source with Babel, exactly as a
translator would (``babel.cfg``), and requires a Spanish translation for each, with the same
placeholders; words built from identifiers (levers, units, variables) must have entries too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan import i18n, terms
from cnplan.i18n_audit import english_left, missing_translations

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|\{\w+[^}]*\}")


def _extracted() -> dict[str, tuple[str, int]]:
    """Every message in the source (Python and templates), as Babel extracts it."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    method_map = [("src/cnplan/**.py", "python"),
                  ("src/cnplan/**/templates/**.j2", "jinja2.ext:babel_extract")]
    options_map = {"src/cnplan/**/templates/**.j2": {"trimmed": "true",
                                                     "newstyle_gettext": "true"}}
    keywords = dict(DEFAULT_KEYWORDS, N_=None)
    out = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        msgid = message if isinstance(message, str) else message[0]
        out[msgid] = (filename, lineno)
    return out


def _spanish() -> dict[str, object]:
    from babel.messages.pofile import read_po

    with i18n.catalogue_path("es").open("rb") as fh:
        catalog = read_po(fh, locale="es")
    return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


def test_every_message_in_the_source_has_a_spanish_translation() -> None:
    extracted = _extracted()
    assert len(extracted) > 400  # reports, pages, CLI: the extraction found them
    spanish = _spanish()
    missing = [f"{where[0]}:{where[1]}: {msgid!r}" for msgid, where in extracted.items()
               if msgid not in spanish]
    assert not missing, "messages without a Spanish entry (pybabel update, then translate):\n" \
        + "\n".join(missing)
    assert missing_translations("es") == []


def test_translations_keep_every_placeholder() -> None:
    for msgid, message in _spanish().items():
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(ids[-1])), \
                f"{msgid!r}: placeholders differ in {text!r}"


def test_domain_vocabulary_reads_as_devida_and_unodc_write_it() -> None:
    with i18n.use_language("es"):
        assert terms.lever_name("forced_eradication") == "erradicación forzosa"
        assert terms.lever_name("voluntary_eradication") == "erradicación voluntaria"
        assert terms.lever_name("ad_funding") == "financiamiento del desarrollo alternativo"
        assert terms.variable("coca_ha") == "superficie de coca"
        assert terms.unit("ha/yr") == "ha/año"
        assert terms.country("Peru") == "Perú"
        assert i18n.gettext("Will the plan reach its goals?") == "¿Alcanzará el plan sus metas?"
    assert terms.lever_name("forced_eradication") == "forced eradication"


def test_every_lever_variable_and_unit_shown_has_a_word() -> None:
    from cnplan.data import load_dataset
    from cnplan.plans.levers import LEVERS

    data = load_dataset("peru")
    assert set(LEVERS) <= set(terms.LEVER_NAMES)
    assert {s.unit for s in LEVERS.values()} <= set(terms.UNITS)
    assert set(data.variables) <= set(terms.VARIABLES)
    assert set(data.observations["unit"]) <= set(terms.UNITS)
    with i18n.use_language("es"):
        for spec in LEVERS.values():
            assert i18n.gettext(spec.description) != spec.description, spec.id


def test_language_comes_from_the_option_then_the_environment(monkeypatch) -> None:
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert i18n.get_language() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "es-pe")
    assert i18n.get_language() == "es_PE"
    assert i18n.language() == "es"
    with i18n.use_language("en"):
        assert i18n.gettext("Goals") == "Goals"
        with i18n.use_language("es"):
            assert i18n.gettext("Goals") == "Metas"
        assert i18n.language() == "en"
    assert i18n.gettext("Goals") == "Metas"
    monkeypatch.setenv(i18n.ENV_VAR, "fr")
    with pytest.raises(i18n.LanguageError, match="CNPLAN_LANG: unknown language 'fr'"):
        i18n.get_language()
    with pytest.raises(i18n.LanguageError, match="unknown region"):
        i18n.normalize("es_XX")


def test_plural_forms_follow_the_language() -> None:
    with i18n.use_language("es"):
        assert i18n.ngettext("%(num)s row", "%(num)s rows", 1) % {"num": 1} == "1 fila"
        assert i18n.ngettext("%(num)s row", "%(num)s rows", 3) % {"num": 3} == "3 filas"


def test_dates_are_written_the_locale_s_way() -> None:
    when = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    with i18n.use_language("en"):
        assert i18n.format_datetime(when) == "Dec 1, 2026, 10:30 UTC"
    with i18n.use_language("es"):
        assert i18n.format_datetime(when) == "1 dic 2026, 10:30 UTC"
        assert i18n.format_datetime(when.date()) == "1 de diciembre de 2026"


def test_the_audit_finds_english_and_ignores_text_marked_translate_no() -> None:
    with i18n.use_language("es"):
        page = (f"<p>{i18n.gettext('Will the plan reach its goals?')}</p>"
                "<p translate='no'>Will the plan reach its goals?</p>"
                "<script>var x = 'Sources of the observed series';</script>")
    assert english_left(page, "es") == []
    assert english_left(page + "<img alt='Sources of the observed series'>", "es") == [
        "Sources of the observed series"]


# ---------------------------------------------------------------- the CLI


def _cli(*args: str, env: dict[str, str] | None = None):
    from cnplan.cli import app

    return CliRunner().invoke(app, list(args), env=env or {})


def test_cli_lang_option_and_environment_switch_the_output() -> None:
    english = _cli("plan", "show", "lima-2005")
    spanish = _cli("--lang", "es", "plan", "show", "lima-2005")
    by_env = _cli("plan", "show", "lima-2005", env={"CNPLAN_LANG": "es"})
    assert english.exit_code == spanish.exit_code == by_env.exit_code == 0, spanish.output
    assert "Fases" in spanish.output and "Palancas" in spanish.output
    assert "Perú · datos: peru" in spanish.output
    assert "Phases" in english.output and "Peru · data: peru" in english.output
    assert spanish.output == by_env.output


def test_cli_refuses_an_unknown_language_naming_the_option() -> None:
    result = _cli("--lang", "xx", "plan", "list")
    assert result.exit_code == 1
    assert "--lang/CNPLAN_LANG: unknown language 'xx'" in result.output
