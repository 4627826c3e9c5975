"""The Dask tasks of one province: prepare once, execute each notebook, finish and publish.

The steps are those of :func:`forecast.reports.pipeline.run_annual`, called from there
(``prepare_for_spec``, ``stage_run``, ``keep_failed``, ``write_report_set``: the two runs
cannot drift apart), cut where a distributed engine can spread the work: :func:`prepare_province` validates the data
folder and stores the results in the province's run folder; :func:`run_notebook` executes
one notebook (any worker; the run folder must be on a file system every worker sees);
:func:`finish_province` writes the index, the method notes, the summary and the exports
and publishes the set in one rename. Every task returns a value instead of raising for
what goes wrong with the province (invalid data, a failing notebook, a failed write), so
one province's failure never stops another's. Notebooks run in the worker's warm kernel
(:func:`run_notebook`), reset between notebooks, as in the single-province run.

Each published set also holds ``national.json``: the province's counts (numerator and
denominator of each target in the as-of year), which the national roll-up sums.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from forecast import config
from forecast.national import warm
from forecast.reports import html as report
from forecast.reports.execute import JobResult, _execute, clean_stale, publish
from forecast.reports.kernel import ensure_kernel
from forecast.reports.options import OptionsError
from forecast.reports.pipeline import (
    RESULTS_FILE,
    InputError,
    RunResults,
    failure_names,
    keep_failed,
    load_results,
    prepare_for_spec,
    stage_run,
    write_report_set,
)
from forecast.reports.runspec import Job, load_spec

#: The file of counts each province's report set carries for the national roll-up.
COUNTS_FILE = "national.json"


@dataclass(frozen=True)
class ProvinceTask:
    """What a worker needs to run one province (plain values: it travels to the worker)."""

    name: str                     # the province folder's name, also its output folder's
    data_dir: Path
    out_base: Path
    spec_file: Path
    lang: str = "vi"
    as_of: int | None = None
    scenarios: tuple[str, ...] | None = None
    run_id: int = 0               # the runner's process id: names the run folder (.tmp-<year>-<id>)

    @property
    def base(self) -> Path:
        """The province's report sets: ``OUT/<name>/<as-of>/``."""
        return Path(self.out_base) / self.name


@dataclass
class Prepared:
    """The outcome of :func:`prepare_province`: the run folder and the notebooks to execute, or the error."""

    task: ProvinceTask
    ok: bool
    error: str = ""
    as_of: int | None = None
    workdir: Path | None = None
    jobs: list[Job] = field(default_factory=list)
    header_html: str = ""
    started: float = 0.0
    seconds: float = 0.0


@dataclass
class Finished:
    """A province's end: published (``ok``) or failed, with the reasons (file/row/column or notebook cell)."""

    name: str
    ok: bool
    errors: list[str] = field(default_factory=list)
    as_of: int | None = None
    dest: Path | None = None
    notebooks: int = 0
    notebook_seconds: float = 0.0   # the notebooks' own times, summed (the cost a cluster spreads)
    prepare_seconds: float = 0.0
    finish_seconds: float = 0.0


def _spec_parts(spec_file: Path) -> tuple[dict, tuple[str, ...]]:
    spec = load_spec(Path(spec_file))
    return spec, tuple((spec.get("parameters") or {}).keys())


def prepare_province(task: ProvinceTask) -> Prepared:
    """Validate and prepare one province (a Dask task); invalid data give ``ok=False`` with every problem."""
    start = time.time()
    ensure_kernel()  # on this worker's machine
    spec, shared = _spec_parts(task.spec_file)
    try:
        results = prepare_for_spec(Path(task.data_dir), spec, Path(task.spec_file), as_of=task.as_of,
                                   lang=task.lang, scenarios=task.scenarios)
    except (InputError, OptionsError) as exc:
        return Prepared(task, False, error=f"the input data failed validation:\n{exc}", seconds=time.time() - start)
    base = task.base
    base.mkdir(parents=True, exist_ok=True)
    clean_stale(base)
    workdir = base / f".tmp-{results.as_of}-{task.run_id}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        jobs, header = stage_run(results, workdir, spec, shared, Path(task.data_dir))
        report.write_json(workdir / COUNTS_FILE, counts(results))
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return Prepared(task, True, as_of=results.as_of, workdir=workdir, jobs=jobs, header_html=header,
                    started=start, seconds=time.time() - start)


