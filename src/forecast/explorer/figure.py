"""The explorer's fan chart: one matplotlib figure updated in place (Agg backend).

May import domain … reports.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib

matplotlib.use("Agg")  # the callback draws headless; the widget shows PNG bytes

import numpy as np  # noqa: E402

from forecast.explorer.levers import nice_ceiling  # noqa: E402
from forecast.reports import fmt, plots  # noqa: E402


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
        from matplotlib.ticker import AutoLocator, FuncFormatter, MaxNLocator

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
        self._locator, self._auto = MaxNLocator, AutoLocator
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
        step = nice_ceiling(max(hi - lo, 1.0) / 4)
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
        handles: list[Any] = [self.history]
        labels = [self._label("history", lang).split(" (")[0]]
        shown_years: list[float] = []
        for k, (name, fc) in enumerate(forecasts):
            if self.bands[k] is not None:
                self.bands[k].remove()
                self.bands[k] = None
            if fc is None:
                self.medians[k].set_data([], [])
                continue
            frame = fc.summary_frame((80,))
            years = frame.index.to_numpy()
            shown_years += [float(y) for y in years]
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
        xs_all = [*(hist["year"] if hist is not None else []), *shown_years, target_year]
        # at least five years wide: an empty view (a target the unit lacks) must not read "2030 2030 … 2031"
        xlim = (min(min(xs_all), target_year - 5) - 0.5, target_year + 0.7)
        ylim = self._limits(ys, kind)
        still = (title, lang, kind, xlim, ylim, target_year, tuple(labels))
        if still != self._still:
            self.year.set_xdata([target_year, target_year])
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
            if (kind, lang) != self._formats:
                if kind == "share":
                    ax.yaxis.set_major_locator(self._auto())  # matplotlib's default: 50%, 60%, …
                    ax.yaxis.set_major_formatter(self._fmt(lambda v, _p: fmt.percent(v, 0, lang)))
                else:  # people: whole ticks only, never "0, 0, 1, 1" on a small count
                    ax.yaxis.set_major_locator(self._locator(integer=True))
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

        canvas: Any = self.fig.canvas  # the Agg canvas (blitting and RGBA buffer)
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

