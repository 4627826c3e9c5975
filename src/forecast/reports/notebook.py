"""Small helpers the report notebooks call, so that notebooks stay thin (no logic in cells).

Each public function draws one section of a report from the prepared results
(:class:`forecast.reports.pipeline.RunResults`) and displays it as HTML in the report
language: headings, prose, tables (every data-derived string escaped) and figures
(inline PNG with alt text and caption, see :func:`forecast.reports.plots.figure_html`).

Privacy: reports show aggregates only. Any per-unit cell counting fewer than
``min_cell`` people (default 5) is suppressed and the page says so.
"""

from __future__ import annotations

import html
import math

from IPython.display import HTML, display

from forecast import config
from forecast.domain.targets import load_targets
from forecast.reports import fmt, pipeline, plots
from forecast.reports.html import target_summary

_T = {
    "summary_title": {"vi": "Tóm tắt: khả năng đạt các mục tiêu năm 2030",
                      "en": "Summary: how likely the 2030 targets are to be met"},
    "target_title": {"vi": "Mục tiêu {id}: {text}", "en": "Target {id}: {text}"},
    "review_title": {"vi": "Rà soát số liệu đầu vào", "en": "Data review"},
    "scen_title": {"vi": "So sánh các kịch bản", "en": "Scenarios compared"},
    "commune_title": {"vi": "Báo cáo đơn vị: {name} ({code})", "en": "Unit report: {name} ({code})"},
    "targets_title": {"vi": "Các mục tiêu năm 2030 của Kế hoạch 165/KH-UBND",
                      "en": "The 2030 targets of Plan 165/KH-UBND"},
    "col_id": {"vi": "Mã", "en": "Id"},
    "col_target": {"vi": "Mục tiêu", "en": "Target"},
    "col_latest": {"vi": "Hiện nay", "en": "Latest"},
    "col_2030": {"vi": "Dự báo 2030 (khoảng 80%)", "en": "2030 forecast (80% interval)"},
    "col_p": {"vi": "Xác suất đạt", "en": "Chance of meeting"},
    "col_status": {"vi": "Đánh giá", "en": "Status"},
    "col_pace": {"vi": "Tốc độ cần / đã đạt (đ.p./năm)", "en": "Pace required / observed (pp/yr)"},
    "col_take": {"vi": "Cần làm gì", "en": "What it would take"},
    "col_scen": {"vi": "Xác suất theo kịch bản", "en": "Scenario probability"},
    "two_models": {
        "vi": "Hai cột xác suất trả lời hai câu hỏi khác nhau. \"Xác suất đạt\" nối dài tốc độ tăng đã "
              "quan sát được của chỉ tiêu. \"Xác suất theo kịch bản\" mô phỏng đội ngũ theo dòng nhân lực: "
              "nghỉ hưu theo Nghị định 135/2020, tuyển dụng và số chỉ tiêu đào tạo hằng năm của kịch bản, "
              "chia cho mọi người đủ điều kiện theo tỷ lệ. Khi hai con số chênh nhau nhiều, tốc độ đã qua "
              "khó giữ được với nguồn lực của kịch bản (hoặc ngược lại): xem trang kịch bản.",
        "en": "The two probability columns answer different questions. \"Probability\" extends the pace "
              "the indicator has shown. \"Scenario probability\" simulates the workforce flow by flow: "
              "retirements under Decree 135/2020, recruitment and the scenario's yearly training places, "
              "shared among everyone eligible in proportion. Where the two differ widely, the past pace is "
              "unlikely to hold with the scenario's resources (or the reverse): see the scenarios page.",
    },
    "col_year": {"vi": "Năm", "en": "Year"},
    "col_num": {"vi": "Đạt chuẩn", "en": "Meeting"},
    "col_den": {"vi": "Tổng số", "en": "Total"},
    "col_share": {"vi": "Tỷ lệ", "en": "Share"},
    "col_province": {"vi": "Toàn tỉnh", "en": "Province"},
    "col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "rising": {"vi": "tăng hằng năm", "en": "rising every year"},
    "take_met": {"vi": "Giữ tốc độ hiện nay.", "en": "Keep the current pace."},
    "take_slowing": {"vi": "Tốc độ bình quân đủ, nhưng dự báo chậm lại khi gần mức trần: cần giữ nhịp và bù "
                           "phần chậm lại.",
                     "en": "The average pace would do, but the forecast slows near the ceiling: keep the pace "
                           "and make up the slowdown."},
    "take_pace": {"vi": "Tăng {req} (gấp {mult} lần tốc độ hiện nay){people}.",
                  "en": "Raise to {req} ({mult}× the current pace){people}."},
    "take_pace_simple": {"vi": "Cần đạt {req}{people}.", "en": "Needs {req}{people}."},
    "take_people": {"vi": ", khoảng {n} người đạt chuẩn thêm mỗi năm",
                    "en": ", about {n} more people meeting it each year"},
    "take_rising": {"vi": "Số lượng phải tăng mỗi năm đến 2030.", "en": "The count must rise every year to 2030."},
    "headline": {"vi": "Với số liệu đến năm {year}, {n_likely}/{n} mục tiêu có xác suất đạt từ 50% trở lên; "
                       "{n_unlikely} mục tiêu có xác suất dưới 10%.",
                 "en": "With data to {year}, {n_likely} of {n} targets have a 50% or higher chance of being met; "
                       "{n_unlikely} have less than a 10% chance."},
    "grid_caption": {"vi": "Xác suất đạt từng mục tiêu năm 2030 (thang màu cividis, đọc được với người mù màu; "
                           "số ghi trong ô) và tốc độ cần đạt so với tốc độ đã đạt (điểm phần trăm mỗi năm).",
                     "en": "Chance of meeting each 2030 target (cividis scale, readable with colour-blindness; "
                           "the number is written in each cell) and the pace required versus observed "
                           "(percentage points per year)."},
    "grid_alt": {"vi": "Lưới trạng thái các mục tiêu: {items}.", "en": "Status grid of the targets: {items}."},
    "fan_caption": {"vi": "{id}: số liệu các năm (điểm, cỡ theo số người), dự báo trung vị và khoảng 80%/95% "
                          "đến năm {year}; đường đứt đỏ là mục tiêu{brk}.",
                    "en": "{id}: observed values (points sized by headcount), forecast median and 80%/95% "
                          "bands to {year}; the dashed red line is the target{brk}."},
    "fan_break": {"vi": "; đường gạch chấm xám đánh dấu điểm gãy chuỗi năm {y} (chính quyền hai cấp)",
                  "en": "; the grey dash-dot line marks the {y} series break (two-tier local government)"},
    "fan_alt": {"vi": "Biểu đồ quạt {id}: giá trị mới nhất {latest} năm {ly}; dự báo {year} là {med} "
                      "(khoảng 80%: {lo} đến {hi}); mục tiêu {thr}.",
                "en": "Fan chart of {id}: latest value {latest} in {ly}; {year} forecast {med} "
                      "(80% interval {lo} to {hi}); target {thr}."},
    "facts_p": {"vi": "Xác suất đạt mục tiêu năm {year}: {p}.", "en": "Chance of meeting the target in {year}: {p}."},
    "facts_pace": {"vi": "Tốc độ cần đạt: {req}; tốc độ bình quân đã đạt: {obs}.",
                   "en": "Pace required: {req}; average pace observed: {obs}."},
    "facts_label": {"vi": "Đánh giá tiến độ chính thức: {label}.", "en": "Official progress label: {label}."},
    "facts_first": {"vi": "Năm dự kiến đạt (theo trung vị): {y}.", "en": "Year expected to be met (median): {y}."},
    "facts_never": {"vi": "Theo trung vị dự báo, chưa đạt vào năm {y}.",
                    "en": "On the median forecast, not met by {y}."},
    "facts_method": {"vi": "Mô hình: {m}.", "en": "Model: {m}."},
    "facts_scen": {"vi": "Xác suất đạt theo kịch bản {s} (mô hình dòng nhân lực): {p}.",
                   "en": "Chance of meeting under scenario {s} (stock-flow model): {p}."},
    "no_forecast": {"vi": "Chưa đủ số liệu để dự báo mục tiêu này.",
                    "en": "There are not enough data to forecast this target."},
    "history": {"vi": "Số liệu các năm", "en": "Observed values"},
    "notes": {"vi": "Ghi chú", "en": "Notes"},
    "model_notes": {"vi": "Ghi chú kỹ thuật của mô hình (tiếng Anh)", "en": "Technical notes of the models"},
    "privacy": {"vi": "Để bảo vệ thông tin cá nhân, các ô có dưới {n} người được ẩn (ký hiệu “ẩn”), kèm tỷ lệ "
                      "suy ra được từ chúng; báo cáo chỉ nêu số tổng hợp.",
                "en": "To protect personal information, cells counting fewer than {n} people are hidden "
                      "(marked “hidden”), with any share they could be worked out from; reports show "
                      "aggregates only."},
    "hidden": {"vi": "ẩn", "en": "hidden"},
    "coverage": {"vi": "Mức độ đầy đủ: số đơn vị có số liệu theo chỉ tiêu và năm",
                 "en": "Coverage: units reporting each indicator, by year"},
    "coverage_alt": {"vi": "Bảng nhiệt số đơn vị báo cáo của {n} chỉ tiêu trong các năm {y0}–{y1}.",
                     "en": "Heat map of units reporting {n} indicators over {y0}–{y1}."},
    "validation": {"vi": "Kiểm tra số liệu", "en": "Validation"},
    "valid_ok": {"vi": "Số liệu đã qua kiểm tra: {n} tệp đầu vào, không có lỗi chặn.",
                 "en": "The data passed validation: {n} input files, no blocking problem."},
    "valid_warn": {"vi": "Lưu ý khi đọc số liệu:", "en": "Notes from reading the data:"},
    "breaks": {"vi": "Điểm gãy chuỗi số liệu", "en": "Series breaks"},
    "breaks_text": {"vi": "Từ 1/7/2025 không còn cấp huyện; định nghĩa tổng thể của các mục tiêu sau thay đổi từ "
                          "năm {y}: {ids}. Dự báo xử lý điểm gãy này một cách tường minh.",
                    "en": "From 1 July 2025 the district level no longer exists; the population of these targets "
                          "changed definition from {y}: {ids}. The forecasts handle this break explicitly."},
    "multiples": {"vi": "Tỷ lệ {id} theo từng xã, phường", "en": "{id} share by commune and ward"},
    "multiples_alt": {"vi": "Biểu đồ nhỏ cho {n} xã, phường: tỷ lệ {id} qua các năm so với mục tiêu {thr}.",
                      "en": "Small multiples for {n} communes and wards: {id} share over the years against the "
                            "{thr} target."},
    "commune_intro": {"vi": "Tỷ lệ đạt chuẩn của đơn vị năm {year} so với toàn tỉnh và mục tiêu năm 2030.",
                      "en": "The unit's shares in {year} compared with the province and the 2030 target."},
    "commune_none": {"vi": "Đơn vị không có số liệu năm {year}.", "en": "The unit has no data for {year}."},
    "commune_caption": {"vi": "{name}: tỷ lệ {ids} qua các năm (ô dưới {n} người được ẩn).",
                        "en": "{name}: {ids} shares over the years (cells under {n} people hidden)."},
    "scen_table": {"vi": "Xác suất đạt mục tiêu năm 2030 theo kịch bản (mô hình dòng nhân lực)",
                   "en": "Chance of meeting each 2030 target by scenario (stock-flow model)"},
    "scen_none": {"vi": "Không có kịch bản nào được chạy (bộ số liệu không có danh sách nhân sự).",
                  "en": "No scenario was run (the dataset has no staff roster)."},
    "scen_caption": {"vi": "{id}: trung vị và khoảng 80% của dự báo xu hướng và của từng kịch bản (mô hình dòng "
                           "nhân lực); đường đứt đỏ là mục tiêu.",
                     "en": "{id}: median and 80% interval of the trend forecast and of each scenario (stock-flow "
                           "model); the dashed red line is the target."},
    "scen_alt": {"vi": "So sánh kịch bản cho {id}: {items}.", "en": "Scenarios compared for {id}: {items}."},
    "trend": {"vi": "Dự báo xu hướng", "en": "Trend forecast"},
}

