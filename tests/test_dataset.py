"""A dataset folder loads into one checked Dataset, or fails with every problem at once."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from forecast import cli
from forecast.inputs.dataset import check_dataset, load_dataset
from forecast.inputs.returns import write_return_from_roster
from forecast.inputs.roster import read_roster
from forecast.inputs.tables import ValidationError

OK = Path(__file__).parent / "data" / "dataset_ok"


@pytest.fixture
def folder(tmp_path) -> Path:
    dest = tmp_path / "ds"
    shutil.copytree(OK, dest)
    return dest


def test_loads_observations_roster_flows_and_metadata():
    ds = load_dataset(OK)
    assert ds.synthetic is True and ds.name == "Tiny test province"
    assert len(ds.observations) == 6 and (ds.observations["flags"] == "synthetic").all()
    assert len(ds.roster) == 6 and ds.flows["hires"].tolist() == [10, 8]
    assert [f.name for f in ds.files] == ["dataset.yml", "observations.csv", "roster.csv", "flows.csv"]


def test_provenance_hashes_every_input():
    ds = load_dataset(OK)
    prov = {p["path"]: p["sha256"] for p in ds.provenance()}
    assert prov["observations.csv"] == hashlib.sha256((OK / "observations.csv").read_bytes()).hexdigest()
    assert len(prov) == 4


def test_default_folder_is_the_demo_folder(monkeypatch):
    monkeypatch.setenv("FORECAST_DEMO", str(OK))
    assert load_dataset().path == OK


def test_returns_folder_is_read(folder):
    (folder / "observations.csv").unlink()
    roster = read_roster(folder / "roster.csv")
    (folder / "returns").mkdir()
    write_return_from_roster(roster, "06112", 2023, folder / "returns" / "06112.xlsx")
    (folder / "returns" / "p05.csv").write_text(
        "indicator,unit_code,year,numerator,denominator\nT01,P05,2023,1,1\n", encoding="utf-8")
    (folder / "returns" / "~$06112.xlsx").write_bytes(b"Excel lock file")  # ignored
    ds = load_dataset(folder)
    assert set(ds.observations["unit_code"]) == {"06112", "P05"}
    assert ds.observations.query("indicator == 'T06'")[["numerator", "denominator"]].values.tolist() == [[1, 2]]


def test_roster_only_folder_is_aggregated(folder):
    (folder / "observations.csv").unlink()
    ds = load_dataset(folder)
    assert not ds.observations.empty and (ds.observations["source"] == "roster.csv").all()


def test_synthetic_false_adds_no_flag(folder):
    text = (folder / "dataset.yml").read_text(encoding="utf-8").replace("synthetic: true", "synthetic: false")
    (folder / "dataset.yml").write_text(text, encoding="utf-8")
    ds = load_dataset(folder)
    assert ds.synthetic is False and (ds.observations["flags"] == "").all()


def test_every_problem_of_every_file_is_collected(folder):
    (folder / "observations.csv").write_text(
        "indicator,unit_code,year,numerator,denominator\nT06,06112,2023,5,4\n", encoding="utf-8")
    roster = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[1, "sex"] = "?"
    roster.to_csv(folder / "roster.csv", index=False)
    with pytest.raises(ValidationError) as err:
        load_dataset(folder)
    where = {(Path(p.path).name, p.row, p.column) for p in err.value.problems}
    assert where == {("observations.csv", 2, "numerator"), ("roster.csv", 3, "sex")}


@pytest.mark.parametrize("meta, fragment", [
    (None, "missing dataset.yml"),
    ("name: x\n", "missing key 'synthetic'"),
    ("name: x\nsynthetic: maybe\n", "true or false"),
    ("name: [x\n", "not valid YAML"),
])
def test_metadata_problems(folder, meta, fragment):
    if meta is None:
        (folder / "dataset.yml").unlink()
    else:
        (folder / "dataset.yml").write_text(meta, encoding="utf-8")
    assert any(fragment in p.message for p in check_dataset(folder))


def test_same_key_in_two_files_is_refused(folder):
    (folder / "returns").mkdir()
    shutil.copy(folder / "observations.csv", folder / "returns" / "again.csv")
    with pytest.raises(ValidationError, match="more than one input file"):
        load_dataset(folder)


def test_empty_folder_and_missing_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    assert any("nothing to read" in p.message for p in check_dataset(tmp_path / "empty"))
    assert any("no such" in p.message for p in check_dataset(tmp_path / "absent"))


def test_validate_command_accepts_a_folder(folder, capsys):
    assert cli.main(["validate", str(folder)]) == 0
    (folder / "flows.csv").write_text("year,hires\nx,1\n", encoding="utf-8")
    assert cli.main(["validate", str(folder)]) == 1
    assert "flows.csv:2:year:" in capsys.readouterr().out
