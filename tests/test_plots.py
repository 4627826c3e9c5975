"""The shared figures: they draw what they claim, in the report's number format, and embed safely."""

import base64
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from forecast import i18n
from forecast.domain.status import STATUSES
from forecast.reports import palette, plots
from forecast.results import Forecast


@pytest.fixture
def series():
    years = np.arange(2018, 2026)
    den = np.linspace(1000, 1200, len(years))
    value = np.linspace(0.80, 0.91, len(years))
    return pd.DataFrame({"year": years, "numerator": value * den, "denominator": den, "value": value,
                         "break": years == 2025})


@pytest.fixture
def forecast():
    rng = np.random.default_rng(0)
    years = np.arange(2026, 2031)
    draws = 0.91 + 0.015 * (years - 2025) + rng.normal(0, 0.01, size=(300, len(years))).cumsum(axis=1)
    return Forecast(years, np.clip(draws, 0, 1), method="test")


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + \
           [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]


@pytest.mark.parametrize(("lang", "decimal", "thousands", "legend_word"),
                         [("vi", ",", ".", "Mục tiêu"), ("en", ".", ",", "Target")])
def test_fan_chart_labels_follow_the_language(series, forecast, lang, decimal, thousands, legend_word):
    fig = plots.fan_chart(series, forecast, threshold=0.95, break_year=2025, lang=lang)
    ax = fig.axes[0]
    fig.canvas.draw()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(legend_word in t for t in legend)
    assert any("95%" in t for t in legend)               # the target line is labelled with its value
    counts = [t for t in ax.texts if t.get_text().startswith("n=") and t.get_visible()]
    assert len(counts) >= len(series) // 2                 # most history points carry their headcount
    assert counts[0].get_text() == f"n=1{thousands}000"
    median_2030 = [t.get_text() for t in ax.texts if t.get_text().endswith("%")]
    assert len(median_2030) == 1                         # the 2030 marker's value is written
    assert re.fullmatch(r"\d+" + re.escape(decimal) + r"\d%", median_2030[0])
    matplotlib.pyplot.close(fig)


def test_fan_chart_marks_target_year_and_break(series, forecast):
    fig = plots.fan_chart(series, forecast, threshold=0.95, break_year=2025, lang="en")
    ax = fig.axes[0]
    vertical = sorted(round(line.get_xdata()[0], 2) for line in ax.lines
                      if len(set(line.get_xdata())) == 1 and len(line.get_xdata()) == 2)
    assert 2030 in vertical and 2024.5 in vertical       # 2030 marker and the break between 2024 and 2025
    assert len(ax.collections) >= 3                      # two bands + the history points
    matplotlib.pyplot.close(fig)


def test_fan_chart_without_forecast_or_threshold(series):
    fig = plots.fan_chart(series.assign(value=series["numerator"]), None, threshold=None, kind="count", lang="vi")
    assert fig.axes[0].get_legend() is not None
    matplotlib.pyplot.close(fig)


def test_status_grid_writes_every_probability_with_the_status_symbol_and_word():
    rows = pd.DataFrame({"id": ["T01", "T02", "T11"], "p_meet": [0.97, 0.05, float("nan")],
                         "status": ["on_track", "off_track", "insufficient_data"],
                         "required_pace": [0.5, 3.0, None], "observed_pace": [1.0, 1.0, None]})
    fig = plots.status_grid(rows, lang="vi")
    texts = _texts(fig)
    assert "97% · Đúng tiến độ" in texts and "5% · Chậm tiến độ" in texts
    assert any(t.startswith("–") for t in texts)         # unknown probability is written, not coloured only
    assert {"✓", "✖", "?"} <= set(texts)                  # each status also has its symbol
    status_colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in fig.axes[0].patches}
    assert {palette.status_colour(c).lower() for c in rows["status"]} <= status_colours
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["T01", "T02", "T11"]
    matplotlib.pyplot.close(fig)


def test_status_colours_are_distinct_and_carry_distinct_symbols():
    codes = STATUSES
    assert len({palette.status_colour(c) for c in codes}) == len(codes)
    assert len({palette.status_symbol(c) for c in codes}) == len(codes)


@pytest.mark.parametrize("paces", [([0.5, 12.0], [2.5, 7.5]), ([0.1, 0.35], [0.2, 0.3]), ([-3.0, 40.0], [1.0, 25.0])])
def test_pace_axis_labels_say_the_value_of_their_tick(paces):
    req, obs = paces
    rows = pd.DataFrame({"id": ["T01", "T02"], "p_meet": [0.5, 0.5], "status": ["on_track", "on_track"],
                         "required_pace": req, "observed_pace": obs})
    fig = plots.status_grid(rows, lang="en")
    fig.canvas.draw()
    ax = fig.axes[1]
    for tick, lab in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True):
        if ax.get_xlim()[0] <= tick <= ax.get_xlim()[1]:
            assert float(lab.get_text().replace(",", "").replace("−", "-")) == pytest.approx(tick), lab.get_text()
    matplotlib.pyplot.close(fig)


