"""The shared figures of every report: one visual language, drawn with seaborn/matplotlib.

* :func:`fan_chart` — one target: history as points sized and labelled by their
  headcount, the forecast median with 80 % and 95 % bands, the target line, the
  2030 marker and the 2025 break.
* :func:`status_grid` — all targets: probability of meeting the target on a
  colour-blind-safe scale (cividis, always with the number written in the cell)
  beside required vs observed pace.
* :func:`small_multiples` — one small panel per commune for one indicator.
* :func:`scenario_chart` — scenario projections of one target side by side.
* :func:`coverage_chart` — which indicator was reported for how many units, by year.

Every function returns a :class:`matplotlib.figure.Figure` and never shows it;
:func:`figure_html` turns a figure into an inline ``<figure>`` with alt text and a
caption (PNG, base64, modest dpi so a page stays small). Axis numbers follow the
report language (decimal comma in Vietnamese) through :mod:`forecast.reports.fmt`.
"""

from __future__ import annotations

import base64
import html
import io
import math

import matplotlib

matplotlib.use("Agg")  # reports are rendered headless; never open a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from forecast.reports import fmt  # noqa: E402

#: Colours of the visual language (Okabe–Ito, safe for the common colour-vision deficiencies).
COLOURS = {
    "history": "#000000",
    "forecast": "#0072B2",
    "target": "#D55E00",
    "break": "#7f7f7f",
    "required": "#D55E00",
    "observed": "#0072B2",
}
SCENARIO_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
PROBABILITY_CMAP = "cividis"
DPI = 90

_LABELS = {
    "history": {"vi": "Số liệu (n = số người)", "en": "Observed (n = headcount)"},
    "median": {"vi": "Dự báo (trung vị)", "en": "Forecast (median)"},
    "band80": {"vi": "Khoảng 80%", "en": "80% interval"},
    "band95": {"vi": "Khoảng 95%", "en": "95% interval"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "break": {"vi": "Điểm gãy chuỗi", "en": "Series break"},
    "year": {"vi": "Năm", "en": "Year"},
    "share": {"vi": "Tỷ lệ", "en": "Share"},
    "count": {"vi": "Số người", "en": "Headcount"},
    "p_meet": {"vi": "Xác suất đạt", "en": "Probability of meeting"},
    "pace": {"vi": "Tốc độ (đ.p./năm)", "en": "Pace (pp/yr)"},
    "required": {"vi": "Cần đạt", "en": "Required"},
    "observed": {"vi": "Đã đạt được", "en": "Observed"},
    "units": {"vi": "Số đơn vị báo cáo", "en": "Units reporting"},
    "suppressed": {"vi": "ẩn (< {n} người)", "en": "hidden (< {n} people)"},
    "no_data": {"vi": "không có số liệu", "en": "no data"},
}


def label(key: str, lang: str) -> str:
    """A chart label in the report language."""
    return _LABELS[key][fmt.check_lang(lang)]


def style() -> None:
    """Apply the workbench's seaborn theme (idempotent)."""
    sns.set_theme(context="notebook", style="whitegrid", font="DejaVu Sans",
                  rc={"axes.titleweight": "bold", "figure.dpi": DPI, "savefig.dpi": DPI,
                      "axes.spines.top": False, "axes.spines.right": False})


def _value_formatter(kind: str, lang: str) -> FuncFormatter:
    if kind == "share":
        return FuncFormatter(lambda v, _pos: fmt.percent(v, 0, lang))
    return FuncFormatter(lambda v, _pos: fmt.number(v, 0, lang))


def _year_formatter() -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: f"{int(round(v))}" if abs(v - round(v)) < 1e-6 else "")


