"""The annual run: prepare the results once, execute the parameterised notebooks, publish a report set.

A run is described by a *run specification* (``notebooks/run.yml`` by default, or a
YAML file given with ``--spec``): which notebooks, with which parameters, and which
notebooks fan out over the targets or the communes. The runner

1. checks the options and every notebook parameter against the notebook's tagged
   ``parameters`` cell (an unknown name is an error, not papermill's warning)
   before anything heavy runs;
2. **prepares** the results once (:func:`prepare_results`): loads and validates the
   data folder (a corrupt file stops the run here, naming the file), analyses every
   target, projects the scenarios and stores one :class:`RunResults` as JSON in the run's
   temporary folder (:mod:`forecast.reports.resultstore`: data only, nothing a reader
   executes) — notebooks only load it, draw and write prose;
3. executes the notebooks with papermill on the kernel :data:`config.KERNEL_NAME`,
   several at once, each rendered at once to a self-contained HTML page without code;
4. writes ``index.html``, ``methods.html``, ``summary.json`` and ``summary.csv``
   (built from the same results, never scraped from notebooks);
5. moves the complete set into ``reports/<as-of>/`` only if every notebook
   succeeded, so a failed or interrupted run never replaces a good report set.

Exit codes (see ``docs/reports.md``): 0 all published; 1 invalid input or a
notebook failed (nothing replaced); 2 bad command-line usage.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecast import config, stockflow
from forecast.domain.targets import load_targets
from forecast.inputs import units as units_mod
from forecast.inputs.dataset import load_dataset
from forecast.inputs.observations import rebase
from forecast.inputs.tables import ValidationError
from forecast.inputs.units import snapshot_date
from forecast.reports import exports, planrun, resultstore, yearchange
from forecast.reports import html as report
from forecast.reports.execute import (  # noqa: F401  (re-exported: the runner's public API)
    LOG_DIR,
    JobResult,
    _execute,
    clean_stale,
    console_progress,
    execute_jobs,
    output_lock,
    publish,
)
from forecast.reports.options import MIN_AS_OF, OptionsError, RunOptions, validate_options  # noqa: F401
from forecast.reports.runspec import (  # noqa: F401  (re-exported: the runner's public API)
    FANOUT_PARAMETER,
    INTERNAL_PARAMETERS,
    Job,
    RunSpecError,
    check_jobs,
    default_spec_file,
    expand_jobs,
    load_spec,
    notebook_parameters,
)
from forecast.reports.suppression import MIN_CELL
from forecast.stockflow import scenarios as scen_mod
from forecast.stockflow.calibration import calibrate
from forecast.verdict import record as verdict_record
from forecast.verdict import runhindcast
from forecast.verdict.analysis import analyse_targets  # after validation: bad data fails fast

#: File name of the results (JSON) inside the run's temporary folder.
RESULTS_FILE = "_results.json"
#: Default size of the scenario engine's Monte-Carlo sample and its seed.
DEFAULT_DRAWS = 1000
DEFAULT_SEED = config.RUN_SEED  # the plan's number: any fixed seed makes two runs identical


class InputError(ValueError):
    """The data folder failed validation; the message names the file(s) and the problem(s)."""


# ---------------------------------------------------------------------------
# results prepared once per run
# ---------------------------------------------------------------------------
@dataclass
class TargetOutcome:
    """Everything the reports show about one target (built once, read by every notebook)."""

    id: str
    kind: str                       # "share" (values in [0, 1]) or "count" (T11)
    threshold: float | None         # as a share in [0, 1]; None for T11
    year: int
    break_year: int | None
    text: dict                      # {"vi": ..., "en": ...}
    notes: dict                     # interpretation notes {"vi": ..., "en": ...}
    series: object                  # DataFrame: year, numerator, denominator, value, break
    forecast: object | None         # forecast.results.Forecast of the trend models
    attainment: dict                # Attainment.to_dict()
    scenarios: dict = field(default_factory=dict)   # scenario name -> {"forecast", "p_meet"}
    units: object | None = None     # DataFrame of commune rows: unit_code, year, numerator, denominator, value
    verdict: object | None = None   # forecast.verdict.record.VerdictRecord: the one headline and its components


@dataclass
class RunResults:
    """The results of the prepare step of one run (stored as JSON: :mod:`forecast.reports.resultstore`)."""

    as_of: int
    lang: str
    data_dir: str
    synthetic: bool
    meta: dict                      # dataset.yml
    files: dict                     # input file label -> SHA-256
    targets: list                   # TargetOutcome, in the plan's order
    scenarios: list                 # [{"name", "label", "description"}]
    communes: object                # DataFrame: unit_code, name (units reporting in the as-of year)
    coverage: object                # DataFrame: indicators × years, number of units reporting
    warnings: list                  # notes from loading/validation that did not stop the run
    parameters: dict                # the run's parameters (for provenance)
    plan: dict | None = None        # the costed training plan (forecast.reports.planrun.plan_summary)
    year_changes: dict | None = None  # against the previous as-of year's set (forecast.reports.yearchange)

    def target(self, target_id: str) -> TargetOutcome:
        """One target's outcome by id; ``KeyError`` naming the known ids otherwise."""
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f"unknown target {target_id!r}; known: {', '.join(t.id for t in self.targets)}")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(data_dir: Path, extra: Sequence[Path] = ()) -> dict[str, str]:
    """SHA-256 of every input file: the data folder's files and the project tables a run reads.

    Keys are ``dataset/<relative path>`` for the data folder and the path relative to the
    project root for the rest (``data/targets.yml``, ``notebooks/summary.ipynb``…), so the same inputs give the same keys on any machine.
    """
    out: dict[str, str] = {}
    data_dir = Path(data_dir)
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()) if data_dir.is_dir() else []:
        rel = path.relative_to(data_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        out[f"dataset/{rel.as_posix()}"] = sha256_file(path)
    root = config.project_root()
    for path in extra:
        path = Path(path)
        if path.is_file():
            try:
                key = path.resolve().relative_to(root).as_posix()
            except ValueError:
                key = path.name
            out[key] = sha256_file(path)
    return out


def _dataset_files(ds, data_dir: Path, extra: list[Path]) -> dict[str, str]:
    """Hashes of the files the dataset loader read (all files of the folder if it does not say)."""
    read = getattr(ds, "provenance", None)
    if not callable(read):
        return input_files(data_dir, extra)
    out = {f"dataset/{item['path']}": item["sha256"] for item in read()}
    out.update({k: v for k, v in input_files(Path("/nonexistent"), extra).items()})
    return dict(sorted(out.items()))


def _load_dataset(data_dir: Path):
    """Load and validate a data folder, turning any failure into :class:`InputError`."""

    try:
        return load_dataset(data_dir)
    except ValidationError as exc:
        raise InputError(str(exc)) from exc
    except (OSError, ValueError, UnicodeDecodeError, EOFError) as exc:
        # a file the reader could not even parse (truncated gzip, binary junk…): name it if we can
        broken = _unreadable_files(Path(data_dir))
        if broken:
            raise InputError("\n".join(broken)) from exc
        raise InputError(f"{data_dir}: {type(exc).__name__}: {exc}") from exc


def _unreadable_files(folder: Path) -> list[str]:
    """``PATH: problem`` for each compressed file of ``folder`` that does not decompress whole."""
    import gzip
    import zlib

    out = []
    for path in sorted(folder.rglob("*.gz")):
        try:
            with gzip.open(path, "rb") as fh:
                while fh.read(1 << 20):
                    pass
        except (OSError, EOFError, zlib.error) as exc:
            out.append(f"{path}: the compressed file is damaged or truncated ({exc})")
    return out


def _series_frame(series):
    import pandas as pd

    frame = pd.DataFrame(series).copy()
    if "break" not in frame:
        frame["break"] = False
    return frame.reset_index(drop=True)


def _commune_rows(observations, indicator: str, as_of: int):
    """Commune-level rows (5-digit unit codes) of one indicator up to ``as_of``, as shares."""
    import numpy as np

    obs = observations
    rows = obs[(obs["indicator"] == indicator) & obs["unit_code"].astype(str).str.fullmatch(r"\d{5}")
               & (obs["year"] <= as_of)]
    if rows.empty:
        return None
    g = rows.groupby(["unit_code", "year"], as_index=False)[["numerator", "denominator"]].sum(min_count=1)
    g["value"] = np.where(g["denominator"] > 0, g["numerator"] / g["denominator"], np.nan)
    return g.sort_values(["unit_code", "year"]).reset_index(drop=True)


def _unit_names(codes: list[str], as_of: int) -> dict[str, str]:
    """Names of unit codes valid on the as-of snapshot date (codes are reused across periods).

    A code the registry does not know keeps the code itself as its name.
    """

    names = {c: c for c in codes}
    registry = units_mod.units_on(units_mod.snapshot_date(as_of))
    found = dict(zip(registry["code"].astype(str), registry["name"].astype(str), strict=False))
    names.update({c: found[c] for c in codes if c in found})
    return names


def _rebased(observations, as_of: int):
    """Commune rows mapped onto the communes of the as-of year, so each commune has a history."""

    frame, notes = rebase(observations, to=snapshot_date(as_of).date().isoformat())
    return frame, list(notes)


def coverage_table(observations, as_of: int):
    """Number of units reporting each indicator in each year up to ``as_of`` (indicators × years)."""
    obs = observations[observations["year"] <= as_of]
    table = obs.groupby(["indicator", "year"])["unit_code"].nunique().unstack("year").fillna(0)
    return table.astype(int).sort_index()


def prepare_results(data_dir: Path, **options: Any) -> RunResults:
    """:func:`_prepare_results` in the data folder's own unit registry, if it has one.

    (:func:`forecast.inputs.units.dataset_registry`: a synthetic province of another code
    carries its communes; otherwise Lạng Sơn's registry.) Options and errors: :func:`_prepare_results`.
    """
    try:
        units_mod.registry_files(data_dir)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    with units_mod.dataset_registry(data_dir):
        return _prepare_results(data_dir, **options)


def _prepare_results(data_dir: Path, *, as_of: int | None = None, lang: str = "vi",
                    scenarios: tuple[str, ...] | None = None, n_draws: int = DEFAULT_DRAWS,
                    seed: int = DEFAULT_SEED, extra_files: Sequence[Path] = (), progress=None,
                    plan_p: float | None = None, plan_draws: int = planrun.DEFAULT_DRAWS) -> RunResults:
    """Validate the data folder and compute everything the reports show, once.

    Parameters
    ----------
    data_dir : Path
        A dataset folder (``dataset.yml``, ``observations.csv``, optional roster and flows).
    as_of : int, optional
        The year the reports describe; default the latest year in the observations.
    scenarios : tuple of str, optional
        Scenario names to project with the stock-flow engine; ``None`` = every scenario
        file, ``()`` = none. Skipped when the dataset has no roster.
    n_draws, seed : int
        Monte-Carlo sample size and seed of the scenario engine (fixed seed: two runs on
        the same inputs give the same numbers).
    plan_p, plan_draws
        Required probability and engine draws of the costed training plan
        (:mod:`forecast.reports.planrun`, cached by its inputs); ``None`` (the default here; the
        annual run passes the spec's ``plan_p``, default 0.8) skips it, and so does a run without
        scenarios or a dataset without a roster.

    Raises
    ------
    InputError
        The data folder failed validation (the message names the files and problems).
    """

    say = progress or (lambda msg: None)
    data_dir = Path(data_dir)
    say(f"loading and validating {data_dir}")
    ds = _load_dataset(data_dir)
    obs = ds.observations
    first, last = int(obs["year"].min()), int(obs["year"].max())
    if as_of is None:
        as_of = last
    elif not first <= as_of <= last:
        # a page "as of" a year the data do not reach would present a guess as a record
        raise OptionsError(f"--as-of: {as_of} is outside the years of the data ({first}–{last})")
    say(f"analysing the targets (data as of {as_of})")
    analysed = {r.target.id if hasattr(r.target, "id") else str(r.target): r
                for r in analyse_targets(obs, as_of)}
    # the engine's hindcast (cached by the inputs' hashes): the verdict's scores and the engine's calibrated spread
    run_hc = runhindcast.for_run(ds, data_dir, seed=seed, say=say) if scenarios != () else runhindcast.RunHindcast()
    scen_meta, projections = _project_scenarios(ds, as_of, scenarios, n_draws, seed, say, run_hc.calibration)
    plan_doc = (planrun.plan_document(ds, data_dir, p=plan_p, n_draws=plan_draws, seed=seed, say=say,
                                      calibration=run_hc.calibration)
                if plan_p is not None and scenarios != () else None)
    say("re-basing commune history onto the current communes")
    units_obs, rebase_notes = _rebased(obs, as_of)
    hindcast_scores = run_hc.scores
    outcomes = []
    commune_codes: set[str] = set()
    for t in load_targets():
        res = analysed.get(t.id)
        att = res.attainment.to_dict() if res is not None and res.attainment is not None else {}
        units = _commune_rows(units_obs, t.id, as_of)
        if units is not None:
            commune_codes |= set(units.loc[units["year"] == as_of, "unit_code"].astype(str))
        outcomes.append(TargetOutcome(
            id=t.id,
            kind="share" if t.kind == "share" else "count",
            threshold=t.share,
            year=t.year,
            break_year=t.break_year,
            text={"vi": t.text_vi, "en": t.text_en},
            notes={"vi": t.notes_vi, "en": t.notes_en},
            series=_series_frame(res.series) if res is not None else _series_frame([]),
            forecast=res.forecast if res is not None else None,
            attainment=att,
            scenarios={name: proj[t.id] for name, proj in projections.items() if t.id in proj},
            units=units,
            verdict=verdict_record.build(
                t, att, res.forecast if res is not None else None,
                {name: proj[t.id] for name, proj in projections.items() if t.id in proj},
                hindcast_scores.get(t.id), series=res.series if res is not None else None,
                roster=getattr(ds, "roster", None), flows=getattr(ds, "flows", None)),
        ))
    import pandas as pd

    codes = sorted(commune_codes)
    names = _unit_names(codes, as_of)
    communes = pd.DataFrame({"unit_code": codes, "name": [names[c] for c in codes]})
    meta = dict(getattr(ds, "meta", {}) or {})
    if run_hc.path is not None and run_hc.path.is_file():  # its hash joins the run's provenance
        extra_files = [*extra_files, run_hc.path]
    return RunResults(
        as_of=int(as_of), lang=lang, data_dir=str(data_dir), synthetic=bool(ds.synthetic), meta=meta,
        files=_dataset_files(ds, data_dir, list(extra_files)), targets=outcomes, scenarios=scen_meta,
        communes=communes, coverage=coverage_table(obs, as_of),
        warnings=[str(w) for w in rebase_notes],
        parameters={"as_of": int(as_of), "lang": lang, "data_dir": str(data_dir),
                    "scenarios": [s["name"] for s in scen_meta], "n_draws": n_draws, "seed": seed,
                    "plan_p": plan_p if plan_doc else None, "plan_draws": plan_draws if plan_doc else None},
        plan=planrun.plan_summary(plan_doc),
    )


def _project_scenarios(ds, as_of, names, n_draws, seed, say, calibration=None):
    """Run the stock-flow engine for each scenario: (metadata list, name -> target -> result)."""
    if names == () or getattr(ds, "roster", None) is None:
        return [], {}

    chosen = list(names) if names else list(scen_mod.list_scenarios())
    meta, out = [], {}
    ids = [t.id for t in load_targets()]
    for name in chosen:
        say(f"projecting scenario {name}")
        try:
            scenario = scen_mod.load_scenario(name)
        except (FileNotFoundError, ValueError) as exc:
            raise InputError(f"scenario {name!r}: {exc}") from exc
        # the dataset (not only its roster) lets the engine estimate history-based levers
        proj = stockflow.project(ds, scenario, end_year=config.TARGET_YEAR, n_draws=n_draws, seed=seed)
        proj = calibrate(proj, calibration, seed=seed)  # the spread its hindcast calls for (same Z every scenario)
        per_target = {}
        for tid in ids:
            try:
                per_target[tid] = {"forecast": proj.forecast(tid), "p_meet": float(proj.p_meet(tid))}
            except KeyError:
                continue  # a target the engine does not project
        out[name] = per_target
        label_en = getattr(scenario, "label", "") or name
        meta.append({"name": name, "label": {"en": label_en, "vi": getattr(scenario, "label_vi", "") or label_en},
                     "description": getattr(scenario, "description", "") or "",
                     "description_vi": getattr(scenario, "description_vi", "") or ""})
    return meta, out


def save_results(results: RunResults, path: Path) -> Path:
    """Store the results as JSON atomically (:func:`forecast.reports.resultstore.dump`); return the path."""
    return resultstore.dump(results, path)


def load_results(path: Path) -> RunResults:
    """Read results written by :func:`save_results`.

    Only a file named :data:`RESULTS_FILE` in a run folder (``.tmp-<year>-<pid>``) is read,
    and reading it runs no code whatever it holds.

    Raises
    ------
    ValueError
        The path is not a run's results file or does not hold results.
    """
    path = Path(path)
    if path.name != RESULTS_FILE or not re.fullmatch(r"\.tmp-\d+-\d+", path.parent.name):
        raise ValueError(f"{path}: not a run's results file ({RESULTS_FILE} in a .tmp-<year>-<pid> folder)")
    results = resultstore.load(path)
    if not isinstance(results, RunResults):
        raise resultstore.ResultsFormatError(f"{path}: does not hold a run's results")
    return results


def fanout_lists(results: RunResults | None) -> dict[str, list[dict]]:
    """The ``over:`` lists of a run: one parameter dict per target and per commune."""
    if results is None:

        return {"targets": [{"target_id": t.id} for t in load_targets()], "communes": [{"unit_code": "00000"}]}
    return {
        "targets": [{"target_id": t.id} for t in results.targets],
        "communes": [{"unit_code": c} for c in getattr(results.communes, "unit_code", [])],
    }


def git_commit() -> str | None:
    """The checkout's current commit (read-only ``git rev-parse``), or ``None`` outside git."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.project_root(), capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _utc(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.UTC).isoformat(timespec="seconds")


def run_annual(opts: RunOptions) -> int:
    """Execute a whole annual run; return the process exit code (0 only if all succeeded)."""

    def say(msg: str) -> None:
        if not opts.quiet:
            print(f"forecast run: {msg}", file=sys.stderr, flush=True)

    notebooks = config.notebooks_dir()
    spec_path = Path(opts.spec_file or default_spec_file())
    spec = load_spec(spec_path)
    shared = tuple((spec.get("parameters") or {}).keys())
    # check every parameter name before the heavy work, with placeholder fan-out lists
    pre_common = {"as_of": opts.as_of or 2000, "lang": opts.lang, "data_dir": str(opts.data_dir), "results": ""}
    check_jobs(expand_jobs(spec, pre_common, fanout_lists(None)), pre_common, notebooks, shared)
    try:
        with output_lock(opts.out_base):
            return _prepare_and_publish(opts, spec, spec_path, shared, say)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile…
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"forecast run: cannot write the report set: {exc.strerror or exc}{where}; "
              f"{opts.dest} left as it was.", file=sys.stderr, flush=True)
        return 1


def prepare_for_spec(data_dir: Path, spec: dict, spec_path: Path, *, as_of: int | None = None, lang: str = "vi",
                     scenarios: tuple[str, ...] | None = None, progress=None) -> RunResults:
    """:func:`prepare_results` with the run specification's ``prepare:`` settings (step 2 of a run).

    ``scenarios`` given on the command line win over the specification's; the inputs'
    hashes cover the targets, the specification and its notebooks. Both the single-province
    run and the national tasks (:mod:`forecast.national.tasks`) prepare through here.

    Raises
    ------
    InputError, OptionsError
        As :func:`prepare_results`.
    """
    notebooks = config.notebooks_dir()
    prep = spec.get("prepare") or {}
    if scenarios is None and prep.get("scenarios") is not None:
        scenarios = tuple(prep["scenarios"])
    results = prepare_results(
        Path(data_dir), as_of=as_of, lang=lang, scenarios=scenarios,
        n_draws=int(prep.get("n_draws", DEFAULT_DRAWS)), seed=int(prep.get("seed", DEFAULT_SEED)),
        plan_p=prep.get("plan_p", planrun.DEFAULT_P), plan_draws=int(prep.get("plan_draws", planrun.DEFAULT_DRAWS)),
        extra_files=[config.targets_file(), Path(spec_path),
                     *sorted({notebooks / e["notebook"] for e in spec["notebooks"]})],
        progress=progress)
    results.parameters.update({"spec": Path(spec_path).name, "notebooks": spec.get("notebooks")})
    return results


def stage_run(results: RunResults, workdir: Path, spec: dict, shared: tuple[str, ...],
              data_dir: Path) -> tuple[list[Job], str]:
    """Store the results in the run folder and list its notebooks: (jobs, page header HTML)."""
    cache = save_results(results, Path(workdir) / RESULTS_FILE)
    common = {"as_of": results.as_of, "lang": results.lang, "data_dir": str(data_dir), "results": str(cache)}
    jobs = check_jobs(expand_jobs(spec, common, fanout_lists(results)), common, config.notebooks_dir(), shared)
    return jobs, report.page_header(results, results.lang)


def keep_failed(workdir: Path, out_base: Path, as_of: int) -> Path:
    """Move a run folder whose notebooks failed to ``failed-<as-of>`` (replacing an older one); return it."""
    kept = Path(out_base) / f"failed-{as_of}"
    shutil.rmtree(kept, ignore_errors=True)
    os.replace(workdir, kept)
    return kept


def failure_names(failed: Sequence[JobResult]) -> list[str]:
    """Each failed notebook as ``output (notebook, cell N)``."""
    return [f"{r.job.output} ({r.job.notebook}" + (f", cell {r.cell}" if r.cell is not None else "") + ")"
            for r in failed]


def write_report_set(workdir: Path, results: RunResults, outcome: Sequence[JobResult], spec: dict,
                     started: float) -> None:
    """The finishing steps (4): index, method notes, ``summary.json``/``.csv``, exports; drop the run's scratch.

    ``outcome`` are the executed notebooks, all successful, in job order; ``started`` is the
    run's start (epoch seconds) for the provenance. The folder is then ready for :func:`publish`.
    """
    workdir, lang = Path(workdir), results.lang
    pages = [{"title": r.title or r.job.output, "href": r.job.html_name, "group": r.job.group,
              "notebook": f"notebooks/{r.job.output}.ipynb"} for r in outcome]
    report.write_methods_page(workdir / "methods.html", results, lang)
    report.atomic_write_text(workdir / "index.html", report.index_page(pages, results, lang))
    provenance = report.provenance(results, started=_utc(started), finished=_utc(time.time()),
                                   commit=git_commit())
    data = report.write_summary(workdir, results, provenance)
    exports.write_exports(workdir, data, results, lang,  # bao-cao.docx, so-lieu.xlsx, tom-tat.pdf
                          min_cell=int((spec.get("parameters") or {}).get("min_cell", MIN_CELL)))
    (workdir / RESULTS_FILE).unlink()
    shutil.rmtree(workdir / LOG_DIR, ignore_errors=True)


def _prepare_and_publish(opts: RunOptions, spec: dict, spec_path: Path, shared: tuple[str, ...], say) -> int:
    """The locked part of :func:`run_annual`: prepare, execute, publish (the steps above)."""
    removed = clean_stale(opts.out_base)
    if removed:
        say(f"removed what an interrupted run left: {', '.join(removed)}")
    started = time.time()
    try:
        results = prepare_for_spec(opts.data_dir, spec, spec_path, as_of=opts.as_of, lang=opts.lang,
                                   scenarios=opts.scenarios, progress=say)
    except InputError as exc:
        print(f"forecast run: the input data failed validation; nothing was written.\n{exc}",
              file=sys.stderr, flush=True)
        return 1
    opts.as_of = results.as_of
    results.year_changes = yearchange.for_run(results, opts.out_base, say)  # None without a previous set

    opts.out_base.mkdir(parents=True, exist_ok=True)
    workdir = opts.out_base / f".tmp-{opts.as_of}-{os.getpid()}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    try:
        jobs, header = stage_run(results, workdir, spec, shared, opts.data_dir)
        say(f"{len(jobs)} notebooks, as of {opts.as_of}, data {opts.data_dir}")
        outcome = execute_jobs(jobs, workdir, notebooks=config.notebooks_dir(), jobs_at_once=opts.jobs_at_once,
                               progress=console_progress(opts.quiet), header_html=header, lang=opts.lang)
        failed = [r for r in outcome if not r.ok]
        if failed:
            kept = keep_failed(workdir, opts.out_base, opts.as_of)
            print(f"forecast run: {len(failed)} of {len(jobs)} notebooks failed: {', '.join(failure_names(failed))}.\n"
                  f"forecast run: executed notebooks (with papermill's error banner) kept in {kept}; "
                  f"{opts.dest} left as it was.", file=sys.stderr, flush=True)
            return 1
        write_report_set(workdir, results, outcome, spec, started)
        publish(workdir, opts.dest)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    say(f"wrote {opts.dest / 'index.html'} ({time.time() - started:.1f} s)")
    return 0
