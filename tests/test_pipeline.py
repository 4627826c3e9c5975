"""The annual run: run specifications, failure handling, atomic publication, reproducibility."""

import contextlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook

from forecast import config
from forecast.cli import main
from forecast.reports import pipeline

# -- run specifications ------------------------------------------------------------------


def _spec_file(tmp_path, spec) -> Path:
    path = tmp_path / "run.yml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize(("spec", "message"), [
    ({}, "non-empty 'notebooks'"),
    ({"notebooks": []}, "non-empty 'notebooks'"),
    ({"notebooks": [{"output": "x"}]}, "needs a 'notebook' name"),
    ({"notebooks": [{"notebook": "summary.ipynb", "paramters": {}}]}, "unknown key 'paramters'"),
    ({"notebooks": [{"notebook": "target.ipynb", "over": "districts"}]}, "unknown fan-out list 'districts'"),
    ({"notebooks": [{"notebook": "summary.ipynb"}], "extra": 1}, "unknown key 'extra'"),
    ({"notebooks": [{"notebook": "summary.ipynb"}], "prepare": {"draws": 5}}, "prepare: unknown key 'draws'"),
])
def test_bad_specifications_are_rejected_with_the_reason(tmp_path, spec, message):
    with pytest.raises(pipeline.RunSpecError, match=message):
        pipeline.load_spec(_spec_file(tmp_path, spec))


def test_the_default_specification_is_valid():
    spec = pipeline.load_spec()
    common = {"as_of": 2025, "lang": "vi", "data_dir": "", "results": ""}
    jobs = pipeline.check_jobs(pipeline.expand_jobs(spec, common, pipeline.fanout_lists(None)), common,
                               config.notebooks_dir(), tuple(spec.get("parameters") or ()))
    outputs = [j.output for j in jobs]
    assert "summary" in outputs and "target-T01" in outputs and "target-T11" in outputs
    assert len(outputs) == len(set(outputs))                  # no page overwrites another


@pytest.mark.parametrize(("params", "message"), [
    ({"target_id": "T01", "colour": "red"}, "unknown parameter 'colour'"),
    ({"targetid": "T01"}, "unknown parameter 'targetid'"),
])
def test_unknown_parameter_is_an_error_not_a_warning(params, message):
    jobs = [pipeline.Job(notebook="target.ipynb", output="t", parameters=params)]
    with pytest.raises(pipeline.RunSpecError, match=message):
        pipeline.check_jobs(jobs, {}, config.notebooks_dir())


def test_shared_parameter_goes_only_where_declared_but_must_be_declared_somewhere():
    spec = {"parameters": {"min_cell": 7},
            "notebooks": [{"notebook": "summary.ipynb"}, {"notebook": "commune.ipynb", "output": "c"}]}
    jobs = pipeline.check_jobs(pipeline.expand_jobs(spec, {}), {}, config.notebooks_dir(), ("min_cell",))
    assert "min_cell" not in jobs[0].parameters and jobs[1].parameters["min_cell"] == 7
    spec["parameters"] = {"min_cel": 7}
    with pytest.raises(pipeline.RunSpecError, match="'min_cel' is declared by no notebook"):
        pipeline.check_jobs(pipeline.expand_jobs(spec, {}), {}, config.notebooks_dir(), ("min_cel",))


def test_missing_notebook_is_named():
    with pytest.raises(pipeline.RunSpecError, match="nope.ipynb: notebook not found"):
        pipeline.check_jobs([pipeline.Job("nope.ipynb", "nope")], {}, config.notebooks_dir())


