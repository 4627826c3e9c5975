"""The annual run against the previous year's report set: find it, compare, put it on the summary.

Report sets of different as-of years sit side by side under the output folder
(``reports/2024/``, ``reports/2025/``). The **previous report set** of a run as of year Y
is the set of the newest year below Y whose ``summary.json`` is there
(:func:`previous_summary_file`); a set of the same year, which the run is about to replace,
is not compared with. :func:`for_run` compares this run's summary (built from its
prepared results exactly as ``summary.json`` will be) with it by the rule of
:mod:`forecast.verdict.yearchange`; the result is stored in the prepared results (so the
summary notebook can show it) and in ``summary.json`` as ``changes_since_previous``
(``null`` when there is no previous set). :func:`section_html` is the summary page's
section, in the report language.

A previous ``summary.json`` that cannot be read or compared does not stop the run (the
new set does not depend on it): the run says so on stderr and the section says there is
nothing to compare with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from forecast import i18n
from forecast.reports import fmt, palette
from forecast.reports import html as report
from forecast.reports.blocks import (
    Markup,
    esc,
    heading_html,
    paragraph_html,
    status_html,
    status_text,
    table_html,
)
from forecast.verdict import yearchange as rule

SUMMARY_FILE = "summary.json"


def previous_summary_file(out_base: Path, as_of: int) -> Path | None:
    """``<out_base>/<year>/summary.json`` of the newest year before ``as_of``; None when there is none.

    Only folders named by a year count (not ``failed-<year>`` nor a run's ``.tmp-…`` folder).
    """
    base = Path(out_base)
    if not base.is_dir():
        return None
    year = max((y for y, p in ((int(p.name), p) for p in base.iterdir() if p.is_dir() and p.name.isdigit())
                if y < int(as_of) and (p / SUMMARY_FILE).is_file()), default=None)
    return None if year is None else base / str(year) / SUMMARY_FILE


def read_summary(path: Path) -> dict[str, Any]:
    """A report set's ``summary.json`` as a dict.

    Raises
    ------
    YearChangeError
        The file is not UTF-8 JSON holding an object (the message names the file).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise rule.YearChangeError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise rule.YearChangeError(f"{path}: holds {type(data).__name__}, not a summary object")
    return data


def current_document(results: Any) -> dict[str, Any]:
    """This run's summary as ``summary.json`` will hold it (times and commit left out)."""
    return report.summary(results, report.provenance(results, started="", finished="", commit=None))


def compare_with_file(current: Mapping, path: Path) -> dict[str, Any]:
    """``changes_since_previous`` of ``current`` against the summary in ``path``.

    Raises
    ------
    YearChangeError
        The file cannot be read or either document cannot be compared (named in the message).
    """
    try:
        return rule.compare(read_summary(path), current).to_dict()
    except rule.YearChangeError as exc:
        message = str(exc)
        raise rule.YearChangeError(message if message.startswith(str(path)) else f"{path}: {message}") from None


def for_run(results: Any, out_base: Path, say: Callable[[str], None] | None = None) -> dict[str, Any] | None:
    """The comparison of a run with the previous report set under ``out_base``; None without one.

    Parameters
    ----------
    results : forecast.reports.pipeline.RunResults
        The run's prepared results (its ``as_of`` picks the previous set).
    out_base : Path
        The output folder holding the report sets by year.
    say : callable, optional
        Where to report a previous set that could not be compared (default: nowhere).
    """
    path = previous_summary_file(out_base, results.as_of)
    if path is None:
        return None
    try:
        return compare_with_file(current_document(results), path)
    except rule.YearChangeError as exc:
        if say is not None:
            say(f"not compared with the previous report set: {exc}")
        return None


# --- the summary page's section ---------------------------------------------------------------
def _pp(lang: str) -> str:
    return fmt.number(100 * rule.MOVE_P, 0, lang)


def _cell(status: Any, p: Any, present: bool, lang: str) -> Markup | str:
    if not present:
        return i18n.t("yearchange.absent", lang)
    return Markup(f"{status_html(status, lang)} {esc(fmt.probability(p, lang))}")


def _delta(delta: Any, lang: str) -> str:
    if delta is None:
        return fmt.MISSING
    return i18n.t("yearchange.points", lang, value=fmt.points(100 * float(delta), 0, lang, unit=False))


def reason_text(row: Mapping, lang: str) -> str:
    """The main reason of a move in words, with the other causes that also hold."""
    causes = list(row.get("causes") or ([row["reason"]] if row.get("reason") else []))
    if not causes:
        return fmt.MISSING
    words = [i18n.t(f"yearchange.reason.{c}", lang) for c in causes]
    main = words[0][:1].upper() + words[0][1:]
    if len(words) == 1:
        return main
    return i18n.t("yearchange.also", lang, main=main, others=", ".join(words[1:]))


def _text_cell(status: Any, p: Any, present: bool, lang: str) -> str:
    if not present:
        return i18n.t("yearchange.absent", lang)
    return f"{status_text(status, lang)} {fmt.probability(p, lang)}"


def section_parts(changes: Mapping | None, lang: str, cell: Callable[..., Any] = _text_cell) -> list[tuple]:
    """The "what changed since last year" section as parts, for any page or document.

    Returns ``("heading", text)``, ``("para", text)``, ``("table", head, body, caption)`` and
    ``("note", text)`` in order; ``cell(status, p, present, lang)`` makes a status cell (plain
    text by default, a badge on the HTML page).
    """
    parts: list[tuple] = [("heading", i18n.t("yearchange.heading", lang))]
    if not changes:
        return parts + [("para", i18n.t("yearchange.none", lang))]
    prev, cur, pp = changes["previous_as_of"], changes["as_of"], _pp(lang)
    rows = list(changes.get("targets") or [])
    moved = [r for r in rows if r.get("moved")]
    if not moved:
        parts.append(("para", i18n.t("yearchange.nothing", lang, previous=prev, pp=pp)))
    else:
        parts.append(("para", i18n.t("yearchange.intro", lang, previous=prev, n=len(moved), pp=pp)))
        head = [i18n.t("yearchange.col_target", lang), i18n.t("yearchange.col_year", lang, year=prev),
                i18n.t("yearchange.col_year", lang, year=cur), i18n.t("yearchange.col_delta", lang),
                i18n.t("yearchange.col_reason", lang)]
        body = [[r["target_id"], cell(r.get("status_from"), r.get("p_from"), r.get("change") != "added", lang),
                 cell(r.get("status_to"), r.get("p_to"), r.get("change") != "removed", lang),
                 _delta(r.get("delta_p"), lang), reason_text(r, lang)] for r in moved]
        parts.append(("table", head, body, i18n.t("yearchange.caption", lang, previous=prev)))
    still = [r["target_id"] for r in rows if not r.get("moved")]
    if still and moved:
        parts.append(("para", i18n.t("yearchange.unchanged", lang, ids=", ".join(still))))
    return parts + [("note", i18n.t("yearchange.rule", lang, pp=pp))]


def _symbol(status: Any) -> str:
    return "" if status is None else f"{palette.status_symbol(str(status))} "


def brief_sentence(changes: Mapping | None, lang: str) -> str:
    """The section in one sentence, for the one-page brief: each moved target with its status symbol
    and probability in both years and the main reason."""
    if not changes:
        return i18n.t("yearchange.brief_none", lang)
    prev = changes["previous_as_of"]
    moved = [r for r in changes.get("targets") or [] if r.get("moved")]
    if not moved:
        return i18n.t("yearchange.brief_nothing", lang, previous=prev)
    absent = i18n.t("yearchange.absent", lang)
    items = []
    for r in moved:
        before = (f"{_symbol(r.get('status_from'))}{fmt.probability(r.get('p_from'), lang)}"
                  if r.get("change") != "added" else absent)
        after = (f"{_symbol(r.get('status_to'))}{fmt.probability(r.get('p_to'), lang)}"
                 if r.get("change") != "removed" else absent)
        reason = i18n.t(f"yearchange.reason.{(r.get('causes') or [r.get('reason')])[0]}", lang)
        items.append(f"{r['target_id']} ({before} → {after}, {reason})")
    return i18n.t("yearchange.brief_moved", lang, previous=prev, n=len(moved), items="; ".join(items))


def section_html(changes: Mapping | None, lang: str) -> str:
    """The summary's "what changed since last year" section (a one-line note without a previous set)."""
    out = ""
    for part in section_parts(changes, lang, cell=_cell):
        kind = part[0]
        if kind == "heading":
            out += heading_html(part[1])
        elif kind == "table":
            out += table_html(part[1], part[2], numeric={3}, cls="year-changes", caption=part[3])
        else:
            out += paragraph_html(part[1], **({"cls": "note"} if kind == "note" else {}))
    return out
