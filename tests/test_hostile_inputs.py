"""Hostile and careless inputs (issue 20): bounded memory, no code from data, clear refusals.

Bombs (a zip bomb named ``.xlsx``, a gzip bomb named ``roster.csv.gz``, a workbook padded to
gigabytes, a stray cell at ``XFD1048576``, YAML "billion laughs") are validated in a child
process whose address space is limited to 2 GB (``RLIMIT_AS``): each must end in a located
error, never a ``MemoryError`` or a traceback. The rest are fast unit checks of the guards:
aliases and ``extends`` cycles in YAML, the results file (JSON, read back exactly, never a
pickle, never from a path a run specification chose), format-string tricks in page names,
option values out of range, and the output-folder lock.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from forecast.cli import main
from forecast.inputs.flows import check_flows
from forecast.inputs.tables import YamlError, load_yaml, read_text_table
from forecast.inputs.validate import validate_path
from forecast.reports import execute, pipeline, resultstore
from forecast.reports.runspec import RunSpecError, expand_jobs, fill_template, load_spec
from forecast.stockflow.scenarios import ScenarioError, load_scenario

TESTS = Path(__file__).resolve().parent
BAD = TESTS / "data" / "bad"
GOOD_RETURN = BAD / "return_stray_cell_far_down.xlsx"  # a good return but for one stray cell
LIMIT_AS = 2 << 30


def _limited_validate(*paths: Path) -> subprocess.CompletedProcess:
    """``forecast validate PATHS`` in a child process limited to 2 GB of address space."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "forecast.cli", "validate", *map(str, paths)],
                          capture_output=True, text=True, preexec_fn=limit, env=env, timeout=300, check=False)


def _cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


# --- bombs under a 2 GB address-space limit ------------------------------------------------------

_MB = 1 << 20
_BLOCK = 16 * _MB


def _deflated_repeat(block: bytes, times: int) -> tuple[bytes, int, int]:
    """Raw deflate of ``block`` repeated ``times`` (compressed once: a full flush makes every
    block's bytes the same), with the CRC-32 and size of the whole: a bomb in seconds."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    crc, unit, unit_len, left = 0, zlib.crc32(block), len(block), times
    while left:  # the CRC of the repetition by doubling, not by reading gigabytes
        if left & 1:
            crc = _crc_combine(crc, unit, unit_len)
        unit, unit_len, left = _crc_combine(unit, unit, unit_len), unit_len * 2, left >> 1
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    return one * times + final, crc, len(block) * times


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of already-deflated members ``(name, raw deflate, crc, size)`` (sizes < 4 GB)."""
    local, central, offset = [], [], 0
    for name, raw, crc, size in members:
        encoded = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                             len(encoded), 0) + encoded
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(raw),
                                   size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        local.append(header + raw)
        offset += len(header) + len(raw)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
    path.write_bytes(b"".join(local) + directory + end)
    return path


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)


