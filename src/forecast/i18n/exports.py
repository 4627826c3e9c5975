"""The Department's exports: ``bao-cao.docx``, ``so-lieu.xlsx``, ``tom-tat.pdf`` and the CSV headers.

Each entry is ``key: (vi, en)``. The report follows the customary structure of a provincial
report on a plan's implementation (``../shared/plan/REPORT_FORMAT.md``); the headings are a
draft for the Department's secretary to edit.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- column headers (summary.csv, so-lieu.xlsx, bao-cao.docx) ------------------------------
    "export.col.id": ("Mã chỉ tiêu", "Target"),
    "export.col.text": ("Chỉ tiêu", "Target text"),
    "export.col.kind": ("Loại chỉ tiêu", "Kind"),
    "export.col.threshold": ("Mục tiêu năm 2030", "2030 target"),
    "export.col.latest_year": ("Năm số liệu mới nhất", "Latest year"),
    "export.col.latest_value": ("Giá trị mới nhất", "Latest value"),
    "export.col.median_2030": ("Dự báo năm 2030 (trung vị)", "2030 forecast (median)"),
    "export.col.lo80_2030": ("Cận dưới khoảng dự báo 80%", "80% interval, lower"),
    "export.col.hi80_2030": ("Cận trên khoảng dự báo 80%", "80% interval, upper"),
    "export.col.p_meet": ("Xác suất đạt", "Probability of meeting"),
    "export.col.status": ("Tình trạng", "Status"),
    "export.col.official_label": ("Mức tiến bộ theo ESCAP", "ESCAP progress class"),
    "export.col.required_pace": ("Tốc độ cần (điểm phần trăm/năm)", "Required pace (pp/yr)"),
    "export.col.observed_pace": ("Tốc độ đã đạt (điểm phần trăm/năm)", "Observed pace (pp/yr)"),
    "export.col.acceleration": ("Số lần cần tăng tốc", "Acceleration multiple"),
    "export.col.first_year_met": ("Năm đầu tiên đạt", "First year met"),
    "export.col.p_meet_scenario": ("Xác suất đạt theo kịch bản cơ sở", "Probability, baseline scenario"),
    "export.col.method": ("Phương pháp dự báo", "Forecast method"),
    "export.col.action": ("Cần làm gì", "What it would take"),
    "export.col.unit_code": ("Mã đơn vị", "Unit code"),
    "export.col.unit": ("Đơn vị", "Unit"),
    "export.col.year": ("Năm", "Year"),
    "export.col.numerator": ("Số người đạt", "People meeting"),
    "export.col.denominator": ("Tổng số người", "People in total"),
    "export.col.share": ("Tỷ lệ", "Share"),
    "export.col.hidden": ("Ẩn (ô nhỏ)", "Hidden (small cell)"),
    "export.col.flag": ("Loại dữ liệu", "Data"),
    "export.kind.share": ("tỷ lệ", "share"),
    "export.kind.count": ("số lượng", "count"),
    # --- so-lieu.xlsx ---------------------------------------------------------------------------
    "export.sheet.targets": ("Chỉ tiêu", "Targets"),
    "export.sheet.units": ("Đơn vị", "Units"),
    "export.sheet.scenarios": ("Kịch bản", "Scenarios"),
    "export.sheet.synthetic_suffix": (" (tổng hợp)", " (synthetic)"),
    "export.synthetic_cell": ("DỮ LIỆU TỔNG HỢP — MINH HỌA, KHÔNG PHẢI SỐ LIỆU THẬT",
                              "SYNTHETIC DATA — FOR ILLUSTRATION, NOT REAL FIGURES"),
    "export.real_cell": ("Số liệu của các cơ quan, đơn vị", "Figures reported by the agencies and units"),
    "export.xlsx_title": ("Số liệu dự báo các mục tiêu năm 2030, số liệu đến năm {year}",
                          "Forecasts of the 2030 targets, data as of {year}"),
    "export.units_note": ("Ô để trống: ẩn vì dưới {n} người hoặc để không suy ra được ô đã ẩn "
                          "(quy tắc nêu trong tài liệu báo cáo).",
                          "Empty cell: hidden because it counts fewer than {n} people, or so that no "
                          "hidden cell can be worked out (the rule is in the report documentation)."),
    "export.scenario": ("Kịch bản", "Scenario"),
    # --- bao-cao.docx ---------------------------------------------------------------------------
    "export.issuer_top": ("UBND TỈNH LẠNG SƠN", "LẠNG SƠN PROVINCIAL PEOPLE'S COMMITTEE"),
    "export.issuer": ("SỞ NỘI VỤ", "DEPARTMENT OF HOME AFFAIRS"),
    "export.motto1": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
    "export.motto2": ("Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
    "export.number": ("Số:       /{symbol}", "No.:       /{symbol}"),
    "export.place_date": ("Lạng Sơn, ngày {d} tháng {m} năm {y}", "Lạng Sơn, {d}/{m}/{y}"),
    "export.doc_type": ("BÁO CÁO", "REPORT"),
    "export.subject": ("Kết quả thực hiện Kế hoạch số 165/KH-UBND về nâng cao chất lượng đội ngũ cán bộ, "
                       "công chức, viên chức; dự báo khả năng đạt các mục tiêu năm 2030 (số liệu đến năm {year})",
                       "Implementation of Plan 165/KH-UBND on the quality of cadres, civil servants and public "
                       "employees; outlook for the 2030 targets (data as of {year})"),
    "export.draft": ("Dự thảo do phần mềm lập từ số liệu; văn phòng hoàn thiện trước khi trình ký.",
                     "Draft generated from the data by the software; to be finished by the office before signing."),
    "export.intro": ("Thực hiện Kế hoạch số 165/KH-UBND, Sở Nội vụ báo cáo kết quả thực hiện các mục tiêu "
                     "đến năm {year} và dự báo khả năng đạt các mục tiêu năm 2030 như sau:",
                     "Under Plan 165/KH-UBND, the Department of Home Affairs reports the results to {year} and "
                     "the outlook for the 2030 targets as follows:"),
    "export.h1": ("KẾT QUẢ THỰC HIỆN", "RESULTS"),
    "export.h1_overview": ("Tổng quan", "Overview"),
    "export.overview": ("Trong {n} mục tiêu: {counts}.", "Of the {n} targets: {counts}."),
    "export.h1_targets": ("Kết quả và dự báo từng mục tiêu", "Results and outlook per target"),
    "export.target_fact": ("Năm {year}: {latest}; mục tiêu năm 2030: {thr}.",
                           "In {year}: {latest}; 2030 target: {thr}."),
    "export.target_forecast": ("Dự báo năm 2030: {median} (khoảng dự báo 80%: {lo} – {hi}); xác suất đạt: {p}; "
                               "tình trạng: {status}.",
                               "2030 forecast: {median} (80% interval {lo} – {hi}); probability of meeting: {p}; "
                               "status: {status}."),
    "export.target_action": ("Cần làm gì: {action}", "What it would take: {action}"),
    "export.h2": ("ĐÁNH GIÁ CHUNG", "OVERALL ASSESSMENT"),
    "export.h2_strengths": ("Ưu điểm", "Strengths"),
    "export.h2_limits": ("Hạn chế", "Limitations"),
    "export.h2_causes": ("Nguyên nhân", "Causes"),
    "export.strengths": ("Các mục tiêu đã đạt hoặc đúng tiến độ: {ids}.", "Targets met or on track: {ids}."),
    "export.limits": ("Các mục tiêu cần tăng tốc hoặc chậm tiến độ: {ids}.",
                      "Targets needing acceleration or off track: {ids}."),
    "export.none": ("không có", "none"),
    "export.causes": ("(Văn phòng bổ sung nguyên nhân khách quan, chủ quan theo báo cáo của các cơ quan, đơn vị.)",
                      "(The office adds the causes from the agencies' and units' reports.)"),
    "export.h3": ("PHƯƠNG HƯỚNG, NHIỆM VỤ", "DIRECTIONS AND TASKS"),
    "export.task": ("{id}: {action}", "{id}: {action}"),
    "export.h4": ("ĐỀ XUẤT, KIẾN NGHỊ", "PROPOSALS"),
    "export.proposal": ("Đề nghị Ủy ban nhân dân tỉnh chỉ đạo các cơ quan, đơn vị ưu tiên các mục tiêu {ids}, "
                        "nơi xác suất đạt dưới 50%.",
                        "The Provincial People's Committee is asked to direct the agencies and units to give "
                        "priority to targets {ids}, whose probability of being met is under 50%."),
    "export.proposal_none": ("Đề nghị Ủy ban nhân dân tỉnh tiếp tục chỉ đạo thực hiện Kế hoạch theo tiến độ.",
                             "The Provincial People's Committee is asked to keep the plan on its course."),
    "export.recipients": ("Nơi nhận:", "Recipients:"),
    "export.recipient_list": ("- Thường trực Tỉnh ủy;|- UBND tỉnh;|- Lưu: Văn thư, Sở Nội vụ.",
                              "- Standing Committee of the Provincial Party Committee;|"
                              "- Provincial People's Committee;|- Archive: Department of Home Affairs."),
    "export.signer": ("GIÁM ĐỐC", "DIRECTOR"),
    "export.annex": ("PHỤ LỤC", "ANNEX"),
    "export.annex1": ("Phụ lục 1. Kết quả và dự báo các mục tiêu", "Annex 1. Results and forecasts of the targets"),
    "export.annex2": ("Phụ lục 2. Số liệu theo đơn vị, năm {year}", "Annex 2. Figures by unit, {year}"),
    "export.method_note": ("Xác suất đạt là tỷ lệ các đường mô phỏng đạt ngưỡng năm 2030; "
                           "khoảng dự báo 80% chứa 80% các đường mô phỏng.",
                           "The probability of meeting is the share of simulated paths reaching the 2030 "
                           "threshold; the 80% interval holds 80% of the simulated paths."),
    # --- tom-tat.pdf ----------------------------------------------------------------------------
    "export.brief_title": ("Tóm tắt: khả năng đạt các mục tiêu năm 2030 của Kế hoạch 165/KH-UBND",
                           "Brief: the outlook for the 2030 targets of Plan 165/KH-UBND"),
    "export.brief_sub": ("Số liệu đến năm {year}. Một dòng cho mỗi mục tiêu.",
                         "Data as of {year}. One line per target."),
}