def test_fan_out_names_pages_from_parameters():
    spec = {"notebooks": [{"notebook": "commune.ipynb", "output": "commune-{unit_code}", "over": "communes"}]}
    jobs = pipeline.expand_jobs(spec, {"lang": "vi"}, {"communes": [{"unit_code": "06040"}, {"unit_code": "06001"}]})
    assert [(j.output, j.parameters, j.group) for j in jobs] == [
        ("commune-06040", {"unit_code": "06040"}, "communes"), ("commune-06001", {"unit_code": "06001"}, "communes")]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lang": "fr"}, "--lang"),
    ({"as_of": "next"}, "--as-of: must be a whole number"),
    ({"as_of": 1990}, "outside 2015–"),
    ({"jobs": 0}, "--jobs"),
    ({"data_dir": "/nonexistent/folder"}, "--data"),
    ({"spec": "/nonexistent/run.yml"}, "--spec"),
])
def test_bad_options_fail_before_anything_runs(kwargs, message):
    with pytest.raises(pipeline.RunSpecError, match=message):
        pipeline.validate_options(**kwargs)


# -- publication ---------------------------------------------------------------------------


def test_publish_replaces_the_old_set_in_one_move(tmp_path):
    dest, work = tmp_path / "2025", tmp_path / ".tmp"
    dest.mkdir()
    (dest / "index.html").write_text("old")
    work.mkdir()
    (work / "index.html").write_text("new")
    pipeline.publish(work, dest)
    assert (dest / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025"]


def test_input_hashes_cover_every_data_file(dataset_copy):
    hashes = pipeline.input_files(dataset_copy, [config.targets_file()])
    assert {"dataset/dataset.yml", "dataset/observations.csv", "dataset/roster.csv", "data/targets.yml"} <= set(hashes)
    before = hashes["dataset/observations.csv"]
    with open(dataset_copy / "observations.csv", "a", encoding="utf-8") as fh:
        fh.write("\n")
    assert pipeline.input_files(dataset_copy)["dataset/observations.csv"] != before


# -- whole runs (slow) ------------------------------------------------------------------------


def _run(argv, env=None):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def _truncated_gzip(path: Path) -> None:
    """Replace roster.csv by a roster.csv.gz cut off half-way (a broken copy or download)."""
    import gzip

    plain = path.with_suffix("")
    data = gzip.compress(plain.read_bytes())
    path.write_bytes(data[: len(data) // 2])
    plain.unlink()


@pytest.mark.slow
@pytest.mark.parametrize(("file", "damage"), [
    ("observations.csv", lambda p: p.write_bytes(b"indicator,unit_code,year\nT01,20,two thousand\n\x00\x01")),
    ("roster.csv", lambda p: p.write_text(p.read_text(encoding="utf-8").replace(",nam,", ",robot,", 1),
                                          encoding="utf-8")),
    ("roster.csv.gz", _truncated_gzip),
])
def test_corrupt_input_fails_names_the_file_and_keeps_the_old_reports(tmp_path, dataset_copy, file, damage):
    out = tmp_path / "reports"
    old = out / "2025"
    old.mkdir(parents=True)
    (old / "index.html").write_text("the good report set")
    damage(dataset_copy / file)
    code, err = _run(["run", "--data", str(dataset_copy), "--out", str(out), "--as-of", "2025"])
    assert code != 0
    assert file in err
    assert (old / "index.html").read_text() == "the good report set"
    assert sorted(p.name for p in out.iterdir()) == ["2025"]  # no temporary or half-written folder


@pytest.mark.slow
def test_a_failing_notebook_is_loud_and_safe(tmp_path, monkeypatch, fixture_dataset):
    nb_dir = tmp_path / "notebooks"
    shutil.copytree(config.notebooks_dir(), nb_dir)
    boom = new_notebook(metadata={"kernelspec": {"name": config.KERNEL_NAME, "display_name": "x", "language": "python"}})
    params = new_code_cell('lang: str = "vi"  # report language')
    params.metadata["tags"] = ["parameters"]
    boom.cells = [params, new_code_cell("x = 1"), new_code_cell("raise RuntimeError('the boom cell')")]
    nbformat.write(boom, nb_dir / "boom.ipynb")
    spec = _spec_file(tmp_path, {"notebooks": [{"notebook": "boom.ipynb"}, {"notebook": "targets.ipynb"}]})
    monkeypatch.setenv("FORECAST_NOTEBOOKS", str(nb_dir))
    out = tmp_path / "reports"
    (out / "2025").mkdir(parents=True)
    (out / "2025" / "index.html").write_text("good")
    code, err = _run(["run", "--data", str(fixture_dataset), "--out", str(out), "--spec", str(spec), "--jobs", "2"])
    assert code == 1
    assert "boom.ipynb" in err and "cell" in err and "RuntimeError: the boom cell" in err
    assert (out / "2025" / "index.html").read_text() == "good"
    kept = out / "failed-2025" / "notebooks"
    executed = nbformat.read(kept / "boom.ipynb", as_version=4)
    assert any("papermill-error-cell" in str(c.get("source", "")) or "An Exception was encountered" in
               str(c.get("source", "")) for c in executed.cells)   # papermill's error banner is kept
    assert (kept / "targets.ipynb").exists()                  # the other notebook still ran


def _comparable(summary: dict) -> dict:
    """The summary without the run's times, without what depends on the run specification, and
    without the checkout's commit (HEAD when the run ended: it moves when someone commits
    between two runs of one test session, and says nothing about the run's own inputs)."""
    s = json.loads(json.dumps(summary))
    prov = s.pop("provenance")
    s["inputs"] = {k: v for k, v in prov["inputs_sha256"].items()
                   if not k.startswith("notebooks/") and not k.endswith("run.yml")}
    s["parameters"] = {k: v for k, v in prov["parameters"].items() if k not in ("spec", "notebooks")}
    s["version"] = prov["package_version"]
    return s


@pytest.mark.slow
def test_two_runs_give_the_same_summary(tmp_path, annual_run, fixture_dataset):
    # the second run executes one cheap notebook only: summary.json is built from the prepared
    # results, not from the notebooks, so everything but the times and the spec must match.
    # (The session's full run may be many minutes older: its commit is checked on its own.)
    folder, code, err = annual_run
    assert code == 0, err
    spec = tmp_path / "spec" / "run.yml"
    spec.parent.mkdir()
    spec.write_text(yaml.safe_dump({"notebooks": [{"notebook": "targets.ipynb"}]}), encoding="utf-8")
    again = tmp_path / "again"
    code2, err2 = _run(["run", "--data", str(fixture_dataset), "--out", str(again), "--spec", str(spec)])
    assert code2 == 0, err2
    first = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    second = json.loads((again / folder.name / "summary.json").read_text(encoding="utf-8"))
    assert _comparable(first) == _comparable(second)
    assert second["provenance"]["git_commit"] == pipeline.git_commit()   # the checkout the run ran from
    assert first["provenance"]["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", first["provenance"]["git_commit"])
    assert first["provenance"]["started"] and first["provenance"]["finished"]
    assert (folder / "summary.csv").read_bytes() == (again / folder.name / "summary.csv").read_bytes()


@pytest.mark.slow
def test_the_run_writes_the_report_set(annual_run):
    folder, code, err = annual_run
    assert code == 0, err
    names = {p.name for p in folder.iterdir()}
    assert {"index.html", "summary.json", "summary.csv", "methods.html", "summary.html", "notebooks"} <= names
    assert not any(n.startswith((".", "_")) for n in names)   # no cache or temporary file published
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["synthetic"] is True and summary["lang"] == "vi"
    assert [t["id"] for t in summary["targets"]] == [f"T{i:02d}" for i in range(1, 12)]
    assert summary["provenance"]["inputs_sha256"]["dataset/observations.csv"]
    for t in summary["targets"]:
        assert t["latest_year"] is not None and t["p_meet"] is not None
    for page in folder.glob("*.html"):
        assert os.path.getsize(page) < 3_000_000, page.name
    index = (folder / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert len(links) >= 20 and all((folder / link).is_file() for link in links)   # every link resolves