#: Progress statuses of :mod:`forecast.verdict.attainment` and class codes of :mod:`forecast.verdict.official`
#: in the report languages (an unknown code is shown as given, underscores as spaces).
STATUS = {
    "achieved": {"vi": "Đã đạt", "en": "Achieved"},
    "met": {"vi": "Đã đạt", "en": "Met"},
    "on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "acceleration_needed": {"vi": "Cần tăng tốc", "en": "Acceleration needed"},
    "off_track": {"vi": "Chậm tiến độ", "en": "Off track"},
    "insufficient_data": {"vi": "Thiếu số liệu", "en": "Insufficient data"},
    "regressing": {"vi": "Đi lùi", "en": "Regressing"},
    "limited": {"vi": "Tiến bộ hạn chế", "en": "Limited progress"},
    "deterioration": {"vi": "Xấu đi", "en": "Deterioration"},
    "insufficient": {"vi": "Tiến bộ chưa đủ", "en": "Insufficient progress"},
    "moving_away": {"vi": "Đi xa mục tiêu", "en": "Moving away"},
    "substantial": {"vi": "Tiến bộ đáng kể", "en": "Substantial progress"},
    "fair": {"vi": "Tiến bộ vừa phải", "en": "Fair progress"},
    "significant_progress": {"vi": "Tiến bộ đáng kể", "en": "Significant progress"},
    "moderate_progress": {"vi": "Tiến bộ vừa phải", "en": "Moderate progress"},
    "moderate_movement_away": {"vi": "Hơi đi xa mục tiêu", "en": "Moderate movement away"},
    "significant_movement_away": {"vi": "Đi xa mục tiêu rõ rệt", "en": "Significant movement away"},
    "not_applicable": {"vi": "Không áp dụng", "en": "Not applicable"},
}
#: Short names of the official rules, in the order reports list them.
OFFICIAL_RULES = (("escap", "ESCAP"), ("unsd", "UNSD"), ("eurostat", "Eurostat"))


