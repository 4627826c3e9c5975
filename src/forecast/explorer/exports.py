"""Exports of the current view: the chart as PNG and its data as an Excel workbook.

Each export gets a name of its own, ``<scenario>_<target>_<unit>_<yyyymmdd-hhmmss>``
(``_2``, ``_3`` … when two land in the same second), so a second export never
replaces the first. The PNG carries what makes it readable on its own: the scenario,
the levers, the verdict and, for the demo data, the synthetic-data mark. The workbook
has headers in the view's language and whole years. Both files are written atomically
(:mod:`forecast.atomic`).

May import domain … reports.
"""

from __future__ import annotations

import datetime as _dt
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from forecast import atomic, config
from forecast.explorer.messages import text
from forecast.explorer.parsing import show_number, slug
from forecast.explorer.state import ViewState

#: Columns of the chart's table and their message keys (headers in the view's language).
CHART_COLUMNS = {"series": "series", "year": "year", "mean": "mean", "median": "median", "lo-80": "lo80",
                 "hi-80": "hi80", "lo-95": "lo95", "hi-95": "hi95", "threshold": "threshold"}


def _part(text: str) -> str:
    """A piece of a file name from data: kept when it is letters, digits, ``-`` and ``_`` only
    (``T06``, ``06112``), else slugged (no separator, dot or ``..`` survives)."""
    return text if _SAFE_PART.fullmatch(text) else (slug(text) or "x")


_SAFE_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


def export_stem(scenario: str, target_id: str, unit: str, folder: Path, when: _dt.datetime) -> str:
    """A file stem not yet used in ``folder``: scenario slug, target, unit and time.

    Every piece comes from data, so each is made a plain name (:func:`_part`), and the
    files it names are checked to lie directly inside ``folder``.
    """
    base = f"{slug(scenario) or 'kich_ban'}_{_part(str(target_id))}_{_part(str(unit))}_{when:%Y%m%d-%H%M%S}"
    if (Path(folder) / f"{base}.png").resolve().parent != Path(folder).resolve():  # pragma: no cover - a guard
        raise ValueError(f"export name {base!r} would leave {folder}")
    stem, k = base, 1
    while any((folder / f"{stem}{ext}").exists() for ext in (".png", ".xlsx")):
        k += 1
        stem = f"{base}_{k}"
    return stem


def lever_lines(levers: Mapping, labels: Mapping[str, str], percent: Mapping[str, bool], lang: str,
                width: int = 150) -> list[str]:
    """The lever values as wrapped lines of ``label: value`` (shares as percentages)."""
    parts = [f"{labels.get(k, k)}: {show_number(float(v), lang, percent=percent.get(k, False))}"
             for k, v in levers.items()]
    return textwrap.wrap("; ".join(parts), width=width)


def write_png(state: ViewState, path: Path, *, scenario: str, lever_text: list[str], synthetic: bool) -> Path:
    """The view's chart with the scenario, levers, verdict and synthetic mark added, written atomically.

    The notes are added to the live figure for the time of the render and removed after,
    so the widget's chart is unchanged.
    """
    fig = state.figure
    lang = state.lang
    added = []
    lines = [f"{text('scenario', lang)}: {scenario}", *lever_text, "",
             *textwrap.wrap(state.verdict, 150), *textwrap.wrap(state.level_text, 150)]
    added.append(fig.text(0.01, -0.02, "\n".join(lines), ha="left", va="top", fontsize=6.5, wrap=False))
    if synthetic:
        added.append(fig.text(0.5, 0.5, text("synthetic_mark", lang), ha="center", va="center", fontsize=34,
                              color="#b00000", alpha=0.15, rotation=20))
        added.append(fig.text(0.99, 0.995, text("synthetic", lang), ha="right", va="top", fontsize=7,
                              color="#b00000"))
    try:
        atomic.write_with(path, lambda p: fig.savefig(p, format="png", bbox_inches="tight", dpi=110,
                                                     metadata={"Software": None}))
    finally:
        for artist in added:
            artist.remove()
    return path


