"""The national run (issue 21): provinces as Dask tasks, isolation, re-runs, the national roll-up.

The fast tests pin the roll-up's arithmetic (sums of counts, never averages of shares), the
province folders, the fingerprints, the CLI's options and a province whose notebook failed.
The ``slow`` tests run three tiny synthetic provinces on a LocalCluster of two workers, one of
them broken on purpose, then re-run after the fix and after breaking a published one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from forecast import cli, config
from forecast.commands.synth import labelled, own_registry
from forecast.inputs import units
from forecast.inputs.dataset import check_dataset
from forecast.inputs.provinces import load_provinces, province
from forecast.national import aggregate, find_provinces, fingerprint, national_page
from forecast.national.rollup import furthest_behind
from forecast.national.runner import NationalOptions, run_national
from forecast.national.tasks import COUNTS_FILE, Prepared, ProvinceTask, finish_province
from forecast.reports.execute import JobResult
from forecast.reports.runspec import Job


# ---------------------------------------------------------------------------
# the roll-up's arithmetic
# ---------------------------------------------------------------------------
def _row(name: str, as_of: int, **targets: tuple) -> dict:
    """A province row: ``T01=(numerator, denominator, status, p_meet, latest_value)``."""
    cells = {tid: {"kind": "count" if tid == "T11" else "share", "threshold": None if tid == "T11" else 0.95,
                   "text": {"vi": tid, "en": tid}, "numerator": v[0], "denominator": v[1], "status": v[2],
                   "p_meet": v[3], "latest_value": v[4]} for tid, v in targets.items()}
    return {"name": name, "run": "published", "as_of": as_of, "href": f"../{name}/{as_of}/index.html",
            "data": {"as_of": as_of, "synthetic": True, "name": name, "targets": cells}}


def _by_id(agg: dict) -> dict:
    return {a["id"]: a for a in agg["targets"]}


# (rows, target, expected numerator, denominator, share, provinces reporting)
SUMS = [
    # a big province at 90% and a small one at 10%: 910/1010, not the average 50%
    ([_row("a", 2025, T01=(900, 1000, "on_track", 0.8, 0.9)), _row("b", 2025, T01=(1, 10, "off_track", 0.1, 0.1))],
     "T01", 901, 1010, 901 / 1010, 2),
    # a province without a denominator is left out of a share, not counted as zero
    ([_row("a", 2025, T01=(90, 100, "on_track", 0.8, 0.9)), _row("b", 2025, T01=(5, None, None, None, None))],
     "T01", 90, 100, 0.9, 1),
    # a count target (T11) sums its numerators; it has no share
    ([_row("a", 2025, T11=(3, None, "off_track", 0.2, None)), _row("b", 2025, T11=(4, None, "on_track", 0.7, None))],
     "T11", 7, None, None, 2),
    # a province whose latest report is of an older year is not summed with this year's
    ([_row("a", 2025, T01=(90, 100, "on_track", 0.8, 0.9)), _row("b", 2024, T01=(50, 100, "off_track", 0.1, 0.5))],
     "T01", 90, 100, 0.9, 1),
]


@pytest.mark.parametrize(("rows", "tid", "num", "den", "share", "reporting"), SUMS)
def test_national_figures_are_sums_of_counts(rows, tid, num, den, share, reporting):
    a = _by_id(aggregate(rows))[tid]
    assert (a["numerator"], a["denominator"], a["reporting"]) == (num, den, reporting)
    assert a["share"] == pytest.approx(share) if share is not None else a["share"] is None


def test_a_province_that_never_published_adds_nothing():
    rows = [_row("a", 2025, T01=(9, 10, "met", 0.99, 0.9)),
            {"name": "b", "run": "failed_none", "as_of": None, "href": None, "data": None}]
    agg = aggregate(rows)
    assert agg["provinces"] == 1 and _by_id(agg)["T01"]["numerator"] == 9


def test_furthest_behind_is_the_lowest_probability_then_the_larger_gap():
    rows = [_row("a", 2025, T01=(9, 10, "on_track", 0.6, 0.90)), _row("b", 2025, T01=(5, 10, "off_track", 0.2, 0.5)),
            _row("c", 2025, T01=(7, 10, "off_track", 0.2, 0.7)), _row("d", 2025, T01=(1, 1, "met", 1.0, 1.0))]
    assert [r["name"] for r, _ in furthest_behind(rows, "T01", k=3)] == ["b", "c", "a"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_national_page_is_self_contained_and_in_its_language(lang):
    rows = [_row("a", 2025, T01=(900, 1000, "on_track", 0.8, 0.9)), _row("b", 2025, T01=(1, 10, "off_track", 0.1, 0.1)),
            {"name": "c", "run": "failed_none", "as_of": None, "href": None, "data": None}]
    page = national_page(rows, aggregate(rows), lang)
    assert f'<html lang="{lang}">' in page
    assert "<script" not in page and "<link" not in page and "http" not in page
    assert ("89,2%" if lang == "vi" else "89.2%") in page  # 901 / 1010
    assert ("MÔ PHỎNG" if lang == "vi" else "SYNTHETIC") in page
    assert ("Lỗi: chưa có báo cáo" if lang == "vi" else "Failed: no report yet") in page


# ---------------------------------------------------------------------------
# province folders, fingerprints, the national list
# ---------------------------------------------------------------------------
def test_province_folders_and_their_problems(tmp_path):
    for name in ("p01", "p02"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "dataset.yml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / ".hidden").mkdir()
    found, problems = find_provinces(tmp_path)
    assert [p.name for p in found] == ["p01", "p02"]
    assert [name for name, _ in problems] == ["empty"] and "no dataset.yml" in problems[0][1]


def test_a_fingerprint_changes_with_the_data_and_the_options(tmp_path):
    (tmp_path / "dataset.yml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "observations.csv").write_text("a\n1\n", encoding="utf-8")
    first = fingerprint(tmp_path, [], {"lang": "vi"})
    assert fingerprint(tmp_path, [], {"lang": "vi"}) == first
    assert fingerprint(tmp_path, [], {"lang": "en"}) != first
    (tmp_path / "observations.csv").write_text("a\n2\n", encoding="utf-8")
    assert fingerprint(tmp_path, [], {"lang": "vi"}) != first


@pytest.mark.parametrize(("code", "name"), [("20", "Tỉnh Lạng Sơn"), (1, "Thành phố Hà Nội"), ("79", "Thành phố Hồ Chí Minh")])
def test_the_national_list_names_provinces_by_code(code, name):
    assert province(code).name_vi == name


def test_the_national_list_has_the_34_units_of_july_2025():
    units = load_provinces()
    assert len(units) == 34 and len({u.code for u in units}) == 34


def test_a_synthetic_province_named_after_a_unit_stays_labelled_synthetic():
    meta = labelled({"name": "x", "synthetic": True, "source": "forecast synth --seed 1"}, province("04"), "04")
    assert meta["synthetic"] is True and meta["province_code"] == "04"
    assert "mô phỏng" in meta["name"] and "synthetic" in meta["name"] and "--province-code 04" in meta["source"]


@pytest.mark.parametrize("argv", [["synth", "--province-code", "99", "--staff", "100", "--communes", "2"],
                                  ["synth", "--province-code", "20"]])  # no --out: the shipped demo is not relabelled
def test_synth_refuses_an_unknown_code_or_no_output_folder(argv, tmp_path, capsys):
    if "--staff" in argv:
        argv = [*argv, "--out", str(tmp_path / "p")]
    assert cli.main(argv) == 1
    assert not (tmp_path / "p").exists()


# ---------------------------------------------------------------------------
# a synthetic province of another code carries its own unit registry
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cao_bang(tmp_path_factory):
    """``forecast synth --province-code 04`` (small), once for the tests below."""
    out = tmp_path_factory.mktemp("synth") / "p04"
    assert cli.main(["synth", "--province-code", "04", "--staff", "150", "--communes", "2", "--seed", "4",
                     "--out", str(out)]) == 0
    return out


def test_a_province_of_another_code_has_communes_of_its_own(cao_bang):
    registry = pd.read_csv(cao_bang / "units.csv", dtype=str, keep_default_na=False)
    communes = registry[registry["level"] == "xa"]
    assert communes["code"].str.fullmatch(r"04\d{3}").all() and communes["code"].is_unique is False  # reused codes stay
    assert (registry.loc[registry["parent"] == "", "code"] == "04").all()
    obs = pd.read_csv(cao_bang / "observations.csv", dtype={"unit_code": str})
    assert set(obs["unit_code"]) <= set(registry["code"])   # every unit of the data is in its registry
    assert obs["unit_code"].str.fullmatch(r"04\d{3}").any()
    for name in ("dataset.yml", "units.csv", "crosswalk.csv", "observations.csv"):
        assert "Lạng Sơn" not in (cao_bang / name).read_text(encoding="utf-8"), name
    assert "tỉnh Cao Bằng" in (cao_bang / "dataset.yml").read_text(encoding="utf-8").splitlines()[0]


def test_the_input_layer_reads_the_datasets_own_registry(cao_bang, tmp_path):
    assert check_dataset(cao_bang) == []
    with units.dataset_registry(cao_bang):
        assert units.province_code() == "04" and units.resolve("04124", "2024-10-31").name.endswith("Cao Bằng 124")
    assert units.province_code() == "20"   # outside the block: Lạng Sơn's again
    stripped = tmp_path / "no-registry"
    shutil.copytree(cao_bang, stripped)
    (stripped / "units.csv").unlink()
    (stripped / "dataset.yml").write_text((stripped / "dataset.yml").read_text(encoding="utf-8")
                                          .replace("registry: units.csv", "registry: missing.csv"), encoding="utf-8")
    with pytest.raises(ValueError, match="units.registry: missing.csv"):
        check_dataset(stripped)
    (stripped / "dataset.yml").write_text("name: x\nsynthetic: true\n", encoding="utf-8")
    problems = check_dataset(stripped)   # Lạng Sơn's registry: the province's communes are unknown there
    assert any("04124" in str(p) for p in problems)


def test_lang_son_itself_keeps_the_projects_registry():
    assert own_registry(province("20")) is None and own_registry(None) is None


# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("extra", "message"), [
    (["--data", "."], "--data and --provinces"),
    (["--jobs", "2"], "--workers"),
    (["--workers", "0"], "--workers: must be"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "own workers"),
])
def test_bad_national_options_exit_2_before_anything_runs(extra, message, tmp_path, capsys):
    (tmp_path / "prov").mkdir()
    assert cli.main(["run", "--provinces", str(tmp_path / "prov"), "--out", str(tmp_path / "out"), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "national").exists()


def test_scheduler_without_provinces_is_a_usage_error(capsys):
    assert cli.main(["run", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--provinces" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# a failing notebook: reported with its cell, the previous set kept
# ---------------------------------------------------------------------------
def test_a_failing_notebook_keeps_the_previous_report_set(tmp_path):
    task = ProvinceTask("p20", tmp_path / "data", tmp_path / "out", tmp_path / "run.yml", run_id=os.getpid())
    previous = config.report_dir(2025, task.base)
    previous.mkdir(parents=True)
    (previous / "summary.json").write_text("{}", encoding="utf-8")
    workdir = task.base / f".tmp-2025-{os.getpid()}"
    workdir.mkdir()
    prepared = Prepared(task, True, as_of=2025, workdir=workdir)
    job = Job("summary.ipynb", "summary")
    done = finish_province(prepared, JobResult(job, True, 1.0),
                           JobResult(Job("target.ipynb", "target-T01"), False, 2.0, error="ValueError: x", cell=7))
    assert not done.ok
    assert any("target-T01 (target.ipynb, cell 7): ValueError: x" in e for e in done.errors)
    assert (previous / "summary.json").read_text(encoding="utf-8") == "{}"
    assert (task.base / "failed-2025").is_dir() and not workdir.exists()


# ---------------------------------------------------------------------------
# three synthetic provinces on a LocalCluster of two workers
# ---------------------------------------------------------------------------
SPEC = """\
prepare:
  n_draws: 20
  seed: 165
  scenarios: []
