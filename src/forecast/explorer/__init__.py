"""The interactive scenario explorer: "what if" questions answered while the controls move.

A planner in JupyterLab moves the levers of a scenario (training places, hiring,
degree requirement for new hires …), picks a target, a unit and the probability the
Department requires, and sees at once

* the fan chart of the target: the trend forecast (the models of
  :mod:`forecast.verdict.analysis`) and the scenario projection (the stock-flow engine of
  :mod:`forecast.stockflow`) together, with the target line;
* the probability of meeting every target, by trend and under the scenario;
* a one-line verdict in Vietnamese or English;
* on a button, the required effort (:mod:`forecast.plan.effort`), which is slower;
* buttons to save the scenario as YAML (``data/scenarios/``, where the annual run
  finds it) and to export the current view (PNG + CSV).

All logic lives here so that the notebook ``notebooks/explore.ipynb`` stays thin and
so that tests and ``benchmarks/explorer.py`` call :meth:`Explorer.update` directly,
without a browser. Speed comes from caching: the trend forecasts do not depend on the
levers and are computed once per unit; the projection is cached per (unit, levers),
so only a new lever combination runs the engine; one figure, made once and updated in
place with the Agg backend, keeps drawing cheap.

The engine, the analysis, the effort solver and the scenario files are injectable
(keyword arguments of :class:`Explorer`), so the widget logic is tested against small
fakes; the defaults are the project's own modules.

May import every stage below it (domain … reports).
"""

from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # the callback draws headless; the widget shows PNG bytes

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecast import atomic, config, stockflow  # noqa: E402
from forecast.domain.targets import load_targets
from forecast.inputs.dataset import load_dataset
from forecast.inputs.units import units_on
from forecast.plan.effort import required_effort
from forecast.reports import fmt, plots
from forecast.stockflow import scenarios as scenario_files
from forecast.stockflow.scenarios import LEVERS, estimate_baseline
from forecast.verdict.analysis import analyse_targets

#: Keys of :meth:`Explorer.update` that are not scenario levers.
VIEW_KEYS = ("target", "unit", "p_required", "lang")
#: Levers a planner moves, in slider order (the others keep the scenario file's values:
#: completion rates, durations, years of service are technical assumptions, not policy).
SLIDER_LEVERS = (
    "programmes.university.capacity",
    "programmes.postgraduate.capacity",
    "programmes.political_theory_elementary.capacity",
    "programmes.political_theory_intermediate.capacity",
    "programmes.political_theory_senior.capacity",
    "programmes.principal_specialist.capacity",
    "programmes.senior_specialist.capacity",
    "programmes.language.capacity",
    "programmes.it.capacity",
    "programmes.standard_training.capacity",
    "programmes.standardisation.capacity",
    "training_capacity_factor",
    "replacement_rate",
    "headcount_change",
    "recruit_university_share",
    "new_leader_programme_share",
    "other_exit_rate",
)
#: The lever that scales every programme's places; a unit's view scales it by the unit's headcount share.
CAPACITY_FACTOR = "training_capacity_factor"
#: Vietnamese names of the training programmes as the Department writes them (the slider
#: labels of forecast.stockflow.scenarios.LEVERS name the programmes in English in both languages).
PROGRAMME_VI = {
    "university": "Đào tạo đại học (vừa làm vừa học, liên thông)",
    "postgraduate": "Đào tạo sau đại học ngành trọng điểm",
    "political_theory_elementary": "Lý luận chính trị sơ cấp",
    "political_theory_intermediate": "Lý luận chính trị trung cấp",
    "political_theory_senior": "Lý luận chính trị cao cấp",
    "principal_specialist": "Bồi dưỡng chuyên viên chính (CVC)",
    "senior_specialist": "Bồi dưỡng chuyên viên cao cấp (CVCC)",
    "language": "Bồi dưỡng ngoại ngữ",
    "it": "Bồi dưỡng tin học",
    "standard_training": "Bồi dưỡng theo tiêu chuẩn ngạch, chức danh, vị trí việc làm",
    "standardisation": "Chuẩn hóa cán bộ cấp xã",
}
CATEGORY_LABELS = {"can_bo": ("cán bộ", "cadres"), "cong_chuc": ("công chức", "civil servants"),
                   "vien_chuc": ("viên chức", "public employees")}
#: Number of projections kept in memory (each holds n_draws × years per target).
CACHE_SIZE = 64
PROVINCE = config.PROVINCE_CODE
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

