"""Scenario files: the stock-flow engine's levers as data (``data/scenarios/*.yml``).

A scenario file names every lever it sets with its value, its unit and a comment::

    name: hiring_freeze
    extends: baseline            # optional: start from another scenario's levers
    label_en: Hiring freeze and 2 % yearly staff cuts
    label_vi: ...
    levers:
      replacement_rate: {value: 0.0, unit: share_of_leavers, comment: "no leaver replaced"}
      programmes.university.capacity: {value: from_history, fallback: 600, unit: people_per_year,
                                       comment: "..."}

``value: from_history`` marks a lever estimated from the dataset's history by
:func:`estimate_baseline`; ``fallback`` is used when no history is at hand. The units are
fixed per lever (:data:`LEVERS`); a file that states another unit, a value out of range
or an unknown lever is refused with every problem listed, each located as
``FILE: levers.NAME: message``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from forecast import atomic, config
from forecast.inputs.tables import YamlError, load_yaml
from forecast.stockflow.history import estimate_baseline  # noqa: F401  (the baseline scenario's estimates)
from forecast.stockflow.spec import CATEGORIES, PROGRAMMES

FROM_HISTORY = "from_history"


class ScenarioError(ValueError):
    """A scenario file or lever is invalid; the message lists every located problem."""


@dataclass(frozen=True)
class LeverUnit:
    """A unit of measure with its valid range."""

    name: str
    en: str
    vi: str
    lo: float
    hi: float
    integer: bool = False
    step: float = 0.01


UNITS = {u.name: u for u in (
    LeverUnit("share_per_year", "share of headcount per year", "tỷ lệ trên số người mỗi năm", 0.0, 0.5, step=0.005),
    LeverUnit("change_per_year", "relative headcount change per year (−0.02 = 2 % cut)",
              "thay đổi biên chế mỗi năm (−0,02 = giảm 2 %)", -0.5, 0.5, step=0.005),
    LeverUnit("share_of_leavers", "share of leavers replaced", "tỷ lệ người nghỉ được tuyển thay", 0.0, 2.0),
    LeverUnit("share_of_recruits", "share of recruits", "tỷ lệ trong số tuyển mới", 0.0, 1.0),
    LeverUnit("share_of_new_leaders", "share of newly appointed leaders", "tỷ lệ lãnh đạo mới bổ nhiệm", 0.0, 1.0),
    LeverUnit("share_of_places", "share of each programme's places", "tỷ lệ chỉ tiêu của mỗi chương trình",
              0.0, 1.0),
    LeverUnit("share_of_enrolled", "share of participants who complete", "tỷ lệ học viên hoàn thành", 0.0, 1.0),
    LeverUnit("ratio", "ratio (1 = unchanged)", "hệ số (1 = không đổi)", 0.0, 20.0, step=0.1),
    LeverUnit("people_per_year", "participants starting per year", "số người cử đi học mỗi năm", 0.0, 1e6,
              integer=True, step=10),
    LeverUnit("years", "years", "năm", 1.0, 45.0, integer=True, step=1),
    LeverUnit("programme_years", "years from enrolment to completion", "số năm học", 1.0, 6.0,
              integer=True, step=1),
)}


@dataclass(frozen=True)
class LeverSpec:
    """What a lever means: its unit, labels, whether it may vary by staff category."""

    name: str
    unit: str
    label_en: str
    label_vi: str
    per_category: bool = False
    history: bool = False  # may be marked from_history

    def catalogue(self) -> dict:
        u = UNITS[self.unit]
        hi = u.hi
        if self.unit == "people_per_year":
            hi = 5000
        return {"label_en": self.label_en, "label_vi": self.label_vi, "min": u.lo, "max": hi,
                "step": u.step, "integer": u.integer, "unit": self.unit, "unit_en": u.en, "unit_vi": u.vi}


def _programme_levers() -> list[LeverSpec]:

    out = []
    for name, prog in PROGRAMMES.items():
        out += [
            LeverSpec(f"programmes.{name}.capacity", "people_per_year", f"{prog.label}: places per year",
                      f"{prog.label}: số chỉ tiêu mỗi năm", history=True),
            LeverSpec(f"programmes.{name}.completion_rate", "share_of_enrolled", f"{prog.label}: completion rate",
                      f"{prog.label}: tỷ lệ hoàn thành"),
            LeverSpec(f"programmes.{name}.duration", "programme_years", f"{prog.label}: duration",
                      f"{prog.label}: thời gian học"),
        ]
    return out


_SPECS: dict[str, LeverSpec] = {s.name: s for s in (
    LeverSpec("other_exit_rate", "share_per_year", "Exits other than retirement",
              "Nghỉ việc ngoài nghỉ hưu", per_category=True, history=True),
    LeverSpec("exit_rate_university_multiplier", "ratio", "Exit rate of graduates relative to others",
              "Hệ số nghỉ việc của người có trình độ đại học"),
    LeverSpec("replacement_rate", "share_of_leavers", "Leavers replaced by recruits",
              "Tỷ lệ tuyển thay người nghỉ", per_category=True),
    LeverSpec("headcount_change", "change_per_year", "Headcount change per year",
              "Thay đổi biên chế mỗi năm", per_category=True),
    LeverSpec("recruit_university_share", "share_of_recruits", "Recruits with a university degree or higher",
              "Tỷ lệ tuyển mới có trình độ đại học trở lên", per_category=True, history=True),
    LeverSpec("recruit_years_to_retirement", "years", "Years a recruit serves before retirement",
              "Số năm công tác của người mới tuyển đến tuổi nghỉ hưu"),
    LeverSpec("leader_years_to_retirement", "years", "Years a new leader serves before retirement",
              "Số năm công tác của lãnh đạo mới bổ nhiệm đến tuổi nghỉ hưu"),
    LeverSpec("new_leader_programme_share", "share_of_new_leaders",
              "New leaders holding the post's programme (CVCC / CVC)",
              "Lãnh đạo mới bổ nhiệm đã có chương trình theo chức danh (CVCC / CVC)", history=True),
    LeverSpec("priority_share", "share_of_places",
              "Places reserved for the post holders and the succession pool",
              "Tỷ lệ chỉ tiêu dành ưu tiên cho người giữ chức danh và trong quy hoạch"),
    LeverSpec("training_capacity_factor", "ratio", "Multiplier of every programme's places",
              "Hệ số nhân số chỉ tiêu của mọi chương trình"),
    *_programme_levers(),
)}

#: Lever name → slider catalogue (labels, min, max, step, unit) for the explorer.
LEVERS: dict[str, dict] = {name: spec.catalogue() for name, spec in _SPECS.items()}


def lever_spec(name: str) -> LeverSpec:
    """The specification of one lever (``KeyError`` naming the known levers otherwise)."""
    if name not in _SPECS:
        raise KeyError(f"unknown lever {name!r}; known: {', '.join(_SPECS)}")
    return _SPECS[name]


# ---------------------------------------------------------------------------------------
# Validation (small pure functions: clean value or a message)
# ---------------------------------------------------------------------------------------


def _check_number(value, spec: LeverSpec) -> str | None:
    u = UNITS[spec.unit]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"expected a number in {u.en} [{u.lo:g}, {u.hi:g}], got {value!r}"
    if not u.lo <= value <= u.hi:
        return f"expected {u.en} in [{u.lo:g}, {u.hi:g}], got {value!r}"
    if u.integer and float(value) != int(value):
        return f"expected a whole number of {u.en}, got {value!r}"
    return None


def check_value(name: str, value) -> list[str]:
    """Problems with ``value`` for lever ``name`` (empty list when it is valid)."""
    spec = _SPECS.get(name)
    if spec is None:
        return [f"unknown lever {name!r}"]
    if value == FROM_HISTORY:
        return [] if spec.history else [f"cannot be '{FROM_HISTORY}' (only {', '.join(s for s in _SPECS if _SPECS[s].history)})"]
    if isinstance(value, Mapping):
        if not spec.per_category:
            return [f"expected one number ({UNITS[spec.unit].en}), got a mapping"]
        problems = []
        for key, v in value.items():
            if key not in (*CATEGORIES, "default"):
                problems.append(f"unknown category {key!r} (known: {', '.join(CATEGORIES)}, default)")
            elif (msg := _check_number(v, spec)) is not None:
                problems.append(f"[{key}] {msg}")
        return problems
    msg = _check_number(value, spec)
    return [] if msg is None else [msg]


# ---------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """One lever as set by a scenario: its value (the fallback when estimated) and provenance."""

    value: object
    from_history: bool = False
    comment: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named set of levers for :func:`forecast.stockflow.project`.

    Attributes
    ----------
    name : str
        The file stem.
    label, label_vi : str
        Short English / Vietnamese titles.
    description : str
    entries : dict of str → Lever
        Every lever (defaults from :func:`defaults` filled in).
    path : Path or None
        The file it was read from.
    """

    name: str
    entries: dict
    label: str = ""
    label_vi: str = ""
    description: str = ""
    description_vi: str = ""
    path: Path | None = None
    extends: str | None = None
    notes: tuple = field(default_factory=tuple)

    @property
    def levers(self) -> dict:
        """Lever name → value (estimated levers show their fallback)."""
        return {k: copy.deepcopy(v.value) for k, v in self.entries.items()}

    def needs_history(self) -> bool:
        """Whether some lever is to be estimated from the history."""
        return any(v.from_history for v in self.entries.values())

    def with_levers(self, changes: Mapping | None = None, **more) -> Scenario:
        """A copy with some levers changed (validated). A lever set to its current value
        keeps its provenance, so ``with_levers(**scenario.levers)`` changes nothing."""
        changes = {**(changes or {}), **more}
        problems = []
        entries = dict(self.entries)
        for name, value in changes.items():
            if isinstance(value, np.generic):
                value = value.item()
            problems += [f"{self.name}: levers.{name}: {m}" for m in check_value(name, value)]
            if problems:
                continue
            old = entries[name]
            if value == FROM_HISTORY:
                entries[name] = Lever(old.value, True, old.comment)
            elif value != old.value:
                entries[name] = Lever(value, False, old.comment)
        if problems:
            raise ScenarioError("\n".join(problems))
        return Scenario(self.name, entries, self.label, self.label_vi, self.description,
                        self.description_vi, self.path, self.extends, self.notes)

    def with_history(self, history: Mapping | None) -> Scenario:
        """A copy whose ``from_history`` levers hold the estimates (no longer marked).

        For interactive use: the explorer's sliders then start from the values the
        projection uses, and a slider moved back to its start changes nothing.
        """
        if not history:
            return self
        values = self.resolve(history)
        entries = {}
        for name, lever in self.entries.items():
            if lever.from_history and values[name] != lever.value:
                entries[name] = Lever(_plain(values[name]), False,
                                      f"{lever.comment} (estimated from the history)".strip())
            else:
                entries[name] = lever
        return Scenario(self.name, entries, self.label, self.label_vi, self.description,
                        self.description_vi, self.path, self.extends, self.notes)

    def resolve(self, history: Mapping | None = None) -> dict:
        """Lever values for the engine: estimates replace ``from_history`` levers when known."""
        history = dict(history or {})
        for key in [k for k in history if k.endswith(".completions")]:
            # places per year = completions observed / the scenario's completion rate
            prog = key[: -len(".completions")]
            rate = float(self.entries[f"{prog}.completion_rate"].value)
            history.setdefault(f"{prog}.capacity", int(round(history[key] / max(rate, 0.05))))
        out = {}
        for name, lever in self.entries.items():
            value = lever.value
            if lever.from_history and history.get(name) is not None:
                est = history[name]
                if isinstance(est, Mapping):
                    # categories the history does not cover keep the file's fallback
                    base = dict(value) if isinstance(value, Mapping) else {"default": value}
                    est = {**base, **est}
                value = est
            out[name] = value
        return out

    def resolution_notes(self, history: Mapping | None = None) -> list[str]:
        """Plain-language notes on which levers came from the history and which fell back."""
        history = dict(history or {})
        history.update({k[: -len(".completions")] + ".capacity": v for k, v in history.items()
                        if k.endswith(".completions")})
        est = [n for n, v in self.entries.items() if v.from_history and history.get(n) is not None]
        fell = [n for n, v in self.entries.items() if v.from_history and history.get(n) is None]
        notes = []
        if est:
            notes.append(f"estimated from the history: {', '.join(est)}")
        if fell:
            notes.append(f"no history for {', '.join(fell)}: fallback values of the scenario file used")
        return notes + list(history.get("notes", []))

    def to_dict(self) -> dict:
        """The YAML document of this scenario (every lever, with unit and comment)."""
        levers = {}
        for name, lever in self.entries.items():
            spec = _SPECS[name]
            item: dict = {"value": FROM_HISTORY if lever.from_history else _plain(lever.value)}
            if lever.from_history:
                item["fallback"] = _plain(lever.value)
            item["unit"] = spec.unit
            item["comment"] = lever.comment or spec.label_en
            levers[name] = item
        doc = {"name": self.name, "label_en": self.label, "label_vi": self.label_vi,
               "description_en": self.description, "description_vi": self.description_vi, "levers": levers}
        return doc


