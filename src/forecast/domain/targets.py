"""The 2030 targets of Plan 165/KH-UBND (T01–T11) as data.

The targets live in ``data/targets.yml`` (see its header for the fields); this
module reads them into :class:`Target` objects and checks that the file is whole.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from forecast import config

KINDS = ("share", "count_direction")
COMPARATORS = (">=", "rising")


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
            **{k: v for k, v in e.items() if k != "parts"},
            parts=tuple(e.get("parts") or ()),
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