_TEXT = {
    "trend": {"vi": "Xu hướng", "en": "Trend"},
    "scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "province": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "province_subject": {"vi": "toàn tỉnh", "en": "the province"},
    "rising": {"vi": "tăng hằng năm", "en": "rising every year"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "p_required": {"vi": "Xác suất yêu cầu", "en": "Probability required"},
    "lang": {"vi": "Ngôn ngữ", "en": "Language"},
    "busy": {"vi": "⏳ Đang tính…", "en": "⏳ Computing…"},
    "done": {"vi": "✓ Cập nhật trong {s} giây", "en": "✓ Updated in {s} s"},
    "effort_button": {"vi": "Tính nỗ lực cần thiết", "en": "Compute required effort"},
    "save_button": {"vi": "Lưu kịch bản", "en": "Save scenario"},
    "export_button": {"vi": "Xuất PNG + CSV", "en": "Export PNG + CSV"},
    "name": {"vi": "Tên kịch bản", "en": "Scenario name"},
    "saved": {"vi": "Đã lưu: {path}", "en": "Saved: {path}"},
    "exported": {"vi": "Đã xuất: {paths}", "en": "Exported: {paths}"},
    "error": {"vi": "Lỗi: {msg}", "en": "Error: {msg}"},
    "p_trend": {"vi": "Xác suất đạt (xu hướng)", "en": "P(meet), trend"},
    "p_scenario": {"vi": "Xác suất đạt (kịch bản)", "en": "P(meet), scenario"},
    "threshold": {"vi": "Ngưỡng", "en": "Threshold"},
    "meets": {"vi": "Đạt yêu cầu?", "en": "Meets requirement?"},
    "yes": {"vi": "có", "en": "yes"},
    "no": {"vi": "chưa", "en": "not yet"},
    "no_projection": {
        "vi": "Không có dự phóng kịch bản cho {tid} ở {subject}; theo xu hướng, khả năng đạt là {p}.",
        "en": "No scenario projection for {tid} in {subject}; on the trend, the probability of meeting it is {p}.",
    },
    "not_applicable": {
        "vi": "Mục tiêu {tid} không áp dụng cho {subject}: không có số liệu và không có người thuộc đối tượng.",
        "en": "Target {tid} does not apply to {subject}: no data and nobody in its population.",
    },
    "verdict": {
        "vi": "Với các đòn bẩy này, khả năng {subject} đạt mục tiêu {tid} ({thr}) vào năm {year} là {p}"
              "{trend}: {status}.",
        "en": "With these levers, the probability that {subject} meets target {tid} ({thr}) by {year} is {p}"
              "{trend}: {status}.",
    },
    "trend_part": {"vi": " (xu hướng hiện nay: {p})", "en": " (current trend: {p})"},
    "on_track": {"vi": "đạt mức yêu cầu {req}", "en": "at or above the required {req}"},
    "accelerate": {"vi": "cần tăng tốc (yêu cầu {req})", "en": "acceleration needed (required {req})"},
    "effort_line": {
        "vi": "Nỗ lực cần thiết cho {tid} (xác suất {req}): {lever} = {value}; xác suất đạt {p}{cost}. {verdict}",
        "en": "Required effort for {tid} (probability {req}): {lever} = {value}; probability {p}{cost}. {verdict}",
    },
    "unit_places": {"vi": " (của riêng đơn vị này)", "en": " (for this unit alone)"},
    "cost": {"vi": "; chi phí {cost} triệu đồng", "en": "; cost {cost} million VND"},
    "group_training": {"vi": "Chỉ tiêu đào tạo, bồi dưỡng mỗi năm", "en": "Training places per year"},
    "group_staffing": {"vi": "Tuyển dụng, biên chế, bổ nhiệm", "en": "Hiring, establishment, appointments"},
    "synthetic": {"vi": "⚠ Dữ liệu mô phỏng, không phải số liệu thật của tỉnh.",
                  "en": "⚠ Synthetic data, not the province's real figures."},
    "effort_verdicts": {
        "reachable": {"vi": "Có thể đạt được.", "en": "Reachable."},
        "unreachable with these levers": {"vi": "Không thể đạt được chỉ với đòn bẩy này.",
                                          "en": "Unreachable with this lever alone."},
    },
}


def text(key: str, lang: str, **values) -> str:
    """A phrase of the explorer in ``lang`` (``"vi"`` or ``"en"``), filled with ``values``."""
    return fmt.nfc(_TEXT[key][fmt.check_lang(lang)].format(**values))


# -- the result of one update ---------------------------------------------------------------


@dataclass
class ViewState:
    """Everything the explorer shows after one change of the controls.

    Attributes
    ----------
    target_id, unit, lang : str
        The view's target, unit code and language.
    p_required : float
        The probability the Department requires, in (0, 1).
    levers : dict
        The scenario's lever values used for the projection.
    p_trend, p_scenario : float or None
        Probability of meeting the selected target by the trend forecast and under
        the scenario (``None`` when that forecast is not available for the unit).
    probabilities : DataFrame
        One row per target: ``target``, ``threshold`` (percent), ``p_trend``,
        ``p_scenario``, ``meets`` (scenario probability ≥ ``p_required``).
    table : DataFrame
        The chart's data: ``series`` (trend / scenario), ``year``, ``mean``,
        ``median``, ``lo-80``, ``hi-80``, ``lo-95``, ``hi-95`` and ``threshold``
        (share), one row per series and year.
    verdict : str
        The one-line plain-language verdict.
    figure : matplotlib.figure.Figure
        The fan chart (trend and scenario together, with the target line).
    seconds : float
        Time the update took (compute + draw).
    """

    target_id: str
    unit: str
    lang: str
    p_required: float
    levers: dict
    p_trend: float | None
    p_scenario: float | None
    probabilities: pd.DataFrame
    table: pd.DataFrame
    verdict: str
    figure: Any
    seconds: float = 0.0


@dataclass(frozen=True)
class LeverSpec:
    """How one lever is shown as a slider: its labels, range and step."""

    name: str
    label_vi: str
    label_en: str
    minimum: float
    maximum: float
    step: float
    integer: bool = False

    def label(self, lang: str) -> str:
        """The slider's label in ``lang``."""
        return self.label_vi if fmt.check_lang(lang) == "vi" else self.label_en


# -- checks of the view's inputs (small pure functions: return the clean value or raise) ----


def check_probability(p) -> float:
    """``p`` as a float strictly between 0 and 1, else ``ValueError``."""
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"probability required must be a number in (0, 1), got {p!r}") from None
    if not 0 < value < 1:
        raise ValueError(f"probability required must be in (0, 1), got {p!r}")
    return value


def check_scenario_name(name: str) -> str:
    """A scenario name usable as a file stem (letters, digits, ``_``, ``-``), else ``ValueError``."""
    name = str(name).strip()
    if not _NAME_RE.match(name):
        raise ValueError(
            f"scenario name {name!r} must be 1–64 letters, digits, '_' or '-', starting with a letter or digit")
    return name


def lever_values(scenario) -> dict:
    """The lever values of a scenario as a plain dict (name → number or per-category mapping)."""
    levers = getattr(scenario, "levers", None)
    if not isinstance(levers, Mapping):
        raise TypeError(f"{type(scenario).__name__} has no 'levers' mapping")
    return dict(levers)


def with_fixed_levers(scenario, changes: Mapping):
    """``scenario.with_levers(**changes)`` with every changed lever fixed at its new value.

    ``Scenario.with_levers`` keeps a ``from_history`` lever estimated when the new value
    equals the file's fallback; a planner who sets a value means that value, so the
    lever is fixed here in every case.
    """
    import dataclasses

    if not changes:
        return scenario
    out = scenario.with_levers(**changes)
    entries = getattr(out, "entries", None)
    if entries is None:
        return out
    fixed = dict(entries)
    for name, value in changes.items():
        lever = fixed[name]
        if getattr(lever, "from_history", False):
            fixed[name] = type(lever)(value, False, lever.comment)
    return dataclasses.replace(out, entries=fixed)


def _pinned(scenario, history: Mapping | None):
    """The scenario with its ``from_history`` levers fixed at the values the engine would use."""
    entries = getattr(scenario, "entries", None)
    if history is None or entries is None or not hasattr(scenario, "resolve"):
        return scenario
    resolved = scenario.resolve(history)
    return with_fixed_levers(scenario, {n: resolved[n] for n, lv in entries.items()
                                        if getattr(lv, "from_history", False)})


def _flat_levers(levers: Mapping, shown: tuple[str, ...] | None) -> dict:
    """Slider key → number: numeric levers as they are, per-category levers as ``name[category]``."""
    out = {}
    names = [n for n in (shown or ()) if n in levers] or list(levers)
    for name in names:
        value = levers[name]
        if isinstance(value, Mapping):
            default = value.get("default")
            for cat in CATEGORY_LABELS:
                v = value.get(cat, default)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    out[f"{name}[{cat}]"] = v
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = value
    return out


def _split_key(key: str) -> tuple[str, str | None]:
    """``"name[cat]"`` → ``("name", "cat")``; ``"name"`` → ``("name", None)``."""
    if key.endswith("]") and "[" in key:
        name, cat = key[:-1].split("[", 1)
        return name, cat
    return key, None