def fan_chart(series: pd.DataFrame, forecast=None, *, threshold: float | None = None,
              target_year: int = 2030, kind: str = "share", break_year: int | None = None,
              title: str = "", lang: str = "vi", show_counts: bool = True):
    """Fan chart of one target.

    Parameters
    ----------
    series : DataFrame
        ``year``, ``value`` (share in [0, 1] or count), optional ``denominator``
        (drawn as point size and written beside each point) and ``break``.
    forecast : forecast.results.Forecast, optional
        Draws of the future path; its median and 80/95 % bands are drawn.
    threshold : float, optional
        The target as a share in [0, 1] (``None`` for the direction-only T11).
    target_year : int
        The plan's year, marked by a vertical line and the forecast's interval.
    kind : {"share", "count"}
        Axis format.
    break_year : int, optional
        First year of a new population definition, marked between the two years.
    """
    style()
    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    hist = series.dropna(subset=["value"]).sort_values("year")
    if forecast is not None:
        frame = forecast.summary_frame((80, 95))
        years = frame.index.to_numpy()
        ax.fill_between(years, frame["lo-95"], frame["hi-95"], color=COLOURS["forecast"], alpha=0.15,
                        linewidth=0, label=label("band95", lang))
        ax.fill_between(years, frame["lo-80"], frame["hi-80"], color=COLOURS["forecast"], alpha=0.30,
                        linewidth=0, label=label("band80", lang))
        # join the last observation to the first forecast year so the path reads as one line
        xs, ys = list(years), list(frame["median"])
        if len(hist) and hist["year"].iloc[-1] < years[0]:
            xs, ys = [hist["year"].iloc[-1], *xs], [hist["value"].iloc[-1], *ys]
        ax.plot(xs, ys, color=COLOURS["forecast"], linewidth=2, label=label("median", lang))
        if target_year in set(years):
            row = frame.loc[target_year]
            ax.errorbar([target_year], [row["median"]], yerr=[[row["median"] - row["lo-80"]],
                        [row["hi-80"] - row["median"]]], fmt="D", color=COLOURS["forecast"],
                        markersize=7, capsize=4, zorder=5)
            ax.annotate(_fmt_value(row["median"], kind, lang), (target_year, row["median"]),
                        xytext=(8, 0), textcoords="offset points", va="center", fontsize=9,
                        color=COLOURS["forecast"])
    if len(hist):
        sizes = None
        if "denominator" in hist and hist["denominator"].notna().any():
            den = hist["denominator"].fillna(hist["denominator"].median())
            sizes = 20 + 120 * np.sqrt(den / max(den.max(), 1))
        ax.scatter(hist["year"], hist["value"], s=sizes if sizes is not None else 40,
                   color=COLOURS["history"], zorder=6, label=label("history", lang))
        if show_counts and "denominator" in hist:
            for _, r in hist.iterrows():
                n = r.get("denominator")
                if n is not None and not (isinstance(n, float) and math.isnan(n)):
                    ax.annotate(f"n={fmt.number(n, 0, lang)}", (r["year"], r["value"]), xytext=(0, -14),
                                textcoords="offset points", ha="center", fontsize=7, color="#444444")
    if threshold is not None:
        ax.axhline(threshold, color=COLOURS["target"], linestyle="--", linewidth=1.5,
                   label=f"{label('target', lang)} {fmt.percent(threshold, 0, lang)}")
    ax.axvline(target_year, color=COLOURS["target"], linestyle=":", linewidth=1)
    if break_year is not None:
        ax.axvline(break_year - 0.5, color=COLOURS["break"], linestyle="-.", linewidth=1,
                   label=f"{label('break', lang)} {break_year}")
    ax.yaxis.set_major_formatter(_value_formatter(kind, lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_year_formatter())
    if kind == "share":
        lo = min([v for v in [*hist["value"], threshold or 1] if v is not None] + [1.0])
        ax.set_ylim(max(0.0, lo - 0.1), 1.02)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("share" if kind == "share" else "count", lang))
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def _fmt_value(v, kind: str, lang: str) -> str:
    return fmt.percent(v, 1, lang) if kind == "share" else fmt.number(v, 0, lang)


