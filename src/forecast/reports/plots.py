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
caption: a PNG at twice the display resolution (sharp on paper and on high-density
screens) and, for synthetic data, the mark "Dữ liệu tổng hợp — minh họa" drawn on
the image itself, so a copied chart keeps it. Labels come from the message catalogue
(:mod:`forecast.i18n`, keys ``chart.*``); axis numbers follow the report language
(decimal comma in Vietnamese) through :mod:`forecast.reports.fmt`; no text is smaller
than 8 points.
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

from forecast import i18n  # noqa: E402
from forecast.reports import fmt  # noqa: E402
from forecast.reports.palette import COLOURS, SCENARIO_PALETTE, status_colour, status_symbol  # noqa: E402

PROBABILITY_CMAP = "cividis"
#: Display resolution (CSS pixels per inch of figure size); images are saved at :data:`SCALE` times it.
DPI = 90
SCALE = 2
#: Smallest font size of any chart text, in points.
MIN_FONT = 8

def label(key: str, lang: str, **kw: object) -> str:
    """A chart label in the report language (catalogue key ``chart.<key>``)."""
    return i18n.t(f"chart.{key}", lang, **kw)


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
                        xytext=(8, 0), textcoords="offset points", va="center", fontsize=10,
                        color=COLOURS["forecast"])
    if len(hist):
        sizes = None
        if "denominator" in hist and hist["denominator"].notna().any():
            den = hist["denominator"].fillna(hist["denominator"].median())
            sizes = 20 + 120 * np.sqrt(den / max(den.max(), 1))
        ax.scatter(hist["year"], hist["value"], s=sizes if sizes is not None else 40,
                   color=COLOURS["history"], zorder=6, label=label("history", lang))
        counts = []
        if show_counts and "denominator" in hist:
            for k, (_, r) in enumerate(hist.iterrows()):
                n = r.get("denominator")
                if n is not None and not (isinstance(n, float) and math.isnan(n)):
                    # alternate below / above the points so neighbouring years' labels do not meet
                    dy = -15 if k % 2 == 0 else 11
                    counts.append(ax.annotate(label("n", lang, n=fmt.number(n, 0, lang)), (r["year"], r["value"]),
                                              xytext=(0, dy), textcoords="offset points", ha="center",
                                              va="center", fontsize=MIN_FONT, color="#333333"))
    if threshold is not None:
        ax.axhline(threshold, color=COLOURS["target"], linestyle="--", linewidth=1.5,
                   label=f"{label('target', lang)} {fmt.percent(threshold, 0, lang)}")
    ax.axvline(target_year, color=COLOURS["target"], linestyle=":", linewidth=1)
    if break_year is not None:
        ax.axvline(break_year - 0.5, color=COLOURS["break"], linestyle="-.", linewidth=1,
                   label=f"{label('break', lang)} {break_year}")
    _value_axis(ax, kind, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_year_formatter())
    if kind == "share":
        lo = min([v for v in [*hist["value"], threshold or 1] if v is not None] + [1.0])
        ax.set_ylim(max(0.0, lo - 0.1), 1.02)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("share" if kind == "share" else "count", lang))
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="lower right", fontsize=9, frameon=True)
    fig.tight_layout()
    if len(hist) and show_counts:
        _declutter(fig, counts)  # after the layout: positions are final
    return fig


def _declutter(fig, texts: list) -> None:
    """Hide labels that would overlap an earlier one (the first and the last are kept first)."""
    if len(texts) < 2:
        return
    renderer = fig.canvas.get_renderer()
    order = [texts[-1], texts[0], *texts[1:-1]]  # the latest headcount matters most, then the first
    kept: list = []
    for text in order:
        text.update_positions(renderer)
        box = text.get_window_extent(renderer).expanded(1.08, 1.1)
        if any(box.overlaps(other) for other in kept):
            text.set_visible(False)
        else:
            kept.append(box)