def lever_specs(levers: Mapping, catalogue: Mapping | None = None,
                shown: tuple[str, ...] | None = SLIDER_LEVERS) -> list[LeverSpec]:
    """Slider specifications for a scenario's levers.

    Parameters
    ----------
    levers : mapping
        Lever name → value (a number, or a mapping category → number for levers set
        per staff category, which get one slider per category, keyed ``name[category]``).
    catalogue : mapping, optional
        Lever name → mapping with ``label_vi``/``label_en`` (or ``vi``/``en``), ``min``,
        ``max``, ``step``, ``integer`` (:data:`forecast.stockflow.scenarios.LEVERS`). Levers missing
        from it get their name as label and a range from 0 to twice their value.
    shown : tuple of str, optional
        Levers to offer, in order; when none of them is in ``levers``, every numeric
        lever is offered.
    """
    catalogue = catalogue or {}
    specs = []
    for key, value in _flat_levers(levers, shown).items():
        name, cat = _split_key(key)
        info = dict(catalogue.get(name) or {})
        integer = bool(info.get("integer", isinstance(value, int)))
        hi_default = max(2 * abs(value), 10 if integer else 1.0)
        label_vi = str(info.get("label_vi", info.get("vi", name)))
        label_en = str(info.get("label_en", info.get("en", name)))
        if cat is not None:
            vi, en = CATEGORY_LABELS.get(cat, (cat, cat))
            label_vi, label_en = f"{label_vi} — {vi}", f"{label_en} — {en}"
        maximum = float(info.get("max", hi_default))
        step = float(info.get("step", 1 if integer else 0.01))
        if integer and 0 < 5 * value < maximum:
            # a count lever (places a year) gets a range fitted to its size: 0 … about five
            # times the present value, so that 11 places and 600 places both move finely
            maximum = _nice_ceiling(max(5 * value, 100))
            step = max(1.0, _nice_ceiling(maximum / 200))
        specs.append(LeverSpec(
            name=key, label_vi=fmt.nfc(label_vi), label_en=label_en,
            minimum=float(info.get("min", 0.0 if value >= 0 else -hi_default)),
            maximum=maximum, step=step, integer=integer,
        ))
    return specs


def vietnamese_labels(catalogue: Mapping) -> dict:
    """The lever catalogue with the programmes' capacity levers labelled in Vietnamese."""
    out = {name: dict(info) for name, info in catalogue.items()}
    for prog, vi in PROGRAMME_VI.items():
        name = f"programmes.{prog}.capacity"
        if name in out:
            out[name]["label_vi"] = f"{vi}: số chỉ tiêu mỗi năm"
    return out


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, … at or above ``x`` (slider ranges and steps)."""
    if x <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * power >= x - 1e-9:
            return float(m * power)
    return float(10 * power)


def lever_changes(flat: Mapping, base: Mapping) -> dict:
    """Scenario changes (for ``Scenario.with_levers``) from slider values that differ from ``base``.

    ``base`` holds the scenario's lever values (numbers or per-category mappings);
    slider keys ``name[category]`` are folded back into the mapping of ``name``.
    """
    changes: dict = {}
    for key, value in flat.items():
        name, cat = _split_key(key)
        if cat is None:
            if value != base.get(name):
                changes[name] = value
            continue
        old = dict(base.get(name) or {})
        current = old.get(cat, old.get("default"))
        if value != current:
            merged = changes.get(name) or {c: old.get(c, old.get("default")) for c in CATEGORY_LABELS}
            merged = {c: v for c, v in merged.items() if v is not None}
            merged[cat] = value
            changes[name] = merged
    return changes


# -- writing files atomically -----------------------------------------------------------------


def _atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through a temporary file in the same folder, then rename it into place."""
    return atomic.write_with(path, write)


# -- the explorer -----------------------------------------------------------------------------


