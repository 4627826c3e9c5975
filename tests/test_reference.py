"""Published reference figures load with their sources; only comparable ones become lines."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast import config
from forecast.inputs.reference import REFERENCE_COLUMNS, load_reference, read_reference, reference_series


def test_every_figure_has_a_source_url_and_a_unit():
    ref = load_reference()
    assert len(ref) == 125
    assert list(ref.columns[: len(REFERENCE_COLUMNS)]) == REFERENCE_COLUMNS
    assert ref["source_url"].str.match(r"https?://").all()
    assert set(ref["unit"]) == {"percent", "count"}
    assert ref.loc[ref["unit"] == "percent", "value"].between(0, 100).all()


def test_the_project_copy_equals_the_shared_table():
    shared = config.shared_dir() / "reference" / "public_figures.csv"
    if not shared.exists():
        pytest.skip("shared reference folder not available")
    ours = read_reference(config.reference_file())
    theirs = read_reference(shared)
    pd.testing.assert_frame_equal(ours, theirs)


def test_t06_reference_line_is_university_plus_at_commune_level_in_shares():
    s = reference_series("T06")
    assert not s.empty
    assert s["value"].between(0, 1).all() and (s["percent"] == 100 * s["value"]).all()
    national = s[s["geography"] == "Vietnam"]
    assert national[["year", "percent"]].values.tolist() == [[2024, 92.4]]
    assert s["source_url"].str.startswith("http").all()


def test_suspect_figure_is_kept_in_the_table_but_never_offered():
    ref = load_reference()
    suspect = ref[ref["suspect"]]
    assert suspect[["geography", "year", "value"]].values.tolist() == [["Vietnam", 2020, 22.15]]
    assert 22.15 not in reference_series("T06")["percent"].tolist()


def test_targets_without_a_comparable_figure_get_an_empty_frame():
    s = reference_series("T07")
    assert s.empty and "source_url" in s.columns


def test_a_row_without_source_is_refused(tmp_path):
    ref = load_reference().drop(columns="suspect")
    ref.loc[3, "source_url"] = ""
    ref.to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(ValueError, match="no source_url"):
        read_reference(tmp_path / "r.csv")