def status_grid(rows: pd.DataFrame, *, lang: str = "vi", title: str = ""):
    """All targets at a glance: probability of meeting each, and required vs observed pace.

    Parameters
    ----------
    rows : DataFrame
        One row per target: ``id``, ``p_meet`` (0–1 or NaN), ``status`` (a short
        label written in the cell), ``required_pace`` and ``observed_pace`` (pp/year,
        NaN where not applicable, e.g. T11).
    """
    style()
    rows = rows.reset_index(drop=True)
    n = len(rows)
    fig, (ax_p, ax_v) = plt.subplots(1, 2, figsize=(7.2, 0.42 * n + 1.3), sharey=True,
                                     gridspec_kw={"width_ratios": [1.1, 1.4]})
    cmap = plt.get_cmap(PROBABILITY_CMAP)
    y = np.arange(n)
    for i, r in rows.iterrows():
        p = r.get("p_meet")
        missing = p is None or (isinstance(p, float) and math.isnan(p))
        colour = "#eeeeee" if missing else cmap(float(p))
        ax_p.barh(i, 1.0, color=colour, edgecolor="white")
        text = fmt.probability(p, lang)
        if r.get("status"):
            text = f"{text} · {r['status']}"
        dark = (not missing) and float(p) < 0.55  # cividis is dark at the low end
        ax_p.text(0.04, i, text, va="center", ha="left", fontsize=8.5, color="white" if dark else "black")
    ax_p.set_xlim(0, 1)
    ax_p.set_xticks([])
    ax_p.set_yticks(y, rows["id"])
    ax_p.invert_yaxis()
    ax_p.set_title(label("p_meet", lang), fontsize=10)
    ax_p.grid(False)
    req = pd.to_numeric(rows.get("required_pace"), errors="coerce")
    obs = pd.to_numeric(rows.get("observed_pace"), errors="coerce")
    for i in range(n):
        if not (math.isnan(req[i]) or math.isnan(obs[i])):
            ax_v.plot([obs[i], req[i]], [i, i], color="#bbbbbb", linewidth=2, zorder=1)
    ax_v.scatter(obs, y, color=COLOURS["observed"], marker="o", s=40, label=label("observed", lang), zorder=2)
    ax_v.scatter(req, y, color=COLOURS["required"], marker="D", s=36, label=label("required", lang), zorder=3)
    ax_v.axvline(0, color="#888888", linewidth=0.8)
    ax_v.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.number(v, 0, lang)))
    ax_v.set_xlabel(label("pace", lang))
    ax_v.legend(loc="lower right", fontsize=8)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=11, fontweight="bold")
    fig.tight_layout()
    return fig


def small_multiples(frame: pd.DataFrame, *, threshold: float | None = None, kind: str = "share",
                    lang: str = "vi", min_cell: int = 5, col_wrap: int = 8, title: str = ""):
    """One small panel per unit (commune) for one indicator, all on the same scales.

    The panels are drawn as a trellis inside a single axes (one line collection for
    every unit) rather than as dozens of matplotlib axes: 65 communes then cost about
    as much as one chart, which keeps the annual run close to its floor.

    Parameters
    ----------
    frame : DataFrame
        ``unit``, ``year``, ``value`` and optional ``numerator``/``denominator``. Points
        whose numerator or denominator counts fewer than ``min_cell`` people are not
        drawn (privacy); a panel with nothing left says "no data".
    threshold : float, optional
        Drawn as a dashed line in every panel.
    """
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.patches import Rectangle

    style()
    data = frame.copy()
    for col in ("denominator", "numerator"):  # a share over a known total would give a small count back
        if col in data:
            data.loc[data[col].notna() & (data[col] < min_cell), "value"] = np.nan
    units = list(dict.fromkeys(data["unit"]))
    ncol = max(1, min(col_wrap, len(units)))
    nrow = max(1, math.ceil(len(units) / ncol))
    shown = data.dropna(subset=["value"])
    years = sorted(data["year"].unique()) if len(data) else [0]
    x0, x1 = float(years[0]), float(max(years[-1], years[0] + 1))
    if kind == "share":
        v0, v1 = 0.0, 1.0
    else:
        v0, v1 = 0.0, float(max(shown["value"].max(), 1.0)) if len(shown) else 1.0
    # each panel is the unit square [c, c+1] × [r, r+1] (rows downwards); the plot box inside it
    bx0, bx1, by_top, by_bottom = 0.08, 0.92, 0.30, 0.92

    def place(c, r, years_, values):
        xs = c + bx0 + (np.asarray(years_, float) - x0) / (x1 - x0) * (bx1 - bx0)
        ys = r + by_bottom - (np.asarray(values, float) - v0) / (v1 - v0) * (by_bottom - by_top)
        return np.column_stack([xs, ys])

    fig, ax = plt.subplots(figsize=(0.95 * ncol + 0.3, 0.8 * nrow + 0.5))
    boxes, segments, targets, dots = [], [], [], []
    for k, unit in enumerate(units):
        c, r = k % ncol, k // ncol
        boxes.append(Rectangle((c + bx0, r + by_top), bx1 - bx0, by_bottom - by_top))
        sub = shown[shown["unit"] == unit].sort_values("year")
        if len(sub):
            pts = place(c, r, sub["year"], sub["value"])
            segments.append(pts)
            dots.append(pts[-1])
        else:
            ax.text(c + 0.5, r + (by_top + by_bottom) / 2, label("no_data", lang), ha="center", va="center",
                    fontsize=5.5, color="#777777")
        if threshold is not None:
            targets.append(place(c, r, [x0, x1], [threshold, threshold]))
        name = str(unit) if len(str(unit)) <= 16 else str(unit)[:15] + "…"
        ax.text(c + 0.5, r + 0.2, name, ha="center", va="center", fontsize=6.2)
    ax.add_collection(PatchCollection(boxes, facecolor="#f7f7f7", edgecolor="#cccccc", linewidth=0.5))
    if targets:
        ax.add_collection(LineCollection(targets, colors=COLOURS["target"], linewidths=0.7, linestyles="--"))
    ax.add_collection(LineCollection(segments, colors=COLOURS["forecast"], linewidths=1.1))
    if dots:
        d = np.asarray(dots)
        ax.scatter(d[:, 0], d[:, 1], s=4, color=COLOURS["forecast"], zorder=3)
    ax.set_xlim(0, ncol)
    ax.set_ylim(nrow, 0)
    ax.set_axis_off()
    scale = (f"{int(x0)}–{int(x1)}; {_value_formatter(kind, lang)(v0, 0)}–{_value_formatter(kind, lang)(v1, 0)}")
    note = {"vi": f"Mỗi ô: trục ngang {scale.split(';')[0]}, trục dọc{scale.split(';')[1]}",
            "en": f"Each panel: years {scale.split(';')[0]}, vertical axis{scale.split(';')[1]}"}[lang]
    fig.text(0.01, 0.005, note, fontsize=7, color="#444444", ha="left", va="bottom")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93 if title else 0.99, bottom=0.04)
    return fig


