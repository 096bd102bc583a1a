"""One formatter per kind of quantity (cnplan.format), in English and Spanish."""

from __future__ import annotations

import math

import pytest

from cnplan import format as fmt
from cnplan.i18n import use_language


def test_numbers_keep_small_values_and_group_large_ones() -> None:
    assert fmt.number(0.3) == "0.3"
    assert fmt.number(0.5) == "0.5"
    assert fmt.number(0.25) == "0.25"
    assert fmt.number(12688) == "12,688"
    assert fmt.number(1234.5) == "1,234"
    assert fmt.number(3) == "3"
    assert fmt.number(2.0) == "2"
    assert fmt.number(0.3, 2) == "0.30"
    assert fmt.number(-0.0001, 0) == "0"
    assert fmt.number(None) == fmt.number(math.nan) == "–"
    assert fmt.number("n/a") == "n/a"


def test_shares_and_percentages() -> None:
    assert fmt.share(0.3) == "0.3"
    assert fmt.share(0.05) == "0.05"
    assert fmt.share(1) == "1"
    assert fmt.percentage(0.3) == "30%"
    assert fmt.percentage(0.004) == "0.4%"


def test_hectares_and_dollars() -> None:
    assert fmt.hectares(12688) == "12,688"
    assert fmt.hectares(12688.4) == "12,688"
    assert fmt.hectares(12.5) == "12.5"
    assert fmt.usd(1234567.4) == "USD 1,234,567"


def test_years_are_never_grouped() -> None:
    assert fmt.year(2006) == "2006"
    assert fmt.year(2006.0) == "2006"
    assert fmt.year(2013.23) == "2013.2"
    assert fmt.year(None) == "–"


@pytest.mark.parametrize(("p", "short", "text"), [
    (0.0, True, "0%"), (0.002, True, "<1%"), (0.002, False, "less than 1%"),
    (0.3, True, "30%"), (0.998, True, ">99%"), (0.998, False, "more than 99%"), (1.0, True, "100%"),
])
def test_probabilities_never_claim_certainty(p: float, short: bool, text: str) -> None:
    assert fmt.probability(p, short) == text


def test_spanish_uses_the_regional_separators() -> None:
    """Colombia and Spain write "12.688" and "0,3"; years and the "<1%" rule are unchanged."""
    for region in ("es_CO", "es_ES"):
        with use_language(region):
            assert fmt.number(0.3) == "0,3"
            assert fmt.hectares(12688) == "12.688"
            assert fmt.usd(1234567) == "USD 1.234.567"
            assert fmt.year(2006) == "2006"
            assert fmt.year(2013.23) == "2013,2"
            assert fmt.probability(0.002, short=True) == "<1%"
            assert fmt.probability(0.002) == "menos del 1%"
    assert fmt.number(0.3, locale="es_CO") == "0,3"
    with use_language("es"):  # plain Spanish formats as Latin America (es_419, CLDR)
        assert fmt.probability(0.998) == "más del 99%"
        assert fmt.year(2006) == "2006"