def test_share_axis_labels_say_the_value_of_their_tick(series, forecast):
    fig = plots.fan_chart(series, forecast, threshold=0.95, lang="en")
    fig.canvas.draw()
    ax = fig.axes[0]
    for tick, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True):
        if ax.get_ylim()[0] <= tick <= ax.get_ylim()[1]:
            assert float(lab.get_text().rstrip("%")) == pytest.approx(100 * tick), lab.get_text()
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("n_years", [8, 11, 16])
def test_headcount_labels_do_not_overlap(forecast, n_years):
    years = np.arange(2026 - n_years, 2026)
    den = np.linspace(11000, 12500, n_years)
    frame = pd.DataFrame({"year": years, "numerator": 0.8 * den, "denominator": den,
                          "value": np.linspace(0.80, 0.91, n_years)})
    fig = plots.fan_chart(frame, forecast, threshold=0.95, lang="vi")
    renderer = fig.canvas.get_renderer()
    shown = [t for t in fig.axes[0].texts if t.get_text().startswith("n=") and t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in shown]
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert "n=12.500" in [t.get_text() for t in shown]       # the latest headcount is always written
    matplotlib.pyplot.close(fig)


def test_small_multiples_hides_small_cells():
    from matplotlib.collections import LineCollection

    frame = pd.DataFrame({"unit": ["A", "A", "B", "B"], "year": [2024, 2025, 2024, 2025],
                          "value": [0.5, 0.6, 0.7, 0.9], "denominator": [20, 20, 3, 4]})
    fig = plots.small_multiples(frame, threshold=0.95, lang="en", min_cell=5)
    ax = fig.axes[0]
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    history = lines[-1].get_segments()
    assert len(history) == 1 and len(history[0]) == 2      # only unit A is drawn
    assert [t.get_text() for t in ax.texts].count("no data") == 1
    assert {"A", "B"} <= {t.get_text() for t in ax.texts}   # every panel is named
    matplotlib.pyplot.close(fig)


def test_small_multiples_hides_small_numerators_too():
    from matplotlib.collections import LineCollection

    frame = pd.DataFrame({"unit": ["A", "A"], "year": [2024, 2025], "value": [0.1, 0.5],
                          "numerator": [2, 10], "denominator": [20, 20]})
    fig = plots.small_multiples(frame, lang="vi", min_cell=5)
    history = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)][-1].get_segments()
    assert len(history) == 1 and len(history[0]) == 1        # only 2025 is left for unit A
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("n_units", [1, 8, 65])
def test_small_multiples_lays_out_any_number_of_units(n_units):
    frame = pd.DataFrame({"unit": [f"U{i}" for i in range(n_units) for _ in (0, 1)],
                          "year": [2024, 2025] * n_units, "value": [0.4, 0.5] * n_units})
    fig = plots.small_multiples(frame, threshold=0.9, lang="vi")
    names = {t.get_text() for t in fig.axes[0].texts}
    assert {f"U{i}" for i in range(n_units)} <= names
    matplotlib.pyplot.close(fig)


def test_scenario_chart_one_line_per_scenario_joined_to_the_last_observation(series, forecast):
    fig = plots.scenario_chart(series, {"baseline": forecast, "faster": forecast}, threshold=0.95, lang="vi")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "baseline" in labels and "faster" in labels
    for line in ax.lines:
        if line.get_label() in ("baseline", "faster"):
            assert line.get_xdata()[0] == 2025 and line.get_ydata()[0] == pytest.approx(series["value"].iloc[-1])
    matplotlib.pyplot.close(fig)


def test_figure_html_is_an_inline_2x_png_with_escaped_texts(series, forecast):
    fig = plots.fan_chart(series, forecast, threshold=0.95, lang="vi")
    out = plots.figure_html(fig, alt='<script>alert(1)</script> "x"', caption="<b>cap</b>")
    assert "<script>" not in out
    assert "&lt;script&gt;" in out and "&quot;x&quot;" in out and "&lt;b&gt;cap" in out
    data = re.search(r'src="data:image/png;base64,([^"]+)"', out).group(1)
    png = base64.b64decode(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert f'width="{width // 2}"' in out                     # drawn at twice its display size
    assert len(png) < 300_000
    assert "<figcaption>" in out and 'alt="' in out


@pytest.mark.parametrize(("lang", "mark"), [("vi", "Dữ liệu tổng hợp — minh họa"), ("en", "Synthetic data")])
def test_synthetic_charts_carry_the_mark_on_the_image_and_in_the_caption(series, forecast, lang, mark):
    fig = plots.fan_chart(series, forecast, threshold=0.95, lang=lang)
    out = plots.figure_html(fig, alt="alt", caption="cap", mark=i18n.t("chart.synthetic", lang))
    assert any(t.get_text().startswith(mark) for t in fig.texts)   # drawn on the picture itself
    assert f"<figcaption>{mark}" in out and f'alt="{mark}' in out


def test_no_chart_text_is_smaller_than_the_minimum(series, forecast):
    figs = [plots.fan_chart(series, forecast, threshold=0.95, lang="vi"),
            plots.scenario_chart(series, {"a": forecast}, threshold=0.95, lang="vi"),
            plots.small_multiples(pd.DataFrame({"unit": ["A", "A"], "year": [2024, 2025], "value": [0.4, 0.5]}))]
    for fig in figs:
        sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
        assert min(sizes) >= plots.MIN_FONT
        matplotlib.pyplot.close(fig)


def test_png_bytes_are_reproducible(series, forecast):
    a = plots.to_png_base64(plots.fan_chart(series, forecast, threshold=0.95))
    b = plots.to_png_base64(plots.fan_chart(series, forecast, threshold=0.95))
    assert a == b
