"""The run specification: which notebooks a run executes, with which parameters.

A specification (``notebooks/run.yml`` by default, or ``--spec``) lists notebooks, their
parameters and the ones that fan out over the targets or the communes. Everything is
checked before anything heavy runs: unknown keys, page names that are not plain file
names, parameters a notebook does not declare or of the wrong type, and the internal
parameters only the runner sets (:data:`INTERNAL_PARAMETERS`: a spec naming ``results``
could otherwise point every notebook at a file of its choosing).
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from forecast import config
from forecast.inputs.tables import YamlError, load_yaml

#: Fan-out lists a run specification may name in ``over:``, with the parameter each sets.
FANOUT_PARAMETER = {"targets": "target_id", "communes": "unit_code"}
#: Parameters only the runner sets (from the command line and its own run folder).
INTERNAL_PARAMETERS = ("as_of", "lang", "data_dir", "results")
#: Largest Monte-Carlo sample a specification may ask for (memory grows with it).
MAX_DRAWS = 100_000


class RunSpecError(ValueError):
    """The run specification or its parameters are invalid (message lists every problem)."""


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
    if not path.is_file():
        raise RunSpecError(f"{path}: run specification not found")
    try:
        spec = load_yaml(path) or {}
    except YamlError as exc:
        raise RunSpecError(str(exc)) from None
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
    for key in sorted(set(prep) - {"n_draws", "seed", "scenarios", "plan_p", "plan_draws"}):
        problems.append(f"{path}: prepare: unknown key {key!r} (known: n_draws, plan_draws, plan_p, scenarios, seed)")
    plan_p = prep.get("plan_p")
    if "plan_p" in prep and plan_p is not None and (isinstance(plan_p, bool) or not isinstance(plan_p, int | float)
                                                    or not 0 < plan_p < 1):
        problems.append(f"{path}: prepare: plan_p must be a probability strictly between 0 and 1 "
                        f"(or empty: no training plan), got {plan_p!r}")
    for key, lowest, highest in (("n_draws", 1, MAX_DRAWS), ("seed", 0, 2**32 - 1), ("plan_draws", 20, MAX_DRAWS)):
        value = prep.get(key)
        if key in prep and (not isinstance(value, int) or isinstance(value, bool) or not lowest <= value <= highest):
            problems.append(f"{path}: prepare: {key} must be a whole number from {lowest} to {highest}, "
                            f"got {value!r}")
    scen = prep.get("scenarios")
    if scen is not None and not (isinstance(scen, list) and all(isinstance(x, str) for x in scen)):
        problems.append(f"{path}: prepare: scenarios must be a list of scenario names, got {scen!r}")
    if not isinstance(spec.get("parameters") or {}, dict):
        problems.append(f"{path}: parameters: must be a mapping of name: value")
    else:
        problems += _internal_names(path, "parameters", spec.get("parameters") or {})
    for i, entry in enumerate(spec.get("notebooks") or [], 1):
        params = entry.get("parameters") if isinstance(entry, dict) else None
        if isinstance(params, dict):
            problems += _internal_names(path, f"notebooks entry #{i} parameters", params)
        for key in ("output", "title"):
            value = entry.get(key) if isinstance(entry, dict) else None
            for text in (value.values() if isinstance(value, dict) else [value]):
                bad = _template_problem(text) if isinstance(text, str) else None
                if bad:
                    problems.append(f"{path}: notebooks entry #{i}: {key} {text!r}: {bad}")
    if problems:
        raise RunSpecError("\n".join(problems))
    return spec


def _internal_names(path: Path, where: str, params: dict) -> list[str]:
    return [f"{path}: {where}: {name!r} is set by the runner, not by a run specification"
            for name in params if name in INTERNAL_PARAMETERS]


def _template_problem(text: str) -> str | None:
    """Why ``text`` is not a plain ``{name}`` template, or None.

    ``str.format`` would follow attributes and indexes (``{lang.__class__}``); page names
    and titles may only name parameters.
    """
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"not a valid template ({exc})"
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return f"placeholder {{{name}}} must be a plain parameter name"
    return None


def fill_template(text: str, values: dict) -> str:
    """``text`` with its ``{name}`` placeholders replaced (names only; see :func:`_template_problem`)."""
    problem = _template_problem(text)
    if problem:
        raise RunSpecError(f"{text!r}: {problem}")
    out = []
    for literal, name, _spec, _conv in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            if name not in values:
                raise RunSpecError(f"{text!r}: unknown placeholder {{{name}}}")
            out.append(str(values[name]))
    return "".join(out)


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
        variants: list[dict] = [{}]
        if entry.get("over"):
            found = (fanout or {}).get(entry["over"])
            if found is None:
                raise RunSpecError(f"notebook {nb}: unknown fan-out list {entry['over']!r}")
            variants = found
        for extra in variants:
            params = {**base_params, **extra}
            fill = {**common, **params}
            output = fill_template(str(entry.get("output", Path(nb).stem)), fill)
            if not _plain_name(output):
                raise RunSpecError(f"notebook {nb}: output {output!r} is not a plain page name")
            title = entry.get("title", "")
            if isinstance(title, dict):
                title = title.get(common.get("lang", "vi"), "")
            jobs.append(Job(notebook=nb, output=output, parameters=params, title=fill_template(str(title), fill),
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
        # the runner's own parameters win: a spec cannot point a notebook at other results
        job.parameters = {**job.parameters, **{k: v for k, v in common.items() if k in declared}}
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


