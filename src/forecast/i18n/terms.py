"""Terms: progress statuses, the status rules, model names and the international progress measures.

Each entry is ``key: (vi, en)``. The status codes are those of
:mod:`forecast.verdict.attainment` and the class codes of :mod:`forecast.verdict.official`;
the English versions of the measures' methods repeat ``forecast.verdict.official.*_VERSION``
word for word (a test keeps them equal, and keeps the Vietnamese figures equal to them).
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- statuses and class codes ----------------------------------------------------------------
    "status.achieved": ("Đã đạt", "Achieved"),
    "status.met": ("Đã đạt", "Met"),
    "status.on_track": ("Đúng tiến độ", "On track"),
    "status.acceleration_needed": ("Cần tăng tốc", "Acceleration needed"),
    "status.off_track": ("Chậm tiến độ", "Off track"),
    "status.insufficient_data": ("Thiếu số liệu", "Insufficient data"),
    "status.regressing": ("Đi lùi", "Regressing"),
    "status.limited": ("Tiến bộ hạn chế", "Limited progress"),
    "status.deterioration": ("Xấu đi", "Deterioration"),
    "status.insufficient": ("Tiến bộ chưa đủ", "Insufficient progress"),
    "status.moving_away": ("Đi xa mục tiêu", "Moving away"),
    "status.substantial": ("Tiến bộ đáng kể", "Substantial progress"),
    "status.fair": ("Tiến bộ vừa phải", "Fair progress"),
    "status.significant_progress": ("Tiến bộ đáng kể", "Significant progress"),
    "status.moderate_progress": ("Tiến bộ vừa phải", "Moderate progress"),
    "status.moderate_movement_away": ("Hơi đi xa mục tiêu", "Moderate movement away"),
    "status.significant_movement_away": ("Đi xa mục tiêu rõ rệt", "Significant movement away"),
    "status.not_applicable": ("Không áp dụng", "Not applicable"),
    "status.unknown": ("Chưa xác định", "Not determined"),
    # --- the status rules (thresholds from forecast.domain.status) -----------------------------------
    "rules.intro": (
        "Xác suất đạt là tỷ lệ các đường mô phỏng có giá trị năm 2030 đạt ngưỡng mục tiêu. Mỗi mục tiêu được "
        "đánh giá theo một quy tắc duy nhất:",
        "The chance of meeting a target is the share of simulated paths whose 2030 value reaches it. Each "
        "target gets one status by one rule:"),
    "rules.achieved": ("{symbol} Đã đạt: giá trị mới nhất đã đạt ngưỡng mục tiêu (theo quy tắc đạt của mục "
                       "tiêu đó).",
                       "{symbol} Achieved: the latest value already meets the target (by the target's meeting "
                       "rule)."),
    "rules.on_track": ("{symbol} Đúng tiến độ: xác suất đạt mục tiêu năm 2030 từ {p} trở lên.",
                       "{symbol} On track: a chance of meeting the 2030 target of {p} or more."),
    "rules.acceleration_needed": (
        "{symbol} Cần tăng tốc: xác suất dưới {p}, nhưng chỉ tiêu đang tăng và tốc độ cần đạt không quá {m} "
        "lần tốc độ bình quân đã đạt.",
        "{symbol} Acceleration needed: a chance below {p}, but the indicator is rising and the pace required is "
        "at most {m} times the average pace observed."),
    "rules.off_track": (
        "{symbol} Chậm tiến độ: xác suất dưới {p}, và chỉ tiêu không tăng hoặc cần tốc độ gấp hơn {m} lần "
        "tốc độ bình quân đã đạt.",
        "{symbol} Off track: a chance below {p}, and the indicator is not rising or needs more than {m} times "
        "the average pace observed."),
    "rules.insufficient_data": ("{symbol} Thiếu số liệu: chưa có dự báo, hoặc có dưới hai năm số liệu.",
                                "{symbol} Insufficient data: no forecast, or fewer than two years of data."),
    "rules.colours": (
        "Màu của đánh giá chọn theo bảng màu Okabe–Ito, phân biệt được với người có tật mù màu; mỗi đánh giá "
        "luôn có thêm ký hiệu và chữ, nên bản in đen trắng vẫn đọc được.",
        "Status colours come from the Okabe–Ito palette, distinguishable with colour-blindness; every status "
        "also carries a symbol and a word, so a black-and-white print still reads."),
    # --- model names ------------------------------------------------------------------------------
    "model.default": ("mô hình mặc định (tổ hợp các mô hình xu hướng, trọng số học từ dự báo quá khứ)",
                      "the default (a combination of trend models weighted by past forecasts)"),
    "model.last_value": ("giữ nguyên giá trị năm cuối", "last value carried forward"),
    "model.straight_line": ("đường thẳng (hồi quy tuyến tính theo năm)", "straight line (linear regression on year)"),
    "model.cagr": ("tăng trưởng kép bình quân (CAGR)", "compound annual growth (CAGR)"),
    "model.logit_linear": ("xu hướng tuyến tính trên thang logit", "linear trend on the logit scale"),
    "model.damped_logit": ("xu hướng tắt dần trên thang logit", "damped trend on the logit scale"),
    "model.local_logit": ("xu hướng logit của 4 năm gần nhất", "logit trend of the last 4 years"),
    "model.pooled_logit": ("xu hướng logit gộp giữa các đơn vị", "logit trend pooled across units"),
    "model.global_boost": ("mô hình toàn cục (cây quyết định tăng cường, học trên mọi chuỗi)",
                           "the global model (gradient-boosted trees learned across series)"),
    "model.theta": ("phương pháp Theta", "the Theta method"),
    "model.ets_damped_logit": ("san bằng mũ có xu hướng tắt dần trên thang logit (ETS)",
                               "exponential smoothing with a damped trend on the logit scale (ETS)"),
    "model.auto_ets": ("mô hình san bằng mũ tự chọn (ETS)", "automatic exponential smoothing (ETS)"),
    "model.stockflow": ("mô hình dòng nhân lực, kịch bản {scenario}", "stock-flow model, scenario {scenario}"),
    # --- the international progress measures --------------------------------------------------------
    "official.escap.name": ("ESCAP — khoảng cách tiến độ dự kiến", "ESCAP — anticipated progress gap"),
    "official.escap.rule": (
        "Giá trị năm 2030 được ngoại suy theo tốc độ tăng trưởng kép bình quân (CAGR) từ năm gốc đến năm mới "
        "nhất; khoảng cách = (mục tiêu − giá trị ngoại suy) / (mục tiêu − giá trị năm gốc). Khoảng cách từ 0 trở "
        "xuống: đúng tiến độ; trên 0 đến 1: cần tăng tốc; trên 1: đi lùi.",
        "The 2030 value is projected at the compound annual growth rate (CAGR) from the base year to the latest "
        "year; gap = (target − projection) / (target − base value). A gap of 0 or less: on track; above 0 up to "
        "1: acceleration needed; above 1: regressing."),
    "official.escap.version": (
        "phương pháp Báo cáo tiến độ các Mục tiêu phát triển bền vững châu Á – Thái Bình Dương của ESCAP (từ "
        "năm 2017), khoảng cách theo cách diễn đạt trong ghi chú kỹ thuật của UNECE 2022–2026; ngoại suy mức "
        "theo CAGR",
        "ESCAP Asia-Pacific SDG Progress Report methodology (2017 onwards), gap as worded in the UNECE technical "
        "notes 2022–2026; level-CAGR projection"),
    "official.unsd.name": ("UNSD — tỷ số tiến độ hiện tại", "UNSD — current progress ratio"),
    "official.unsd.rule": (
        "Tỷ số giữa tốc độ tăng trưởng kép thực tế và tốc độ cần có để đạt mục tiêu. Từ 0,95 trở lên: đúng tiến "
        "độ; 0,50 đến dưới 0,95: cần tăng tốc; −0,10 đến dưới 0,50: tiến bộ hạn chế; dưới −0,10: xấu đi.",
        "The ratio of the actual to the required compound annual growth rate. 0.95 or more: on track; 0.50 to "
        "0.95: acceleration needed; −0.10 to 0.50: limited progress; below −0.10: deterioration."),
    "official.unsd.version": (
        "ghi chú kỹ thuật Biểu đồ tiến độ các Mục tiêu phát triển bền vững 2020–2022 (thế hệ A): ngưỡng "
        "0,95 / 0,50 / −0,10",
        "Progress Chart technical notes 2020–2022 (generation A): cut-offs 0.95 / 0.50 / −0.10"),
    "official.eurostat.name": ("Eurostat — tỷ số tăng trưởng thực tế trên tăng trưởng cần có",
                               "Eurostat — ratio of actual to required growth"),
    "official.eurostat.rule": (
        "Tỷ số giữa tăng trưởng thực tế và tăng trưởng cần có để đạt mục tiêu. Từ 95% trở lên: tiến bộ đáng kể "
        "(đúng tiến độ); 60% đến dưới 95%: tiến bộ vừa phải (cần tăng tốc); 0% đến dưới 60%: tiến bộ chưa đủ; "
        "dưới 0%: đi xa mục tiêu.",
        "The ratio of actual to required growth. 95% or more: significant progress (on track); 60% to 95%: "
        "moderate progress (acceleration needed); 0% to 60%: insufficient progress; below 0%: moving away."),
    "official.eurostat.version": (
        "quy tắc của báo cáo giám sát các Mục tiêu phát triển bền vững của Eurostat cho mục tiêu định lượng, "
        "ngưỡng 95% / 60% / 0%, theo công bố trong phương pháp Open SDG của Cơ quan Thống kê Canada (chưa truy "
        "cập được phụ lục của Eurostat)",
        "Eurostat SDG monitoring report rule for quantified targets, cut-offs 95 % / 60 % / 0 % as published in "
        "Statistics Canada's Open SDG method (Eurostat annex not retrieved)"),
    "official.col_measure": ("Thước đo", "Measure"),
    "official.col_value": ("Giá trị · phân loại", "Value · class"),
}