def t(key: str, lang: str, **kw) -> str:
    """A report sentence in ``lang`` with ``{placeholders}`` filled (values are not escaped here)."""
    return _T[key][fmt.check_lang(lang)].format(**kw)


def status_label(status, lang: str) -> str:
    """An attainment status in the report language."""
    if status is None:
        return fmt.MISSING
    return STATUS.get(str(status), {}).get(lang, str(status).replace("_", " "))


def esc(x) -> str:
    """Escape any value for HTML text (data-derived strings are never trusted)."""
    return html.escape(fmt.nfc(str(x)))


def setup(lang: str = "vi") -> None:
    """Common notebook setup: quiet warnings, plotting style, language check."""
    import warnings


    fmt.check_lang(lang)
    warnings.filterwarnings("ignore")
    plots.style()


def load(results: str = "", *, data_dir: str = "", as_of: int | None = None, lang: str = "vi"):
    """The run's prepared results: the runner's pickle, or prepared now when run by hand.

    Parameters
    ----------
    results : str
        Path given by ``forecast run``; empty when the notebook is opened interactively,
        in which case the data folder (default: the demo province) is analysed here.
    """
    from pathlib import Path


    if results:
        return pipeline.load_results(Path(results))
    folder = Path(data_dir) if data_dir else config.demo_dir()
    return pipeline.prepare_results(folder, as_of=as_of or None, lang=lang)