def _plain(value):
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def list_scenarios(directory: Path | None = None) -> list[str]:
    """Names (file stems) of the scenario files, ``baseline`` first."""
    d = Path(directory or config.scenarios_dir())
    names = sorted(p.stem for p in d.glob("*.yml") if not p.name.startswith("."))
    return sorted(names, key=lambda n: (n != "baseline", n))


def _path_of(name_or_path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yml", ".yaml") or p.exists():
        return p
    path = config.scenarios_dir() / f"{name_or_path}.yml"
    if not path.exists():
        raise ScenarioError(f"no scenario {name_or_path!r} in {config.scenarios_dir()} "
                            f"(known: {', '.join(list_scenarios()) or 'none'})")
    return path


#: Longest chain of ``extends:`` followed.
MAX_EXTENDS = 20


def load_scenario(name_or_path, _seen: tuple = ()) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    name_or_path : str or Path
        A file stem in :func:`forecast.config.scenarios_dir` (``"baseline"``) or a path.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Every problem of the file at once, each as ``FILE: levers.NAME: message``.
    """
    if isinstance(name_or_path, Scenario):
        return name_or_path
    path = _path_of(name_or_path)
    if not path.exists():
        raise ScenarioError(f"{path}: no such scenario file")
    if len(_seen) >= MAX_EXTENDS:
        raise ScenarioError(f"{path}: more than {MAX_EXTENDS} scenarios extend one another")
    try:
        doc = load_yaml(path) or {}  # aliases refused: a short file could expand to billions of nodes
    except YamlError as exc:
        raise ScenarioError(str(exc)) from None
    if not isinstance(doc, Mapping):
        raise ScenarioError(f"{path}: expected a mapping with 'name' and 'levers'")
    problems = []
    known = {"name", "extends", "label_en", "label_vi", "description_en", "description_vi", "levers"}
    for key in sorted(set(doc) - known):
        problems.append(f"{path}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    base_name = doc.get("extends")
    if base_name is not None and not isinstance(base_name, str):
        raise ScenarioError(f"{path}: extends must be a scenario name, got {base_name!r}")
    if base_name:
        base_path = path.parent / (base_name if Path(base_name).suffix else f"{base_name}.yml")
        if not base_path.exists():
            base_path = _path_of(base_name)
        # cycles are found by file, whichever way (name or file name) each step is written
        chain = (*_seen, path.resolve())
        if base_path.resolve() in chain:
            names = " → ".join(p.stem for p in (*chain, base_path.resolve()))
            raise ScenarioError(f"{path}: extends {base_name!r} makes a cycle ({names})")
        try:
            base = load_scenario(base_path, chain)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: extends {base_name!r}: {exc}") from None
        entries = dict(base.entries)
    else:
        entries = {}
    levers = doc.get("levers") or {}
    if not isinstance(levers, Mapping):
        problems.append(f"{path}: 'levers' must be a mapping of lever name → {{value, unit, comment}}")
        levers = {}
    for name, item in levers.items():
        where = f"{path}: levers.{name}"
        spec = _SPECS.get(name)
        if spec is None:
            problems.append(f"{where}: unknown lever (known: {', '.join(_SPECS)})")
            continue
        if not isinstance(item, Mapping) or "value" not in item:
            problems.append(f"{where}: expected a mapping with 'value', 'unit' and 'comment'")
            continue
        for key in sorted(set(item) - {"value", "unit", "comment", "fallback"}):
            problems.append(f"{where}: unknown key {key!r}")
        if item.get("unit") != spec.unit:
            problems.append(f"{where}: unit must be {spec.unit!r} ({UNITS[spec.unit].en}), got {item.get('unit')!r}")
        if not str(item.get("comment") or "").strip():
            problems.append(f"{where}: a comment saying what the value rests on is required")
        value = item["value"]
        problems += [f"{where}: {m}" for m in check_value(name, value)]
        if value == FROM_HISTORY:
            if "fallback" not in item:
                problems.append(f"{where}: a '{FROM_HISTORY}' lever needs a 'fallback' value")
                continue
            problems += [f"{where}.fallback: {m}" for m in check_value(name, item["fallback"])]
            entries[name] = Lever(item["fallback"], True, str(item.get("comment", "")))
        else:
            entries[name] = Lever(value, False, str(item.get("comment", "")))
    missing = [n for n in _SPECS if n not in entries]
    if missing:
        problems.append(f"{path}: missing lever(s) {', '.join(missing)} (set them or use 'extends')")
    if problems:
        raise ScenarioError("\n".join(problems))
    return Scenario(
        name=str(doc.get("name") or path.stem), entries={n: entries[n] for n in _SPECS},
        label=str(doc.get("label_en") or doc.get("name") or path.stem),
        label_vi=str(doc.get("label_vi") or ""), description=str(doc.get("description_en") or ""),
        description_vi=str(doc.get("description_vi") or ""), path=path, extends=base_name)


def save_scenario(scenario: Scenario, path) -> Path:
    """Write ``scenario`` as YAML atomically (temporary file + rename); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(scenario.to_dict(), allow_unicode=True, sort_keys=False, width=110)
    return atomic.write_text(path, text)
