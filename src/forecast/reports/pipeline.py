"""The annual run: prepare the results once, execute the parameterised notebooks, publish a report set.

A run is described by a *run specification* (``notebooks/run.yml`` by default, or a
YAML file given with ``--spec``): which notebooks, with which parameters, and which
notebooks fan out over the targets or the communes. The runner

1. checks the options and every notebook parameter against the notebook's tagged
   ``parameters`` cell (an unknown name is an error, not papermill's warning)
   before anything heavy runs;
2. **prepares** the results once (:func:`prepare_results`): loads and validates the
   data folder (a corrupt file stops the run here, naming the file), analyses every
   target, projects the scenarios and pickles one :class:`RunResults` into the run's
   temporary folder — notebooks only load it, draw and write prose;
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
import pickle
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from forecast import atomic, config, stockflow
from forecast.domain.targets import load_targets
from forecast.inputs import units as units_mod
from forecast.inputs.dataset import load_dataset
from forecast.inputs.observations import rebase
from forecast.inputs.tables import ValidationError
from forecast.inputs.units import snapshot_date
from forecast.reports import html as report
from forecast.reports.kernel import ensure_kernel
from forecast.stockflow import scenarios as scen_mod
from forecast.stockflow.scenarios import list_scenarios
from forecast.verdict.analysis import analyse_targets  # after validation: bad data fails fast

#: Fan-out lists a run specification may name in ``over:``, with the parameter each sets.
FANOUT_PARAMETER = {"targets": "target_id", "communes": "unit_code"}
#: File name of the pickled results inside the run's temporary folder.
RESULTS_FILE = "_results.pkl"
#: Default size of the scenario engine's Monte-Carlo sample and its seed.
DEFAULT_DRAWS = 1000
DEFAULT_SEED = 165  # the plan's number: any fixed seed makes two runs identical


class RunSpecError(ValueError):
    """The run specification or its parameters are invalid (message lists every problem)."""


class InputError(ValueError):
    """The data folder failed validation; the message names the file(s) and the problem(s)."""


@dataclass
class Job:
    """One notebook execution of a run."""

    notebook: str          # file name in the notebooks folder
    output: str            # stem of the executed notebook / HTML page
    parameters: dict = field(default_factory=dict)
    title: str = ""
    group: str = ""        # index section: "main", "targets", "communes"

    @property
    def html_name(self) -> str:
        return f"{self.output}.html"


@dataclass
class JobResult:
    job: Job
    ok: bool
    seconds: float
    error: str = ""
    cell: int | None = None
    title: str = ""


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


@dataclass
class RunResults:
    """The pickled results of the prepare step of one run."""

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


def input_files(data_dir: Path, extra: list[Path] = ()) -> dict[str, str]:
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


def prepare_results(data_dir: Path, *, as_of: int | None = None, lang: str = "vi",
                    scenarios: tuple[str, ...] | None = None, n_draws: int = DEFAULT_DRAWS,
                    seed: int = DEFAULT_SEED, extra_files: list[Path] = (), progress=None) -> RunResults:
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
    if as_of is None:
        as_of = int(obs["year"].max())
    say(f"analysing the targets (data as of {as_of})")
    analysed = {r.target.id if hasattr(r.target, "id") else str(r.target): r
                for r in analyse_targets(obs, as_of)}
    scen_meta, projections = _project_scenarios(ds, as_of, scenarios, n_draws, seed, say)
    say("re-basing commune history onto the current communes")
    units_obs, rebase_notes = _rebased(obs, as_of)
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
        ))
    import pandas as pd

    codes = sorted(commune_codes)
    names = _unit_names(codes, as_of)
    communes = pd.DataFrame({"unit_code": codes, "name": [names[c] for c in codes]})
    meta = dict(getattr(ds, "meta", {}) or {})
    return RunResults(
        as_of=int(as_of), lang=lang, data_dir=str(data_dir), synthetic=bool(ds.synthetic), meta=meta,
        files=_dataset_files(ds, data_dir, list(extra_files)), targets=outcomes, scenarios=scen_meta,
        communes=communes, coverage=coverage_table(obs, as_of),
        warnings=[str(w) for w in rebase_notes],
        parameters={"as_of": int(as_of), "lang": lang, "data_dir": str(data_dir),
                    "scenarios": [s["name"] for s in scen_meta], "n_draws": n_draws, "seed": seed},
    )


def _project_scenarios(ds, as_of, names, n_draws, seed, say):
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
        per_target = {}
        for tid in ids:
            try:
                per_target[tid] = {"forecast": proj.forecast(tid), "p_meet": float(proj.p_meet(tid))}
            except KeyError:
                continue  # a target the engine does not project
        out[name] = per_target
        label_en = getattr(scenario, "label", "") or name
        meta.append({"name": name, "label": {"en": label_en, "vi": getattr(scenario, "label_vi", "") or label_en},
                     "description": getattr(scenario, "description", "") or ""})
    return meta, out


def save_results(results: RunResults, path: Path) -> Path:
    """Pickle the results atomically; return the path."""
    return atomic.write_bytes(path, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))


def load_results(path: Path) -> RunResults:
    """Read results written by :func:`save_results` (only files this workbench wrote)."""
    with open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - our own file, in our own run folder


# ---------------------------------------------------------------------------
# run specification
# ---------------------------------------------------------------------------
def default_spec_file() -> Path:
    """The run specification used when none is given."""
    return config.notebooks_dir() / "run.yml"


def notebook_parameters(path: Path) -> dict:
    """The parameters declared in a notebook's tagged ``parameters`` cell (name → info)."""
    path = Path(path)
    return dict(_inspect(str(path.resolve()), path.stat().st_mtime_ns))


