"""The 2030 targets of Plan 165/KH-UBND (T01–T11) as data.

The targets live in ``data/targets.yml`` (see its header for the fields); this
module reads them into :class:`Target` objects and checks that the file is whole.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from forecast import config

KINDS = ("share", "count_direction")
COMPARATORS = (">=", "rising")
#: How a target is judged met: ``exact`` (share ≥ threshold), ``rounded`` (the share rounded
#: half-up to ``decimals`` decimals of a percent reaches the threshold), ``rising`` (a count
#: that must rise every year, no number).
MEETING_RULES = ("exact", "rounded", "rising")
#: Decimals of a percent a ``rounded`` rule may name (0 = whole percent).
MAX_DECIMALS = 2
#: Decimals of a percent of the default rule of a 100 % target (see :func:`default_meeting_rule`).
FULL_TARGET_DECIMALS = 0


@dataclass(frozen=True)
class MeetingRule:
    """When a target counts as met.

    Attributes
    ----------
    rule : str
        One of :data:`MEETING_RULES`.
    decimals : int or None
        For ``rounded``: decimals of a percent the share is rounded to (half up)
        before it is compared with the threshold; None otherwise.
    """

    rule: str
    decimals: int | None = None

    def cut(self, threshold: float | None) -> float | None:
        """The share (in [0, 1]) at or above which a target of ``threshold`` percent is met.

        ``exact``: threshold / 100. ``rounded`` at d decimals: (threshold − ½·10⁻ᵈ) / 100, the
        smallest share that rounds (half up) to the threshold. ``rising``: None.
        """
        if self.rule == "rising" or threshold is None:
            return None
        if self.rule == "exact":
            return float(threshold) / 100.0
        return (float(threshold) - 0.5 * 10.0 ** -int(self.decimals or 0)) / 100.0

    def meets_counts(self, numerator, denominator, threshold: float) -> np.ndarray:
        """Whether ``numerator / denominator`` meets the rule, compared in integers (no float edge).

        An empty population (denominator 0) never meets a target.
        """
        num = np.asarray(numerator, dtype=np.int64)
        den = np.asarray(denominator, dtype=np.int64)
        if self.rule == "rising":
            raise ValueError("a 'rising' rule compares a path year on year, not one share")
        # shares are compared as integers scaled by 2·100·10^4: exact to 1/10 000 of a percent
        scale = 10 ** 4
        thr = int(round(float(threshold) * scale))
        if self.rule == "rounded":
            half = scale // 10 ** int(self.decimals or 0) // 2
            return (den > 0) & (num * 100 * scale >= (thr - half) * den)
        return (den > 0) & (num * 100 * scale >= thr * den)

    def to_dict(self) -> dict:
        """``{"rule": ..., "decimals": ...}``."""
        return asdict(self)


def default_meeting_rule(kind: str, threshold: float | None) -> MeetingRule:
    """The rule of a target whose entry names none (``docs/methods.md``, "The meeting rule").

    A count that must rise: ``rising``. A 100 % target: ``rounded`` to whole percent — a share
    can reach but never pass 100 %, and one person not (yet) meeting the criterion among
    hundreds keeps the exact share below it. Any other share: ``exact``.
    """
    if kind == "count_direction" or threshold is None:
        return MeetingRule("rising")
    if float(threshold) >= 100:
        return MeetingRule("rounded", FULL_TARGET_DECIMALS)
    return MeetingRule("exact")


def _check_meeting(value, kind: str, where: str) -> list[str]:
    """Problems of one entry's ``meeting_rule`` mapping (None: the default applies)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"{where}: meeting_rule must be a mapping with 'rule' (and 'decimals'), got {value!r}"]
    problems = []
    unknown = set(value) - {"rule", "decimals"}
    if unknown:
        problems.append(f"{where}: meeting_rule: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    rule = value.get("rule")
    if rule not in MEETING_RULES:
        problems.append(f"{where}: meeting_rule.rule must be one of {MEETING_RULES}, got {rule!r}")
        return problems
    if (rule == "rising") != (kind == "count_direction"):
        problems.append(f"{where}: meeting_rule.rule {rule!r} does not fit a target of kind {kind!r}")
    decimals = value.get("decimals")
    if rule == "rounded":
        if not (isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= MAX_DECIMALS):
            problems.append(f"{where}: meeting_rule.decimals must be a whole number 0–{MAX_DECIMALS} for "
                            f"a 'rounded' rule, got {decimals!r}")
    elif decimals is not None:
        problems.append(f"{where}: meeting_rule.decimals applies to a 'rounded' rule only, got {decimals!r}")
    return problems


@dataclass(frozen=True)
class Target:
    """One target of the plan.

    Attributes
    ----------
    id : str
        ``T01`` … ``T11``.
    text_vi, text_en : str
        The target in Vietnamese (plan wording, abridged) and English.
    population, criterion : dict
        ``code`` plus ``vi``/``en`` descriptions of who is counted and what counts.
    threshold : float or None
        Percent (0–100); ``None`` for the direction-only T11.
    year : int
        Target year (2030).
    comparator : str
        ``">="`` for shares, ``"rising"`` for T11.
    kind : str
        ``"share"`` or ``"count_direction"``.
    clause : str
        Where in the plan the target comes from.
    break_year : int or None
        First year of the post-1 July 2025 population definition, when it changed.
    parts : tuple of dict
        Sub-indicators tracked separately (T09a–c).
    notes_vi, notes_en : str
        Interpretation notes shown in reports.
    meeting_rule : MeetingRule or None
        When the target counts as met; None: :func:`default_meeting_rule` (use :attr:`meeting`).
    """

    id: str
    text_vi: str
    text_en: str
    population: dict
    criterion: dict
    threshold: float | None
    year: int
    comparator: str
    kind: str
    clause: str
    break_year: int | None = None
    parts: tuple = field(default_factory=tuple)
    notes_vi: str = ""
    notes_en: str = ""
    meeting_rule: MeetingRule | None = None

    @property
    def meeting(self) -> MeetingRule:
        """The target's meeting rule (its own, else the default for its kind and threshold)."""
        return self.meeting_rule or default_meeting_rule(self.kind, self.threshold)

    @property
    def met_share(self) -> float | None:
        """The share at or above which the target is met under its rule (None for T11)."""
        return self.meeting.cut(self.threshold)

    @property
    def share(self) -> float | None:
        """The threshold as a share in [0, 1] (``None`` for T11)."""
        return None if self.threshold is None else self.threshold / 100.0

    def text(self, lang: str = "vi") -> str:
        """The target's text in ``lang`` (``"vi"`` or ``"en"``)."""
        return self.text_vi if lang == "vi" else self.text_en

    def notes(self, lang: str = "vi") -> str:
        """The interpretation notes in ``lang``."""
        return self.notes_vi if lang == "vi" else self.notes_en

    def to_dict(self) -> dict:
        """A JSON-ready dict of every field."""
        d = asdict(self)
        d["parts"] = list(self.parts)
        d["meeting_rule"] = self.meeting.to_dict()
        return d


class TargetsFileError(ValueError):
    """The targets file is malformed; the message names the file and the entry."""


def _check(entry: dict, where: str) -> list[str]:
    problems = []
    required = ("id", "text_vi", "text_en", "population", "criterion", "threshold", "year",
                "comparator", "kind", "clause")
    for key in required:
        if key not in entry:
            problems.append(f"{where}: missing field '{key}'")
    if problems:
        return problems
    if entry["kind"] not in KINDS:
        problems.append(f"{where}: kind must be one of {KINDS}, got {entry['kind']!r}")
    if entry["comparator"] not in COMPARATORS:
        problems.append(f"{where}: comparator must be one of {COMPARATORS}, got {entry['comparator']!r}")
    thr = entry["threshold"]
    if entry["kind"] == "share" and not (isinstance(thr, int | float) and 0 < thr <= 100):
        problems.append(f"{where}: a share target needs a threshold in (0, 100], got {thr!r}")
    if entry["kind"] == "count_direction" and thr is not None:
        problems.append(f"{where}: a direction-only target has no threshold, got {thr!r}")
    problems += _check_meeting(entry.get("meeting_rule"), entry["kind"], where)
    return problems


def read_targets(path: Path | None = None) -> list[Target]:
    """Read and check a targets file.

    Parameters
    ----------
    path : Path, optional
        Defaults to :func:`forecast.config.targets_file`.

    Returns
    -------
    list of Target
        In file order (T01 … T11).

    Raises
    ------
    TargetsFileError
        Listing every problem found, each prefixed with the file and entry.
    """
    path = Path(path or config.targets_file())
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    entries = (doc or {}).get("targets") or []
    problems: list[str] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        where = f"{path}: target #{i} ({entry.get('id', '?')})"
        problems += _check(entry, where)
        if entry.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(entry.get("id"))
    if not entries:
        problems.append(f"{path}: no 'targets' list")
    if problems:
        raise TargetsFileError("\n".join(problems))
    return [
        Target(
            **{k: v for k, v in e.items() if k not in ("parts", "meeting_rule")},
            parts=tuple(e.get("parts") or ()),
            meeting_rule=(MeetingRule(e["meeting_rule"]["rule"], e["meeting_rule"].get("decimals"))
                          if e.get("meeting_rule") else default_meeting_rule(e["kind"], e["threshold"])),
        )
        for e in entries
    ]


@lru_cache(maxsize=4)
def _cached(path: str) -> tuple[Target, ...]:
    return tuple(read_targets(Path(path)))


def load_targets() -> list[Target]:
    """The project's targets (cached per file path)."""
    return list(_cached(str(config.targets_file())))


def get_target(target_id: str) -> Target:
    """One target by id (``"T06"``); ``KeyError`` naming the known ids otherwise."""
    for t in load_targets():
        if t.id == target_id:
            return t
    known = ", ".join(t.id for t in load_targets())
    raise KeyError(f"unknown target {target_id!r}; known: {known}")


def indicator_ids() -> list[str]:
    """Every indicator id an observation may carry: the targets and their parts."""
    ids = []
    for t in load_targets():
        ids.append(t.id)
        ids += [p["id"] for p in t.parts]
    return ids


def targets_frame(lang: str = "vi"):
    """The targets as a table for reports (id, text, threshold, year, kind)."""
    import pandas as pd

    rows = []
    for t in load_targets():
        rows.append({
            "id": t.id,
            "target": t.text(lang),
            "threshold": t.threshold,
            "year": t.year,
            "comparator": t.comparator,
            "kind": t.kind,
            "clause": t.clause,
        })
    return pd.DataFrame(rows)