class Explorer:
    """The scenario explorer behind ``notebooks/explore.ipynb``.

    Parameters
    ----------
    dataset : Dataset, optional
        Anything with ``observations`` and ``roster`` (see :mod:`forecast.inputs.dataset`);
        by default the folder ``data_dir`` (or the demo province) is loaded.
    scenario : str, Path or Scenario
        The starting scenario: a name in ``data/scenarios/``, a file, or an object.
    target, unit : str
        The starting target id and unit code (``"20"`` = the whole province).
    p_required : float
        The probability of meeting the target the Department requires.
    lang : {"vi", "en"}
        Language of the verdict, the labels and the chart.
    n_draws, seed : int
        Simulation size and seed of the projection. The seed is fixed while the
        levers move, so projections share random numbers and differences between
        lever values are the levers' effect, not noise.
    as_of : int, optional
        Year of the latest data (default: the latest year in the observations).
    end_year : int
        Last projection year (the plan's 2030).
    data_dir : str or Path, optional
        Data folder to load when ``dataset`` is not given.
    project, analyse, effort, estimate, load_scenario, save_scenario, list_units : callable, optional
        The engine (:func:`forecast.stockflow.project`), the trend analysis
        (:func:`forecast.verdict.analysis.analyse_targets`), the effort solver
        (:func:`forecast.plan.effort.required_effort`), the history estimator
        (:func:`forecast.stockflow.scenarios.estimate_baseline`), the scenario file functions and
        the unit names (:func:`forecast.inputs.units.units_on`). Defaults are the project's
        own; tests inject fakes. An injected engine gets no history unless
        ``estimate`` is given too.
    targets : list of Target, optional
        Default: :func:`forecast.domain.targets.load_targets`.
    lever_catalogue : mapping, optional
        Labels and ranges of the levers (default: :data:`forecast.stockflow.scenarios.LEVERS`).
    sliders : tuple of str, optional
        Levers offered as sliders (default :data:`SLIDER_LEVERS`).

    Notes
    -----
    Levers marked ``from_history`` in the scenario file start at the value estimated
    from the dataset (what the engine really uses), not at the file's fallback.

    A unit's view projects that unit's staff only; training places stay the
    province's figures on the sliders and the unit receives its headcount share of
    them (the capacity factor is multiplied by the share), so a commune of 30 staff is
    not handed the whole province's places.
    """

    def __init__(self, dataset=None, *, scenario="baseline", target: str = "T06", unit: str = PROVINCE,
                 p_required: float = 0.8, lang: str = "vi", n_draws: int = 500, seed: int = 0,
                 as_of: int | None = None, end_year: int = config.TARGET_YEAR, data_dir=None,
                 project=None, analyse=None, effort=None, estimate=None, load_scenario=None,
                 save_scenario=None, list_units=None, targets=None, lever_catalogue=None,
                 sliders: tuple[str, ...] | None = SLIDER_LEVERS):
        if dataset is None:
            dataset = load_dataset(Path(data_dir) if data_dir else None)
        self.dataset = dataset
        if estimate is None and project is None:
            estimate = estimate_baseline
        self._project = project or stockflow.project
        self._analyse = analyse or analyse_targets
        self._effort = effort
        if isinstance(scenario, str | Path):
            scenario = (load_scenario or scenario_files.load_scenario)(scenario)
        self._save_scenario = save_scenario
        self._list_units = list_units
        self._unit_names: dict | None = None
        self._unit_counts: pd.Series | None = None
        self.targets = {t.id: t for t in (targets or load_targets())}
        self.n_draws = int(n_draws)
        self.seed = int(seed)
        self.end_year = int(end_year)
        obs = dataset.observations
        self.as_of = int(as_of if as_of is not None else obs["year"].max())
        roster = getattr(dataset, "roster", None)
        if roster is None:
            raise ValueError("the dataset has no roster: the scenario explorer needs one for the stock-flow engine")
        self.start_year = int(roster["year"].max()) if "year" in roster else self.as_of
        # the history (exit rates, recruits' qualifications, recent training places) is
        # estimated once: it does not depend on the levers
        self.history = estimate(dataset) if estimate is not None else None
        self.original = scenario
        self.scenario = _pinned(scenario, self.history)
        self.base_levers = lever_values(self.scenario)
        if lever_catalogue is None:
            try:
                lever_catalogue = LEVERS
            except (ImportError, AttributeError):
                lever_catalogue = {}
        self.catalogue = vietnamese_labels(lever_catalogue)
        self.specs = lever_specs(self.base_levers, self.catalogue, sliders)
        self.levers = _flat_levers(self.base_levers, sliders)
        self.view = {"target": "", "unit": "", "p_required": 0.0, "lang": "vi"}
        self.view.update(target=self._check_target(target), unit=self._check_unit(unit),
                         p_required=check_probability(p_required), lang=fmt.check_lang(lang))
        self._trend_cache: dict[str, dict] = {}
        self._projection_cache: OrderedDict = OrderedDict()
        self._effort_cache: dict = {}
        self._figure: FanFigure | None = None
        self.state: ViewState | None = None
        self._ui = None

    # -- checks ---------------------------------------------------------------------------
    def _check_target(self, target_id: str) -> str:
        if target_id not in self.targets:
            raise ValueError(f"unknown target {target_id!r}; known: {', '.join(self.targets)}")
        return target_id

    def unit_counts(self) -> pd.Series:
        """Staff in post per unit code (computed once: the roster does not change)."""
        if self._unit_counts is None:
            self._unit_counts = self._active(self.dataset.roster)["unit_code"].astype(str).value_counts()
        return self._unit_counts

    def unit_codes(self) -> list[str]:
        """Units the explorer can show: the province, then every unit with staff in post."""
        codes = sorted(self.unit_counts().index)
        return [PROVINCE, *[c for c in codes if c != PROVINCE]]

    @staticmethod
    def _active(roster: pd.DataFrame) -> pd.DataFrame:
        """Staff in post at the snapshot (the roster also lists that year's leavers)."""
        if "exit_reason" not in roster:
            return roster
        reason = roster["exit_reason"].fillna("").astype(str).str.strip()
        return roster[reason.isin(["", "nan", "None"])]

    def _check_unit(self, unit: str) -> str:
        unit = str(unit)
        if unit != PROVINCE and unit not in self.unit_counts().index:
            known = self.unit_codes()
            raise ValueError(f"unit {unit!r} has no staff in the roster; choose one of {', '.join(known[:12])}"
                             + (" …" if len(known) > 12 else ""))
        return unit

    def unit_names(self) -> dict[str, str]:
        """Unit code → display name (the code itself when the registry does not know it); cached."""
        if self._unit_names is not None:
            return self._unit_names
        names = {}
        lister = self._list_units
        if lister is None:
            try:
                lister = units_on
            except (ImportError, AttributeError):
                lister = None
        if lister is not None:
            try:
                table = lister(pd.Timestamp(f"{self.as_of}-10-31").date())
                names = dict(zip(table["code"].astype(str), table["name"].astype(str), strict=False))
            except Exception:  # noqa: BLE001 - names are a nicety; codes still work
                names = {}
        self._unit_names = {c: (names.get(c, c) if c != PROVINCE else "") for c in self.unit_codes()}
        return self._unit_names

    # -- the computations (cached) --------------------------------------------------------
    def trend(self, unit: str) -> dict:
        """Trend results of every target for ``unit`` (target id → TargetResult), cached.

        The trend forecast does not depend on the levers, so a lever change never
        recomputes it; only the first visit of a unit does.
        """
        if unit not in self._trend_cache:
            results = self._analyse(self.dataset.observations, self.as_of, unit=unit)
            self._trend_cache[unit] = {getattr(r.target, "id", r.target): r for r in results}
        return self._trend_cache[unit]

    def roster_for(self, unit: str) -> pd.DataFrame:
        """The roster of ``unit`` (the whole roster for the province)."""
        roster = self.dataset.roster
        if unit == PROVINCE:
            return roster
        return roster[roster["unit_code"].astype(str) == unit]

    def unit_share(self, unit: str) -> float:
        """The unit's share of the province's staff in post (1 for the province)."""
        if unit == PROVINCE:
            return 1.0
        counts = self.unit_counts()
        return float(counts.get(unit, 0)) / max(int(counts.sum()), 1)

    def scenario_for(self, unit: str, levers: Mapping):
        """The scenario the engine runs for ``unit`` with the slider values ``levers``."""
        changes = lever_changes(levers, self.base_levers)
        share = self.unit_share(unit)
        if share < 1.0 and CAPACITY_FACTOR in self.base_levers:
            factor = changes.get(CAPACITY_FACTOR, self.base_levers[CAPACITY_FACTOR])
            changes[CAPACITY_FACTOR] = float(factor) * share
        return self.scenario.with_levers(**changes) if changes else self.scenario

    def _engine_kwargs(self) -> dict:
        return {} if self.history is None else {"history": self.history}

    def projection(self, unit: str, levers: Mapping):
        """The stock-flow projection of ``unit`` under the slider values ``levers`` (cached).

        The seed stays the same for every lever combination (common random numbers).
        """
        key = (unit, tuple(sorted((k, float(v)) for k, v in levers.items())))
        if key in self._projection_cache:
            self._projection_cache.move_to_end(key)
            return self._projection_cache[key]
        proj = self._project(self.roster_for(unit), self.scenario_for(unit, levers), self.start_year,
                             end_year=self.end_year, n_draws=self.n_draws, seed=self.seed,
                             **self._engine_kwargs())
        self._projection_cache[key] = proj
        while len(self._projection_cache) > CACHE_SIZE:
            self._projection_cache.popitem(last=False)
        return proj

    # -- probabilities ----------------------------------------------------------------------
    def _p_trend(self, result) -> float | None:
        if result is None:
            return None
        p = getattr(getattr(result, "attainment", None), "p_meet", None)
        if p is not None and not (isinstance(p, float) and math.isnan(p)):
            return float(p)
        target = self.targets[getattr(result.target, "id", result.target)]
        fc = getattr(result, "forecast", None)
        if fc is None:
            return None
        if target.threshold is None:
            last = result.series.dropna(subset=["value"])["value"]
            return fc.prob_rising(float(last.iloc[-1])) if len(last) else None
        return fc.prob_at_least(target.share, target.year)

    @staticmethod
    def _applies(proj, target_id: str) -> bool:
        """Whether the projected unit has anyone in the target's population at the start.

        A commune has no department leaders (T07): its "probability" would be a
        meaningless 0, so the target is shown as not applicable instead.
        """
        start = getattr(proj, "start", None)
        if not isinstance(start, Mapping) or target_id not in start:
            return True
        _num, den = start[target_id]
        return den is None or den > 0

    def _p_scenario(self, proj, target_id: str) -> float | None:
        if not self._applies(proj, target_id):
            return None
        try:
            p = proj.p_meet(target_id)
        except (KeyError, ValueError):
            return None
        return None if p is None or (isinstance(p, float) and math.isnan(p)) else float(p)

    def _scenario_forecast(self, proj, target_id: str):
        if not self._applies(proj, target_id):
            return None
        try:
            return proj.forecast(target_id)
        except (KeyError, ValueError):
            return None

    def probabilities(self, unit: str, proj, p_required: float) -> pd.DataFrame:
        """One row per target: threshold, P(meet) by trend and under the scenario, and the check."""
        trend = self.trend(unit)
        rows = []
        for tid, t in self.targets.items():
            p_s = self._p_scenario(proj, tid)
            rows.append({"target": tid, "threshold": t.threshold, "p_trend": self._p_trend(trend.get(tid)),
                         "p_scenario": p_s, "meets": None if p_s is None else bool(p_s >= p_required)})
        return pd.DataFrame(rows)

    # -- words ------------------------------------------------------------------------------
    def _subject(self, unit: str, lang: str) -> str:
        if unit == PROVINCE:
            return text("province_subject", lang)
        return self.unit_names().get(unit) or unit

    def threshold_text(self, target_id: str, lang: str) -> str:
        """``95%`` (decimal comma in Vietnamese) or "rising every year" for T11."""
        t = self.targets[target_id]
        if t.threshold is None:
            return text("rising", lang)
        return fmt.percent(t.share, 0 if float(t.threshold).is_integer() else 1, lang)

    def verdict(self, target_id: str, unit: str, p_scenario, p_trend, p_required: float, lang: str) -> str:
        """The one-line plain-language verdict of the view."""
        t = self.targets[target_id]
        subject = self._subject(unit, lang)
        if p_scenario is None and p_trend is None:
            return text("not_applicable", lang, tid=target_id, subject=subject)
        if p_scenario is None:
            return text("no_projection", lang, tid=target_id, subject=subject, p=fmt.probability(p_trend, lang))
        req = fmt.probability(p_required, lang)
        status = text("on_track" if p_scenario >= p_required else "accelerate", lang, req=req)
        return text("verdict", lang, subject=subject, tid=target_id, thr=self.threshold_text(target_id, lang),
                    year=t.year, p=fmt.probability(p_scenario, lang), status=status,
                    trend="" if p_trend is None else text("trend_part", lang, p=fmt.probability(p_trend, lang)))

    # -- the figure -------------------------------------------------------------------------
    def _chart_table(self, target_id: str, trend_fc, scen_fc) -> pd.DataFrame:
        t = self.targets[target_id]
        parts = []
        for name, fc in (("trend", trend_fc), ("scenario", scen_fc)):
            if fc is None:
                continue
            frame = fc.summary_frame((80, 95)).reset_index()
            frame.insert(0, "series", name)
            parts.append(frame)
        cols = ["series", "year", "mean", "median", "lo-80", "hi-80", "lo-95", "hi-95"]
        table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
        table["threshold"] = t.share
        return table

    def _draw(self, target_id: str, unit: str, lang: str, series, trend_fc, scen_fc):
        """Draw the fan chart into the one reused figure."""
        t = self.targets[target_id]
        if self._figure is None:
            self._figure = FanFigure()
        forecasts = [(text("trend", lang), trend_fc), (text("scenario", lang), scen_fc)]
        self._figure.draw(series, forecasts, threshold=t.share, target_year=t.year,
                          kind="share" if t.kind == "share" else "count", lang=lang,
                          title=f"{target_id} · {text('province', lang) if unit == PROVINCE else self._subject(unit, lang)}")
        return self._figure.fig

    # -- the callback -----------------------------------------------------------------------
    def update(self, **changes) -> ViewState:
        """Apply control changes and return the new view (the widgets' callback).

        Parameters
        ----------
        **changes
            Lever values by name, and/or ``target``, ``unit``, ``p_required``, ``lang``.
            Values not given keep their current setting.

        Returns
        -------
        ViewState

        Raises
        ------
        ValueError
            For an unknown key or a bad value (nothing is changed then).
        """
        start = time.perf_counter()
        unknown = sorted(set(changes) - set(VIEW_KEYS) - set(self.levers))
        if unknown:
            raise ValueError(f"unknown control(s) {', '.join(unknown)}; levers: {', '.join(self.levers)}; "
                             f"view: {', '.join(VIEW_KEYS)}")
        view = dict(self.view)
        if "target" in changes:
            view["target"] = self._check_target(changes["target"])
        if "unit" in changes:
            view["unit"] = self._check_unit(changes["unit"])
        if "p_required" in changes:
            view["p_required"] = check_probability(changes["p_required"])
        if "lang" in changes:
            view["lang"] = fmt.check_lang(changes["lang"])
        levers = dict(self.levers)
        levers.update({k: v for k, v in changes.items() if k in self.levers})
        tid, unit, lang, p_req = view["target"], view["unit"], view["lang"], view["p_required"]

        proj = self.projection(unit, levers)
        result = self.trend(unit).get(tid)
        trend_fc = getattr(result, "forecast", None)
        scen_fc = self._scenario_forecast(proj, tid)
        probs = self.probabilities(unit, proj, p_req)
        row = probs.set_index("target").loc[tid]
        p_trend = None if pd.isna(row["p_trend"]) else float(row["p_trend"])
        p_scen = None if pd.isna(row["p_scenario"]) else float(row["p_scenario"])
        figure = self._draw(tid, unit, lang, getattr(result, "series", None), trend_fc, scen_fc)
        self.view, self.levers = view, levers
        self.state = ViewState(
            target_id=tid, unit=unit, lang=lang, p_required=p_req, levers=dict(levers),
            p_trend=p_trend, p_scenario=p_scen, probabilities=probs,
            table=self._chart_table(tid, trend_fc, scen_fc),
            verdict=self.verdict(tid, unit, p_scen, p_trend, p_req, lang), figure=figure,
            seconds=time.perf_counter() - start)
        return self.state

    def png(self) -> bytes:
        """The current view's chart as PNG bytes, as the widget shows it (only changed parts redrawn)."""
        self.current()
        return self._figure.png()

    def current(self) -> ViewState:
        """The current view (computed on first call)."""
        return self.state if self.state is not None else self.update()

    # -- slower actions on buttons ----------------------------------------------------------
    def required_effort(self):
        """The effort needed to meet the current target with the required probability.

        Runs :func:`forecast.plan.effort.required_effort` on the current scenario, unit and
        target; it projects a dozen times, so it runs on a button, not on every lever
        change, and is cached per view. For a unit, the places found are the unit's.
        """
        solver = self._effort or required_effort
        tid, unit, p_req = self.view["target"], self.view["unit"], self.view["p_required"]
        key = (tid, unit, p_req, tuple(sorted(self.levers.items())))
        if key not in self._effort_cache:
            self._effort_cache[key] = solver(self.roster_for(unit), self.scenario_for(unit, self.levers), tid,
                                             p=p_req, start_year=self.start_year, end_year=self.end_year,
                                             n_draws=self.n_draws, seed=self.seed, **self._engine_kwargs())
        return self._effort_cache[key]

    def lever_label(self, name: str, lang: str) -> str:
        """A lever's label in ``lang`` (several levers joined by ``+`` are labelled each)."""
        parts = []
        for part in str(name).split("+"):
            info = self.catalogue.get(part) or {}
            parts.append(str(info.get(f"label_{lang}", info.get(lang, part))))
        return " + ".join(parts)

    def effort_text(self, effort, lang: str | None = None) -> str:
        """One line describing an effort result in ``lang``."""
        lang = lang or self.view["lang"]
        value = getattr(effort, "value", None)
        cost = getattr(effort, "cost", None)
        cost_text = "" if cost is None or (isinstance(cost, float) and math.isnan(cost)) else text(
            "cost", lang, cost=fmt.number(float(cost) / 1e6, 0, lang))
        verdict = str(getattr(effort, "verdict", "") or "")
        verdict = _TEXT["effort_verdicts"].get(verdict, {}).get(lang, verdict)
        digits = 0 if isinstance(value, int | float) and float(value).is_integer() else 2
        lever = self.lever_label(getattr(effort, "lever", ""), lang)
        if self.view["unit"] != PROVINCE:
            lever += text("unit_places", lang)
        return text("effort_line", lang, tid=self.view["target"],
                    req=fmt.probability(self.view["p_required"], lang), lever=lever,
                    value=fmt.number(value, digits, lang) if isinstance(value, int | float) else str(value),
                    p=fmt.probability(getattr(effort, "probability", None), lang),
                    cost=cost_text, verdict=verdict).strip()

    def save_scenario(self, name: str, directory: Path | None = None, overwrite: bool = False) -> Path:
        """Save the scenario built with the current levers as ``<directory>/<name>.yml``.

        Only the levers moved away from the starting scenario are written as fixed
        values; the others keep the file's settings (``from_history`` levers stay
        estimated, so next year's run re-estimates them from next year's data).

        Parameters
        ----------
        name : str
            New scenario name (letters, digits, ``_``, ``-``); also the file stem.
        directory : Path, optional
            Default :func:`forecast.config.scenarios_dir`, where the annual run reads scenarios.
        overwrite : bool
            Replace an existing file of that name (refused by default, so that
            ``baseline.yml`` is never replaced by a slip of the hand).
        """
        name = check_scenario_name(name)
        path = Path(directory or config.scenarios_dir()) / f"{name}.yml"
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists; choose another name or pass overwrite=True")
        changes = lever_changes(self.levers, self.base_levers)
        scenario = _renamed(with_fixed_levers(self.original, changes), name, self.original, changes)
        scenario = _noted(scenario, changes, f"set in the scenario explorer (starting from '{self.original.name}')")
        saver = self._save_scenario or scenario_files.save_scenario
        path.parent.mkdir(parents=True, exist_ok=True)
        saver(scenario, path)
        return path

    def export(self, directory: Path | None = None) -> dict[str, Path]:
        """Write the current view as ``<stem>.png`` (the chart) and ``<stem>.csv`` (its data).

        The CSV has the chart's rows (``series``, ``year``, mean, median, 80/95 %
        bounds, ``threshold`` as a share) followed by the probabilities of every target
        (``series`` = ``p_meet``: ``p_trend``, ``p_scenario``, ``meets``), with the lever
        values (``lever_<name>``) and the unit on every row. Both files are written
        atomically.
        """
        state = self.current()
        folder = Path(directory or config.exports_dir())
        scen = getattr(self.scenario, "name", "scenario")
        stem = f"{scen}_{state.target_id}_{state.unit}_{state.lang}"
        png = _atomic_write(folder / f"{stem}.png",
                            lambda p: state.figure.savefig(p, format="png", metadata={"Software": None}))
        if self._figure is not None:
            self._figure.invalidate()
        probs = state.probabilities.rename(columns={"target": "target_id"}).assign(series="p_meet")
        probs["threshold"] = probs["threshold"] / 100.0  # a share, like the chart's rows
        chart = state.table.assign(target_id=state.target_id)
        table = pd.concat([chart, probs], ignore_index=True)
        for k, v in state.levers.items():
            table[f"lever_{k}"] = v
        table["unit"] = state.unit
        csv = _atomic_write(folder / f"{stem}.csv", lambda p: table.to_csv(p, index=False, encoding="utf-8"))
        return {"png": png, "csv": csv}

    # -- the widgets ------------------------------------------------------------------------
    def show(self) -> None:
        """Build the widgets, draw the initial view and display them (:meth:`widget` gives the box).

        Without a browser (papermill) the widgets simply render their initial state.
        Returns nothing, so that a notebook cell ending in ``explorer.show()`` shows it once.
        """
        from IPython.display import display

        display(self.widget())

    def widget(self):
        """The explorer's ipywidgets box (built once)."""
        if self._ui is None:
            self._ui = _Widgets(self)
        return self._ui.box