def _step_formatter(axis, lang: str, percent: bool = False) -> FuncFormatter:
    """Tick labels with as many decimals as the tick spacing needs (0; 2,5; 5 — never 2 for 2,5).

    ``percent`` writes shares in [0, 1] as percentages.
    """
    scale = 100.0 if percent else 1.0

    def format_tick(v: float, _pos: int) -> str:
        ticks = [scale * x for x in axis.get_majorticklocs()]
        step = min((abs(b - a) for a, b in zip(ticks, ticks[1:], strict=False) if b != a), default=1.0)
        digits = 0
        while digits < 3 and abs(round(step, digits) - step) > 1e-9 * max(1.0, abs(step)):
            digits += 1
        text = fmt.number(scale * v, digits, lang)
        return f"{text}%" if percent else text
    return FuncFormatter(format_tick)


def _value_axis(ax, kind: str, lang: str) -> None:
    """The value axis: round steps (1, 2, 5 × 10ⁿ) labelled exactly, percentages for shares."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=kind != "share"))
    ax.yaxis.set_major_formatter(_step_formatter(ax.yaxis, lang, percent=kind == "share"))


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
        ax_p.barh(i, 1.0, left=0.1, color=colour, edgecolor="white")
        code = r.get("status")
        # the status as a coloured square with its symbol, then probability and word: never colour alone
        ax_p.barh(i, 0.1, left=0.0, color=status_colour(code), edgecolor="white")
        ax_p.text(0.05, i, status_symbol(code), va="center", ha="center", fontsize=MIN_FONT + 1, color="white",
                  fontweight="bold")
        text = fmt.probability(p, lang)
        if code:
            text = f"{text} · {_status_word(code, lang)}"
        dark = (not missing) and float(p) < 0.55  # cividis is dark at the low end
        ax_p.text(0.14, i, text, va="center", ha="left", fontsize=9, color="white" if dark else "black")
    ax_p.set_xlim(0, 1.1)
    ax_p.set_xticks([])
    ax_p.set_yticks(y, rows["id"])
    ax_p.invert_yaxis()
    ax_p.set_title(label("p_meet", lang), fontsize=10)
    ax_p.tick_params(axis="y", labelsize=9)
    ax_p.grid(False)
    req = pd.to_numeric(rows.get("required_pace"), errors="coerce")
    obs = pd.to_numeric(rows.get("observed_pace"), errors="coerce")
    for i in range(n):
        if not (math.isnan(req[i]) or math.isnan(obs[i])):
            ax_v.plot([obs[i], req[i]], [i, i], color="#bbbbbb", linewidth=2, zorder=1)
    ax_v.scatter(obs, y, color=COLOURS["observed"], marker="o", s=40, label=label("observed", lang), zorder=2)
    ax_v.scatter(req, y, color=COLOURS["required"], marker="D", s=36, label=label("required", lang), zorder=3)
    ax_v.axvline(0, color="#888888", linewidth=0.8)
    ax_v.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax_v.xaxis.set_major_formatter(_step_formatter(ax_v.xaxis, lang))
    ax_v.set_xlabel(label("pace", lang))
    ax_v.legend(loc="lower right", fontsize=9)
    if title:
        fig.suptitle(title, x=0.02, ha="left", fontsize=11, fontweight="bold")
    fig.tight_layout()
    return fig


def _status_word(code: str, lang: str) -> str:
    key = f"status.{code}"
    return i18n.t(key, lang) if i18n.has(key) else str(code).replace("_", " ")


def small_multiples(frame: pd.DataFrame, *, threshold: float | None = None, kind: str = "share",
                    lang: str = "vi", min_cell: int = 5, col_wrap: int = 6, title: str = ""):
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

    fig, ax = plt.subplots(figsize=(1.2 * ncol + 0.2, 0.85 * nrow + 0.5))
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
                    fontsize=MIN_FONT, color="#555555")
        if threshold is not None:
            targets.append(place(c, r, [x0, x1], [threshold, threshold]))
        name = str(unit) if len(str(unit)) <= 15 else str(unit)[:14] + "…"
        ax.text(c + 0.5, r + 0.16, name, ha="center", va="center", fontsize=MIN_FONT)
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
    vf = _value_formatter(kind, lang)
    note = label("panel_scale", lang, years=f"{int(x0)}–{int(x1)}", values=f"{vf(v0, 0)}–{vf(v1, 0)}")
    fig.text(0.01, 0.005, note, fontsize=MIN_FONT, color="#333333", ha="left", va="bottom")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    height = fig.get_figheight()  # keep room for the scale note under the panels, whatever the height
    fig.subplots_adjust(left=0.01, right=0.99, top=1 - (0.4 if title else 0.05) / height, bottom=0.3 / height)
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
                   label=label("history_short", lang))
    last = (float(hist["year"].iloc[-1]), float(hist["value"].iloc[-1])) if len(hist) else None
    for k, (name, fc) in enumerate(projections.items()):
        colour = SCENARIO_PALETTE[k % len(SCENARIO_PALETTE)]
        frame = fc.summary_frame((80,))
        xs, med = list(frame.index.astype(float)), list(frame["median"])
        lo, hi = list(frame["lo-80"]), list(frame["hi-80"])
        if last is not None and last[0] < xs[0]:
            # every projection starts from the last observed point, so lines read as continuations
            xs, med, lo, hi = [last[0], *xs], [last[1], *med], [last[1], *lo], [last[1], *hi]
        ax.fill_between(xs, lo, hi, color=colour, alpha=0.18, linewidth=0)
        ax.plot(xs, med, color=colour, linewidth=2, label=str(name), linestyle=["-", "--", "-.", ":"][k % 4])
    if threshold is not None:
        ax.axhline(threshold, color=COLOURS["target"], linestyle="--", linewidth=1.2,
                   label=f"{label('target', lang)} {fmt.percent(threshold, 0, lang)}")
    ax.axvline(target_year, color=COLOURS["target"], linestyle=":", linewidth=1)
    _value_axis(ax, kind, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_year_formatter())
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel(label("share" if kind == "share" else "count", lang))
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    # long scenario titles go under the chart, where they cannot hide the lines
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(0, -0.18), ncol=1, frameon=False)
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
                    annot_kws={"fontsize": MIN_FONT}, ax=ax)
    ax.set_xlabel(label("year", lang))
    ax.set_ylabel("")
    ax.set_title(title or label("units", lang), loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def mark_synthetic(fig, mark: str) -> None:
    """Draw the synthetic-data mark in the figure's top right corner (part of the image, kept when copied)."""
    fig.text(0.995, 0.995, mark, ha="right", va="top", fontsize=9, fontweight="bold", color=COLOURS["synthetic"],
             bbox={"boxstyle": "round,pad=0.25", "facecolor": "#fff4e5", "edgecolor": COLOURS["synthetic"],
                   "linewidth": 0.8}, zorder=100)


def to_png_base64(fig, dpi: int = DPI * SCALE) -> str:
    """The figure as a base64-encoded PNG (the figure is closed afterwards).

    PNG metadata is cleared so that identical figures give identical bytes.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(fig, alt: str, caption: str, mark: str | None = None) -> str:
    """An inline ``<figure>``: a 2× PNG as a data URI with ``alt`` text and a ``<figcaption>``.

    The image is drawn at :data:`SCALE` times its display size (``width``/``height`` say the
    display size), so print and high-density screens get sharp text. ``mark`` (the
    synthetic-data statement) is drawn on the image and starts the caption and the alt
    text. All texts are escaped, so data-derived names are shown as text, never run.
    """
    if mark:
        mark_synthetic(fig, mark)
        alt, caption = f"{mark}. {alt}", f"{mark}. {caption}"
    width, height = (round(v * DPI) for v in fig.get_size_inches())
    data = to_png_base64(fig, dpi=DPI * SCALE)
    return (f'<figure><img src="data:image/png;base64,{data}" width="{width}" height="{height}" '
            f'alt="{html.escape(alt, quote=True)}"><figcaption>{html.escape(caption)}</figcaption></figure>')
