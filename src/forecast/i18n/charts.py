"""Chart labels: legends, axes, the synthetic-data mark. Each entry is ``key: (vi, en)``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "chart.history": ("Số liệu (n = số người)", "Observed (n = headcount)"),
    "chart.history_short": ("Số liệu", "Observed"),
    "chart.median": ("Dự báo (trung vị)", "Forecast (median)"),
    "chart.band80": ("Khoảng dự báo 80%", "80% prediction interval"),
    "chart.band95": ("Khoảng dự báo 95%", "95% prediction interval"),
    "chart.target": ("Mục tiêu", "Target"),
    "chart.break": ("Điểm gãy chuỗi", "Series break"),
    "chart.year": ("Năm", "Year"),
    "chart.share": ("Tỷ lệ", "Share"),
    "chart.count": ("Số người", "Headcount"),
    "chart.p_meet": ("Xác suất đạt", "Probability of meeting"),
    "chart.pace": ("Tốc độ (điểm phần trăm mỗi năm)", "Pace (percentage points a year)"),
    "chart.required": ("Cần đạt", "Required"),
    "chart.observed": ("Đã đạt được", "Observed"),
    "chart.units": ("Số đơn vị báo cáo", "Units reporting"),
    "chart.suppressed": ("ẩn (< {n} người)", "hidden (< {n} people)"),
    "chart.no_data": ("không có số liệu", "no data"),
    "chart.n": ("n={n}", "n={n}"),
    "chart.panel_scale": ("Mỗi ô: trục ngang {years}, trục dọc {values}",
                          "Each panel: years {years}, vertical axis {values}"),
    "unit.pp_year": ("điểm phần trăm/năm", "pp/yr"),
    "chart.synthetic": ("Dữ liệu tổng hợp — minh họa", "Synthetic data — illustration"),
}