@lru_cache(maxsize=64)
def _inspect(path: str, _mtime: int) -> dict:
    import logging

    import papermill as pm

    # papermill logs a warning for lines it cannot parse; our notebooks avoid them and the
    # runner reports unknown names itself
    logging.getLogger("papermill").setLevel(logging.ERROR)
    return pm.inspect_notebook(path)


SPEC_KEYS = {"notebooks", "prepare", "parameters"}
ENTRY_KEYS = {"notebook", "output", "parameters", "over", "title", "group"}


def load_spec(path: Path | None = None) -> dict:
    """Read and check the shape of a run specification (YAML); every problem at once."""
    path = Path(path or default_spec_file())
    try:
        with open(path, encoding="utf-8") as fh:
            spec = yaml.safe_load(fh) or {}
    except FileNotFoundError as exc:
        raise RunSpecError(f"{path}: run specification not found") from exc
    except yaml.YAMLError as exc:
        raise RunSpecError(f"{path}: not valid YAML: {exc}") from exc
    problems = []
    if not isinstance(spec, dict):
        raise RunSpecError(f"{path}: must be a mapping with a 'notebooks' list")
    for key in sorted(set(spec) - SPEC_KEYS):
        problems.append(f"{path}: unknown key {key!r} (known: {', '.join(sorted(SPEC_KEYS))})")
    if not isinstance(spec.get("notebooks"), list) or not spec["notebooks"]:
        problems.append(f"{path}: needs a non-empty 'notebooks' list")
    else:
        for i, entry in enumerate(spec["notebooks"], 1):
            if not isinstance(entry, dict) or "notebook" not in entry:
                problems.append(f"{path}: notebooks entry #{i} needs a 'notebook' name")
                continue
            for key in sorted(set(entry) - ENTRY_KEYS):
                problems.append(f"{path}: notebooks entry #{i} ({entry['notebook']}): unknown key {key!r}")
            if not _plain_name(entry["notebook"]) or not str(entry["notebook"]).endswith(".ipynb"):
                problems.append(f"{path}: notebooks entry #{i}: notebook {entry['notebook']!r} must be the file "
                                "name of a notebook in the notebooks folder (no path)")
            if "output" in entry and not _plain_name(str(entry["output"]).replace("{", "").replace("}", "")):
                problems.append(f"{path}: notebooks entry #{i} ({entry['notebook']}): output {entry['output']!r} "
                                "must be a plain page name (no folder, no '..')")
            over = entry.get("over")
            if over is not None and over not in FANOUT_PARAMETER:
                problems.append(f"{path}: notebooks entry #{i} ({entry['notebook']}): unknown fan-out "
                                f"list {over!r} (known: {', '.join(FANOUT_PARAMETER)})")
    prep = spec.get("prepare") or {}
    if not isinstance(prep, dict):
        problems.append(f"{path}: prepare: must be a mapping")
        prep = {}
    for key in sorted(set(prep) - {"n_draws", "seed", "scenarios"}):
        problems.append(f"{path}: prepare: unknown key {key!r} (known: n_draws, scenarios, seed)")
    for key, lowest in (("n_draws", 1), ("seed", 0)):
        value = prep.get(key)
        if key in prep and (not isinstance(value, int) or isinstance(value, bool) or value < lowest):
            problems.append(f"{path}: prepare: {key} must be a whole number ≥ {lowest}, got {value!r}")
    scen = prep.get("scenarios")
    if scen is not None and not (isinstance(scen, list) and all(isinstance(x, str) for x in scen)):
        problems.append(f"{path}: prepare: scenarios must be a list of scenario names, got {scen!r}")
    if not isinstance(spec.get("parameters") or {}, dict):
        problems.append(f"{path}: parameters: must be a mapping of name: value")
    if problems:
        raise RunSpecError("\n".join(problems))
    return spec