def _renamed(scenario, name: str, origin, changes: Mapping):
    """A copy of ``scenario`` named ``name``, its labels saying where it came from."""
    import dataclasses

    if not dataclasses.is_dataclass(scenario):
        scenario.name = name
        return scenario
    moved = ", ".join(sorted(changes)) or "none"
    extra = {}
    names = {f.name for f in dataclasses.fields(scenario)}
    if {"label", "label_vi", "description", "description_vi"} <= names:
        extra = {"label": f"{name}: built in the scenario explorer from '{origin.name}'",
                 "label_vi": f"{name}: xây dựng bằng công cụ khám phá kịch bản từ '{origin.name}'",
                 "description": f"Levers changed from '{origin.name}': {moved}.",
                 "description_vi": f"Các đòn bẩy thay đổi so với '{origin.name}': {moved}."}
    if "path" in names:
        extra["path"] = None
    return dataclasses.replace(scenario, name=name, **extra)


def _noted(scenario, changes: Mapping, note: str):
    """The scenario with ``note`` leading the comment of every changed lever (the file says who set it)."""
    import dataclasses

    entries = getattr(scenario, "entries", None)
    if entries is None or not changes:
        return scenario
    noted = dict(entries)
    for name in changes:
        lever = noted[name]
        noted[name] = type(lever)(lever.value, lever.from_history, f"{note}; was: {lever.comment}".strip("; "))
    return dataclasses.replace(scenario, entries=noted)