def show(html_text: str) -> None:
    """Display safe HTML in the notebook output."""
    display(HTML(fmt.nfc(html_text)))


def title(text: str) -> None:
    """The page heading (``<h1>``, also used as the page title)."""
    show(f"<h1>{esc(text)}</h1>")


def heading(text: str, level: int = 2) -> None:
    """A section heading."""
    show(f"<h{level}>{esc(text)}</h{level}>")


def paragraph(text: str, cls: str = "") -> None:
    """A paragraph of escaped prose."""
    attr = f' class="{esc(cls)}"' if cls else ""
    show(f"<p{attr}>{esc(text)}</p>")


def table_html(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset(),
               cls: str = "") -> str:
    """An escaped HTML table in a scrolling wrapper (phones scroll the table, not the page)."""
    def cell(tag, i, v):
        c = ' class="num"' if i in numeric else ""
        # data-label lets narrow screens show each row as a card with its headings (CSS in report.py)
        lab = f' data-label="{esc(head[i])}"' if tag == "td" and i < len(head) else ""
        return f"<{tag}{c}{lab}>{esc(v)}</{tag}>"
    thead = "<tr>" + "".join(cell("th", i, h) for i, h in enumerate(head)) + "</tr>"
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    klass = f' class="{esc(cls)}"' if cls else ""
    return f'<div class="table-wrap"><table{klass}><thead>{thead}</thead><tbody>{body}</tbody></table></div>'


