"""The national roll-up page (``national/index.html`` of ``forecast run --provinces``).

Each entry is ``key: (vi, en)``.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "national.title": ("Tổng hợp toàn quốc: tiến độ các mục tiêu năm 2030",
                       "National roll-up: progress towards the 2030 targets"),
    "national.intro": (
        "Trang này tổng hợp báo cáo của {n} tỉnh, thành phố. Tỷ lệ toàn quốc bằng tổng tử số chia tổng mẫu số "
        "của các tỉnh có số liệu năm {year}, không phải trung bình cộng các tỷ lệ.",
        "This page brings together the reports of {n} provinces and cities. Each national share is the sum of "
        "the provinces' numerators over the sum of their denominators for {year}, never an average of shares."),
    "national.synthetic": (
        "Có tỉnh dùng dữ liệu MÔ PHỎNG (tổng hợp), không phải số liệu thật: các con số dưới đây chỉ để trình diễn.",
        "Some provinces use SYNTHETIC data, not real figures: the numbers below are a demonstration only."),
    "national.other_lang": ("Bản tiếng Anh", "Vietnamese version"),
    "national.aggregates": ("Số liệu toàn quốc", "National figures"),
    "national.col.target": ("Chỉ tiêu", "Target"),
    "national.col.threshold": ("Mục tiêu năm 2030", "2030 target"),
    "national.col.numerator": ("Tử số (tổng)", "Numerator (sum)"),
    "national.col.denominator": ("Mẫu số (tổng)", "Denominator (sum)"),
    "national.col.share": ("Tỷ lệ toàn quốc", "National share"),
    "national.col.count": ("Số lượng (tổng)", "Count (sum)"),
    "national.col.provinces": ("Số tỉnh có số liệu", "Provinces reporting"),
    "national.col.met": ("Số tỉnh đã đạt hoặc đúng tiến độ", "Provinces met or on track"),
    "national.by_province": ("Tình trạng từng tỉnh theo chỉ tiêu", "Each province's status per target"),
    "national.by_province_note": (
        "Mỗi ô: tình trạng và xác suất đạt mục tiêu năm 2030.",
        "Each cell: the status and the probability of meeting the 2030 target."),
    "national.col.province": ("Tỉnh, thành phố", "Province"),
    "national.col.run": ("Lần chạy này", "This run"),
    "national.behind": ("Các tỉnh chậm nhất", "Provinces furthest behind"),
    "national.behind_note": (
        "Với mỗi chỉ tiêu, {k} tỉnh có xác suất đạt mục tiêu thấp nhất (cùng xác suất: khoảng cách đến mục tiêu "
        "lớn hơn xếp trước).",
        "For each target, the {k} provinces least likely to meet it (equal probabilities: the larger gap to the "
        "target first)."),
    "national.col.gap": ("Khoảng cách đến mục tiêu (điểm phần trăm)",
                          "Gap to the target (percentage points)"),
    "national.col.p_meet": ("Xác suất đạt", "Probability of meeting"),
    "national.failed": ("Tỉnh chưa cập nhật được trong lần chạy này", "Provinces not updated by this run"),
    "national.failed_note": (
        "Báo cáo trước đó của các tỉnh này (nếu có) được giữ nguyên và vẫn được tính ở trên.",
        "These provinces' previous report sets (if any) are left as they were and still counted above."),
    "national.run.published": ("Đã cập nhật", "Published"),
    "national.run.unchanged": ("Không đổi (số liệu như lần trước)", "Unchanged (same inputs as before)"),
    "national.run.failed": ("Lỗi: giữ báo cáo trước", "Failed: previous report kept"),
    "national.run.failed_none": ("Lỗi: chưa có báo cáo", "Failed: no report yet"),
    "national.report_link": ("Báo cáo của tỉnh", "Province report"),
    "national.none": ("Chưa có", "None"),
}
