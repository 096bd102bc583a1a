"""The exploration folder: manifest, atomic chunks, DuckDB, xarray and the results command."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

import cnplan
from cnplan.cli import app
from cnplan.explore import load_experiment, open_results, resume, run_exploration
from cnplan.explore.store import ResultsError, chunk_path

from .conftest import EXAMPLE, small_text


def test_manifest_records_design_versions_columns_and_chunks(reference_folder, small_experiment):
    m = json.loads((reference_folder / "manifest.json").read_text())
    assert m["kind"] == "exploration"
    assert m["experiment"] == "small" and m["plan"] == "lima-2005"
    assert load_experiment(m["experiment_text"]).model_dump() == small_experiment.model_dump()
    assert m["design"]["method"] == "latin_hypercube" and m["n_rows"] == 1200
    assert m["chunk_size"] == 256 and m["chunks_total"] == 5
    assert m["finished_chunks"] == [0, 1, 2, 3, 4] and m["finished"] is not None
    assert m["seed"] == 7 and m["code_version"].startswith(cnplan.__version__)
    assert m["data"] == "peru" and m["data_version"] and m["parameter_set"]
    assert m["input_columns"] == small_experiment.input_columns
    assert m["outcome_columns"] == small_experiment.outcome_columns
    assert m["units"]["coca_ha_2015"] == "ha" and m["units"]["cost_musd_total"] == "million USD"
    assert m["inputs"]["lever:ad_funding"]["mode"] == "scale"
    files = sorted(p.name for p in (reference_folder / "results").iterdir())
    assert files == [f"chunk-{i:06d}.parquet" for i in range(5)]


def _copy(folder, tmp_path):
    dest = tmp_path / "copy"
    shutil.copytree(folder, dest)
    return dest


def test_only_chunks_in_the_manifest_are_results_and_resume_redoes_the_rest(
    reference_folder, tmp_path
):
    folder = _copy(reference_folder, tmp_path)
    full = open_results(folder).frame()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["finished_chunks"] = [0, 2]  # as if the run died after chunk 2's file was renamed
    manifest["finished"] = None
    (folder / "manifest.json").write_text(json.dumps(manifest))
    chunk_path(folder, 3).write_bytes(b"PAR1 half-written")  # garbage never read
    (folder / "results" / ".chunk-000004.parquet.abc.tmp").write_bytes(b"temp")
    partial = open_results(folder)
    assert not partial.complete
    assert sorted(set(partial.frame().index // 256)) == [0, 2]
    assert partial.sql("SELECT count(*) AS n FROM results")["n"][0] == 256 * 2
    resume(folder, progress=False)
    again = open_results(folder)
    assert again.complete
    pd.testing.assert_frame_equal(again.frame(), full, check_exact=True)


def test_sql_agrees_with_pandas(reference_folder):
    res = open_results(reference_folder)
    frame = res.frame()
    got = res.sql(
        "SELECT avg(cost_musd_total) AS cost, sum(hold_the_line_reached::INT) AS held "
        'FROM results WHERE "lever:ad_funding" > 1.2'
    )
    sel = frame[frame["lever:ad_funding"] > 1.2]
    assert got["cost"][0] == pytest.approx(sel["cost_musd_total"].mean(), rel=1e-12)
    assert got["held"][0] == sel["hold_the_line_reached"].sum()
    with pytest.raises(ResultsError, match="--sql"):
        res.sql("SELECT nothing FROM results")


def test_to_xarray_keeps_units_and_provenance(reference_folder):
    ds = open_results(reference_folder).to_xarray()
    assert ds.sizes["scenario"] == 1200
    assert ds["coca_ha_2011"].attrs["units"] == "ha"
    assert ds.attrs["plan"] == "lima-2005" and ds.attrs["seed"] == 7


def test_not_an_exploration_and_existing_folder_are_refused(reference_folder, tmp_path):
    with pytest.raises(ResultsError, match="not an exploration folder"):
        open_results(tmp_path)
    with pytest.raises(ResultsError, match="already holds an exploration"):
        run_exploration(load_experiment(small_text()), reference_folder, progress=False)


def test_results_command_summary_sql_and_formats(reference_folder):
    runner = CliRunner()
    out = runner.invoke(app, ["results", str(reference_folder)], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "1,200 of 1,200 rows, complete" in out.output
    assert "lever:police_graduates" in out.output and "coca_ha_2015" in out.output
    js = runner.invoke(app, ["results", str(reference_folder), "--format", "json"])
    summary = json.loads(js.output)
    share = open_results(reference_folder).frame()["hold_the_line_reached"].mean()
    got = {o["column"]: o for o in summary["outcomes"]}
    assert got["hold_the_line_reached"]["share_true"] == pytest.approx(share)
    csv = runner.invoke(
        app,
        [
            "results",
            str(reference_folder),
            "--sql",
            "SELECT count(*) AS n FROM results",
            "--format",
            "csv",
        ],
    )
    assert csv.output.splitlines() == ["n", "1200"]
    bad = runner.invoke(app, ["results", str(reference_folder), "--sql", "SELEC 1"])
    assert bad.exit_code == 1 and "error" in bad.output


def test_explore_command_refuses_a_bad_experiment_with_located_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("lever: ad_funding", "lever: ad_budget"))
    out = CliRunner().invoke(
        app, ["explore", str(bad), "--out", str(tmp_path / "x")], terminal_width=400
    )
    assert out.exit_code == 1
    assert "levers[2].lever: unknown lever 'ad_budget'" in out.output
    assert "valid levers are forced_eradication" in out.output
    assert not (tmp_path / "x").exists()


def test_explore_command_on_a_dask_local_cluster_of_processes(reference_folder, tmp_path):
    """``--scheduler local``: chunks run in a Dask worker process; the table is the same."""
    exp_file = tmp_path / "small.yaml"
    exp_file.write_text(small_text())
    out = CliRunner().invoke(
        app,
        [
            "explore",
            str(exp_file),
            "--out",
            str(tmp_path / "d"),
            "--scheduler",
            "local",
            "--workers",
            "1",
            "--chunk-size",
            "400",
            "--no-progress",
        ],
        terminal_width=200,
    )
    assert out.exit_code == 0, out.output
    assert "1,200 futures of plan lima-2005" in out.output
    pd.testing.assert_frame_equal(
        open_results(tmp_path / "d").frame(),
        open_results(reference_folder).frame(),
        check_exact=True,
    )