def _value(v, kind: str, lang: str, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return fmt.MISSING
    return fmt.percent(v, digits, lang) if kind == "share" else fmt.number(v, 0, lang)


def _att(outcome, key, default=None):
    v = (outcome.attainment or {}).get(key, default)
    return default if v is None else v


def _summary_row(outcome) -> dict:

    return target_summary(outcome)


def _people_per_year(outcome, required_pp) -> float | None:
    """Extra people meeting the criterion each year that the required pace means at today's headcount."""
    s = outcome.series
    if required_pp is None or s is None or "denominator" not in s or not len(s.dropna(subset=["denominator"])):
        return None
    den = float(s.dropna(subset=["denominator"]).iloc[-1]["denominator"])
    return required_pp / 100.0 * den


def what_it_takes(outcome, lang: str) -> str:
    """One sentence: the pace (and roughly how many people a year) the target needs from now."""
    if outcome.kind == "count":
        return t("take_rising", lang)
    row = _summary_row(outcome)
    req, obs = row.get("required_pace"), row.get("observed_pace")
    if row.get("status") in ("met", "achieved") or (req is not None and req <= 0):
        return t("take_met", lang)
    if req is None:
        return fmt.MISSING
    n = _people_per_year(outcome, req)
    people = t("take_people", lang, n=fmt.number(n, 0, lang)) if n and n >= 1 else ""
    if obs is not None and obs > 0 and req > obs:
        return t("take_pace", lang, req=fmt.points(req, 1, lang), mult=fmt.number(req / obs, 1, lang),
                 people=people)
    if obs is not None and obs > 0 and req <= obs:
        on_track = row.get("status") in (None, "on_track") or (row.get("p_meet") or 0) >= 0.5
        return t("take_met", lang) if on_track else t("take_slowing", lang)
    return t("take_pace_simple", lang, req=fmt.points(req, 1, lang), people=people)


# ---------------------------------------------------------------------------
# the provincial summary
# ---------------------------------------------------------------------------
def headline(res, lang: str) -> None:
    """The summary's first sentence: how many targets are likely / unlikely to be met."""
    ps = [_summary_row(o).get("p_meet") for o in res.targets]
    known = [p for p in ps if p is not None]
    paragraph(t("headline", lang, year=res.as_of, n=len(res.targets), n_likely=sum(p >= 0.5 for p in known),
                n_unlikely=sum(p < 0.1 for p in known)))


def summary_table(res, lang: str) -> None:
    """The leader's table: every target with status, probability and what it would take."""
    names = [s["name"] for s in res.scenarios]
    baseline = "baseline" if "baseline" in names else (names[0] if names else None)
    head = [t("col_id", lang), t("col_target", lang), t("col_latest", lang), t("col_2030", lang),
            t("col_p", lang), t("col_status", lang), t("col_pace", lang), t("col_take", lang)]
    if baseline:
        head.append(t("col_scen", lang) + f" ({baseline})")
    rows = []
    for o in res.targets:
        r = _summary_row(o)
        latest = _value(r.get("latest_value"), o.kind, lang)
        if r.get("latest_year"):
            latest += f" ({r['latest_year']})"
        y = o.year
        f2030 = _value(r.get(f"median_{y}"), o.kind, lang)
        if r.get(f"lo80_{y}") is not None:
            f2030 += f" ({_value(r[f'lo80_{y}'], o.kind, lang, 0)}–{_value(r[f'hi80_{y}'], o.kind, lang, 0)})"
        pace = (f"{fmt.points(r.get('required_pace'), 1, lang, unit=False)} / "
                f"{fmt.points(r.get('observed_pace'), 1, lang, unit=False)}"
                if o.kind == "share" else t("rising", lang))
        row = [o.id, o.text[lang], latest, f2030, fmt.probability(r.get("p_meet"), lang),
               status_label(r.get("status"), lang), pace, what_it_takes(o, lang)]
        if baseline:
            row.append(fmt.probability((r.get("scenario_p_meet") or {}).get(baseline), lang))
        rows.append(row)
    show(table_html(head, rows, numeric={2, 3, 4}, cls="targets summary"))
    if baseline:
        paragraph(t("two_models", lang), cls="meta")


def status_figure(res, lang: str) -> None:
    """The status grid of all targets (figure with alt text and caption)."""
    import pandas as pd


    rows = []
    for o in res.targets:
        r = _summary_row(o)
        rows.append({"id": o.id, "p_meet": r.get("p_meet") if r.get("p_meet") is not None else float("nan"),
                     "status": status_label(r.get("status"), lang),
                     "required_pace": r.get("required_pace") if o.kind == "share" else None,
                     "observed_pace": r.get("observed_pace") if o.kind == "share" else None})
    frame = pd.DataFrame(rows)
    fig = plots.status_grid(frame, lang=lang)
    items = "; ".join(f"{r['id']} {fmt.probability(r['p_meet'], lang)} {r['status']}" for r in rows)
    show(plots.figure_html(fig, alt=t("grid_alt", lang, items=items), caption=t("grid_caption", lang)))


# ---------------------------------------------------------------------------
# one target
# ---------------------------------------------------------------------------
def target_title(res, target_id: str, lang: str) -> None:
    """The heading of a target's report."""
    o = res.target(target_id)
    title(t("target_title", lang, id=o.id, text=o.text[lang]))


def fan_chart(res, target_id: str, lang: str) -> None:
    """The target's fan chart with caption and alt text."""

    o = res.target(target_id)
    r = _summary_row(o)
    fig = plots.fan_chart(o.series, o.forecast, threshold=o.threshold, target_year=o.year,
                          kind=o.kind, break_year=o.break_year, lang=lang)
    brk = t("fan_break", lang, y=o.break_year) if o.break_year else ""
    y = o.year
    alt = t("fan_alt", lang, id=o.id, latest=_value(r.get("latest_value"), o.kind, lang),
            ly=r.get("latest_year") or fmt.MISSING, year=y, med=_value(r.get(f"median_{y}"), o.kind, lang),
            lo=_value(r.get(f"lo80_{y}"), o.kind, lang), hi=_value(r.get(f"hi80_{y}"), o.kind, lang),
            thr=fmt.percent(o.threshold, 0, lang) if o.threshold is not None else t("rising", lang))
    show(plots.figure_html(fig, alt=alt, caption=t("fan_caption", lang, id=o.id, year=y, brk=brk)))


def target_facts(res, target_id: str, lang: str) -> None:
    """Probability, pace, official label, expected year and scenario probabilities, as a list."""
    o = res.target(target_id)
    if o.forecast is None and not o.attainment:
        paragraph(t("no_forecast", lang))
        return
    r = _summary_row(o)
    items = [t("facts_p", lang, year=o.year, p=fmt.probability(r.get("p_meet"), lang)) + " "
             + esc_status(r.get("status"), lang)]
    if o.kind == "share":
        items.append(t("facts_pace", lang, req=fmt.points(r.get("required_pace"), 1, lang),
                       obs=fmt.points(r.get("observed_pace"), 1, lang)))
        first = r.get("first_year_met")
        if first is None and o.forecast is not None and o.threshold is not None:
            first = o.forecast.first_year_at_least(o.threshold)
        items.append(t("facts_first", lang, y=first) if first else t("facts_never", lang, y=o.year))
    labels = official_labels(o, lang)
    if labels:
        items.append(t("facts_label", lang, label="; ".join(labels)))
    if r.get("method"):
        items.append(t("facts_method", lang, m=r["method"]))
    labels = {s["name"]: scenario_label(s, lang) for s in res.scenarios}
    for name, p in (r.get("scenario_p_meet") or {}).items():
        items.append(t("facts_scen", lang, s=labels.get(name, name), p=fmt.probability(p, lang)))
    items.append(what_it_takes(o, lang))
    show("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def official_labels(outcome, lang: str) -> list[str]:
    """``ESCAP: Cần tăng tốc`` etc., one item per official rule the attainment record carries."""
    att = outcome.attainment or {}
    return [f"{name}: {status_label(att[f'{key}_class'], lang)}" for key, name in OFFICIAL_RULES
            if att.get(f"{key}_class")]


def esc_status(status, lang: str) -> str:
    """``(status)`` text for prose, or empty."""
    return f"({status_label(status, lang)})" if status is not None else ""


def target_history(res, target_id: str, lang: str) -> None:
    """The observed series as a table (counts and shares by year)."""
    o = res.target(target_id)
    heading(t("history", lang))
    s = o.series
    if s is None or not len(s):
        paragraph(t("no_forecast", lang))
        return
    rows = []
    for _, r in s.sort_values("year").iterrows():
        rows.append([str(int(r["year"])), fmt.number(r.get("numerator"), 0, lang),
                     fmt.number(r.get("denominator"), 0, lang), _value(r.get("value"), o.kind, lang)])
    head = [t("col_year", lang), t("col_num", lang), t("col_den", lang),
            t("col_share", lang) if o.kind == "share" else t("col_num", lang)]
    show(table_html(head, rows, numeric={1, 2, 3}))
    notes = o.notes.get(lang)
    if notes:
        heading(t("notes", lang), 3)
        show(f"<ul><li>{esc(notes)}</li></ul>")
    # the models and the attainment rules write their notes in English only
    model_notes = [*(getattr(o.forecast, "notes", []) or []), *((o.attainment or {}).get("notes") or [])]
    if model_notes:
        heading(t("model_notes", lang), 3)
        show('<ul class="meta">' + "".join(f"<li>{esc(n)}</li>" for n in dict.fromkeys(model_notes)) + "</ul>")


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------
def scenario_label(scenario: dict, lang: str) -> str:
    """A scenario's title in the report language (its name when it has none)."""
    label = scenario.get("label")
    if isinstance(label, dict):
        label = label.get(lang) or label.get("en")
    return str(label or scenario["name"])


def scenario_table(res, lang: str) -> None:
    """Probability of meeting each target under each scenario, beside the trend forecast."""
    if not res.scenarios:
        paragraph(t("scen_none", lang))
        return
    heading(t("scen_table", lang))
    names = [s["name"] for s in res.scenarios]
    head = [t("col_id", lang), t("trend", lang), *[scenario_label(s, lang) for s in res.scenarios]]
    rows = []
    for o in res.targets:
        r = _summary_row(o)
        rows.append([o.id, fmt.probability(r.get("p_meet"), lang),
                     *[fmt.probability((o.scenarios.get(n) or {}).get("p_meet"), lang) for n in names]])
    show(table_html(head, rows, numeric=set(range(1, len(head)))))
    for s in res.scenarios:
        if s.get("description"):
            paragraph(f"{scenario_label(s, lang)}: {s['description']}", cls="meta")


def scenario_charts(res, lang: str) -> None:
    """One chart per target comparing the scenarios' projections (targets the engine models)."""

    for o in res.targets:
        labels = {s["name"]: scenario_label(s, lang) for s in res.scenarios}
        projections = {labels.get(n, n): v["forecast"] for n, v in o.scenarios.items()
                       if v.get("forecast") is not None}
        if not projections:
            continue
        if o.forecast is not None:  # the trend forecast first, as the yardstick
            projections = {t("trend", lang): o.forecast, **projections}
        fig = plots.scenario_chart(o.series, projections, threshold=o.threshold, target_year=o.year,
                                   kind=o.kind, lang=lang, title=f"{o.id}")
        items = "; ".join(f"{name} {_value(fc.median.iloc[-1], o.kind, lang)}" for name, fc in projections.items())
        show(plots.figure_html(fig, alt=t("scen_alt", lang, id=o.id, items=items),
                               caption=t("scen_caption", lang, id=o.id)))


# ---------------------------------------------------------------------------
# data review
# ---------------------------------------------------------------------------
def coverage(res, lang: str) -> None:
    """The coverage heat map (units reporting each indicator by year)."""

    heading(t("coverage", lang))
    cov = res.coverage
    fig = plots.coverage_chart(cov, lang=lang, title=" ")
    years = list(cov.columns) or [res.as_of]
    show(plots.figure_html(fig, alt=t("coverage_alt", lang, n=len(cov), y0=min(years), y1=max(years)),
                           caption=t("coverage", lang)))


def validation_summary(res, lang: str) -> None:
    """What validation found: the count of input files, and any non-blocking notes."""
    heading(t("validation", lang))
    n_data = sum(1 for k in res.files if k.startswith("dataset/"))
    paragraph(t("valid_ok", lang, n=n_data))
    if res.warnings:
        paragraph(t("valid_warn", lang))
        show("<ul>" + "".join(f"<li>{esc(w)}</li>" for w in res.warnings[:50]) + "</ul>")


def breaks(res, lang: str) -> None:
    """Which targets have a series break and when."""
    heading(t("breaks", lang))
    by_year: dict[int, list[str]] = {}
    for o in res.targets:
        if o.break_year:
            by_year.setdefault(int(o.break_year), []).append(o.id)
    for y, ids in sorted(by_year.items()):
        paragraph(t("breaks_text", lang, y=y, ids=", ".join(ids)))


def suppression(frame, min_cell: int):
    """Which count cells of a unit table to hide: ``(numerator_hidden, denominator_hidden)`` masks.

    Every count under ``min_cell`` people is hidden; a hidden numerator also hides the
    share (with the total shown, the share would give the numerator back), and a hidden
    total hides the whole row.
    """
    den_hidden = frame["denominator"].notna() & (frame["denominator"] < min_cell)
    num_hidden = den_hidden | (frame["numerator"].notna() & (frame["numerator"] < min_cell))
    return num_hidden, den_hidden


def privacy_note(lang: str, min_cell: int) -> None:
    """The page's statement about suppressed cells."""
    paragraph(t("privacy", lang, n=min_cell), cls="privacy")


def short_unit_name(name: str) -> str:
    """A commune's name without its type word, for small panels (``Xã Thất Khê`` → ``Thất Khê``)."""
    name = str(name)
    for prefix, short in (("Xã ", ""), ("Phường ", "P. "), ("Thị trấn ", "TT. ")):
        if name.startswith(prefix):
            return short + name[len(prefix):]
    return name


def commune_multiples(res, target_id: str, lang: str, min_cell: int = 5) -> None:
    """Small multiples of one commune-level indicator, one panel per commune (small cells hidden)."""

    o = res.target(target_id)
    if o.units is None or not len(o.units):
        return
    heading(t("multiples", lang, id=o.id))
    names = dict(zip(res.communes["unit_code"], res.communes["name"], strict=False))
    data = o.units[o.units["unit_code"].isin(names)].copy()
    data["unit"] = data["unit_code"].map(names).map(short_unit_name)
    fig = plots.small_multiples(data, threshold=o.threshold, kind=o.kind, lang=lang, min_cell=min_cell)
    thr = fmt.percent(o.threshold, 0, lang) if o.threshold is not None else t("rising", lang)
    show(plots.figure_html(fig, alt=t("multiples_alt", lang, n=data["unit"].nunique(), id=o.id, thr=thr),
                           caption=t("multiples", lang, id=o.id) + ". " + t("privacy", lang, n=min_cell)))


# ---------------------------------------------------------------------------
# one commune
# ---------------------------------------------------------------------------
def commune_name(res, unit_code: str) -> str:
    """The unit's name (its code when the registry has none)."""
    match = res.communes.loc[res.communes["unit_code"] == unit_code, "name"]
    return str(match.iloc[0]) if len(match) else str(unit_code)


def commune_title(res, unit_code: str, lang: str) -> None:
    """The heading of a commune's report."""
    title(t("commune_title", lang, name=commune_name(res, unit_code), code=unit_code))


def commune_table(res, unit_code: str, lang: str, min_cell: int = 5) -> None:
    """The commune's shares in the as-of year beside the province and the target (small cells hidden)."""
    paragraph(t("commune_intro", lang, year=res.as_of))
    head = [t("col_id", lang), t("col_num", lang), t("col_den", lang), t("col_share", lang),
            t("col_province", lang), t("col_target", lang)]
    rows = []
    for o in res.targets:
        if o.units is None:
            continue
        now = o.units[(o.units["unit_code"] == unit_code) & (o.units["year"] == res.as_of)]
        if not len(now):
            continue
        num_hidden, den_hidden = suppression(now, min_cell)
        r = now.iloc[0]
        prov = o.series.loc[o.series["year"] == res.as_of, "value"] if len(o.series) else []
        hidden = t("hidden", lang)
        num = hidden if bool(num_hidden.iloc[0]) else fmt.number(r["numerator"], 0, lang)
        share = hidden if bool(num_hidden.iloc[0]) else _value(r["value"], o.kind, lang)
        den = hidden if bool(den_hidden.iloc[0]) else fmt.number(r["denominator"], 0, lang)
        rows.append([o.id, num, den, share,
                     _value(prov.iloc[0] if len(prov) else None, o.kind, lang),
                     fmt.percent(o.threshold, 0, lang) if o.threshold is not None else t("rising", lang)])
    if not rows:
        paragraph(t("commune_none", lang, year=res.as_of))
        return
    show(table_html(head, rows, numeric={1, 2, 3, 4, 5}))


def commune_chart(res, unit_code: str, lang: str, min_cell: int = 5) -> None:
    """The commune's indicators over the years, one small panel each (small cells hidden)."""
    import pandas as pd


    parts = []
    for o in res.targets:
        if o.units is None or o.kind != "share":
            continue
        sub = o.units[o.units["unit_code"] == unit_code]
        if len(sub):
            parts.append(sub.assign(unit=f"{o.id} ({fmt.percent(o.threshold, 0, lang)})"))
    if not parts:
        return
    data = pd.concat(parts, ignore_index=True)
    fig = plots.small_multiples(data, threshold=None, kind="share", lang=lang, min_cell=min_cell, col_wrap=4)
    name = commune_name(res, unit_code)
    ids = ", ".join(dict.fromkeys(u.split(" ")[0] for u in data["unit"]))
    cap = t("commune_caption", lang, name=name, ids=ids, n=min_cell)
    show(plots.figure_html(fig, alt=cap, caption=cap))


# ---------------------------------------------------------------------------
# the plan's targets
# ---------------------------------------------------------------------------
def show_targets_table(lang: str = "vi") -> None:
    """Display the plan's targets T01–T11 as an HTML table (text escaped)."""

    head = ("Mã", "Mục tiêu", "Ngưỡng", "Năm", "Căn cứ") if lang == "vi" else ("Id", "Target", "Threshold", "Year", "Clause")
    rows = []
    for tg in load_targets():
        thr = t("rising", lang) if tg.threshold is None else f"≥ {fmt.number(tg.threshold, 0, lang)}%"
        rows.append([tg.id, tg.text(lang), thr, str(tg.year), tg.clause])
    show(table_html(list(head), rows, cls="targets"))
