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
import pandas as pd
import yaml

from forecast import atomic, config

FROM_HISTORY = "from_history"
CATEGORIES = ("can_bo", "cong_chuc", "vien_chuc")


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
    from forecast.stockflow import PROGRAMMES

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
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, Mapping):
        raise ScenarioError(f"{path}: expected a mapping with 'name' and 'levers'")
    problems = []
    known = {"name", "extends", "label_en", "label_vi", "description_en", "description_vi", "levers"}
    for key in sorted(set(doc) - known):
        problems.append(f"{path}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    base_name = doc.get("extends")
    if base_name:
        if base_name in _seen:
            raise ScenarioError(f"{path}: extends {base_name!r} in a cycle ({' → '.join(_seen)})")
        try:
            base = load_scenario(_path_of(base_name) if not Path(str(base_name)).suffix else
                                 path.parent / base_name, (*_seen, path.stem))
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: extends {base_name!r}: {exc}") from exc
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


# ---------------------------------------------------------------------------------------
# The baseline from the history
# ---------------------------------------------------------------------------------------

#: Roster education codes of a university degree or higher.
_UNIVERSITY_PLUS = ("dai_hoc", "thac_si", "tien_si")
#: Programme lever → the flows.csv ``flow`` names counted as its completions.
FLOW_PROGRAMMES = {
    "university": ("upgrade_university", "upgrade_dai_hoc"),
    # a doctorate after a master's changes no state of the engine: only master's count
    "postgraduate": ("upgrade_master", "upgrade_thac_si", "upgrade_postgraduate"),
    "political_theory_elementary": ("upgrade_llct_so_cap", "upgrade_political_theory_elementary"),
    "political_theory_intermediate": ("upgrade_llct_trung_cap", "upgrade_political_theory_intermediate"),
    "political_theory_senior": ("upgrade_llct_cao_cap", "upgrade_political_theory_senior"),
    "principal_specialist": ("upgrade_cvc", "upgrade_principal_specialist"),
    "senior_specialist": ("upgrade_cvcc", "upgrade_senior_specialist"),
    "language": ("upgrade_foreign_language", "upgrade_language"),
    "it": ("upgrade_it_skill", "upgrade_it"),
    "standard_training": ("upgrade_standard_training",),
    "standardisation": ("upgrade_standardised", "upgrade_standardisation"),
}


def _snapshot_year(roster: pd.DataFrame) -> int | None:
    if "year" in roster and len(roster):
        return int(pd.to_numeric(roster["year"], errors="coerce").max())
    return None


def _recent_hires(roster: pd.DataFrame, years: int = 3) -> pd.DataFrame:
    if "hire_date" not in roster:
        return roster.iloc[:0]
    snap = _snapshot_year(roster)
    hired = pd.to_datetime(roster["hire_date"], errors="coerce")
    if snap is None:
        return roster.iloc[:0]
    return roster[(hired.dt.year > snap - years) & hired.notna()]


def estimate_baseline(data, years: int = 3) -> dict:
    """Estimate the baseline's ``from_history`` levers from a dataset (or a bare roster).

    * ``other_exit_rate`` by category: from ``flows.csv`` (exits other than retirement
      over the headcount, mean of the last ``years`` years, the Decree 178 year 2025
      left out as exceptional) or, without flows, from the roster's leavers of the
      snapshot year;
    * ``recruit_mix``: the qualification mix of staff hired in the last ``years`` years
      (their state at the snapshot, a close proxy of their state at hiring), by
      category and level, and ``recruit_university_share`` by category from it;
    * ``programmes.<name>.completions``: mean yearly completions of the last ``years``
      years in ``flows.csv``; :meth:`Scenario.resolve` turns them into places per year
      by dividing by the scenario's completion rate;
    * ``allocation_weights``: how each programme's places are shared over category ×
      level (see :func:`_allocation_weights`);
    * ``new_leader_programme_share``: the share of current leaders holding their post's
      programme.

    Parameters
    ----------
    data : Dataset or DataFrame
        A :class:`forecast.dataset.Dataset` (``roster``, optional ``flows``) or a roster.
    years : int
        Window of recent years averaged.

    Returns
    -------
    dict
        Lever name → value, plus ``recruit_mix`` and ``allocation_weights`` (DataFrames)
        and ``notes`` (list of str).
    """
    from forecast import stockflow

    if isinstance(data, pd.DataFrame):
        roster, flows = data, None
    else:
        roster, flows = getattr(data, "roster", None), getattr(data, "flows", None)
    out: dict = {"notes": []}
    if roster is None or not len(roster):
        out["notes"].append("no roster: nothing estimated")
        return out
    active = stockflow.active_staff(roster)
    snap = _snapshot_year(roster)
    # exits other than retirement
    rate = _exit_rates_from_flows(flows, years) if flows is not None else None
    if rate:
        out["other_exit_rate"] = rate
        out["notes"].append(f"exit rates from flows.csv, mean of {years} years before the snapshot, "
                            "2025 (Decree 178 exits) left out")
    elif "exit_reason" in roster:
        reason = roster["exit_reason"].fillna("").astype(str).str.strip()
        left = roster[~reason.isin(["", "nan", "None", "huu", "nd178"])]
        if len(left):
            base = roster.groupby("category").size()
            per = left.groupby("category").size().reindex(base.index, fill_value=0) / base
            out["other_exit_rate"] = {str(k): round(float(v), 4) for k, v in per.items()}
            out["notes"].append("exit rates from the roster's leavers of the snapshot year")
    # recruits' qualification mix
    hires = _recent_hires(active, years)
    if len(hires) >= 20:
        st = stockflow.states(hires)
        rows = []
        for dim in stockflow.DIMENSIONS:
            g = pd.DataFrame({"category": hires["category"].astype(str).to_numpy(),
                              "level": hires["level"].astype(str).to_numpy(),
                              "dimension": dim, "state": st[dim].to_numpy()})
            rows.append(g.groupby(["category", "level", "dimension", "state"]).size().rename("count").reset_index())
        out["recruit_mix"] = pd.concat(rows, ignore_index=True)
        univ = hires["education"].astype(str).isin(_UNIVERSITY_PLUS).groupby(hires["category"].astype(str)).mean()
        out["recruit_university_share"] = {str(k): round(float(v), 3) for k, v in univ.items()}
        out["notes"].append(f"recruits' qualifications from the {len(hires)} staff hired in {snap - years + 1}–{snap}")
    # training places
    if flows is not None:
        caps = _capacities_from_flows(flows, years)
        for name, cap in caps.items():
            out[f"programmes.{name}.completions"] = cap
        if caps:
            out["notes"].append(f"training places = mean yearly completions in flows.csv over {years} years")
        weights = _allocation_weights(flows, active, years)
        if weights is not None:
            out["allocation_weights"] = weights
            out["notes"].append(f"training places shared by category and level as the completions of "
                                f"the last {years} years in flows.csv, relative to the eligible staff")
    # new leaders' programme share: the present share among leaders
    leaders = active[active["leader"].astype(str).isin(["so", "phong"])]
    if len(leaders) >= 10:
        sm = leaders["state_mgmt"].astype(str)
        ok = np.where(leaders["leader"].astype(str) == "so", sm == "cvcc", sm.isin(["cvc", "cvcc"]))
        out["new_leader_programme_share"] = round(float(np.mean(ok)), 3)
    return out


def _flow_frame(flows) -> pd.DataFrame | None:
    if flows is None or not len(flows) or not {"year", "flow", "count"} <= set(flows.columns):
        return None
    return flows


def _exit_rates_from_flows(flows, years: int) -> dict | None:
    f = _flow_frame(flows)
    if f is None or "category" not in f:
        return None
    names = set(f["flow"].astype(str))
    exit_flows = [n for n in names if n.startswith("exit_") and n not in ("exit_huu", "exit_nd178")]
    if "headcount" not in names or not exit_flows:
        return None
    yrs = sorted(y for y in f["year"].unique() if y != 2025)[-years:]
    sel = f[f["year"].isin(yrs)]
    ex = sel[sel["flow"].isin(exit_flows)].groupby("category")["count"].sum()
    hc = sel[sel["flow"] == "headcount"].groupby("category")["count"].sum()
    rate = (ex.reindex(hc.index, fill_value=0) / hc).dropna()
    return {str(k): round(float(v), 4) for k, v in rate.items() if k in CATEGORIES} or None


def _capacities_from_flows(flows, years: int) -> dict:
    f = _flow_frame(flows)
    if f is None:
        return {}
    yrs = sorted(f["year"].unique())[-years:]
    sel = f[f["year"].isin(yrs)]
    out = {}
    for name, aliases in FLOW_PROGRAMMES.items():
        rows = sel[sel["flow"].isin(aliases)]
        if len(rows):
            out[name] = int(round(rows["count"].sum() / len(yrs)))
    return out


#: flows.csv stocks giving a programme's eligible staff in past years: (all, already past).
_FLOW_STOCKS = {"university": ("headcount", "university"), "postgraduate": ("university", "masters")}


def _allocation_weights(flows, active: pd.DataFrame, years: int) -> pd.DataFrame | None:
    """Each programme's allocation weight by category × level, from the recent completions.

    The weight of a group is its completion rate (completions over eligible staff, summed
    over the last ``years`` years of ``flows.csv``) relative to the programme's overall
    rate, with one pseudo-completion at the overall rate so that a small group or a
    group without completions is drawn toward 1 and stays positive:
    ``w_g = (U_g + 1) / (E_g·r + 1)`` with ``r = ΣU / ΣE``. The eligible staff ``E_g``
    come from the stocks in ``flows.csv`` where there are some (university: headcount −
    graduates; postgraduate: graduates − master's), otherwise from the snapshot (staff in
    the programme's starting states, times the number of years). The engine shares a
    programme's places in proportion to eligible × weight.

    Returns
    -------
    DataFrame or None
        Columns ``programme``, ``category``, ``level``, ``weight``; None without
        completions by category and level.
    """
    from forecast import stockflow

    f = _flow_frame(flows)
    if f is None or not {"category", "level"} <= set(f.columns) or not len(active):
        return None
    yrs = sorted(f["year"].unique())[-years:]
    sel = f[f["year"].isin(yrs)].assign(category=lambda d: d["category"].astype(str),
                                         level=lambda d: d["level"].astype(str))
    by = sel.groupby(["flow", "category", "level"])["count"].sum()
    st = stockflow.states(active)
    keys = pd.MultiIndex.from_arrays([active["category"].astype(str), active["level"].astype(str)],
                                     names=["category", "level"])
    rows = []
    for name, aliases in FLOW_PROGRAMMES.items():
        prog = stockflow.PROGRAMMES[name]
        done = by[by.index.get_level_values("flow").isin(aliases)].groupby(["category", "level"]).sum()
        if not len(done) or done.sum() <= 0:
            continue
        stocks = _FLOW_STOCKS.get(name)
        names = set(by.index.get_level_values("flow"))
        if stocks and set(stocks) <= names:
            elig = (by[stocks[0]] - by[stocks[1]].reindex(by[stocks[0]].index, fill_value=0)).clip(lower=0)
        else:
            starts = [a for a, _ in prog.moves]
            ok = st[prog.dimension].isin(starts).to_numpy()
            elig = pd.Series(ok.astype(float), index=keys).groupby(["category", "level"]).sum() * len(yrs)
        keep = (elig > 0).to_numpy()
        for key, allowed in prog.eligible.items():  # the programme's own population
            if key in ("category", "level"):
                keep &= elig.index.get_level_values(key).isin(list(allowed))
        elig = elig[keep]
        done = done.reindex(elig.index, fill_value=0).clip(lower=0)
        if not len(elig) or done.sum() <= 0:
            continue
        r = float(done.sum() / elig.sum())
        w = (done + 1.0) / (elig * r + 1.0)
        rows += [(name, c, v, round(float(x), 4)) for (c, v), x in w.items()]
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["programme", "category", "level", "weight"])
