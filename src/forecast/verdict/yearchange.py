"""What changed since last year: two report sets compared target by target, and why.

The annual run compares the content of its ``summary.json`` with the previous as-of
year's report set (:mod:`forecast.reports.yearchange` finds and reads that file); this
module holds the pure comparison of two summary documents (dicts shaped as
``summary.json``: ``as_of``, ``targets`` rows, ``provenance``, ``target_definitions``).

**Moved.** A target moved when its status changed, when its headline probability changed
by at least :data:`MOVE_P` (5 percentage points: below that, a change is within what a
new Monte-Carlo sample or one more year of a noisy series gives without anything having
happened), when one set has a probability and the other has none, or when the target is
in one set only.

**Main reason.** Every cause that applies is kept (``causes``); the main one (``reason``)
is the first of :data:`REASONS` in this order:

1. ``definition_change`` — what the target counts changed between the sets: population
   or criterion code, threshold, target year, kind, meeting rule or break year
   (``target_definitions``, from ``data/targets.yml``; a set written before they were
   recorded is compared on its rows' threshold, kind and target year), or the target is in
   one set only. First, because the two numbers then measure different things.
2. ``reorganisation`` — the target's population was redrawn by the 1 July 2025
   reorganisation (two-tier local government: no district level, 65 new commune-level
   units) between the two sets: its series break year (``break_year``) lies after the
   previous as-of year and at or before the current one.
3. ``method_change`` — the headline comes from the other component (trend or stock-flow
   engine, :mod:`forecast.verdict.verdict`) or from another model.
4. ``new_data`` — a later year was observed for the target, or the data folder's files
   changed (their SHA-256 in ``provenance.inputs_sha256``).
5. ``method_change`` otherwise: the same definitions and the same data gave another answer,
   so the computation changed (the workbench's version, the run's seed or draws); runs are
   seeded, so equal inputs and code give equal numbers.

This module imports nothing of the workbench: it reads plain data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

#: Smallest change of the headline probability (as a share) that counts as a move.
MOVE_P = 0.05
#: Reason codes, in the order the main reason is chosen (``method_change`` also ends the list).
REASONS = ("definition_change", "reorganisation", "method_change", "new_data")
#: What happened to a target between the sets.
CHANGES = ("added", "removed", "status", "probability", "none")
#: Fields of a target's definition (:func:`target_definitions`) whose change is a definition change.
DEFINITION_FIELDS = ("population", "criterion", "threshold", "year", "kind", "meeting_rule", "break_year")
#: The same read off a ``summary.json`` row, for a set that records no definitions.
ROW_DEFINITION_FIELDS = ("threshold", "kind", "target_year")


class YearChangeError(ValueError):
    """A summary document lacks what the comparison needs (the message lists every problem)."""


@dataclass(frozen=True)
class TargetChange:
    """One target compared between the previous report set and this one.

    Attributes
    ----------
    target_id : str
    change : str
        One of :data:`CHANGES`: ``status`` when the status changed, ``probability`` when only
        the probability moved, ``none`` when neither did.
    status_from, status_to : str or None
        Status codes (:data:`forecast.domain.status.STATUSES`) in the previous and this set.
    p_from, p_to : float or None
        Headline probabilities of meeting the target in the previous and this set.
    moved : bool
        Whether the target moved (module notes).
    reason : str or None
        The main reason of a move (one of :data:`REASONS`); None when it did not move.
    causes : tuple of str
        Every reason that applies, main one first (empty when it did not move).
    """

    target_id: str
    change: str
    status_from: str | None
    status_to: str | None
    p_from: float | None
    p_to: float | None
    moved: bool
    reason: str | None = None
    causes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def delta_p(self) -> float | None:
        """This set's probability minus the previous one's (None unless both exist)."""
        if self.p_from is None or self.p_to is None:
            return None
        return self.p_to - self.p_from

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (a row of ``summary.json``'s ``changes_since_previous``)."""
        out = asdict(self)
        out["causes"] = list(self.causes)
        out["delta_p"] = self.delta_p
        return out


@dataclass(frozen=True)
class YearComparison:
    """Every target of two report sets compared.

    Attributes
    ----------
    previous_as_of, as_of : int
        The as-of years of the previous and this set.
    targets : tuple of TargetChange
        This set's targets in its order, then the targets only the previous set had.
    """

    previous_as_of: int
    as_of: int
    targets: tuple[TargetChange, ...]

    @property
    def moved(self) -> list[TargetChange]:
        """The targets that moved, in order."""
        return [c for c in self.targets if c.moved]

    def to_dict(self) -> dict[str, Any]:
        """``summary.json``'s ``changes_since_previous`` block."""
        return {"previous_as_of": self.previous_as_of, "as_of": self.as_of, "move_threshold_p": MOVE_P,
                "moved": [c.target_id for c in self.moved], "targets": [c.to_dict() for c in self.targets]}


