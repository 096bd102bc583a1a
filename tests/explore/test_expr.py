"""Outcome expressions: evaluated column-wise, nothing executed, unknown names list the outcomes."""

import numpy as np
import pandas as pd
import pytest

from cnplan.explore.expr import OutcomeError, binary_outcome, numeric_outcome, parse_outcome

FRAME = pd.DataFrame(
    {
        "marginal_producer_reached": [True, False, True, False],
        "coca_ha_2011": [12000.0, 45000.0, 39000.0, 41000.0],
        "resistance_max": [0.1, 0.9, 0.4, 0.2],
    }
)


def test_conditions():
    assert binary_outcome("marginal_producer_reached == False", FRAME).tolist() == [
        False,
        True,
        False,
        True,
    ]
    assert binary_outcome("coca_ha_2011 > 40000", FRAME).tolist() == [False, True, False, True]
    both = binary_outcome("coca_ha_2011 > 40000 and resistance_max < 0.5", FRAME)
    assert both.tolist() == [False, False, False, True]
    assert binary_outcome("not marginal_producer_reached", FRAME).tolist() == [
        False,
        True,
        False,
        True,
    ]
    assert binary_outcome("30000 < coca_ha_2011 <= 41000", FRAME).tolist() == [
        False,
        False,
        True,
        True,
    ]
    assert binary_outcome("marginal_producer_reached", FRAME).dtype == bool


def test_numbers():
    np.testing.assert_allclose(numeric_outcome("coca_ha_2011 / 1000", FRAME), [12, 45, 39, 41])
    np.testing.assert_allclose(
        numeric_outcome("marginal_producer_reached", FRAME), [1.0, 0.0, 1.0, 0.0]
    )


def test_unknown_name_lists_outcomes():
    with pytest.raises(OutcomeError) as info:
        parse_outcome("coca_2011 > 4", FRAME.columns)
    message = str(info.value)
    assert "unknown outcome 'coca_2011'" in message
    assert "did you mean 'coca_ha_2011'" in message
    for name in FRAME.columns:
        assert name in message


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "coca_ha_2011.mean() > 1",
        "[coca_ha_2011]",
        "x if y else z",
    ],
)
def test_code_is_not_run(text):
    with pytest.raises(OutcomeError, match="available outcomes"):
        parse_outcome(text, list(FRAME.columns) + ["x", "y", "z"])


def test_other_errors():
    with pytest.raises(OutcomeError, match="not a valid expression"):
        parse_outcome("coca_ha_2011 >", FRAME.columns)
    with pytest.raises(OutcomeError, match="true or false"):
        binary_outcome("coca_ha_2011", FRAME)
    with pytest.raises(OutcomeError, match="yes/no"):
        binary_outcome("coca_ha_2011 and resistance_max", FRAME)
    with pytest.raises(OutcomeError, match="one constant"):
        binary_outcome("1 > 0", FRAME)
