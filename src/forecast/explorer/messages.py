"""Every phrase the explorer shows, in Vietnamese and English, in one table.

The table has the shape of the project's message catalogue (:mod:`forecast.i18n`):
``"explorer.<key>": (vi, en)`` with ``{placeholders}`` filled by ``str.format``. Moving it
there is one line (list this module among the catalogue's areas); until then
:func:`text` looks keys up here. No phrase is assembled from English fragments.

Imports nothing of ``forecast`` but :mod:`forecast.reports.fmt`.
"""

from __future__ import annotations

from forecast.reports import fmt

PREFIX = "explorer."

MESSAGES: dict[str, tuple[str, str]] = {
    f"{PREFIX}{key}": pair for key, pair in {
        # --- labels of the controls -------------------------------------------------------------
        "trend": ("Xu hướng", "Trend"),
        "scenario": ("Kịch bản", "Scenario"),
        "province": ("Toàn tỉnh", "Whole province"),
        "province_subject": ("toàn tỉnh", "the province"),
        "rising": ("tăng hằng năm", "rising every year"),
        "target": ("Mục tiêu", "Target"),
        "unit": ("Đơn vị", "Unit"),
        "p_required": ("Xác suất yêu cầu", "Probability required"),
        "lang": ("Ngôn ngữ", "Language"),
        "typed": ("Nhập số", "Type a value"),
        "busy": ("⏳ Đang tính…", "⏳ Computing…"),
        "done": ("✓ Cập nhật trong {s} giây", "✓ Updated in {s} s"),
        "effort_button": ("Tính nhu cầu đào tạo", "Compute training needs"),
        "save_button": ("Lưu kịch bản", "Save scenario"),
        "export_button": ("Xuất PNG + Excel", "Export PNG + Excel"),
        "load_button": ("Nạp kịch bản", "Load scenario"),
        "reset_button": ("Về kịch bản gốc", "Reset to baseline"),
        "compare_button": ("So sánh", "Compare"),
        "sweep_button": ("Chạy thử dãy giá trị", "Run the sweep"),
        "apply_button": ("Áp dụng giá trị này", "Apply this value"),
        "name": ("Tên kịch bản", "Scenario name"),
        "saved_list": ("Kịch bản đã lưu", "Saved scenarios"),
        "compare_pick": ("Chọn 2–4 kịch bản", "Pick 2–4 scenarios"),
        "sweep_lever": ("Đòn bẩy", "Lever"),
        "sweep_from": ("Từ", "From"),
        "sweep_to": ("Đến", "To"),
        "sweep_steps": ("Số bước", "Steps"),
        "section_levers": ("Đòn bẩy", "Levers"),
        "section_scenarios": ("Lưu, nạp và so sánh kịch bản", "Save, load and compare scenarios"),
        "section_sweep": ("Thử một đòn bẩy trên dãy giá trị", "One lever over a range of values"),
        "section_guide": ("Hướng dẫn ngắn", "A short guide"),
        "group_training": ("Chỉ tiêu đào tạo, bồi dưỡng mỗi năm", "Training places per year"),
        "group_staffing": ("Tuyển dụng, biên chế, bổ nhiệm", "Hiring, establishment, appointments"),
        "modified": (" (đã chỉnh đòn bẩy)", " (levers changed)"),
        "title": ("Khám phá kịch bản: “nếu … thì sao?”", "Scenario explorer: “what if …?”"),
        "synthetic": ("⚠ Dữ liệu mô phỏng, không phải số liệu thật của tỉnh.",
                      "⚠ Synthetic data, not the province's real figures."),
        "synthetic_mark": ("DỮ LIỆU MÔ PHỎNG", "SYNTHETIC DATA"),
        "guide": (
            "Kéo thanh trượt hoặc gõ số vào ô bên cạnh (ví dụ 60% hoặc 1,5); biểu đồ, mức năm 2030, "
            "khoảng cách tới mục tiêu và xác suất đạt cập nhật ngay. Xác suất đạt là câu trả lời của báo cáo năm: "
            "theo mô hình dòng nhân lực nếu mô hình này qua kiểm định quá khứ cho mục tiêu, nếu không theo xu "
            "hướng; các đòn bẩy được tính là thay đổi so với kịch bản cơ sở. Chỉ tiêu đào tạo là số người mỗi năm của cả "
            "tỉnh; khi chọn một đơn vị, đơn vị nhận phần chỉ tiêu theo tỷ lệ số người của mình. Tỷ lệ tuyển mới có "
            "bằng đại học tính theo ngạch (cán bộ, công chức, viên chức), không theo cấp. Lưu kịch bản để lần chạy "
            "báo cáo hằng năm dùng; nạp lại, so sánh 2–4 kịch bản, hoặc thử một đòn bẩy trên dãy giá trị.",
            "Move a slider or type a value in the box beside it (e.g. 60% or 1.5); the chart, the 2030 level, "
            "the gap to the target and the probability update at once. The probability is the annual reports' "
            "answer: the stock-flow model's where it passes its hindcast for the target, the trend's otherwise; "
            "the levers count as a change from the baseline scenario. Training places are the province's "
            "people a year; a unit receives its headcount share of them. The degree share of recruits is set "
            "per staff category (cadres, civil servants, public employees), not per level. Save a scenario for "
            "the annual run; load it back, compare 2–4 scenarios, or try one lever over a range of values."),
        # --- messages -------------------------------------------------------------------------
        "saved": ("Đã lưu “{name}”: {path}", "Saved “{name}”: {path}"),
        "loaded": ("Đã nạp kịch bản “{name}”.", "Loaded scenario “{name}”."),
        "reset": ("Đã trở về kịch bản gốc “{name}”.", "Back to the starting scenario “{name}”."),
        "exported": ("Đã xuất vào thư mục {folder}: {paths}", "Exported to the folder {folder}: {paths}"),
        "applied": ("Đã áp dụng {lever} = {value}.", "Applied {lever} = {value}."),
        "error": ("Lỗi: {msg}", "Error: {msg}"),
        "exists": ("Đã có kịch bản tên “{name}” ({path}); hãy chọn tên khác.",
                   "A scenario named “{name}” exists ({path}); choose another name."),
        "bad_name": ("Tên kịch bản phải có ít nhất một chữ cái hoặc chữ số (tối đa 64 ký tự).",
                     "A scenario name needs at least one letter or digit (64 characters at most)."),
        "bad_number": ("“{text}” không phải là một số; ví dụ hợp lệ: {example}.",
                       "“{text}” is not a number; a valid example: {example}."),
        "not_whole": ("“{text}” phải là số nguyên (số người); ví dụ hợp lệ: {example}.",
                      "“{text}” must be a whole number (people); a valid example: {example}."),
        "ambiguous_percent": ("“{text}” là {small} hay {large}? Hãy gõ kèm dấu %, ví dụ “{large}”.",
                              "Is “{text}” {small} or {large}? Type it with the % sign, e.g. “{large}”."),
        "out_of_range": ("{value} nằm ngoài khoảng cho phép {lo} – {hi}; giá trị cũ được giữ nguyên.",
                         "{value} is outside the allowed range {lo} – {hi}; the previous value is kept."),
        "pick_2_4": ("Hãy chọn từ 2 đến 4 kịch bản để so sánh.", "Pick between 2 and 4 scenarios to compare."),
        "pick_scenario": ("Hãy chọn một kịch bản đã lưu trong danh sách để nạp.",
                          "Pick a saved scenario in the list to load."),
        "pick_lever": ("Hãy chọn một đòn bẩy để thử trên dãy giá trị.", "Pick a lever to try over a range of values."),
        "unknown_scenario": ("Không tìm thấy kịch bản “{name}”.", "No scenario “{name}”."),
        # --- results --------------------------------------------------------------------------
        "p_trend": ("Xác suất đạt (xu hướng)", "P(meet), trend"),
        "p_scenario": ("Xác suất đạt (kịch bản)", "P(meet), scenario"),
        "p_engine": ("Mô hình dòng nhân lực (riêng)", "Stock-flow model alone"),
        "p_headline": ("Xác suất đạt", "P(meet)"),
        "source": ("Theo", "From"),
        "source_engine": ("mô hình dòng nhân lực", "stock-flow model"),
        "source_trend": ("xu hướng", "trend"),
        "threshold": ("Ngưỡng", "Threshold"),
        "level_2030": ("Mức năm {year} (trung vị)", "{year} level (median)"),
        "gap": ("Khoảng cách tới mục tiêu", "Gap to the target"),
        "meets": ("Đạt yêu cầu?", "Meets requirement?"),
        "yes": ("có", "yes"),
        "no": ("chưa", "not yet"),
        "lever_value": ("Giá trị đòn bẩy", "Lever value"),
        "year": ("Năm", "Year"),
        "series": ("Chuỗi", "Series"),
        "mean": ("Trung bình", "Mean"),
        "median": ("Trung vị", "Median"),
        "lo80": ("Cận dưới 80%", "Lower 80%"),
        "hi80": ("Cận trên 80%", "Upper 80%"),
        "lo95": ("Cận dưới 95%", "Lower 95%"),
        "hi95": ("Cận trên 95%", "Upper 95%"),
        "sheet_chart": ("Biểu đồ", "Chart"),
        "sheet_probabilities": ("Xác suất", "Probabilities"),
        "sheet_levers": ("Đòn bẩy", "Levers"),
        "sure_yes": ("gần như chắc chắn đạt", "almost certain to be met"),
        "sure_no": ("gần như chắc chắn không đạt", "almost certain not to be met"),
        "gap_met": ("cao hơn mục tiêu {pp} điểm phần trăm", "{pp} percentage points above the target"),
        "gap_short": ("còn thiếu {pp} điểm phần trăm so với mục tiêu", "{pp} percentage points short of the target"),
        "no_answer": (
            "Chưa có xác suất đạt mục tiêu {tid} cho {subject}.",
            "No probability of meeting target {tid} for {subject}."),
        "calibrated": (
            "Các đường dự phóng của mô hình dòng nhân lực đã được nới rộng theo sai số kiểm định quá khứ của chính "
            "mô hình, như trong báo cáo năm.",
            "The stock-flow model's paths are widened by the errors of its own hindcast, as in the annual reports."),
        "shifted": (
            "Tác động của các đòn bẩy lấy từ mô hình dòng nhân lực (chênh lệch trung vị so với kịch bản cơ sở) và "
            "được cộng vào các đường xu hướng.",
            "The levers' effect comes from the stock-flow model (its median against the baseline scenario) and is "
            "added to the trend's paths."),
        "against_reference": ("So với kịch bản cơ sở", "Against the baseline scenario"),
        "hindcast_status": (
            "Đang đọc kết quả kiểm định quá khứ của mô hình dòng nhân lực (nếu chưa có, tính lần đầu mất khoảng "
            "20 giây) …",
            "Reading the stock-flow model's hindcast (computed the first time, about 20 seconds) …"),
        "no_trend": (
            "Chưa có xác suất đạt mục tiêu {tid} cho {subject}: trong {n} năm số liệu chỉ có {positive} năm lớn hơn "
            "0, chưa đủ để ước tính xu hướng của một chỉ tiêu đếm số người.",
            "No probability of meeting target {tid} for {subject}: of {n} years of data only {positive} are above "
            "zero, too few to estimate the trend of a head count."),
        "not_applicable": (
            "Mục tiêu {tid} không áp dụng cho {subject}: không có số liệu và không có người thuộc đối tượng.",
            "Target {tid} does not apply to {subject}: no data and nobody in its population."),
        "verdict": (
            "Với các đòn bẩy này, khả năng {subject} đạt mục tiêu {tid} ({thr}) vào năm {year} là {p}: {status}.",
            "With these levers, the probability that {subject} meets target {tid} ({thr}) by {year} is {p}: "
            "{status}."),
        "level_line": ("Mức dự phóng năm {year}: {level} (khoảng 80%: {lo} – {hi}); {gap}.",
                       "Projected {year} level: {level} (80% range: {lo} – {hi}); {gap}."),
        "on_track": ("đạt mức yêu cầu {req}", "at or above the required {req}"),
        "accelerate": ("cần tăng tốc (yêu cầu {req})", "acceleration needed (required {req})"),
        # --- the required effort -----------------------------------------------------------------
        "effort_reachable": (
            "Nhu cầu đào tạo cho {tid} (xác suất yêu cầu {req}): {places}; xác suất đạt {p}.",
            "Training needs for {tid} (required probability {req}): {places}; probability {p}."),
        "effort_already": (
            "{tid} đã đạt xác suất yêu cầu {req} với mức hiện nay; mức thấp nhất vẫn đạt: {places}; "
            "xác suất đạt {p}.",
            "{tid} already reaches the required {req} as set; the lowest level that still does: {places}; "
            "probability {p}."),
        "lever_item": ("{lever} = {value}", "{lever} = {value}"),
        "effort_unreachable": (
            "Không thể đạt {tid} với xác suất {req} chỉ bằng “{lever}”: ngay cả khi mọi người thuộc đối tượng "
            "đều được cử đi học mỗi năm, xác suất đạt chỉ là {p}. Nguyên nhân: số người nghỉ hưu và người mới "
            "tuyển chưa đạt chuẩn giữ tỷ lệ dưới ngưỡng, và khóa học kéo dài nên người học kịp tốt nghiệp trước "
            "{year} có hạn. Cần kết hợp đòn bẩy khác (tuyển người đã đạt chuẩn, giảm người nghỉ) hoặc xem lại "
            "mục tiêu.",
            "{tid} cannot be met with probability {req} through “{lever}” alone: even sending everyone in its "
            "population every year gives a probability of {p}. The reason: retirements and recruits without the "
            "qualification hold the share below the threshold, and courses last long enough that few can "
            "graduate before {year}. Combine other levers (qualified recruits, fewer leavers) or review the "
            "target."),
        "effort_unreachable_trend": (
            "Không thể đạt {tid} với xác suất {req} chỉ bằng “{lever}”: theo quy tắc kết luận của báo cáo, xác suất "
            "đạt mục tiêu này là của mô hình xu hướng (mô hình dòng nhân lực chưa qua kiểm định quá khứ cho mục tiêu "
            "này), và đòn bẩy chỉ dịch các đường xu hướng đúng bằng mức tăng trung vị mà mô hình dòng nhân lực dự "
            "phóng; ngay cả khi mọi người thuộc đối tượng đều được cử đi học mỗi năm, xác suất đạt chỉ là {p}. Cần "
            "kết hợp đòn bẩy khác hoặc xem lại mục tiêu.",
            "{tid} cannot be met with probability {req} through “{lever}” alone: by the reports' rule its "
            "probability is the trend's (the stock-flow model has not passed its hindcast for this target), and "
            "levers only shift the trend's paths by the rise in the stock-flow model's median; even sending everyone "
            "in its population every year gives a probability of {p}. Combine other levers or review the target."),
        "effort_no_answer": ("{why} Vì vậy không tính nhu cầu đào tạo cho mục tiêu này.",
                             "{why} So no training needs are computed for it."),
        "effort_engine_alone": (
            "Riêng mô hình dòng nhân lực (chưa qua kiểm định quá khứ, chỉ để tham khảo) cho rằng cần {places}; "
            "xác suất theo mô hình này {p}.",
            "The stock-flow model alone (not validated by its hindcast, for reference only) would need {places}; "
            "its probability {p}."),
        "precision": ("Xác suất ước tính từ {n} lần mô phỏng: sai số mô phỏng ±{pp} điểm % (một sai số chuẩn). "
                      "Chênh lệch giữa hai giá trị đòn bẩy chính xác hơn: mọi lần tính dùng chung các số ngẫu nhiên.",
                      "Probability estimated from {n} simulations: Monte-Carlo error ±{pp} points (one standard "
                      "error). Differences between two lever values are more precise: every run shares the same "
                      "random numbers."),
        "unit_places": (" (của riêng đơn vị này)", " (for this unit alone)"),
        "effort_busy": (
            "⏳ Đang tính nhu cầu đào tạo cho {tid} với xác suất yêu cầu {req} (khoảng 15 lần chạy mô hình, "
            "mất vài giây)…",
            "⏳ Computing the training needs for {tid} at the required probability {req} (about 15 engine runs, "
            "a few seconds)…"),
        "effort_time": ("Tính trong {s} giây.", "Computed in {s} s."),
        "effort_cost": ("Kinh phí: {per_year} mỗi năm (số chỉ tiêu × đơn giá); {total} giai đoạn {years} (số người "
                        "thực học theo mô phỏng × đơn giá: chỉ tiêu không dùng hết không tính){assumed}.",
                        "Cost: {per_year} a year (places × unit cost); {total} over {years} (the simulated participants "
                        "× unit cost: places left unused are not paid){assumed}."),
        "effort_cost_year": ("Kinh phí: {per_year} mỗi năm{assumed}.", "Cost: {per_year} a year{assumed}."),
        "no_unit_cost": ("Chưa có đơn giá cho: {items}, nên chưa tính kinh phí.",
                         "No unit cost for: {items}, so no cost is computed."),
        # --- the p control (issue 16) -------------------------------------------------------------
        "bad_required": ("Xác suất yêu cầu phải từ {lo} đến {hi}, nhận được “{value}”.",
                         "The required probability must be between {lo} and {hi}, got “{value}”."),
        # --- scenarios compared: places and cost ----------------------------------------------------
        "places_total": ("Tổng chỉ tiêu đào tạo mỗi năm", "Training places a year, all programmes"),
        "cost_per_year": ("Kinh phí mỗi năm (chỉ tiêu × đơn giá)", "Cost a year (places × unit cost)"),
        "cost_period": ("Kinh phí {years}", "Cost {years}"),
        "places_heading": ("Chỉ tiêu đào tạo mỗi năm theo chương trình", "Training places a year by programme"),
        "province_places": (
            "Chỉ tiêu và kinh phí là của toàn tỉnh; đơn vị đang xem nhận phần chỉ tiêu theo tỷ lệ số người.",
            "Places and cost are the province's; the unit in view receives its headcount share of the places."),
        "cost_note": (
            "Kinh phí = số chỉ tiêu mỗi năm × đơn giá một người (data/costs.yml), coi như dùng hết chỉ tiêu; "
            "giai đoạn {years} = {n} năm.",
            "Cost = places a year × the unit cost of a participant (data/costs.yml), with every place used; "
            "{years} = {n} years."),
    }.items()
}


