"""Importing datasets (CSV folder, Excel), one-zone countries, and all-or-nothing installs."""

from __future__ import annotations

import math

import pytest

from cnplan.data import DataError, available_names, import_dataset, load_dataset


def test_import_csv_folder_then_load(synth_folder, user_data_dir):
    dest = import_dataset(synth_folder, "testland")
    assert dest == user_data_dir / "datasets" / "testland"
    ds = load_dataset("testland")
    assert ds.name == "testland" and ds.zone_ids == ["all"] and ds.country == "Testland"
    assert "testland" in available_names()


def test_one_zone_country_national_falls_back_to_its_zone(synth_folder):
    import_dataset(synth_folder, "testland")
    s = load_dataset("testland").national("coca_ha")
    assert s[2010] == 100 and s[2013] == 130
    assert math.isnan(s[2012])  # synthetic gap stays a gap
    bz = load_dataset("testland").by_zone("coca_ha")
    assert list(bz.columns) == ["all"] and bz.loc[2011, "all"] == 110


def test_import_excel_then_load(synth_xlsx):
    import_dataset(synth_xlsx, "testland-xl")
    ds = load_dataset("testland-xl")
    assert ds.national("coca_ha")[2011] == 110
    assert list(ds.observations["year"]) == [2010, 2011, 2013]


def test_load_by_path_without_import(synth_folder):
    assert load_dataset(str(synth_folder)).national("coca_ha")[2010] == 100


def test_invalid_import_installs_nothing(make_folder, synth_obs, user_data_dir):
    synth_obs.loc[0, "value"] = "-3"
    with pytest.raises(DataError):
        import_dataset(make_folder(obs=synth_obs), "broken")
    root = user_data_dir / "datasets"
    assert not root.exists() or list(root.iterdir()) == []


def test_refuses_peru_and_existing_name_without_force(synth_folder, make_folder, synth_obs):
    with pytest.raises(DataError, match="shipped"):
        import_dataset(synth_folder, "peru")
    import_dataset(synth_folder, "testland")
    with pytest.raises(DataError, match="already exists"):
        import_dataset(synth_folder, "testland")
    synth_obs.loc[0, "value"] = "999"
    import_dataset(make_folder(obs=synth_obs), "testland", force=True)
    assert load_dataset("testland").national("coca_ha")[2010] == 999


def test_failed_forced_import_keeps_the_old_dataset(synth_folder, make_folder, synth_obs):
    import_dataset(synth_folder, "testland")
    synth_obs.loc[0, "unit"] = "acres"
    with pytest.raises(DataError):
        import_dataset(make_folder(obs=synth_obs), "testland", force=True)
    assert load_dataset("testland").national("coca_ha")[2010] == 100