def target_definitions(targets: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """What each target counts, as plain data for ``summary.json``'s ``target_definitions``.

    Parameters
    ----------
    targets : iterable of forecast.domain.targets.Target

    Returns
    -------
    dict
        Target id → ``population`` and ``criterion`` codes, ``threshold`` (percent), ``year``,
        ``kind``, ``meeting_rule`` (``{"rule", "decimals"}``) and ``break_year``.
    """
    out: dict[str, dict[str, Any]] = {}
    for t in targets:
        rule = t.meeting
        out[t.id] = {"population": (t.population or {}).get("code"), "criterion": (t.criterion or {}).get("code"),
                     "threshold": t.threshold, "year": t.year, "kind": t.kind,
                     "meeting_rule": {"rule": rule.rule, "decimals": rule.decimals}, "break_year": t.break_year}
    return out


def _probability(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        p = float(value)
    except (TypeError, ValueError):
        return None
    return p if math.isfinite(p) else None


def _check(doc: Any, which: str) -> list[str]:
    """Problems that keep ``doc`` from being compared (empty when it can be)."""
    if not isinstance(doc, Mapping):
        return [f"{which} summary: not a JSON object"]
    problems = []
    as_of = doc.get("as_of")
    if isinstance(as_of, bool) or not isinstance(as_of, int):
        problems.append(f"{which} summary: 'as_of' must be a whole year, got {as_of!r}")
    rows = doc.get("targets")
    if not isinstance(rows, list):
        problems.append(f"{which} summary: 'targets' must be a list of target rows")
        return problems
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping) or not isinstance(row.get("id"), str):
            problems.append(f"{which} summary: targets[{i}] has no target id")
    return problems


def _rows(doc: Mapping) -> dict[str, Mapping]:
    return {row["id"]: row for row in doc["targets"]}


def _definition(doc: Mapping, target_id: str) -> Mapping | None:
    defs = doc.get("target_definitions")
    found = defs.get(target_id) if isinstance(defs, Mapping) else None
    return found if isinstance(found, Mapping) else None


def _definition_changed(prev_doc: Mapping, cur_doc: Mapping, prev: Mapping, cur: Mapping, target_id: str) -> bool:
    before, after = _definition(prev_doc, target_id), _definition(cur_doc, target_id)
    if before is not None and after is not None:
        return any(before.get(k) != after.get(k) for k in DEFINITION_FIELDS)
    return any(prev.get(k) != cur.get(k) for k in ROW_DEFINITION_FIELDS)


def _break_year(prev_doc: Mapping, cur_doc: Mapping, target_id: str) -> int | None:
    for doc in (cur_doc, prev_doc):
        found = (_definition(doc, target_id) or {}).get("break_year")
        if isinstance(found, int) and not isinstance(found, bool):
            return found
    return None


def _data_files(doc: Mapping) -> dict[str, str]:
    hashes = (doc.get("provenance") or {}).get("inputs_sha256") or {}
    return {k: v for k, v in hashes.items() if str(k).startswith("dataset/")} if isinstance(hashes, Mapping) else {}


def _later_year(prev: Mapping, cur: Mapping) -> bool:
    before, after = prev.get("latest_year"), cur.get("latest_year")
    return isinstance(before, int) and isinstance(after, int) and after > before


def _method_changed(prev: Mapping, cur: Mapping) -> bool:
    return any(prev.get(k) is not None and cur.get(k) is not None and prev.get(k) != cur.get(k)
               for k in ("p_meet_source", "method"))


def causes(prev_doc: Mapping, cur_doc: Mapping, prev: Mapping, cur: Mapping, target_id: str) -> tuple[str, ...]:
    """Every reason that applies to a target present in both sets, main one first (module notes).

    Parameters
    ----------
    prev_doc, cur_doc : mapping
        The previous and the current summary documents.
    prev, cur : mapping
        The target's rows in them.
    target_id : str

    Returns
    -------
    tuple of str
        Reason codes of :data:`REASONS` in their order; never empty (the last rule always applies).
    """
    found = []
    if _definition_changed(prev_doc, cur_doc, prev, cur, target_id):
        found.append("definition_change")
    brk = _break_year(prev_doc, cur_doc, target_id)
    if brk is not None and int(prev_doc["as_of"]) < brk <= int(cur_doc["as_of"]):
        found.append("reorganisation")
    if _method_changed(prev, cur):
        found.append("method_change")
    if _later_year(prev, cur) or _data_files(prev_doc) != _data_files(cur_doc):
        found.append("new_data")
    return tuple(found) or ("method_change",)


def _moved(status_from: str | None, status_to: str | None, p_from: float | None, p_to: float | None) -> str:
    if status_from != status_to:
        return "status"
    if (p_from is None) != (p_to is None):
        return "probability"
    if p_from is not None and p_to is not None and abs(p_to - p_from) >= MOVE_P - 1e-12:
        return "probability"
    return "none"


def compare(previous: Mapping, current: Mapping) -> YearComparison:
    """Compare two report sets' summaries target by target.

    Parameters
    ----------
    previous, current : mapping
        Summary documents (``summary.json`` content) of the previous and this report set.

    Returns
    -------
    YearComparison

    Raises
    ------
    YearChangeError
        Either document lacks ``as_of`` or target rows with ids (every problem listed).
    """
    problems = _check(previous, "previous") + _check(current, "current")
    if problems:
        raise YearChangeError("; ".join(problems))
    before, after = _rows(previous), _rows(current)
    out = []
    for tid, cur in after.items():
        prev = before.get(tid)
        s_to, p_to = cur.get("status"), _probability(cur.get("p_meet"))
        if prev is None:
            out.append(TargetChange(tid, "added", None, s_to, None, p_to, True, "definition_change",
                                    ("definition_change",)))
            continue
        s_from, p_from = prev.get("status"), _probability(prev.get("p_meet"))
        change = _moved(s_from, s_to, p_from, p_to)
        why = causes(previous, current, prev, cur, tid) if change != "none" else ()
        out.append(TargetChange(tid, change, s_from, s_to, p_from, p_to, change != "none",
                                why[0] if why else None, why))
    for tid, prev in before.items():
        if tid not in after:
            out.append(TargetChange(tid, "removed", prev.get("status"), None, _probability(prev.get("p_meet")),
                                    None, True, "definition_change", ("definition_change",)))
    return YearComparison(int(previous["as_of"]), int(current["as_of"]), tuple(out))
