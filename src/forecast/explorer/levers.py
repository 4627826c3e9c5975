"""The levers a planner moves: which ones, how they are shown as sliders, and how slider values fold back.

Pure functions over plain mappings (no widgets, no engine). May import domain … reports.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from forecast.reports import fmt

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
    percent: bool = False  # a share: shown and typed as a percentage ("96%", not "0.96")

    def label(self, lang: str) -> str:
        """The slider's label in ``lang``."""
        return self.label_vi if fmt.check_lang(lang) == "vi" else self.label_en



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


def pinned(scenario, history: Mapping | None):
    """The scenario with its ``from_history`` levers fixed at the values the engine would use."""
    entries = getattr(scenario, "entries", None)
    if history is None or entries is None or not hasattr(scenario, "resolve"):
        return scenario
    resolved = scenario.resolve(history)
    return with_fixed_levers(scenario, {n: resolved[n] for n, lv in entries.items()
                                        if getattr(lv, "from_history", False)})


def flat_levers(levers: Mapping, shown: tuple[str, ...] | None) -> dict:
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


def split_key(key: str) -> tuple[str, str | None]:
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
    for key, value in flat_levers(levers, shown).items():
        name, cat = split_key(key)
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
            maximum = nice_ceiling(max(5 * value, 100))
            step = max(1.0, nice_ceiling(maximum / 200))
        specs.append(LeverSpec(
            name=key, label_vi=fmt.nfc(label_vi), label_en=label_en,
            minimum=float(info.get("min", 0.0 if value >= 0 else -hi_default)),
            maximum=maximum, step=step, integer=integer, percent=is_percent(info),
        ))
    return specs


def is_percent(info: Mapping) -> bool:
    """Whether a lever of the catalogue is a share (shown and typed as a percentage)."""
    unit = str(info.get("unit", ""))
    return unit.startswith("share") or unit == "change_per_year"


def vietnamese_labels(catalogue: Mapping) -> dict:
    """The lever catalogue with the programmes' capacity levers labelled in Vietnamese."""
    out = {name: dict(info) for name, info in catalogue.items()}
    for prog, vi in PROGRAMME_VI.items():
        name = f"programmes.{prog}.capacity"
        if name in out:
            out[name]["label_vi"] = f"{vi}: số chỉ tiêu mỗi năm"
    return out


def nice_ceiling(x: float) -> float:
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
        name, cat = split_key(key)
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



def short_label(scenario: Any, fallback: str = "scenario", lang: str = "vi") -> str:
    """A scenario's name for the planner: its label in ``lang`` up to the first colon
    ("Kịch bản cơ sở: duy trì …" → "Kịch bản cơ sở"), else its file name."""
    label = str(getattr(scenario, "label_vi" if lang == "vi" else "label", "") or "").split(":")[0].strip()
    return label or str(getattr(scenario, "name", "") or fallback)


def renamed(scenario, name: str, origin, changes: Mapping,
            label: Callable[[str, str], str] | None = None):
    """A copy of ``scenario`` named ``name``, its labels and descriptions saying where it came from.

    ``label(lever, lang)`` names a changed lever in each language (default: its key), so the
    Vietnamese description of a saved scenario, shown on the annual run's scenario page, reads
    in Vietnamese; the origin is named by its own label's short form ("Kịch bản cơ sở").
    """

    if not dataclasses.is_dataclass(scenario):
        scenario.name = name
        return scenario
    extra: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(scenario)}
    if {"label", "label_vi", "description", "description_vi"} <= names:
        def moved(lang: str) -> str:
            if not changes:
                return "không có" if lang == "vi" else "none"
            return "; ".join(sorted(label(k, lang) if label else k for k in changes))

        vi, en = short_label(origin), short_label(origin, lang="en")
        extra = {"label": f"{name}: built in the scenario explorer from “{en}”",
                 "label_vi": f"{name}: xây dựng bằng công cụ khám phá kịch bản từ “{vi}”",
                 "description": f"Levers changed from “{en}”: {moved('en')}.",
                 "description_vi": f"Các đòn bẩy thay đổi so với “{vi}”: {moved('vi')}."}
    if "path" in names:
        extra["path"] = None
    return dataclasses.replace(cast(Any, scenario), name=name, **extra)


def noted(scenario, changes: Mapping, note: str):
    """The scenario with ``note`` leading the comment of every changed lever (the file says who set it)."""

    entries = getattr(scenario, "entries", None)
    if entries is None or not changes:
        return scenario
    noted = dict(entries)
    for name in changes:
        lever = noted[name]
        noted[name] = type(lever)(lever.value, lever.from_history, f"{note}; was: {lever.comment}".strip("; "))
    return dataclasses.replace(scenario, entries=noted)



def lever_groups(specs) -> list[tuple[str, list[str]]]:
    """Sliders grouped for the accordion: training places first, then staffing policy."""
    training = [s.name for s in specs if s.name.startswith("programmes.") or s.name == CAPACITY_FACTOR]
    staffing = [s.name for s in specs if s.name not in training]
    groups = [("training", training), ("staffing", staffing)]
    return [(key, names) for key, names in groups if names]



#: Old private names, kept for callers of the single-module explorer.
_flat_levers = flat_levers
_split_key = split_key
_nice_ceiling = nice_ceiling