notebooks:
  - notebook: summary.ipynb
    output: summary
"""
PROVINCES = {"p04": "04", "p11": "11", "p20": "20"}
BROKEN = "p11"


def _make_province(folder: Path, code: str) -> None:
    from forecast.synth import generate, write_dataset

    result = generate(int(code), staff=150, communes=2)
    result.meta = labelled(result.meta, province(code), code)
    write_dataset(result, folder, registry=own_registry(province(code)))


def _break(folder: Path) -> None:
    """Row 6 of observations.csv gets a word for a number (line 6 of the file, column numerator)."""
    path = folder / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(",")
    cells[3] = "abc"
    lines[5] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """Three provinces, one broken, run once; the folders and the first outcome."""
    root = tmp_path_factory.mktemp("national")
    provinces, out, good = root / "provinces", root / "out", root / "good"
    for name, code in PROVINCES.items():
        _make_province(provinces / name, code)
    shutil.copytree(provinces / BROKEN, good)
    _break(provinces / BROKEN)
    (root / "run.yml").write_text(SPEC, encoding="utf-8")
    opts = NationalOptions(provinces_dir=provinces, out_base=out, spec_file=root / "run.yml", workers=2, quiet=True)
    return {"root": root, "provinces": provinces, "out": out, "good": good, "opts": opts,
            "first": run_national(opts)}


@pytest.mark.slow
def test_the_broken_province_is_reported_and_the_others_publish(national):
    first, out = national["first"], national["out"]
    assert first.status == {"p04": "published", "p11": "failed", "p20": "published"}
    assert first.failed == [BROKEN]
    assert any("observations.csv:6:numerator" in line for line in first.errors[BROKEN])
    for name in ("p04", "p20"):
        assert (out / name / "2025" / "index.html").is_file() and (out / name / "2025" / "summary.html").is_file()
    assert not (out / BROKEN).exists() or not (out / BROKEN / "2025").exists()
    assert (out / "national" / "index.html").is_file() and (out / "national" / "index.en.html").is_file()


@pytest.mark.slow
def test_the_national_figures_equal_the_sums_of_the_provinces_counts(national):
    out, provinces = national["out"], national["provinces"]
    summary = json.loads((out / "national" / "summary.json").read_text(encoding="utf-8"))
    published = [n for n, v in national["first"].status.items() if v == "published"]
    for a in summary["aggregates"]:
        counts = [json.loads((out / n / "2025" / COUNTS_FILE).read_text(encoding="utf-8"))["targets"][a["id"]]
                  for n in published]
        assert a["numerator"] == sum(c["numerator"] for c in counts)
        if a["kind"] == "share":
            assert a["denominator"] == sum(c["denominator"] for c in counts)
            assert a["share"] == pytest.approx(a["numerator"] / a["denominator"])
    # and each province's counts are its own returns' totals for the as-of year (units report disjoint staff)
    for n in published:
        obs = pd.read_csv(provinces / n / "observations.csv", dtype={"unit_code": str})
        mine = json.loads((out / n / "2025" / COUNTS_FILE).read_text(encoding="utf-8"))["targets"]
        totals = obs[obs["year"] == 2025].groupby("indicator")["numerator"].sum()
        assert {t: mine[t]["numerator"] for t in mine} == {t: float(totals[t]) for t in mine}


@pytest.mark.slow
def test_a_rerun_after_the_fix_redoes_only_the_fixed_province(national):
    out, provinces = national["out"], national["provinces"]
    before = {n: (out / n / "2025" / "summary.json").stat().st_mtime_ns for n in ("p04", "p20")}
    shutil.rmtree(provinces / BROKEN)
    shutil.copytree(national["good"], provinces / BROKEN)
    second = run_national(national["opts"])
    assert second.status == {"p04": "unchanged", "p11": "published", "p20": "unchanged"}
    assert {n: (out / n / "2025" / "summary.json").stat().st_mtime_ns for n in ("p04", "p20")} == before
    summary = json.loads((out / "national" / "summary.json").read_text(encoding="utf-8"))
    assert {p["name"]: p["run"] for p in summary["provinces"]} == second.status


@pytest.mark.slow
def test_a_province_broken_after_publishing_keeps_its_report_set_in_the_roll_up(national):
    out, provinces = national["out"], national["provinces"]
    kept = (out / "p20" / "2025" / "summary.json").read_bytes()
    _break(provinces / "p20")
    third = run_national(national["opts"])
    assert third.failed == ["p20"]
    assert (out / "p20" / "2025" / "summary.json").read_bytes() == kept
    summary = json.loads((out / "national" / "summary.json").read_text(encoding="utf-8"))
    runs = {p["name"]: p for p in summary["provinces"]}
    assert runs["p20"]["run"] == "failed" and runs["p20"]["targets"]  # previous figures still counted


# ---------------------------------------------------------------------------
# one warm kernel per Dask worker, reset between notebooks
# ---------------------------------------------------------------------------
def _probe_notebook(path: Path) -> None:
    """A notebook that reports its kernel's process, whether it saw ``secret``, then defines it."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "language": "python", "display_name": "forecast"}
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell('out = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "import json, os\n"
        "seen = 'secret' in globals()\n"
        "secret = 42\n"
        "open(out, 'w').write(json.dumps({'pid': os.getpid(), 'seen': seen}))")]
    nbformat.write(nb, path)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/status").is_file() and "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_notebooks_on_one_worker_share_a_warm_kernel_and_none_of_its_variables(tmp_path, monkeypatch):
    from dask.distributed import Client, LocalCluster

    from forecast.national import warm
    from forecast.national.tasks import run_notebook

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _probe_notebook(notebooks / "probe.ipynb")
    monkeypatch.setattr(config, "notebooks_dir", lambda: notebooks)  # the worker runs in this process
    task = ProvinceTask("p20", tmp_path / "data", tmp_path / "out", tmp_path / "run.yml", run_id=os.getpid())
    seen = []
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        client.register_plugin(warm.worker_plugin())
        for k, province in enumerate(("p04", "p20")):  # two provinces' run folders, one worker
            workdir = tmp_path / province / f".tmp-2025-{os.getpid()}"
            prepared = Prepared(task, True, as_of=2025, workdir=workdir, header_html=None)  # type: ignore[arg-type]
            job = Job("probe.ipynb", f"probe-{k}", {"out": str(tmp_path / f"probe-{k}.json")})
            result = client.submit(run_notebook, prepared, job, pure=False).result()
            assert result.ok, result.error
            seen.append(json.loads((tmp_path / f"probe-{k}.json").read_text(encoding="utf-8")))
    assert seen[0]["pid"] == seen[1]["pid"] != os.getpid()  # one kernel, not the worker itself
    assert [s["seen"] for s in seen] == [False, False]      # the second never sees the first's variables
    assert _gone(seen[0]["pid"])                             # the worker's close stopped its kernel
    assert warm.kernel_home() is None
