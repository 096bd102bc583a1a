"""PRIM: a planted box is recovered, and the trajectory matches EMA Workbench's on the same data."""

import numpy as np
import pandas as pd
import pytest

from cnplan.analysis.prim import PrimError, PrimResult, ema_quantile, prim, quasi_p_values


def _planted(n=4000, k=5, noise=0.0, seed=1):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, k)), columns=[f"x{i}" for i in range(k)])
    y = ((x.x0 > 0.6) & (x.x1 < 0.3)).to_numpy()
    if noise:
        y = y ^ (rng.uniform(size=n) < noise)
    return x, y


def test_recovers_a_planted_box():
    x, y = _planted()
    result = prim(x, y, outcome="planted")
    box = result.box().set_index("input")
    assert set(box.index) == {"x0", "x1"}  # only the planted inputs are restricted
    assert box.loc["x0", "lower"] == pytest.approx(0.6, abs=0.02)
    assert box.loc["x1", "upper"] == pytest.approx(0.3, abs=0.02)
    last = result.trajectory.iloc[-1]
    assert last.density == 1.0
    assert last.coverage > 0.9
    # the planted limits matter: tiny quasi-p-values on the restricted sides
    assert box.loc["x0", "qp_lower"] < 1e-6 and box.loc["x1", "qp_upper"] < 1e-6
    assert np.isnan(box.loc["x0", "qp_upper"]) or box.loc["x0", "qp_upper"] > 0


def test_trajectory_is_monotone_in_density_while_peeling():
    x, y = _planted(noise=0.05)
    traj = prim(x, y, paste=False).trajectory
    assert (np.diff(traj.density) > 0).all()
    assert (np.diff(traj.mass) < 0).all()
    assert traj.mass.iloc[-1] >= 0.05


