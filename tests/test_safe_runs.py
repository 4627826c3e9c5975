"""Safe runs: parameters are checked before anything executes, and an interrupted run
(killed mid-way, or stopped by Ctrl-C, or failing while publishing) leaves the previous
report set exactly as it was; the next run cleans up what the killed one left."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from forecast import config
from forecast.cli import main
from forecast.reports import execute, pipeline

#: The cheapest run that still executes notebooks: one page, a small Monte-Carlo sample.
SMALL_SPEC = {"prepare": {"n_draws": 100, "seed": 1, "scenarios": ["baseline"]},
              "notebooks": [{"notebook": "summary.ipynb", "output": "summary"},
                            {"notebook": "targets.ipynb", "output": "targets"}]}


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _old_report_set(out: Path, year: int = 2025) -> Path:
    folder = out / str(year)
    (folder / "notebooks").mkdir(parents=True)
    (folder / "index.html").write_text("<h1>the good report set of last year</h1>", encoding="utf-8")
    (folder / "summary.json").write_text('{"as_of": 2025, "targets": []}', encoding="utf-8")
    (folder / "notebooks" / "summary.ipynb").write_text('{"cells": []}', encoding="utf-8")
    return folder


def _spec(tmp_path: Path, spec: dict) -> Path:
    path = tmp_path / "run.yml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


# --- parameters are checked before anything runs -------------------------------------------------

BAD_OPTIONS = [
    ({"jobs": "two"}, "--jobs"),
    ({"jobs": -1}, "--jobs"),
    ({"as_of": "2025.5"}, "--as-of"),
    ({"as_of": 2101}, "--as-of"),
    ({"lang": "VI "}, "--lang"),
    ({"scenarios": ["no_such_scenario"]}, "--scenarios"),
    ({"data_dir": str(Path(__file__).parent / "data" / "bad" / "obs_empty.csv")}, "--data"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_OPTIONS, ids=[m + str(k) for k, m in BAD_OPTIONS])
def test_bad_run_options_are_refused_with_the_option_named(kwargs, message):
    with pytest.raises(pipeline.RunSpecError, match=message):
        pipeline.validate_options(**kwargs)


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "reports").write_text("not a folder")
    with pytest.raises(pipeline.RunSpecError, match="--out"):
        pipeline.validate_options(out=tmp_path / "reports")


def test_reports_are_never_written_into_the_data_folder(dataset_copy):
    with pytest.raises(pipeline.RunSpecError, match="--out"):
        pipeline.validate_options(data_dir=dataset_copy, out=dataset_copy / "reports")


def test_relative_paths_are_resolved_once_so_a_later_chdir_changes_nothing(tmp_path, monkeypatch, fixture_dataset):
    monkeypatch.chdir(tmp_path)
    opts = pipeline.validate_options(data_dir=os.path.relpath(fixture_dataset, tmp_path), out="out")
    assert opts.data_dir == fixture_dataset.resolve() and opts.out_base == (tmp_path / "out").resolve()


BAD_SPECS = [
    ({"notebooks": [{"notebook": "summary.ipynb", "output": "../../escaped"}]}, "output"),
    ({"notebooks": [{"notebook": "summary.ipynb", "output": "/tmp/escaped"}]}, "output"),
    ({"notebooks": [{"notebook": "../notebooks/summary.ipynb"}]}, "notebook"),
    ({"notebooks": [{"notebook": "/etc/passwd"}]}, "notebook"),
    ({"notebooks": [{"notebook": "summary.ipynb"}], "prepare": {"n_draws": "many"}}, "n_draws"),
    ({"notebooks": [{"notebook": "summary.ipynb"}], "prepare": {"n_draws": 0}}, "n_draws"),
    ({"notebooks": [{"notebook": "summary.ipynb"}], "prepare": {"seed": -1}}, "seed"),
    ({"notebooks": [{"notebook": "summary.ipynb"}], "prepare": {"scenarios": "baseline"}}, "scenarios"),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS, ids=[str(s) for s, _ in BAD_SPECS])
def test_unsafe_or_ill_typed_run_specifications_are_refused(tmp_path, spec, message):
    with pytest.raises(pipeline.RunSpecError, match=message):
        pipeline.load_spec(_spec(tmp_path, spec))


@pytest.mark.parametrize(("value", "message"), [("five", "min_cell"), (2.5, "min_cell"), (True, "min_cell"),
                                                 (0, "min_cell")])
def test_notebook_parameters_must_have_the_declared_type(value, message):
    jobs = [pipeline.Job(notebook="commune.ipynb", output="c", parameters={"min_cell": value})]
    with pytest.raises(pipeline.RunSpecError, match=message):
        pipeline.check_jobs(jobs, {}, config.notebooks_dir())


def test_a_refused_run_writes_nothing(tmp_path, fixture_dataset):
    spec = _spec(tmp_path, {"notebooks": [{"notebook": "summary.ipynb", "output": "../../escaped"}]})
    out = tmp_path / "reports"
    code, err = _run(["run", "--data", str(fixture_dataset), "--out", str(out), "--spec", str(spec)])
    assert code == 1 and "Traceback" not in err and "output" in err
    assert not out.exists()
    assert not list(tmp_path.glob("**/escaped*"))


# --- interruptions never cost the previous report set ------------------------------------------


def test_ctrl_c_during_the_notebooks_keeps_the_old_set_and_removes_the_temporary_folder(
        tmp_path, monkeypatch, fixture_dataset):
    out = tmp_path / "reports"
    _old_report_set(out)
    before = _tree(out)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "execute_jobs", interrupted)
    code, err = _run(["run", "--data", str(fixture_dataset), "--out", str(out), "--spec",
                      str(_spec(tmp_path, SMALL_SPEC)), "--quiet"])
    assert code == 130 and "interrupted" in err
    assert _tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["2025"]


def test_a_failure_while_publishing_puts_the_old_set_back(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    old = _old_report_set(out)
    before = _tree(out)
    work = out / ".tmp-2025-1"
    work.mkdir()
    (work / "index.html").write_text("new")
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(src) == work:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(pipeline.os, "replace", failing_replace)
    monkeypatch.setattr(execute, "_exchange", lambda a, b: False)  # the two-rename path, where it can fail
    with pytest.raises(OSError, match="disk full"):
        pipeline.publish(work, old)
    monkeypatch.undo()
    assert _tree(out) == {**before, ".tmp-2025-1/index.html": _tree(work)["index.html"]}


def _wait_for(predicate, timeout: float, proc: subprocess.Popen) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_a_run_killed_while_executing_notebooks_leaves_the_old_set_intact(tmp_path, fixture_dataset):
    out = tmp_path / "reports"
    _old_report_set(out)
    before = _tree(out)
    spec = _spec(tmp_path, SMALL_SPEC)
    cmd = [sys.executable, "-m", "forecast.cli", "run", "--data", str(fixture_dataset), "--out", str(out),
           "--spec", str(spec), "--jobs", "1"]
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below, after the process ends
    # a session of its own: SIGKILL reaches the runner and its kernel, as when a scheduler kills the job
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = _wait_for(lambda: any(out.glob(".tmp-*/notebooks/*.ipynb")), 240, proc)
        assert started, (tmp_path / "run.log").read_text(errors="replace")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
    assert proc.returncode == -signal.SIGKILL
    leftovers = [p.name for p in out.iterdir() if p.name != "2025"]
    print(f"\nkilled mid-run; left behind: {leftovers}")
    assert _tree(out / "2025") == {k.removeprefix("2025/"): v for k, v in before.items()}
    assert all(name.startswith(".tmp-") for name in leftovers)   # nothing that looks like a report set

    # the next run publishes normally and clears what the killed one left
    code, err = _run(["run", "--data", str(fixture_dataset), "--out", str(out), "--spec", str(spec), "--jobs", "1",
                      "--quiet"])
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["2025"]
    assert (out / "2025" / "summary.html").exists()
    assert _tree(out / "2025") != {k.removeprefix("2025/"): v for k, v in before.items()}


# --- Ctrl-C and a killed runner: quick, quiet, and no process left behind -------------------------


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc), kernels included (they run in sessions of their own)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            with contextlib.suppress(OSError, ValueError):
                for child in map(int, (task / "children").read_text().split()):
                    if child not in found:
                        found.add(child)
                        todo.append(child)
    return found


def _wait_until(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _alive(pids: set[int]) -> set[int]:
    """The processes of ``pids`` still running (a zombie waiting to be reaped has ended)."""
    out = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                out.add(pid)
    return out


def _start_run(tmp_path: Path, fixture_dataset: Path) -> tuple[subprocess.Popen, Path, set[int]]:
    """A ``forecast run`` executing notebooks (two at once); returns it with its worker and kernel pids."""
    out = tmp_path / "reports"
    _old_report_set(out)
    spec = dict(SMALL_SPEC, notebooks=[*SMALL_SPEC["notebooks"],
                                       {"notebook": "target.ipynb", "output": "target-{target_id}",
                                        "over": "targets"}])
    cmd = [sys.executable, "-m", "forecast.cli", "run", "--data", str(fixture_dataset), "--out", str(out),
           "--spec", str(_spec(tmp_path, spec)), "--jobs", "2"]
    log = tmp_path / "run.log"
    # a session of its own, as a terminal's foreground job: Ctrl-C goes to the whole group
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "wb"),  # noqa: SIM115
                            start_new_session=True)
    kernels = lambda: [p for p in _descendants(proc.pid)  # noqa: E731
                       if b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes()]
    started = _wait_for(lambda: len(kernels()) >= 2, 240, proc)
    assert started, log.read_text(errors="replace")
    return proc, log, _descendants(proc.pid)


@pytest.mark.slow
def test_ctrl_c_stops_the_run_within_5_s_without_a_traceback_or_orphans(tmp_path, fixture_dataset):
    proc, log, children = _start_run(tmp_path, fixture_dataset)
    before = _tree(tmp_path / "reports" / "2025")
    start = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)               # what Ctrl-C in a terminal does
    try:
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.monotonic() - start
    _wait_until(lambda: not _alive(children), 5)
    left = _alive(children)
    err = log.read_text(errors="replace")
    print(f"\nCtrl-C: the run ended in {seconds:.2f} s with code {proc.returncode}; "
          f"{len(children)} child processes, {len(left)} left")
    assert seconds <= 5, err
    assert proc.returncode == 130 and "interrupted" in err
    assert "Traceback" not in err and "Task exception" not in err, err
    assert not left
    assert _tree(tmp_path / "reports" / "2025") == before
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["2025"]


@pytest.mark.slow
def test_when_the_runner_is_killed_its_workers_and_kernels_die_with_it(tmp_path, fixture_dataset):
    proc, _log, children = _start_run(tmp_path, fixture_dataset)
    start = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)                # the runner alone, as an OOM killer would
    proc.wait(timeout=30)
    gone = _wait_until(lambda: not _alive(children), 10)
    seconds = time.monotonic() - start
    left = _alive(children)
    for pid in left:                                  # do not leave them to the next test
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    print(f"\nrunner killed: {len(children)} child processes gone after {seconds:.2f} s; {len(left)} left")
    assert gone and not left
    assert seconds <= 5


def test_publishing_swaps_the_sets_so_the_folder_is_never_missing(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    old = _old_report_set(out)
    work = out / ".tmp-2025-1"
    work.mkdir()
    (work / "index.html").write_text("new", encoding="utf-8")

    def no_replace(src, dst):  # a swap in one step needs no rename that leaves 2025/ missing
        raise AssertionError(f"os.replace({src}, {dst})")
    monkeypatch.setattr(pipeline.os, "replace", no_replace)
    if not execute._exchange(tmp_path / "missing-a", tmp_path / "missing-b") and \
            not hasattr(__import__("ctypes").CDLL(None), "renameat2"):
        pytest.skip("no renameat2 on this system")
    pipeline.publish(work, old)
    monkeypatch.undo()
    assert (out / "2025" / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in out.iterdir()) == ["2025"]