def _plain_name(name) -> bool:
    """Whether ``name`` is a bare file name (no folder part, not '..', not absolute)."""
    text = str(name)
    return bool(text) and "/" not in text and "\\" not in text and text not in (".", "..") \
        and not text.startswith(".") and not Path(text).is_absolute()


def expand_jobs(spec: dict, common: dict, fanout: dict[str, list[dict]] | None = None) -> list[Job]:
    """Turn a run specification into jobs.

    Parameters
    ----------
    spec : dict
        ``{"notebooks": [{"notebook": "x.ipynb", "output": "x", "parameters": {...},
        "over": "communes"}]}``; ``over`` fans a notebook out over a list of parameter
        dicts found in ``fanout`` (one job per target or commune). ``output`` and
        ``title`` may use ``{name}`` placeholders filled from the parameters.
    common : dict
        Parameters given to every notebook that declares them (as_of, lang, data_dir…).
    fanout : dict, optional
        Named lists of parameter dicts for ``over``.
    """
    jobs: list[Job] = []
    shared = dict(spec.get("parameters") or {})
    for entry in spec["notebooks"]:
        nb = entry["notebook"]
        base_params = {**shared, **dict(entry.get("parameters") or {})}
        variants = [{}]
        if entry.get("over"):
            variants = (fanout or {}).get(entry["over"])
            if variants is None:
                raise RunSpecError(f"notebook {nb}: unknown fan-out list {entry['over']!r}")
        for extra in variants:
            params = {**base_params, **extra}
            fill = {**common, **params}
            output = str(entry.get("output", Path(nb).stem)).format(**fill)
            if not _plain_name(output):
                raise RunSpecError(f"notebook {nb}: output {output!r} is not a plain page name")
            title = entry.get("title", "")
            if isinstance(title, dict):
                title = title.get(common.get("lang", "vi"), "")
            jobs.append(Job(notebook=nb, output=output, parameters=params, title=str(title).format(**fill),
                            group=entry.get("group", "communes" if entry.get("over") == "communes" else "main")))
    return jobs


def check_jobs(jobs: list[Job], common: dict, notebooks: Path, shared: tuple[str, ...] = ()) -> list[Job]:
    """Attach the common parameters each notebook declares; fail on unknown names.

    ``shared`` names parameters given to every notebook from the spec's top-level
    ``parameters``: like the common ones they go only to notebooks that declare them,
    but a name no notebook declares is still an error.

    Raises
    ------
    RunSpecError
        Listing every missing notebook and every parameter a notebook does not declare.
    """
    problems = []
    declared_cache: dict[str, dict] = {}
    used_shared: set[str] = set()
    for job in jobs:
        path = notebooks / job.notebook
        if not path.exists():
            problems.append(f"{job.notebook}: notebook not found in {notebooks}")
            continue
        if job.notebook not in declared_cache:
            declared_cache[job.notebook] = notebook_parameters(path)
        declared = declared_cache[job.notebook]
        if not declared:
            problems.append(f"{job.notebook}: has no cell tagged 'parameters'")
            continue
        for name in list(job.parameters):
            if name in declared:
                used_shared.add(name)
                problem = _type_problem(name, job.parameters[name], declared[name])
                if problem:
                    problems.append(f"{job.notebook}: parameter {problem}")
            elif name in shared:
                del job.parameters[name]
            else:
                problems.append(
                    f"{job.notebook}: unknown parameter {name!r} (declared: {', '.join(sorted(declared))})"
                )
        job.parameters = {**{k: v for k, v in common.items() if k in declared}, **job.parameters}
    for name in sorted(set(shared) - used_shared):
        if declared_cache:
            problems.append(f"parameters: {name!r} is declared by no notebook of the run")
    if problems:
        raise RunSpecError("\n".join(dict.fromkeys(problems)))
    return jobs