def _visual_language():
    """Colours, labels and theme of :mod:`forecast.reports.plots`, so the explorer looks like the reports."""
    return plots


class FanFigure:
    """The explorer's fan chart: one figure whose artists are updated in place.

    It draws in the reports' visual language (:mod:`forecast.reports.plots`: colours, labels,
    theme, decimal comma in Vietnamese): history as points, the trend forecast and the
    scenario projection as median lines with 80 % bands, the target as a dashed line and
    the target year as a dotted one; the legend sits between the title and the plot.

    Speed: building a figure (and ``tight_layout``) on every lever change would cost
    more than the projection, so the axes and artists are made once and only their
    data change. :meth:`png` goes further: it renders the still parts (axes, ticks,
    grid, labels, legend, title) once per view and keeps them as a background; a lever
    change restores that background and draws only the data artists on it. The
    background is drawn again whenever something on it changes (target, unit,
    language, the rounded axis limits). ``savefig`` on :attr:`fig` always renders the
    whole figure.
    """

    SIZE = (7.2, 3.9)
    DPI = 80

    def __init__(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        plots = _visual_language()
        colours = dict(plots.COLOURS) if plots else {"history": "#000000", "target": "#D55E00"}
        palette = list(plots.SCENARIO_PALETTE) if plots else ["#0072B2", "#E69F00"]
        if plots:
            plots.style()
        self._label = plots.label if plots else (lambda key, lang: key)
        self.fig = Figure(figsize=self.SIZE, dpi=self.DPI)
        FigureCanvasAgg(self.fig)
        ax = self.ax = self.fig.add_subplot()
        self.colours = [palette[0], palette[1]]
        self.history = ax.scatter([], [], s=25, color=colours["history"], zorder=5)
        self.medians = [ax.plot([], [], color=c, linewidth=2, linestyle=ls, zorder=4)[0]
                        for c, ls in zip(self.colours, ("-", "--"), strict=True)]
        self.bands: list = [None, None]
        self.target = ax.axhline(0, color=colours["target"], linestyle="--", linewidth=1.2, zorder=3)
        self.year = ax.axvline(2030, color=colours["target"], linestyle=":", linewidth=1)
        self._fmt = FuncFormatter
        self._formats: tuple | None = None
        self._background = None
        self._still: tuple | None = None
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(round(v))}"))
        self.title = ax.set_title("", loc="left", fontsize=11, pad=20)
        # a fixed layout: tight_layout on every update would cost as much as the drawing
        self.fig.subplots_adjust(left=0.12, right=0.98, top=0.84, bottom=0.13)

    def _data_artists(self) -> list:
        """The artists that change with the levers, in drawing (z) order."""
        found = [a for a in (*self.bands, self.target, *self.medians, self.history) if a is not None]
        return sorted(found, key=lambda a: a.get_zorder())

    @staticmethod
    def _limits(ys: list[float], kind: str) -> tuple[float, float]:
        """Axis limits rounded outwards, so that small lever moves keep the same background."""
        if kind == "share":
            lo = min(ys) if ys else 0.0
            return max(0.0, math.floor((lo - 0.02) * 10) / 10), 1.02
        if not ys:
            return 0.0, 1.0
        lo, hi = min(ys), max(ys)
        step = _nice_ceiling(max(hi - lo, 1.0) / 4)
        return math.floor(lo / step) * step - step / 2, math.ceil(hi / step) * step + step / 2

    def draw(self, series, forecasts, *, threshold, target_year: int, kind: str, lang: str, title: str) -> None:
        """Show one view.

        Parameters
        ----------
        series : DataFrame or None
            History: ``year``, ``value``.
        forecasts : list of (label, Forecast or None)
            The trend forecast and the scenario projection (``None`` = not available).
        threshold : float or None
            The target as a share (``None`` for T11).
        """
        ax = self.ax
        ys: list[float] = []
        hist = None if series is None else series.dropna(subset=["value"]).sort_values("year")
        if hist is not None and len(hist):
            self.history.set_offsets(np.column_stack([hist["year"], hist["value"]]))
            ys += list(hist["value"])
        else:
            self.history.set_offsets(np.empty((0, 2)))
        handles, labels = [self.history], [self._label("history", lang).split(" (")[0]]
        for k, (name, fc) in enumerate(forecasts):
            if self.bands[k] is not None:
                self.bands[k].remove()
                self.bands[k] = None
            if fc is None:
                self.medians[k].set_data([], [])
                continue
            frame = fc.summary_frame((80,))
            years = frame.index.to_numpy()
            xs, ys_line = list(years), list(frame["median"])
            if hist is not None and len(hist) and hist["year"].iloc[-1] < years[0]:
                # join the last observation to the first projected year, as the reports' fan chart does
                xs, ys_line = [hist["year"].iloc[-1], *xs], [hist["value"].iloc[-1], *ys_line]
            self.medians[k].set_data(xs, ys_line)
            self.bands[k] = ax.fill_between(years, frame["lo-80"], frame["hi-80"], color=self.colours[k],
                                            alpha=0.18, linewidth=0, zorder=1)
            ys += list(frame["lo-80"]) + list(frame["hi-80"])
            handles.append(self.medians[k])
            labels.append(f"{name} ({self._label('band80', lang)})")
        self.target.set_visible(threshold is not None)
        if threshold is not None:
            self.target.set_ydata([threshold, threshold])
            ys.append(threshold)
            handles.append(self.target)
            labels.append(f"{self._label('target', lang)} {fmt.percent(threshold, 0, lang)}")
        xs_all = [*(hist["year"] if hist is not None else []), target_year]
        xlim = (min(xs_all) - 0.5, target_year + 0.7)
        ylim = self._limits(ys, kind)
        still = (title, lang, kind, xlim, ylim, target_year, tuple(labels))
        if still != self._still:
            self.year.set_xdata([target_year, target_year])
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
            if (kind, lang) != self._formats:
                if kind == "share":
                    ax.yaxis.set_major_formatter(self._fmt(lambda v, _p: fmt.percent(v, 0, lang)))
                else:
                    ax.yaxis.set_major_formatter(self._fmt(lambda v, _p: fmt.number(v, 0, lang)))
                ax.set_xlabel(self._label("year", lang))
                ax.set_ylabel(self._label("share" if kind == "share" else "count", lang))
                self._formats = (kind, lang)
            self.title.set_text(title)
            # the legend sits above the plot, so the data never pass under it
            ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(labels),
                      fontsize=8, frameon=False, borderaxespad=0.2, handlelength=1.8, columnspacing=1.2)
            self._still, self._background = still, None

    def invalidate(self) -> None:
        """Forget the cached background (after a full render at another size, e.g. an export)."""
        self._background = None

    def png(self) -> bytes:
        """The figure as PNG bytes (what the widget shows), redrawing only what changed."""
        import io

        from PIL import Image

        canvas = self.fig.canvas
        data = self._data_artists()
        if self._background is None:
            for a in data:
                a.set_animated(True)  # left out of the background
            try:
                canvas.draw()
            finally:
                for a in data:
                    a.set_animated(False)
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for a in data:
            self.ax.draw_artist(a)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def lever_groups(specs) -> list[tuple[str, list[str]]]:
    """Sliders grouped for the accordion: training places first, then staffing policy."""
    training = [s.name for s in specs if s.name.startswith("programmes.") or s.name == CAPACITY_FACTOR]
    staffing = [s.name for s in specs if s.name not in training]
    groups = [("training", training), ("staffing", staffing)]
    return [(key, names) for key, names in groups if names]