def test_matches_ema_workbench():
    ema_prim = pytest.importorskip("ema_workbench.analysis.prim")
    x, y = _planted(n=1500, noise=0.05, seed=7)
    ours = prim(x, y, peel_alpha=0.1, mass_min=0.1)  # fewer steps: EMA's are slow
    theirs = ema_prim.Prim(x, y.astype(int), threshold=0.5, peel_alpha=0.1, mass_min=0.1).find_box()
    ema_traj = theirs.peeling_trajectory
    assert len(ema_traj) == len(ours.trajectory)
    for col in ("coverage", "density", "mass", "res_dim"):
        np.testing.assert_allclose(ours.trajectory[col], ema_traj[col], atol=1e-12)
    for k in (len(ema_traj) // 2, len(ema_traj) - 1):
        lims = theirs.box_lims[k]
        j = [ours.inputs.index(c) for c in lims.columns]
        np.testing.assert_allclose(ours.lower[k, j], lims.loc[0].to_numpy(float), atol=1e-9)
        np.testing.assert_allclose(ours.upper[k, j], lims.loc[1].to_numpy(float), atol=1e-9)
    # quasi-p-values of the chosen (last) box agree too
    qp = theirs.qp[-1]
    last = len(ours.trajectory) - 1
    quasi_p_values(ours, last)
    box = ours.box(last).set_index("input")
    for name, (p_lo, p_hi) in qp.items():
        for ours_p, their_p in (
            (box.loc[name, "qp_lower"], p_lo),
            (box.loc[name, "qp_upper"], p_hi),
        ):
            if their_p == -1:
                assert np.isnan(ours_p)
            else:
                assert ours_p == pytest.approx(their_p, rel=1e-6, abs=1e-300)


def test_ema_quantile_skips_ties():
    values = np.array([1.0, 2.0, 2.0, 2.0, 3.0])
    assert ema_quantile(values, 0.5 + 1e-9) == 1.5  # steps down past the run of 2s
    assert ema_quantile(values, 0.5) == 2.5


def test_categorical_input_is_peeled_by_category():
    rng = np.random.default_rng(3)
    n = 3000
    x = pd.DataFrame(
        {
            "regime": rng.choice(["calm", "tense", "war"], n),
            "price": rng.uniform(0, 5, n),
        }
    )
    y = ((x.regime == "war") & (x.price > 2.5)).to_numpy()
    result = prim(x, y)
    box = result.box().set_index("input")
    assert box.loc["regime", "categories"] == ["war"]
    assert box.loc["price", "lower"] == pytest.approx(2.5, abs=0.1)
    assert result.trajectory.density.iloc[-1] == 1.0


def test_save_and_load_round_trip(tmp_path):
    x, y = _planted(n=1000)
    result = prim(x, y, outcome="x0 > 0.6", units={"x0": "ha"})
    path = result.save(tmp_path / "analysis" / "prim-fail.json")
    back = PrimResult.load(path)
    pd.testing.assert_frame_equal(back.box(), result.box())
    pd.testing.assert_frame_equal(back.trajectory, result.trajectory)
    assert back.box().set_index("input").loc["x0", "unit"] == "ha"
    assert not list(tmp_path.glob("analysis/*.tmp"))


def test_bad_input_is_refused():
    x, y = _planted(n=200)
    with pytest.raises(PrimError, match="peel_alpha"):
        prim(x, y, peel_alpha=0.7)
    with pytest.raises(PrimError, match="no scenario is a case of interest"):
        prim(x, np.zeros(200, bool), outcome="never")
    with pytest.raises(PrimError, match="one value per row"):
        prim(x, y[:10])
    with pytest.raises(PrimError, match="--box"):
        prim(x, y).box(999)


EXPLORATION = """
name: discover-small
plan: lima-2005
seed: 5
uncertainties:
  - param: price_elasticity
  - driver: price_shock
    range: [-0.3, 0.3]
levers:
  - lever: forced_eradication
    zone: vraem
    scale: [0.5, 3.0]
outcomes: [marginal_producer, coca_ha: [2011], cost_musd_total]
design: {method: latin_hypercube, n: 600}
"""


@pytest.fixture(scope="module")
def exploration(tmp_path_factory):
    from cnplan.explore import load_experiment, run_exploration

    folder = tmp_path_factory.mktemp("expl") / "small"
    run_exploration(load_experiment(EXPLORATION), folder, progress=False)
    return folder


def test_discover_on_an_exploration(exploration):
    import cnplan
    from cnplan.analysis.discover import save_discovery

    result = cnplan.discover(exploration, "coca_ha_2011 > 40000")
    assert isinstance(result, PrimResult)
    assert result.units["lever:forced_eradication.vraem"] == "x plan"
    assert result.trajectory.density.iloc[-1] > result.trajectory.density.iloc[0]
    path = save_discovery(exploration, result)
    assert path == exploration / "analysis" / "prim-coca_ha_2011-gt-40000.json"
    cart_result = cnplan.discover(exploration, "coca_ha_2011 > 40000", method="cart")
    assert cart_result.boxes.n.sum() == 600


def test_discover_cli(exploration, tmp_path):
    from typer.testing import CliRunner

    from cnplan.cli import app

    runner = CliRunner()
    chart = tmp_path / "prim.png"
    got = runner.invoke(
        app,
        [
            "discover",
            str(exploration),
            "--outcome",
            "coca_ha_2011 > 40000",
            "--box",
            "3",
            "--chart",
            str(chart),
        ],
        env={"COLUMNS": "160"},
    )
    assert got.exit_code == 0, got.output
    assert "peeling trajectory" in got.output and "Box 3 limits" in got.output
    assert chart.stat().st_size > 10_000 and chart.read_bytes()[:4] == b"\x89PNG"
    saved = PrimResult.load(exploration / "analysis" / "prim-coca_ha_2011-gt-40000.json")
    assert saved.chosen == 3 and 3 in saved.quasi_p
    got = runner.invoke(app, ["discover", str(exploration), "--outcome", "coca_2011 > 1"])
    assert got.exit_code == 1
    assert "available outcomes are" in got.output and "marginal_producer_reached" in got.output
    got = runner.invoke(
        app, ["discover", str(exploration), "--outcome", "coca_ha_2011 > 40000", "--box", "999"]
    )
    assert got.exit_code == 1 and "--box" in got.output
    got = runner.invoke(
        app,
        [
            "discover",
            str(exploration),
            "--outcome",
            "coca_ha_2011 > 40000",
            "--method",
            "cart",
            "--chart",
            str(tmp_path / "cart.png"),
        ],
    )
    assert got.exit_code == 0, got.output
    assert "CART leaves" in got.output


def test_plots_draw_on_given_axes():
    from matplotlib.figure import Figure

    from cnplan.analysis import plots

    x, y = _planted(n=500)
    result = prim(x, y)
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plots.tradeoff(result, ax=left) is left
    assert plots.box_limits(result, ax=right) is right
    assert len(right.patches) == 2 * len(result.box())
    assert plots.tradeoff(result).figure is not fig  # a new figure of its own


def test_loaded_result_keeps_saved_quasi_p_only(tmp_path):
    from cnplan.analysis.prim import quasi_p_values

    x, y = _planted(n=800)
    result = prim(x, y)
    back = PrimResult.load(result.save(tmp_path / "p.json"))
    assert quasi_p_values(back, back.default_box) == result.quasi_p[result.default_box]
    with pytest.raises(PrimError, match="not saved"):
        quasi_p_values(back, 1)