#: Extra rules on parameter values, beyond the type the notebook declares.
PARAMETER_RULES = {"min_cell": (lambda v: v >= 1, "must be at least 1 (a cell of 0 people would show everyone)")}
_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,), "list": (list,), "dict": (dict,)}


def _type_problem(name: str, value, info) -> str | None:
    """Why ``value`` does not fit the parameter's declared type (papermill's inferred name), or None."""
    declared = str(getattr(info, "get", lambda *_: None)("inferred_type_name") or "")
    kinds = _TYPES.get(declared.strip())
    if kinds is not None:
        wrong_bool = isinstance(value, bool) and bool not in kinds
        if wrong_bool or not isinstance(value, kinds):
            return f"{name!r} must be of type {declared}, got {value!r}"
    rule = PARAMETER_RULES.get(name)
    if rule and isinstance(value, int | float) and not isinstance(value, bool) and not rule[0](value):
        return f"{name!r} {rule[1]}, got {value!r}"
    return None


def fanout_lists(results: RunResults | None) -> dict[str, list[dict]]:
    """The ``over:`` lists of a run: one parameter dict per target and per commune."""
    if results is None:

        return {"targets": [{"target_id": t.id} for t in load_targets()], "communes": [{"unit_code": "00000"}]}
    return {
        "targets": [{"target_id": t.id} for t in results.targets],
        "communes": [{"unit_code": c} for c in results.communes["unit_code"]],
    }


# ---------------------------------------------------------------------------
# execution
# ---------------------------------------------------------------------------
#: Folder (inside the run's temporary folder) for each kernel's own stderr chatter.
LOG_DIR = "_logs"


