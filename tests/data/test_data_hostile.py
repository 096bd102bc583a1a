"""Issue 18 for the data import: non-finite and absurd numbers are located refusals (case 6)."""

from __future__ import annotations

import pytest

from cnplan.data import DataError, import_dataset


@pytest.mark.parametrize(("column", "text"), [
    ("value", "1" + "0" * 400), ("lower", "inf"), ("upper", "-inf"), ("lower", "1e400"),
    ("value", "5" + "0" * 14),
])
def test_non_finite_or_absurd_values_are_refused_with_row(make_folder, synth_obs, column,
                                                          text) -> None:
    if column != "value":
        synth_obs[column] = ""
        synth_obs["value"] = ""
        synth_obs["note"] = "bound only"
    synth_obs.loc[1, column] = text
    with pytest.raises(DataError, match=r"observations.csv.*(line|row) 3.*(finite|plausible)"):
        import_dataset(make_folder(obs=synth_obs), "absurd")