def scenario_chart(series: pd.DataFrame, projections: dict, *, threshold: float | None = None,
                   target_year: int = 2030, kind: str = "share", lang: str = "vi", title: str = ""):
    """Scenario projections of one target: median and 80 % band per scenario over the history.

    Parameters
    ----------
    projections : dict
        Scenario label → :class:`forecast.results.Forecast`.
    """
    style()
    fig, ax = plt.subplots(figsize=(7.2, 3.0 + 0.22 * (len(projections) + 2)))
    hist = series.dropna(subset=["value"]).sort_values("year")
    if len(hist):
        ax.scatter(hist["year"], hist["value"], color=COLOURS["history"], s=25, zorder=5,
                   label=label("history", lang).split(" (")[0])
    for k, (name, fc) in enumerate(projections.items()):
        colour = SCENARIO_PALETTE[k % len(SCENARIO_PALETTE)]
        frame = fc.summary_frame((80,))
        ax.fill_between(frame.index, frame["lo-80"], frame["hi-80"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(frame.index, frame["median"], color=colour, linewidth=2, label=str(name),
                linestyle=["-", "--", "-.", ":"][k % 4])
    if threshold is not None:
        ax.axhline(threshold, color=COLOURS["target"], linestyle="--", linewidth=1.2,
                   label=f"{label('target', lang)} {fmt.percent(threshold, 0, lang)}")
    ax.axvline(target_year, color=COLOURS["target"], linestyle=":", linewidth=1)
    ax.yaxis.set_major_formatter(_value_formatter(kind, lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_year_formatter())
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("share" if kind == "share" else "count", lang))
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    # long scenario titles go under the chart, where they cannot hide the lines
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(0, -0.18), ncol=1, frameon=False)
    fig.tight_layout()
    return fig


def coverage_chart(coverage: pd.DataFrame, *, lang: str = "vi", title: str = ""):
    """Heat map of how many units reported each indicator in each year.

    Parameters
    ----------
    coverage : DataFrame
        Indicators as rows, years as columns, unit counts as values.
    """
    style()
    fig, ax = plt.subplots(figsize=(7.2, 0.32 * max(len(coverage), 1) + 1.4))
    if coverage.size:
        sns.heatmap(coverage, annot=True, fmt=".0f", cmap="cividis", cbar=False, linewidths=0.5,
                    annot_kws={"fontsize": 7}, ax=ax)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel("")
    ax.set_title(title or label("units", lang), loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def to_png_base64(fig, dpi: int = DPI) -> str:
    """The figure as a base64-encoded PNG (the figure is closed afterwards).

    PNG metadata is cleared so that identical figures give identical bytes.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(fig, alt: str, caption: str, dpi: int = DPI) -> str:
    """An inline ``<figure>``: the PNG as a data URI with ``alt`` text and a ``<figcaption>``.

    Both texts are escaped, so data-derived names are shown as text, never run.
    """
    data = to_png_base64(fig, dpi=dpi)
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")