def run_notebook(prepared: Prepared, job: Job) -> JobResult:
    """Execute one notebook of a prepared province and render its page (a Dask task).

    In the worker's warm kernel (:mod:`forecast.national.warm`), reset before the notebook.
    """
    assert prepared.workdir is not None, "run_notebook needs a prepared province"
    try:
        return _execute(job, str(config.notebooks_dir()), str(prepared.workdir), ensure_kernel(),
                        prepared.header_html, prepared.task.lang, warm=True, kernel_home=warm.kernel_home())
    except Exception as exc:  # what _execute does not catch still stays this province's failure
        return JobResult(job, False, 0.0, error=f"{type(exc).__name__}: {exc}")


def finish_province(prepared: Prepared, *outcome: JobResult) -> Finished:
    """Publish a province whose notebooks all succeeded; otherwise keep them in ``failed-<year>`` (a Dask task).

    The previous report set is replaced only by a complete new one (one rename).
    """
    task, workdir = prepared.task, prepared.workdir
    start = time.time()
    assert workdir is not None and prepared.as_of is not None, "finish_province needs a prepared province"
    spent = float(sum(r.seconds for r in outcome))
    dest = config.report_dir(prepared.as_of, task.base)
    failed = [r for r in outcome if not r.ok]
    if failed:
        kept = keep_failed(workdir, task.base, prepared.as_of)
        lines = [f"{name}: {r.error}" for name, r in zip(failure_names(failed), failed, strict=True)]
        return Finished(task.name, False, [f"{len(failed)} of {len(outcome)} notebooks failed "
                                           f"(executed notebooks kept in {kept}):", *lines],
                        prepared.as_of, None, len(outcome), spent, prepared.seconds)
    try:
        spec, _ = _spec_parts(task.spec_file)
        write_report_set(workdir, load_results(workdir / RESULTS_FILE), outcome, spec, prepared.started)
        publish(workdir, dest)
    except Exception as exc:  # a full disk, an unwritable folder…: this province only
        shutil.rmtree(workdir, ignore_errors=True)
        return Finished(task.name, False, [f"cannot write the report set: {type(exc).__name__}: {exc}"],
                        prepared.as_of, None, len(outcome), spent, prepared.seconds)
    return Finished(task.name, True, [], prepared.as_of, dest, len(outcome), spent, prepared.seconds,
                    time.time() - start)


def _number(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def counts(results: RunResults) -> dict:
    """The province's counts for the roll-up: per target, numerator and denominator in the as-of year.

    Taken from the prepared series (the province's own totals), never from shares: the
    national figure is a sum of counts. A target without a count in the as-of year has
    ``None`` counts (it is left out of the national sums and counted as not reporting).
    """
    meta = results.meta or {}
    out: dict = {"as_of": results.as_of, "synthetic": bool(results.synthetic), "name": meta.get("name"),
                 "province_code": meta.get("province_code"), "province_name": meta.get("province_name"),
                 "targets": {}}
    for t in results.targets:
        frame = t.series
        row = frame[frame["year"] == results.as_of] if len(frame) and "year" in frame else frame.iloc[0:0]
        num = _number(row["numerator"].iloc[-1]) if len(row) and "numerator" in row else None
        den = _number(row["denominator"].iloc[-1]) if len(row) and "denominator" in row else None
        out["targets"][t.id] = {"kind": t.kind, "threshold": t.threshold, "text": t.text,
                                "numerator": num, "denominator": den}
    return out


def read_counts(report_set: Path) -> dict | None:
    """``national.json`` and ``summary.json`` of a published set merged, or ``None`` if either is missing."""
    try:
        c = json.loads((Path(report_set) / COUNTS_FILE).read_text(encoding="utf-8"))
        s = json.loads((Path(report_set) / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for row in s.get("targets", []):
        if row.get("id") in c.get("targets", {}):
            c["targets"][row["id"]].update({"status": row.get("status"), "p_meet": row.get("p_meet"),
                                            "latest_value": row.get("latest_value")})
    return c