def _zip_bomb(path: Path, gigabytes: int = 3) -> Path:
    """A zip named ``.xlsx`` whose one member unpacks to ``gigabytes`` of spaces (a few MB on disk)."""
    raw, crc, size = _deflated_repeat(b" " * _BLOCK, gigabytes * 1024 // 16)
    return _write_zip(path, [("xl/worksheets/sheet1.xml", raw, crc, size)])


def _padded_workbook(path: Path, gigabytes: int = 3) -> Path:
    """A real return whose first sheet's XML is followed by ``gigabytes`` of whitespace."""
    members = []
    with zipfile.ZipFile(GOOD_RETURN) as src:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.rsplit(b"</worksheet>", 1)
                pad, pad_crc, pad_size = _deflated_repeat(b" " * _BLOCK, gigabytes * 1024 // 16)
                comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                start = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
                end_part = b"</worksheet>" + tail
                comp_end = zlib.compressobj(6, zlib.DEFLATED, -15)
                # head (flushed, not final) + padding blocks (without their final block) + the end
                raw = start + pad[:-len(zlib.compressobj(9, zlib.DEFLATED, -15).flush())] + \
                    comp_end.compress(end_part) + comp_end.flush()
                crc = zlib.crc32(end_part, _crc_combine(zlib.crc32(head), pad_crc, pad_size))
                members.append((info.filename, raw, crc, len(head) + pad_size + len(end_part)))
            else:
                members.append((info.filename, *_deflated(data)))
    return _write_zip(path, members)


def _crc_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from CRC(A), CRC(B) and len(B) (zlib's crc32_combine, by matrix powers)."""
    def times(mat, vec):
        out, i = 0, 0
        while vec:
            if vec & 1:
                out ^= mat[i]
            vec >>= 1
            i += 1
        return out

    def square(mat):
        return [times(mat, mat[n]) for n in range(32)]

    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _gzip_bomb(path: Path, gigabytes: int = 3) -> Path:
    """A roster-looking ``.csv.gz`` that unpacks to ``gigabytes`` of rows (a few MB on disk)."""
    header = (b"person_id,birth_year,birth_month,sex,category,level,unit_code,leader,key_cadre,in_pool,"
              b"education,field,political_theory,state_mgmt,foreign_language,it_skill,standard_training,"
              b"standardised,hire_date,exit_date,exit_reason,year\n")
    row = b"A0001,1980,4,nam,can_bo,xa,06112,none,1,1,dai_hoc,khac,none,none,1,1,1,1,2005-09-01,,,2023\n"
    block = row * (_BLOCK // len(row))
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    start = comp.compress(header) + comp.flush(zlib.Z_FULL_FLUSH)
    body, body_crc, body_size = _deflated_repeat(block, gigabytes * 1024 // 16)
    crc = _crc_combine(zlib.crc32(header), body_crc, body_size)
    size = len(header) + body_size
    path.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + start + body
                     + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def _billion_laughs() -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\nname: Bomb\nsynthetic: true\ndescription_vi: x\ndescription_en: x\nsource: x\n"


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    laughs = folder / "laughs"
    laughs.mkdir()
    (laughs / "dataset.yml").write_text(_billion_laughs(), encoding="utf-8")
    (laughs / "observations.csv").write_text((BAD.parent / "fixture_dataset" / "observations.csv")
                                             .read_text(encoding="utf-8"), encoding="utf-8")
    return {"zip": _zip_bomb(folder / "return.xlsx"), "padded": _padded_workbook(folder / "padded.xlsx"),
            "gzip": _gzip_bomb(folder / "roster.csv.gz"), "laughs": laughs,
            "stray": BAD / "return_stray_cell_last_column.xlsx"}


@pytest.mark.parametrize(("bomb", "row", "message"), [
    ("zip", "-:-", "would unpack to"),
    ("padded", "-:-", "would unpack to"),
    ("gzip", "-:-", "unpacks to more than"),
    ("stray", "1048576:XFD", "a filled cell far outside the return"),
    ("laughs", "2:column", "aliases (*name) are not allowed"),
])
def test_a_bomb_gives_a_located_error_within_2_gb(bombs, bomb, row, message):
    path = bombs[bomb]
    assert path.stat().st_size < 20 * _MB or path.is_dir()       # small on disk …
    proc = _limited_validate(path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out and "MemoryError" not in out and "could not be checked" not in out, out
    assert f":{row}" in proc.stdout and message in proc.stdout, out


def test_the_zip_sizes_are_checked_before_anything_is_decompressed(bombs, monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("a member was decompressed")
    monkeypatch.setattr(zipfile.ZipFile, "read", no_reading)
    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    problems = validate_path(bombs["zip"])
    assert len(problems) == 1 and "would unpack to" in problems[0].message


def test_the_workbook_limits_are_configurable(monkeypatch):
    from forecast.inputs.returns import read_return
    from forecast.inputs.workbook import Limits

    good = BAD.parent / "fixture_return.xlsx"
    if not good.exists():
        good = BAD / "return_negative_count.xlsx"  # readable: its problem is a value, not its size
    _, problems = read_return(good, limits=Limits(uncompressed_bytes=1000))
    assert [p.message for p in problems if "would unpack to" in p.message]
    monkeypatch.setenv("FORECAST_XLSX_MAX_ROWS", "3")
    _, problems = read_return(good)
    assert any("far outside the return" in p.message and p.row == 4 for p in problems)


def test_a_gzip_stream_is_read_in_bounded_chunks(tmp_path):
    path = tmp_path / "obs.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"indicator,unit_code,year,numerator,denominator\n" + b"T06,20,2023,1,2\n" * 200_000)
    table, problems = read_text_table(path, max_bytes=1_000_000)
    assert table is None and "unpacks to more than 1 MB" in problems[0].message
    table, problems = read_text_table(path)
    assert table is not None and len(table.frame) == 200_000


# --- YAML: no aliases, no cycles --------------------------------------------------------------


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: &x [1, 2]\nb: *x\n", "aliases (*name) are not allowed"),
    ("a: !!python/object/apply:os.system ['echo hacked']\n", "not valid YAML"),
    ("a: [1, 2\n", "not valid YAML"),
])
def test_yaml_refuses_aliases_and_object_tags_with_the_line(tmp_path, text, fragment):
    path = tmp_path / "x.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError, match=fragment.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")) as exc:
        load_yaml(path)
    assert exc.value.problem.row is not None


def test_yaml_refuses_a_huge_file(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(YamlError, match="at most 1,000 are read"):
        load_yaml(path, max_bytes=1000)


def test_a_scenario_with_billion_laughs_in_its_description_is_refused(tmp_path):
    path = tmp_path / "laughs.yml"
    path.write_text(_billion_laughs().replace("name: Bomb", "name: laughs\nextends: baseline"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"aliases \(\*name\) are not allowed"):
        load_scenario(path)


@pytest.mark.parametrize("files", [
    {"a.yml": "name: a\nextends: a\n"},                                      # itself
    {"a.yml": "name: a\nextends: b.yml\n", "b.yml": "name: b\nextends: a\n"},  # by file name, then by name
    {"a.yml": "name: a\nextends: b\n", "b.yml": "name: b\nextends: c\n", "c.yml": "name: c\nextends: a\n"},
])
def test_extends_cycles_are_named_not_a_recursion_error(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text + "levers: {}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="makes a cycle"):
        load_scenario(tmp_path / "a.yml")


# --- the results file: data only, from the runner's own folder ------------------------------


def test_results_round_trip_exactly_through_json(tmp_path, results):
    path = tmp_path / ".tmp-2025-1" / pipeline.RESULTS_FILE
    pipeline.save_results(results, path)
    back = pipeline.load_results(path)
    assert path.read_bytes().startswith(b"{")                 # JSON, not a pickle
    # compared as text: NaN is not equal to itself, its JSON spelling is
    assert json.dumps(resultstore.encode(back)) == json.dumps(resultstore.encode(results))
    t0, b0 = results.targets[0], back.targets[0]
    assert np.array_equal(t0.forecast.draws, b0.forecast.draws)
    pd.testing.assert_frame_equal(pd.DataFrame(t0.series), pd.DataFrame(b0.series))


@pytest.mark.parametrize("payload", [
    {"__tag__": "dataclass", "type": "os:system", "fields": {}},
    {"__tag__": "dataclass", "type": "subprocess:Popen", "fields": {"args": "echo hacked"}},
    {"__tag__": "array", "dtype": "object", "shape": [1], "v": [{"__tag__": "dataclass", "type": "builtins:eval",
                                                                 "fields": {}}]},
    {"__tag__": "pickle", "v": "gASV"},
])
def test_a_crafted_results_file_builds_nothing_outside_the_workbench(tmp_path, payload):
    folder = tmp_path / ".tmp-2025-1"
    folder.mkdir()
    path = folder / pipeline.RESULTS_FILE
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(resultstore.ResultsFormatError):
        pipeline.load_results(path)


@pytest.mark.parametrize("name", ["_results.pkl", "results.json"])
def test_results_are_read_only_from_a_run_folder_under_their_own_name(tmp_path, results, name):
    path = tmp_path / name
    resultstore.dump(results, path)
    with pytest.raises(ValueError, match="not a run's results file"):
        pipeline.load_results(path)


@pytest.mark.parametrize("where", ["top", "entry"])
@pytest.mark.parametrize("name", ["results", "data_dir", "as_of", "lang"])
def test_a_run_specification_cannot_set_internal_parameters(tmp_path, where, name):
    entry = {"notebook": "summary.ipynb", "output": "summary"}
    spec = {"notebooks": [entry]}
    if where == "top":
        spec["parameters"] = {name: "/tmp/evil.pkl"}
    else:
        entry["parameters"] = {name: "/tmp/evil.pkl"}
    path = tmp_path / "run.yml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(RunSpecError, match=f"'{name}' is set by the runner"):
        load_spec(path)


@pytest.mark.parametrize("template", ["{lang.__class__.__name__}", "{target_id[0]}", "{target_id!r}",
                                      "{target_id:>99999}", "page-{0}"])
def test_page_names_and_titles_take_plain_placeholders_only(tmp_path, template):
    path = tmp_path / "run.yml"
    for key in ("output", "title"):
        path.write_text(yaml.safe_dump({"notebooks": [{"notebook": "target.ipynb", key: template,
                                                       "over": "targets"}]}), encoding="utf-8")
        with pytest.raises(RunSpecError, match="plain parameter name|valid template"):
            load_spec(path)
    with pytest.raises(RunSpecError):
        fill_template(template, {"lang": "vi", "target_id": "T01"})
    spec = {"notebooks": [{"notebook": "target.ipynb", "output": "target-{target_id}", "over": "targets"}]}
    jobs = expand_jobs(spec, {"lang": "vi"}, {"targets": [{"target_id": "T01"}]})
    assert jobs[0].output == "target-T01"


# --- options: refused before any work, exit code 2 -----------------------------------------------


@pytest.mark.parametrize(("args", "fragment"), [
    (["--as-of", "1900"], "--as-of: 1900 is outside"),
    (["--as-of", "2031"], "--as-of: 2031 is outside"),
    (["--as-of", "2100"], "--as-of: 2100 is outside"),
    (["--jobs", "0"], "--jobs: must be at least 1"),
    (["--jobs", "two"], "--jobs: must be a whole number"),
])
def test_bad_run_options_exit_2_with_the_option_named(tmp_path, fixture_dataset, args, fragment):
    code, out = _cli(["run", "--data", str(fixture_dataset), "--out", str(tmp_path / "r"), *args])
    assert code == 2 and fragment in out and "Traceback" not in out
    assert not (tmp_path / "r").exists()


def test_an_as_of_year_before_the_data_exits_2_and_writes_nothing(tmp_path, fixture_dataset):
    years = pd.read_csv(fixture_dataset / "observations.csv")["year"]
    code, out = _cli(["run", "--data", str(fixture_dataset), "--out", str(tmp_path / "r"),
                      "--as-of", str(int(years.min()) - 1), "--quiet"])
    assert code == 2 and "outside the years of the data" in out, out
    assert not list((tmp_path / "r").glob("*/index.html"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_out_is_refused_before_any_work(tmp_path, fixture_dataset):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, out = _cli(["run", "--data", str(fixture_dataset), "--out", str(ro / "reports")])
    finally:
        ro.chmod(0o700)
    assert code == 2 and "is not writable" in out


def test_an_out_that_cannot_be_written_is_refused_before_any_work(tmp_path, fixture_dataset, monkeypatch):
    # the same check as above, where the tests run as root (who may write anywhere)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == tmp_path else real_access(path, mode))
    code, out = _cli(["run", "--data", str(fixture_dataset), "--out", str(tmp_path / "reports")])
    assert code == 2 and f"--out: {tmp_path} is not writable" in out


def test_out_inside_a_file_is_refused(tmp_path, fixture_dataset):
    (tmp_path / "file").write_text("x")
    code, out = _cli(["run", "--data", str(fixture_dataset), "--out", str(tmp_path / "file" / "reports")])
    assert code == 2 and "inside the file" in out and "Traceback" not in out


def test_a_second_run_into_a_locked_folder_exits_2(tmp_path, fixture_dataset):
    out = tmp_path / "reports"
    with execute.output_lock(out):
        code, text = _cli(["run", "--data", str(fixture_dataset), "--out", str(out), "--quiet"])
    assert code == 2 and "in use by another run" in text, text
    with execute.output_lock(out):   # released: it can be taken again
        pass
    assert list(out.iterdir()) == []  # no lock file left behind


def test_the_lock_excludes_another_process(tmp_path):
    out = tmp_path / "reports"
    code = ("import sys; from forecast.reports.execute import output_lock, OutputBusy\n"
            f"try:\n    ctx = output_lock({str(out)!r}); ctx.__enter__()\nexcept OutputBusy:\n    sys.exit(3)\n")
    with execute.output_lock(out):
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 3
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_forked_worker_does_not_keep_the_folder_locked(tmp_path):
    """The runner's workers are forked; when the runner dies first, the folder must be free at once."""
    out = tmp_path / "reports"
    code = ("import sys; from forecast.reports.execute import output_lock, OutputBusy\n"
            f"try:\n    ctx = output_lock({str(out)!r}, wait=0); ctx.__enter__()\nexcept OutputBusy:\n    sys.exit(3)\n")
    with execute.output_lock(out):
        pid = os.fork()
        if pid == 0:                      # the worker outlives the lock's holder for a while
            time.sleep(3)
            os._exit(0)
    try:
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    finally:
        os.waitpid(pid, 0)


def test_clean_up_reports_only_what_it_removed(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    (out / ".tmp-2025-999999999").symlink_to(target)
    (out / ".tmp-2024-999999998").mkdir()
    removed = execute.clean_stale(out)
    assert sorted(removed) == [".tmp-2024-999999998", ".tmp-2025-999999999"]
    assert (target / "keep.txt").exists()          # the link went, never what it points to
    assert list(out.iterdir()) == []


# --- template and rebase --------------------------------------------------------------------------


def test_template_refusals_are_one_line(tmp_path):
    code, out = _cli(["template", str(tmp_path / "t.xlsx"), "--year", "1899"])
    assert code == 2 and "--year" in out
    (tmp_path / "dir.xlsx").mkdir()
    code, out = _cli(["template", str(tmp_path / "dir.xlsx"), "--force"])
    assert code == 2 and "is a folder" in out
    code, out = _cli(["template", str(tmp_path / "missing" / "sub" / "t.xlsx")])
    assert code in (0, 1) and "Traceback" not in out


def test_rebase_refuses_to_overwrite_its_input_and_odd_dates(tmp_path):
    obs = tmp_path / "obs.csv"
    shutil.copyfile(BAD.parent / "fixture_dataset" / "observations.csv", obs)
    before = obs.read_bytes()
    code, out = _cli(["rebase", str(obs), "--out", str(obs)])
    assert code == 2 and "its own input" in out
    code, out = _cli(["rebase", str(obs), "--to", "1800-01-01", "--out", str(tmp_path / "o.csv")])
    assert code == 2 and "--to" in out
    assert obs.read_bytes() == before


# --- flows, validated like observations ------------------------------------------------------------


def test_flows_against_the_roster(tmp_path):
    flows = tmp_path / "flows.csv"
    flows.write_text("year,category,level,flow,count\n2023,can_bo,xa,headcount,900\n", encoding="utf-8")
    roster = pd.DataFrame({"year": [2023] * 30, "category": ["can_bo"] * 30, "level": ["xa"] * 30})
    table, _ = read_text_table(flows)
    _, problems = check_flows(table, roster)
    assert [(p.row, p.column) for p in problems] == [(2, "count")]
    assert "far from the roster's 30 people" in problems[0].message
    _, problems = check_flows(table, roster.iloc[:0])
    assert problems == []


def test_a_dataset_with_text_in_a_flow_count_fails_validation(dataset_copy):
    (dataset_copy / "flows.csv").write_text("year,category,level,flow,count\n2024,cong_chuc,xa,hires,63 người\n",
                                            encoding="utf-8")
    problems = validate_path(dataset_copy)
    assert any(p.path.endswith("flows.csv") and p.row == 2 and "'63 người' is not a number" in p.message
               for p in problems)


# --- --max-errors: the first N of each kind and a count ---------------------------------------------


def test_max_errors_lists_the_first_of_each_kind_and_counts_the_rest(tmp_path):
    path = tmp_path / "obs.csv"
    rows = [f"T06,20,{2000 + i % 20},{i % 9} người,10,,x," for i in range(5000)]
    path.write_text("indicator,unit_code,year,numerator,denominator,value,source,flags\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    code, out = _cli(["validate", str(path), "--max-errors", "3"])
    lines = [ln for ln in out.splitlines() if "is not a number" in ln]
    assert code == 1
    assert len([ln for ln in lines if "more rows like" not in ln]) == 3
    assert any("4,997 more rows like row 2" in ln for ln in lines), out
    code, out = _cli(["validate", str(path), "--max-errors", "0"])
    assert len([ln for ln in out.splitlines() if "is not a number" in ln]) == 5000


def test_a_full_disk_while_writing_results_is_one_line_and_keeps_the_old_set(tmp_path, fixture_dataset,
                                                                             monkeypatch):
    out = tmp_path / "reports"
    (out / "2025").mkdir(parents=True)
    (out / "2025" / "index.html").write_text("the old set", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(out / ".tmp-2025-1" / pipeline.RESULTS_FILE))
    monkeypatch.setattr(pipeline, "save_results", full)
    code, text = _cli(["run", "--data", str(fixture_dataset), "--out", str(out), "--quiet"])
    assert code == 1 and "cannot write the report set: No space left on device" in text, text
    assert "Traceback" not in text
    assert sorted(p.name for p in out.iterdir()) == ["2025"]
    assert (out / "2025" / "index.html").read_text(encoding="utf-8") == "the old set"
