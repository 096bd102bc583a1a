"""Regenerate the figures and tables of docs/validation.md: python docs/gen_validation.py."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402

from cnplan.calibrate.backtest import backtest  # noqa: E402
from cnplan.calibrate.fit import _sim  # noqa: E402
from cnplan.calibrate.history import history_inputs  # noqa: E402
from cnplan.data import load_dataset  # noqa: E402
from cnplan.model import default_parameter_set  # noqa: E402

OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"]


def main() -> None:
    data = load_dataset("peru")
    national = data.national("coca_ha")
    inputs, _ = history_inputs(data, 2005, 2024)
    pset = default_parameter_set("peru")
    rng = np.random.default_rng(0)
    coca, _, _ = _sim(inputs, pset.samples, rng)
    years = inputs.years
    fig, ax = plt.subplots(figsize=(9, 5))
    lo, med, hi = np.quantile(coca, [0.05, 0.5, 0.95], axis=0)
    ax.fill_between(years, lo, hi, color=OKABE_ITO[2], alpha=0.3, label="fitted 90% band")
    ax.plot(years, med, color=OKABE_ITO[4], label="fitted median (all data to 2024)")
    rows, notes = [], []
    for k, cutoff in enumerate((2008, 2012, 2016)):
        result = backtest(data, cutoff)
        t = result.table
        colour = OKABE_ITO[(5, 6, 1)[k]]
        ax.plot(
            t["year"],
            t["median"],
            "--",
            color=colour,
            label=f"forecast from {cutoff} (median, 90% band dotted)",
        )
        ax.plot(t["year"], t["p05"], ":", color=colour, linewidth=1)
        ax.plot(t["year"], t["p95"], ":", color=colour, linewidth=1)
        m = result.metrics
        notes.append(f"- {cutoff}: in-sample MAPE {result.fit_mape:.1%}; {result.error.describe()}")
        rows.append(
            f"| {cutoff} | {m['model_mape']:.1%} | {m['persistence_mape']:.1%} | "
            f"{m['trend_mape']:.1%} | {m['coverage_90']:.0%} | {m['model_crps']:,.0f} | "
            f"{m['persistence_crps']:,.0f} | {m['trend_crps']:,.0f} |"
        )
    obs = national.reindex(years)
    ax.plot(years, obs, "o", color=OKABE_ITO[0], label="observed (UNODC/DEVIDA)")
    ax.set_title("Peru coca area: observed, fitted and out-of-sample forecasts")
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("coca area (ha)")
    ax.legend(fontsize=8)
    fig.text(
        0.01,
        0.01,
        "Sources: peru dataset, coca_ha ("
        + ", ".join(national.attrs["sources"])
        + "); forecasts driven by observed eradication_ha, anchored at the cut-off's "
        "observation, with the structural error estimated on the training years.",
        fontsize=6,
    )
    out = Path(__file__).parent / "img" / "validation.png"
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")
    print(
        "| cut-off | model MAPE | persistence MAPE | trend MAPE | 90% coverage | model CRPS "
        "| persistence CRPS | trend CRPS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    for line in notes:
        print(line)


if __name__ == "__main__":
    main()
