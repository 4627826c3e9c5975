"""The summary's "what changed since last year" section (issue 16): the comparison with the
previous as-of year's report set and the main reason of each move
(:mod:`forecast.verdict.yearchange`).

Each entry is ``key: (vi, en)``; ``{names}`` are filled by :func:`forecast.i18n.t`.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "yearchange.heading": ("Những thay đổi so với năm trước", "What changed since last year"),
    "yearchange.none": (
        "Thư mục báo cáo này chưa có bộ báo cáo của năm trước nên chưa có gì để so sánh.",
        "There is no previous report set in this folder to compare with."),
    "yearchange.intro": (
        "So với bộ báo cáo có số liệu đến năm {previous} trong cùng thư mục: {n} mục tiêu thay đổi trạng thái "
        "hoặc có xác suất đạt thay đổi từ {pp} điểm phần trăm trở lên.",
        "Compared with the report set of data as of {previous} in the same folder: {n} targets changed status "
        "or saw their probability of being met move by {pp} percentage points or more."),
    "yearchange.nothing": (
        "So với bộ báo cáo có số liệu đến năm {previous} trong cùng thư mục: không mục tiêu nào thay đổi trạng "
        "thái, và không xác suất đạt nào thay đổi từ {pp} điểm phần trăm trở lên.",
        "Compared with the report set of data as of {previous} in the same folder: no target changed status and "
        "no probability of being met moved by {pp} percentage points or more."),
    "yearchange.col_target": ("Mục tiêu", "Target"),
    "yearchange.col_year": ("Năm {year}", "As of {year}"),
    "yearchange.col_delta": ("Xác suất thay đổi", "Change in probability"),
    "yearchange.col_reason": ("Lý do chính", "Main reason"),
    "yearchange.caption": ("Các mục tiêu thay đổi so với bộ báo cáo năm {previous}",
                           "Targets that moved since the {previous} report set"),
    "yearchange.points": ("{value} điểm phần trăm", "{value} pp"),
    "yearchange.absent": ("(chưa có trong bộ báo cáo)", "(not in that set)"),
    "yearchange.unchanged": ("Các mục tiêu còn lại không thay đổi đáng kể: {ids}.",
                             "The other targets did not move: {ids}."),
    # the workbook's sheet (forecast.reports.xlsx): every target, numbers Excel can compute with
    "export.sheet.changes": ("So với năm trước", "Since last year"),
    "yearchange.col_status": ("Tình trạng năm {year}", "Status as of {year}"),
    "yearchange.col_p": ("Xác suất đạt năm {year}", "Probability as of {year}"),
    "yearchange.col_delta_pp": ("Xác suất thay đổi (điểm phần trăm)", "Change in probability (pp)"),
    "yearchange.col_moved": ("Thay đổi đáng kể", "Moved"),
    "yearchange.yes": ("Có", "Yes"),
    "yearchange.no": ("Không", "No"),
    # the one-page brief (forecast.reports.brief): one sentence
    "yearchange.brief_none": ("Chưa có bộ báo cáo năm trước để so sánh.",
                              "There is no previous report set to compare with."),
    "yearchange.brief_nothing": ("So với bộ báo cáo năm {previous}: không mục tiêu nào thay đổi đáng kể.",
                                 "Since the {previous} report set: no target moved."),
    "yearchange.brief_moved": ("So với bộ báo cáo năm {previous}, {n} mục tiêu thay đổi: {items}.",
                               "Since the {previous} report set, {n} targets moved: {items}."),
    "yearchange.also": ("{main}; ngoài ra: {others}", "{main}; also: {others}"),
    # reasons start in lower case: the first word of a cell is capitalised where it is shown
    "yearchange.reason.definition_change": ("thay đổi định nghĩa chỉ tiêu", "definition changed"),
    "yearchange.reason.reorganisation": ("sắp xếp lại đơn vị hành chính từ 1/7/2025",
                                         "reorganisation of 1 July 2025"),
    "yearchange.reason.method_change": ("thay đổi cách tính", "method changed"),
    "yearchange.reason.new_data": ("số liệu mới", "new data"),
    "yearchange.rule": (
        "Một mục tiêu được xem là thay đổi khi trạng thái thay đổi hoặc xác suất đạt thay đổi từ {pp} điểm "
        "phần trăm trở lên. Lý do chính là lý do đầu tiên đúng theo thứ tự: thay đổi định nghĩa chỉ tiêu (đối "
        "tượng, tiêu chí, ngưỡng, năm mục tiêu hoặc quy tắc xác định đạt); sắp xếp lại đơn vị hành chính từ "
        "1/7/2025 (không còn cấp huyện, 65 xã, phường mới), khi điểm gãy của chuỗi số liệu nằm giữa hai bộ báo "
        "cáo; thay đổi cách tính (kết luận lấy từ mô hình khác); số liệu mới (có thêm năm số liệu hoặc các tệp "
        "số liệu đã thay đổi); nếu không có lý do nào ở trên thì cùng định nghĩa, cùng số liệu mà kết quả khác, "
        "tức là cách tính đã thay đổi.",
        "A target moved when its status changed or its probability of being met moved by {pp} percentage points "
        "or more. The main reason is the first that holds, in this order: the definition changed (population, "
        "criterion, threshold, target year or meeting rule); the reorganisation of 1 July 2025 (no district "
        "level, 65 new communes and wards), when the series break falls between the two sets; the method "
        "changed (the verdict comes from another model); new data (a later year observed, or the data files "
        "changed); if none of these holds, the same definitions and the same data gave another answer, so "
        "the method changed."),
}