def text(key: str, lang: str, **values: object) -> str:
    """The explorer's phrase ``key`` in ``lang`` (``"vi"`` or ``"en"``), filled with ``values``, in NFC.

    Raises
    ------
    KeyError
        For a key the table lacks (named in the message).
    ValueError
        For a language other than ``vi`` / ``en``.
    """
    index = ("vi", "en").index(fmt.check_lang(lang))
    try:
        pair = MESSAGES[PREFIX + key]
    except KeyError:
        raise KeyError(f"no explorer message {key!r} (forecast.explorer.messages)") from None
    return fmt.nfc(pair[index].format(**values))


def probability(p: float | None, lang: str) -> str:
    """A probability for the explorer: one decimal between 1 % and 99 %, words outside.

    Moving a lever changes a probability of 37,2 % to 38,4 %, which a whole percentage
    would hide; below 1 % and above 99 % a Monte-Carlo estimate is not a figure to
    quote, so the words "gần như chắc chắn không đạt / đạt" are shown instead.
    """
    if p is None or p != p:  # NaN
        return fmt.MISSING
    if p < 0.01:
        return text("sure_no", lang)
    if p > 0.99:
        return text("sure_yes", lang)
    return f"{fmt.number(100 * float(p), 1, lang)}%"


def probability_in_sentence(p: float | None, lang: str) -> str:
    """:func:`probability` inside a sentence ("từ 70,1% xuống < 1%"): bounds, not words, at the ends."""
    if p is not None and p == p and (p < 0.01 or p > 0.99):
        return fmt.probability(p, lang)
    return probability(p, lang)
