"""CART: leaves as boxes with coverage and density; a planted box is found; saved and loaded."""

import numpy as np
import pandas as pd
import pytest

from cnplan.analysis.cart import CartResult, cart
from cnplan.analysis.prim import PrimError


def _data(n=3000, seed=2):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "a": rng.uniform(0, 1, n),
            "b": rng.uniform(0, 10, n),
            "c": rng.uniform(0, 1, n),
            "regime": rng.choice(["calm", "tense", "war"], n),
        }
    )
    y = ((x.a > 0.5) & (x.b < 5.0) & (x.regime != "calm")).to_numpy()
    return x, y


def test_planted_box_is_a_pure_leaf():
    x, y = _data()
    result = cart(x, y, outcome="planted", units={"b": "ha"})
    best = result.boxes.iloc[0]
    assert best.density == 1.0 and best.of_interest
    assert best.coverage > 0.9
    lim = result.box(0).set_index("input")
    assert lim.loc["a", "lower"] == pytest.approx(0.5, abs=0.02)
    assert lim.loc["b", "upper"] == pytest.approx(5.0, abs=0.1)
    assert lim.loc["b", "unit"] == "ha"
    assert sorted(lim.loc["regime", "categories"]) == ["tense", "war"]
    assert "c" not in lim.index
    # leaves partition the data
    assert result.boxes.n.sum() == len(y)
    assert result.boxes.k.sum() == y.sum()
    assert result.boxes.coverage.sum() == pytest.approx(1.0)
    assert (result.boxes.mass >= 0.05 - 1e-9).all()


def test_round_trip(tmp_path):
    x, y = _data(n=800)
    result = cart(x, y)
    back = CartResult.load(result.save(tmp_path / "cart-planted.json"))
    pd.testing.assert_frame_equal(back.boxes, result.boxes)
    for a, b in zip(back.limits, result.limits, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_errors():
    x, y = _data(n=100)
    with pytest.raises(PrimError, match="no scenario"):
        cart(x, np.zeros(100, bool))
    with pytest.raises(PrimError, match="mass_min"):
        cart(x, y, mass_min=0.7)
    with pytest.raises(PrimError, match="--box"):
        cart(x, y).box(99)