class _Widgets:
    """The ipywidgets front of an :class:`Explorer` (thin: every computation is the explorer's)."""

    def __init__(self, explorer: Explorer):
        import ipywidgets as w

        self.ex = explorer
        lang = explorer.view["lang"]
        names = explorer.unit_names()
        self.target = w.Dropdown(options=[(f"{t.id} – {t.text(lang)}", t.id) for t in explorer.targets.values()],
                                 value=explorer.view["target"], layout=w.Layout(width="100%"))
        self.unit = w.Dropdown(options=[(text("province", lang) if c == PROVINCE else f"{c} {names[c]}".strip(), c)
                                        for c in explorer.unit_codes()], value=explorer.view["unit"])
        self.p_required = w.FloatSlider(value=explorer.view["p_required"], min=min(0.5, explorer.view["p_required"]),
                                        max=max(0.95, explorer.view["p_required"]), step=0.05,
                                        continuous_update=False, readout_format=".0%",
                                        style={"description_width": "initial"})
        self.lang = w.ToggleButtons(options=[("Tiếng Việt", "vi"), ("English", "en")], value=lang)
        self.levers = {}
        for s in explorer.specs:
            cls = w.IntSlider if s.integer else w.FloatSlider
            value = explorer.levers[s.name]
            self.levers[s.name] = cls(value=value, min=min(s.minimum, value), max=max(s.maximum, value),
                                      step=s.step, continuous_update=False, layout=w.Layout(width="95%"))
        # the Department's lever names are long: each stands above its slider, not squeezed beside it
        self.lever_labels = {name: w.HTML() for name in self.levers}
        self.banner = w.HTML()
        self.status = w.HTML()
        self.verdict = w.HTML()
        self.image = w.Image(format="png")
        self.table = w.HTML()
        self.effort_button = w.Button(icon="calculator", layout=w.Layout(width="auto"))
        self.effort_out = w.HTML()
        self.name = w.Text(value=f"{getattr(explorer.scenario, 'name', 'scenario')}_moi")
        self.save_button = w.Button(icon="save")
        self.export_button = w.Button(icon="download")
        self.message = w.HTML()
        self._quiet = False  # set while labels change, so relabelling is not taken for a user's move
        for control in (self.target, self.unit, self.p_required, self.lang, *self.levers.values()):
            control.observe(self._on_change, names="value")
        self.effort_button.on_click(self._on_effort)
        self.save_button.on_click(self._on_save)
        self.export_button.on_click(self._on_export)
        groups = lever_groups(explorer.specs)
        self.groups = w.Accordion(children=[
            w.VBox([w.VBox([self.lever_labels[n], self.levers[n]]) for n in names]) for _, names in groups])
        self._group_keys = [key for key, _ in groups]
        if self.groups.children:
            self.groups.selected_index = 0
        left = w.VBox([self.target, self.unit, self.p_required, self.lang, self.groups,
                       self.effort_button, self.effort_out, w.HBox([self.name, self.save_button]),
                       self.export_button, self.message], layout=w.Layout(width="42%"))
        right = w.VBox([self.banner, self.status, self.verdict, self.image, self.table],
                       layout=w.Layout(width="58%"))
        self.box = w.HBox([left, right])
        self._label(lang)
        self._refresh(self.ex.current())

    def _label(self, lang: str) -> None:
        self._quiet = True
        try:
            self.target.options = [(f"{t.id} – {t.text(lang)}", t.id) for t in self.ex.targets.values()]
            names = self.ex.unit_names()
            self.unit.options = [(text("province", lang) if c == PROVINCE else f"{c} {names[c]}".strip(), c)
                                 for c in self.ex.unit_codes()]
            self.target.value, self.unit.value = self.ex.view["target"], self.ex.view["unit"]
        finally:
            self._quiet = False
        self.target.description = text("target", lang)
        self.unit.description = text("unit", lang)
        self.p_required.description = text("p_required", lang)
        self.lang.description = text("lang", lang)
        for s in self.ex.specs:
            self.lever_labels[s.name].value = f"<b>{_escape(s.label(lang))}</b>"
        for i, key in enumerate(self._group_keys):
            self.groups.set_title(i, text(f"group_{key}", lang))
        self.effort_button.description = text("effort_button", lang)
        self.save_button.description = text("save_button", lang)
        self.export_button.description = text("export_button", lang)
        self.name.description = text("name", lang)
        synthetic = bool(getattr(self.ex.dataset, "synthetic", False))
        self.banner.value = f"<p style='color:#b00'>{_escape(text('synthetic', lang))}</p>" if synthetic else ""

    def _values(self) -> dict:
        values = {"target": self.target.value, "unit": self.unit.value,
                  "p_required": self.p_required.value, "lang": self.lang.value}
        values.update({k: s.value for k, s in self.levers.items()})
        return values

    def _on_change(self, _change) -> None:
        if self._quiet:
            return
        lang = self.lang.value
        self.status.value = text("busy", lang)  # the busy indicator, sent before computing
        try:
            state = self.ex.update(**self._values())
        except Exception as exc:  # noqa: BLE001 - show the planner the message, keep the widget alive
            self.status.value = _escape(text("error", lang, msg=exc))
            return
        self._label(state.lang)
        self._refresh(state)

    def _refresh(self, state: ViewState) -> None:

        self.image.value = self.ex.png()
        self.verdict.value = f"<p><b>{_escape(state.verdict)}</b></p>"
        self.table.value = probability_table_html(state, self.ex.targets)
        self.status.value = text("done", state.lang, s=fmt.number(state.seconds, 2, state.lang))

    def _on_effort(self, _button) -> None:
        lang = self.lang.value
        self.effort_out.value = text("busy", lang)
        try:
            self.effort_out.value = _escape(self.ex.effort_text(self.ex.required_effort(), lang))
        except Exception as exc:  # noqa: BLE001
            self.effort_out.value = _escape(text("error", lang, msg=exc))

    def _on_save(self, _button) -> None:
        lang = self.lang.value
        try:
            path = self.ex.save_scenario(self.name.value)
            self.message.value = _escape(text("saved", lang, path=path))
        except Exception as exc:  # noqa: BLE001
            self.message.value = _escape(text("error", lang, msg=exc))

    def _on_export(self, _button) -> None:
        lang = self.lang.value
        try:
            paths = self.ex.export()
            self.message.value = _escape(text("exported", lang, paths=", ".join(str(p) for p in paths.values())))
        except Exception as exc:  # noqa: BLE001
            self.message.value = _escape(text("error", lang, msg=exc))


def _escape(s) -> str:
    import html

    return html.escape(str(s))


def probability_table_html(state: ViewState, targets: Mapping) -> str:
    """The probabilities of every target as a small HTML table in the view's language."""
    lang = state.lang
    head = [text("target", lang), text("threshold", lang), text("p_trend", lang), text("p_scenario", lang),
            text("meets", lang)]
    rows = []
    for r in state.probabilities.itertuples(index=False):
        t = targets[r.target]
        thr = text("rising", lang) if t.threshold is None else fmt.percent(
            t.share, 0 if float(t.threshold).is_integer() else 1, lang)
        meets = "" if r.meets is None or (isinstance(r.meets, float) and np.isnan(r.meets)) else text(
            "yes" if r.meets else "no", lang)
        bold = " style='font-weight:bold'" if r.target == state.target_id else ""
        rows.append(f"<tr{bold}><td>{_escape(r.target)}</td><td>{_escape(thr)}</td>"
                    f"<td>{fmt.probability(r.p_trend, lang)}</td><td>{fmt.probability(r.p_scenario, lang)}</td>"
                    f"<td>{meets}</td></tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{_escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")