@contextmanager
def _stderr_to(path: Path):
    """Send file descriptor 2 (inherited by the kernel process) to ``path`` for a while.

    Kernels write start-up warnings to stderr; the console keeps only the runner's own
    progress lines, and the chatter stays in the run folder for a failed run's inspection.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _execute(job: Job, notebooks: str, workdir: str, kernel: str, header_html: str | None = None,
             lang: str = "vi") -> JobResult:
    """Execute one job and render its page (runs in a worker process); ``header_html=None``: no page."""
    import papermill as pm


    start = time.monotonic()
    out = Path(workdir) / "notebooks" / f"{job.output}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _stderr_to(Path(workdir) / LOG_DIR / f"{job.output}.log"):
            _papermill(pm, job, notebooks, out, kernel)
    except pm.PapermillExecutionError as exc:
        return JobResult(job, False, time.monotonic() - start,
                         error=f"{exc.ename}: {exc.evalue}", cell=exc.exec_count)
    except Exception as exc:  # kernel died, notebook unreadable…
        return JobResult(job, False, time.monotonic() - start, error=f"{type(exc).__name__}: {exc}")
    if header_html is None:
        return JobResult(job, True, time.monotonic() - start)
    try:
        title = report.render_notebook(out, Path(workdir) / job.html_name, lang=lang,
                                       header_html=header_html, title=job.title or None)
    except Exception as exc:
        return JobResult(job, False, time.monotonic() - start, error=f"rendering: {type(exc).__name__}: {exc}")
    return JobResult(job, True, time.monotonic() - start, title=title)


def _papermill(pm, job: Job, notebooks: str, out: Path, kernel: str) -> None:
    pm.execute_notebook(
        str(Path(notebooks) / job.notebook),
        str(out),
        parameters=job.parameters,
        kernel_name=kernel,
        cwd=str(Path(notebooks)),
        progress_bar=False,
        log_output=False,
    )


def execute_jobs(jobs: list[Job], workdir: Path, *, notebooks: Path, jobs_at_once: int | None = None,
                 progress=None, header_html: str | None = "", lang: str = "vi") -> list[JobResult]:
    """Execute every job; one failure does not stop the others. Results come back in job order.

    Each worker renders its notebook's page right after executing it (``header_html``
    is put at the top of every page; ``None`` skips rendering, as the benchmark's floor does).
    """

    kernel = ensure_kernel()
    n = jobs_at_once or max(1, min(len(jobs), os.cpu_count() or 1))
    results: list[JobResult] = []
    args = (str(notebooks), str(workdir), kernel, header_html, lang)
    if n == 1:
        for i, job in enumerate(jobs, 1):
            res = _execute(job, *args)
            results.append(res)
            if progress:
                progress(i, len(jobs), res)
        return results
    with ProcessPoolExecutor(max_workers=n) as pool:
        futures = {pool.submit(_execute, job, *args): k for k, job in enumerate(jobs)}
        done: dict[int, JobResult] = {}
        for i, fut in enumerate(as_completed(futures), 1):
            res = fut.result()
            done[futures[fut]] = res
            if progress:
                progress(i, len(jobs), res)
    return [done[k] for k in range(len(jobs))]


def publish(workdir: Path, dest: Path) -> None:
    """Move a complete report set into place, keeping the previous one until the swap is done."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    if dest.exists():
        os.replace(dest, old)
    try:
        os.replace(workdir, dest)
    except BaseException:
        if old.exists() and not dest.exists():
            os.replace(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def console_progress(quiet: bool):
    """A progress callback printing one line per finished notebook (only failures when quiet)."""
    def report(i: int, n: int, res: JobResult) -> None:
        if quiet and res.ok:
            return
        status = "ok" if res.ok else "FAILED"
        print(f"[{i}/{n}] {res.job.output}: {status} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        if not res.ok:
            where = f" in cell {res.cell}" if res.cell is not None else ""
            print(f"    {res.job.notebook}{where}: {res.error}", file=sys.stderr, flush=True)
    return report


@dataclass
class RunOptions:
    """Validated parameters of one annual run."""

    data_dir: Path
    as_of: int | None
    out_base: Path
    lang: str = "vi"
    spec_file: Path | None = None
    jobs_at_once: int | None = None
    quiet: bool = False
    scenarios: tuple[str, ...] | None = None

    @property
    def dest(self) -> Path:
        return config.report_dir(self.as_of, self.out_base)


def _whole_number(value, name: str, lowest: int, problems: list[str]) -> int | None:
    """``value`` as an int ≥ ``lowest`` (no bools, no fractions), or None with a problem noted."""
    if isinstance(value, bool):
        problems.append(f"{name}: must be a whole number, got {value!r}")
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        problems.append(f"{name}: must be a whole number, got {value!r}")
        return None
    if number < lowest:
        problems.append(f"{name}: must be at least {lowest}, got {number}")
        return None
    return number


def validate_options(*, data_dir=None, as_of=None, out=None, lang="vi", spec=None, jobs=None,
                     quiet=False, scenarios=None) -> RunOptions:
    """Check run parameters before anything executes; raise :class:`RunSpecError` listing all problems.

    Paths are resolved here, once (a later change of working folder changes nothing).
    ``as_of`` stays ``None`` when not given: the prepare step takes the latest year of
    the validated observations.
    """
    problems: list[str] = []
    data = (Path(data_dir) if data_dir else config.demo_dir()).expanduser().resolve()
    if not data.is_dir():
        problems.append(f"--data: {data} is not a folder")
    out_base = Path(out).expanduser().resolve() if out else config.reports_dir()
    if out_base.exists() and not out_base.is_dir():
        problems.append(f"--out: {out_base} is a file, not a folder")
    if out_base == data or data in out_base.parents:
        problems.append(f"--out: {out_base} is inside the data folder {data}; reports never go there")
    if lang not in ("vi", "en"):
        problems.append(f"--lang: must be 'vi' or 'en', got {lang!r}")
    year = None
    if as_of is not None:
        year = _whole_number(as_of, "--as-of", 0, problems)
        if year is not None and not 2000 <= year <= 2100:
            problems.append(f"--as-of: {year} is outside 2000–2100")
            year = None
    n_jobs = _whole_number(jobs, "--jobs", 1, problems) if jobs is not None else None
    if spec is not None and not Path(spec).is_file():
        problems.append(f"--spec: {spec} is not a file")
    if scenarios:

        known = set(list_scenarios())
        for name in scenarios:
            if name not in known:
                problems.append(f"--scenarios: unknown scenario {name!r} (known: {', '.join(sorted(known))})")
    if problems:
        raise RunSpecError("\n".join(problems))
    return RunOptions(
        data_dir=data,
        as_of=year,
        out_base=out_base,
        lang=lang,
        spec_file=Path(spec).resolve() if spec else None,
        jobs_at_once=n_jobs,
        quiet=quiet,
        scenarios=tuple(scenarios) if scenarios is not None else None,
    )


def clean_stale(out_base: Path) -> list[str]:
    """Remove what killed runs left in ``out_base`` (``.tmp-<year>-<pid>``, ``.<year>.old-<pid>``).

    A folder is stale when the process that made it no longer runs; folders of a run
    still in progress are left alone. Returns the names removed.
    """
    import re

    removed = []
    if not Path(out_base).is_dir():
        return removed
    for path in Path(out_base).iterdir():
        m = re.fullmatch(r"\.(?:tmp-\d+|\d+\.old)-(\d+)", path.name)
        if not m or not path.is_dir():
            continue
        pid = int(m.group(1))
        if pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


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

    removed = clean_stale(opts.out_base)
    if removed:
        say(f"removed what an interrupted run left: {', '.join(removed)}")
    prep = spec.get("prepare") or {}
    scenarios = opts.scenarios if opts.scenarios is not None else (
        tuple(prep["scenarios"]) if prep.get("scenarios") is not None else None)
    started = time.time()
    try:
        results = prepare_results(
            opts.data_dir, as_of=opts.as_of, lang=opts.lang, scenarios=scenarios,
            n_draws=int(prep.get("n_draws", DEFAULT_DRAWS)), seed=int(prep.get("seed", DEFAULT_SEED)),
            extra_files=[config.targets_file(), spec_path,
                         *sorted({notebooks / e["notebook"] for e in spec["notebooks"]})],
            progress=say)
    except InputError as exc:
        print(f"forecast run: the input data failed validation; nothing was written.\n{exc}",
              file=sys.stderr, flush=True)
        return 1
    opts.as_of = results.as_of
    results.parameters.update({"spec": spec_path.name, "notebooks": spec.get("notebooks")})

    opts.out_base.mkdir(parents=True, exist_ok=True)
    workdir = opts.out_base / f".tmp-{opts.as_of}-{os.getpid()}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    try:
        cache = save_results(results, workdir / RESULTS_FILE)
        common = {"as_of": opts.as_of, "lang": opts.lang, "data_dir": str(opts.data_dir), "results": str(cache)}
        jobs = check_jobs(expand_jobs(spec, common, fanout_lists(results)), common, notebooks, shared)
        say(f"{len(jobs)} notebooks, as of {opts.as_of}, data {opts.data_dir}")
        header = report.page_header(results, opts.lang)
        outcome = execute_jobs(jobs, workdir, notebooks=notebooks, jobs_at_once=opts.jobs_at_once,
                               progress=console_progress(opts.quiet), header_html=header, lang=opts.lang)
        failed = [r for r in outcome if not r.ok]
        if failed:
            kept = opts.out_base / f"failed-{opts.as_of}"
            if kept.exists():
                shutil.rmtree(kept)
            os.replace(workdir, kept)
            names = ", ".join(f"{r.job.output} ({r.job.notebook}"
                              + (f", cell {r.cell}" if r.cell is not None else "") + ")" for r in failed)
            print(f"forecast run: {len(failed)} of {len(jobs)} notebooks failed: {names}.\n"
                  f"forecast run: executed notebooks (with papermill's error banner) kept in {kept}; "
                  f"{opts.dest} left as it was.", file=sys.stderr, flush=True)
            return 1
        pages = [{"title": r.title or r.job.output, "href": r.job.html_name, "group": r.job.group,
                  "notebook": f"notebooks/{r.job.output}.ipynb"} for r in outcome]
        report.write_methods_page(workdir / "methods.html", results, opts.lang)
        report.atomic_write_text(workdir / "index.html", report.index_page(pages, results, opts.lang))
        finished = time.time()
        provenance = report.provenance(results, started=_utc(started), finished=_utc(finished),
                                       commit=git_commit())
        report.write_summary(workdir, results, provenance)
        (workdir / RESULTS_FILE).unlink()
        shutil.rmtree(workdir / LOG_DIR, ignore_errors=True)
        publish(workdir, opts.dest)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    say(f"wrote {opts.dest / 'index.html'} ({time.time() - started:.1f} s)")
    return 0