def tables(state: ViewState, labels: Mapping[str, str], percent: Mapping[str, bool]) -> dict[str, pd.DataFrame]:
    """The workbook's sheets (sheet title → table) with headers in the view's language and whole years."""
    lang = state.lang
    chart = state.table.copy()
    chart["series"] = chart["series"].map(lambda s: text(s, lang) if s in ("trend", "scenario") else s)
    if "year" in chart:
        chart["year"] = pd.to_numeric(chart["year"]).round().astype("Int64")
    chart = chart.rename(columns={c: text(k, lang) for c, k in CHART_COLUMNS.items()})
    probs = state.probabilities.copy()
    probs["threshold"] = probs["threshold"] / 100.0  # a share, like the chart's rows
    probs["meets"] = probs["meets"].map(lambda m: "" if m is None or m != m else text("yes" if m else "no", lang))
    if "source" in probs:
        probs["source"] = probs["source"].map(lambda s: text(f"source_{s}", lang) if s in ("engine", "trend") else "")
    # the one probability first; the components (trend alone, engine alone) follow for analysts
    probs = probs.rename(columns={"target": text("target", lang), "threshold": text("threshold", lang),
                                  "p": text("p_headline", lang), "source": text("source", lang),
                                  "p_trend": text("p_trend", lang), "p_scenario": text("p_engine", lang),
                                  "level": text("level_2030", lang, year=config.TARGET_YEAR), "gap": text("gap", lang),
                                  "meets": text("meets", lang)})
    levers = pd.DataFrame({text("sweep_lever", lang): [labels.get(k, k) for k in state.levers],
                           text("lever_value", lang): list(state.levers.values())})  # numbers Excel can use
    return {text("sheet_chart", lang): chart, text("sheet_probabilities", lang): probs,
            text("sheet_levers", lang): levers}


#: Excel's format of a share or a probability: the cell keeps the fraction, Excel shows "90,7%".
PERCENT = "0.0%"


def percent_cells(state: ViewState, sheets: Mapping[str, pd.DataFrame],
                  percent: Mapping[str, bool] | None = None) -> dict[str, dict[str, list[int]]]:
    """Sheet → column header → the rows (0-based, in the frame) holding a share or a probability.

    The probabilities always; the chart's values and the target-year level and gap where the
    target counts a share (not T11's head count, whose values are people); the levers shown as
    percentages on the screen (``percent``: lever → shown as a percentage).
    """
    lang = state.lang
    chart_title, probs_title = text("sheet_chart", lang), text("sheet_probabilities", lang)
    out: dict[str, dict[str, list[int]]] = {}
    chart = sheets.get(chart_title)
    share_view = state.table["threshold"].notna().any() if "threshold" in state.table else False
    if chart is not None and share_view:
        cols = [text(CHART_COLUMNS[c], lang) for c in ("mean", "median", "lo-80", "hi-80", "lo-95", "hi-95",
                                                       "threshold")]
        out[chart_title] = {c: list(range(len(chart))) for c in cols if c in chart}
    probs = sheets.get(probs_title)
    if probs is not None:
        every = list(range(len(probs)))
        shares = [i for i, t in enumerate(state.probabilities["threshold"]) if t == t and t is not None]
        rows_of = {text("threshold", lang): shares, text("p_headline", lang): every, text("p_trend", lang): every,
                   text("p_engine", lang): every, text("level_2030", lang, year=config.TARGET_YEAR): shares,
                   text("gap", lang): shares}
        out[probs_title] = {c: rows for c, rows in rows_of.items() if c in probs}
    levers_title = text("sheet_levers", lang)
    if levers_title in sheets and percent:
        shares = [i for i, k in enumerate(state.levers) if percent.get(k)]
        out[levers_title] = {text("lever_value", lang): shares}
    return out


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path,
               percent: Mapping[str, Mapping[str, list[int]]] | None = None) -> Path:
    """The sheets as one ``.xlsx`` workbook (openpyxl), written atomically; ``percent`` cells shown as percentages."""
    def write(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as writer:
            for title, frame in sheets.items():
                frame.to_excel(writer, sheet_name=title[:31], index=False)
                ws = writer.sheets[title[:31]]
                for column, rows in (percent or {}).get(title, {}).items():
                    j = list(frame.columns).index(column) + 1
                    for i in rows:
                        ws.cell(row=i + 2, column=j).number_format = PERCENT  # row 1 holds the headers

    return atomic.write_with(path, write)


def export_view(state: ViewState, folder: Path, *, scenario: str, labels: Mapping[str, str],
                percent: Mapping[str, bool], synthetic: bool, when: _dt.datetime | None = None) -> dict[str, Path]:
    """Write the view as ``<stem>.png`` and ``<stem>.xlsx`` in ``folder``; return both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = export_stem(scenario, state.target_id, state.unit, folder, when or _dt.datetime.now())
    png = write_png(state, folder / f"{stem}.png", scenario=scenario,
                    lever_text=lever_lines(state.levers, labels, percent, state.lang), synthetic=synthetic)
    sheets = tables(state, labels, percent)
    xlsx = write_xlsx(sheets, folder / f"{stem}.xlsx", percent_cells(state, sheets, percent))
    return {"png": png, "xlsx": xlsx}

