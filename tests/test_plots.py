"""The shared figures: they draw what they claim, in the report's number format, and embed safely."""

import base64
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

from forecast.reports import plots
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
    counts = [t for t in _texts(fig) if t.startswith("n=")]
    assert len(counts) == len(series)                    # every history point carries its headcount
    assert counts[0] == f"n=1{thousands}000"
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


def test_status_grid_writes_every_probability():
    rows = pd.DataFrame({"id": ["T01", "T02", "T11"], "p_meet": [0.97, 0.05, float("nan")],
                         "status": ["on track", "off track", "rising"],
                         "required_pace": [0.5, 3.0, None], "observed_pace": [1.0, 1.0, None]})
    fig = plots.status_grid(rows, lang="vi")
    texts = _texts(fig)
    assert any(t.startswith("97%") for t in texts)
    assert any(t.startswith("5%") for t in texts)
    assert any(t.startswith("–") for t in texts)         # unknown probability is written, not coloured only
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["T01", "T02", "T11"]
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


def test_scenario_chart_one_line_per_scenario(series, forecast):
    fig = plots.scenario_chart(series, {"baseline": forecast, "faster": forecast}, threshold=0.95, lang="vi")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "baseline" in labels and "faster" in labels
    matplotlib.pyplot.close(fig)


def test_figure_html_is_an_inline_png_with_escaped_texts(series, forecast):
    fig = plots.fan_chart(series, forecast, threshold=0.95, lang="vi")
    out = plots.figure_html(fig, alt='<script>alert(1)</script> "x"', caption="<b>cap</b>")
    assert "<script>" not in out
    assert "&lt;script&gt;" in out and "&quot;x&quot;" in out and "&lt;b&gt;cap" in out
    data = re.search(r'src="data:image/png;base64,([^"]+)"', out).group(1)
    png = base64.b64decode(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) < 200_000                             # modest dpi keeps pages small
    assert "<figcaption>" in out and 'alt="' in out


def test_png_bytes_are_reproducible(series, forecast):
    a = plots.to_png_base64(plots.fan_chart(series, forecast, threshold=0.95))
    b = plots.to_png_base64(plots.fan_chart(series, forecast, threshold=0.95))
    assert a == b
