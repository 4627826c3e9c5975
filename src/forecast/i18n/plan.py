"""The costed training plan on the report pages (issue 16): summary section, target effort lines,
T09's parts, T11 by key field, and each unit's outlook and allocated places.

Each entry is ``key: (vi, en)``; ``{names}`` are filled by :func:`forecast.i18n.t`. Programme
names follow the terms of Decree 101/2017/NĐ-CP on training cadres, civil servants and public
employees (and its amendments); field names follow the plan's key fields.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the summary's plan section ----------------------------------------------------------------
    "plan.heading": ("Kế hoạch đào tạo, bồi dưỡng 2026–2030 và kinh phí",
                     "Training plan 2026–2030 and its cost"),
    "plan.intro_cost": (
        "Kế hoạch có kinh phí thấp nhất để mọi mục tiêu có thể đạt được đều đạt với xác suất từ {p} trở lên "
        "vào năm 2030: số chỉ tiêu mỗi năm của từng chương trình, tìm bằng quy hoạch tuyến tính nguyên trên "
        "phản ứng của mô hình dòng nhân lực (đã tính người nghỉ hưu theo Nghị định 135/2020/NĐ-CP, người "
        "nghỉ việc và trình độ của người được tuyển mới), rồi mô phỏng lại để kiểm chứng: {verified}.",
        "The least-cost plan meeting every reachable target with probability {p} or more in 2030: places a "
        "year in each programme, found by integer linear programming on the stock-flow engine's response "
        "(net of retirements under Decree 135/2020, other exits and the qualifications recruits bring), "
        "then simulated again to check it: {verified}."),
    "plan.intro_budget": (
        "Kế hoạch đạt nhiều mục tiêu nhất (xác suất từ {p} trở lên năm 2030) trong kinh phí {budget}, "
        "kiểm chứng bằng mô phỏng: {verified}.",
        "The plan meeting the most targets (probability {p} or more in 2030) within a budget of {budget}, "
        "checked by simulation: {verified}."),
    "plan.verified_yes": ("mô phỏng xác nhận mọi mục tiêu có thể đạt", "the simulation confirms every reachable target"),
    "plan.verified_no": ("mô phỏng CHƯA xác nhận được mọi mục tiêu", "the simulation does NOT confirm every target"),
    "plan.cost_total": ("Tổng kinh phí 2026–2030: {total} (bình quân {per_year} mỗi năm).",
                        "Total cost 2026–2030: {total} (on average {per_year} a year)."),
    "plan.assumption_note": (
        "Đơn giá ghi GIẢ ĐỊNH là giả định của công cụ (số ngày học × {per_day} mỗi ngày học của một người), "
        "không phải mức do văn bản quy định; cần thay bằng đơn giá của tỉnh khi có.",
        "Unit costs marked ASSUMPTION are this workbench's assumptions (days of study × {per_day} a "
        "participant-day), not amounts set by an act; replace them with the province's own when known."),
    "plan.probabilities": ("Xác suất đạt năm 2030 theo mô phỏng kế hoạch: {items}.",
                           "Simulated probability of meeting each target in 2030 under the plan: {items}."),
    "plan.spread_note": (
        "Các xác suất này lấy từ mô hình dòng nhân lực, đã nới độ phân tán theo sai số kiểm định dự báo quá khứ "
        "của chính mô hình (như các kịch bản ở trên). Với chỉ tiêu mà kết luận đánh giá dựa vào xu hướng (mô hình "
        "chưa qua kiểm định quá khứ cho chỉ tiêu đó), hai xác suất có thể khác nhau; quy tắc kết luận ghi ở trên.",
        "These probabilities come from the stock-flow engine, with the extra spread its own hindcast errors call "
        "for (as the scenarios above). Where the assessment's verdict rests on the trend (the engine's hindcast "
        "did not pass for that target), the two probabilities can differ; the verdict rule is stated above."),
    "plan.unreachable": (
        "{id}: không kế hoạch đào tạo nào đạt được — ngay cả khi mọi chương trình có {places} chỉ tiêu mỗi "
        "năm, xác suất chỉ {p}.",
        "{id}: no training plan reaches it — even with {places} places a year in every programme the "
        "probability is only {p}."),
    "plan.idle": ("Không bố trí chỉ tiêu cho: {items} (không giúp đạt thêm mục tiêu nào với kinh phí thấp nhất).",
                  "No places for: {items} (they help meet no further target at the least cost)."),
    "plan.none": ("Lần chạy này chưa lập kế hoạch đào tạo (bộ số liệu không có danh sách cán bộ, công chức, "
                  "viên chức).",
                  "This run has no training plan (the dataset has no staff roster)."),
    "plan.places_caption": ("Chỉ tiêu đào tạo, bồi dưỡng mỗi năm theo chương trình",
                            "Training places a year by programme"),
    "plan.cost_caption": ("Kinh phí theo năm (số người dự kiến theo học × đơn giá)",
                          "Cost by year (simulated participants × unit cost)"),
    "plan.col_programme": ("Chương trình", "Programme"),
    "plan.col_unit_cost": ("Đơn giá (đồng/người)", "Unit cost (VND a participant)"),
    "plan.col_cost_total": ("Kinh phí 2026–2030", "Cost 2026–2030"),
    "plan.col_basis": ("Căn cứ đơn giá", "Unit cost basis"),
    "plan.col_year": ("Năm", "Year"),
    "plan.col_participants": ("Số người theo học (dự kiến)", "Participants (simulated)"),
    "plan.col_cost": ("Kinh phí", "Cost"),
    "plan.total": ("Cộng 2026–2030", "Total 2026–2030"),
    "plan.basis_assumption": ("GIẢ ĐỊNH", "ASSUMPTION"),
    "plan.basis_legal": ("Theo văn bản: {acts}", "Set by: {acts}"),
    "plan.vnd_bn": ("{x} tỷ đồng", "VND {x} bn"),
    "plan.vnd": ("{x} đồng", "VND {x}"),
    "plan.ranked_heading": ("Các đơn vị xa mục tiêu nhất", "The units furthest from the targets"),
    "plan.ranked_intro": (
        "Xếp theo khoảng cách trung bình giữa tỷ lệ dự báo năm 2030 của đơn vị (theo kế hoạch) và ngưỡng "
        "của các mục tiêu; dự báo theo đơn vị được kéo một phần về mức toàn tỉnh để đơn vị nhỏ không có "
        "dự báo thất thường.",
        "Ranked by the mean gap between the unit's 2030 forecast share (under the plan) and the targets' "
        "thresholds; unit forecasts are partly pooled toward the province so that a small unit does not get "
        "a wild forecast."),
    "plan.col_rank": ("Hạng", "Rank"),
    "plan.col_gap": ("Khoảng cách trung bình đến ngưỡng (điểm phần trăm)", "Mean gap to the thresholds (pp)"),
    "plan.col_below": ("Số mục tiêu có xác suất dưới {p}", "Targets with probability under {p}"),
    "plan.col_places": ("Chỉ tiêu mỗi năm", "Places a year"),
    "export.sheet.plan": ("Kế hoạch đào tạo", "Training plan"),
    # --- the summary's places by population group (forecast.reports.plangroups) ---------------------
    "plan.groups_heading": ("Chỉ tiêu theo nhóm đối tượng", "Places by population group"),
    "plan.groups_intro": (
        "Số chỉ tiêu mỗi năm của từng chương trình dự kiến dành cho từng nhóm đối tượng, đo trên số người "
        "theo học trong mô phỏng của chính kế hoạch đã kiểm chứng: mô hình chỉ xếp chỉ tiêu cho người chưa có "
        "trình độ đó và thuộc diện được học, chia theo số người của từng nhóm (nhân hệ số lấy từ số liệu các "
        "năm trước, cộng phần dành riêng cho nhóm ưu tiên nếu kịch bản có). Số của mỗi nhóm là số người "
        "dự kiến theo học, làm tròn theo phương pháp số dư lớn nhất; chỉ tiêu không có người học ghi riêng, "
        "nên các nhóm cộng lại đúng bằng chỉ tiêu của chương trình. Mỗi người chỉ thuộc một nhóm, xét lần "
        "lượt từ nhóm đầu bảng.",
        "Each programme's places a year expected to go to each population group, measured on the enrolments "
        "of the verified plan's own simulation: the engine gives places only to staff who lack the "
        "qualification and may take the programme, in proportion to each group's numbers (times weights "
        "from earlier years, plus any places the scenario reserves for priority groups). Each group's part "
        "is the number of its staff expected to take the programme, rounded by largest remainder; places "
        "nobody takes up are shown apart, so the parts add up exactly to the programme's places. Everyone "
        "is in one group only, the first that holds them in the table's order."),
    "plan.groups_hidden": (
        "Phần dưới {n} chỉ tiêu được ẩn, cùng với phần nhỏ nhất khác của cùng chương trình và năm khi cần, "
        "để không suy ra được bằng phép trừ.",
        "Parts under {n} places are hidden, with the next smallest part of the same programme and year "
        "where needed, so that no hidden part can be found by subtraction."),
    "plan.col_group": ("Nhóm đối tượng", "Population group"),
    # --- a target's page ---------------------------------------------------------------------------
    "plan.effort_heading": ("Cần đào tạo bao nhiêu để đạt mục tiêu này", "What training it would take"),
    "plan.effort_line": (
        "Cần {places} chỉ tiêu mỗi năm ({programmes}; hiện nay khoảng {now}) để đạt với xác suất {p} "
        "(yêu cầu từ {p_req}), đã tính người nghỉ hưu, nghỉ việc và tuyển mới; kinh phí khoảng {per_year} "
        "mỗi năm, {total} giai đoạn 2026–2030{assumed}.",
        "{places} places a year ({programmes}; now about {now}) meet it with probability {p} (required: "
        "{p_req}), net of retirements, exits and recruits; about {per_year} a year, {total} over "
        "2026–2030{assumed}."),
    "plan.effort_zero": (
        "Đạt được ngay cả khi không mở lớp {programmes} nào: xác suất {p} (yêu cầu từ {p_req}), đã tính người "
        "nghỉ hưu, nghỉ việc và tuyển mới.",
        "Met even with no places in {programmes}: probability {p} (required: {p_req}), net of retirements, "
        "exits and recruits."),
    "plan.effort_assumed": (" (đơn giá GIẢ ĐỊNH)", " (ASSUMED unit cost)"),
    "plan.effort_unreachable": (
        "Chỉ đào tạo thì không đạt được: ngay cả {places} chỉ tiêu mỗi năm ({programmes}) cũng chỉ cho xác "
        "suất {p} (yêu cầu từ {p_req}).",
        "Training alone cannot reach it: even {places} places a year ({programmes}) give a probability of "
        "only {p} (required: {p_req})."),
    "plan.effort_in_plan": (
        "Trong kế hoạch chung: {items}; xác suất đạt năm 2030 theo mô phỏng {p} (không có kế hoạch: {p0}).",
        "In the joint plan: {items}; simulated probability of meeting it in 2030 {p} (without the plan: {p0})."),
    "plan.effort_note": (
        "Nỗ lực riêng của một mục tiêu cộng lại sẽ vượt kế hoạch chung, vì một chỉ tiêu đào tạo phục vụ "
        "nhiều mục tiêu cùng lúc; kinh phí cần bố trí là của kế hoạch chung trên trang tóm tắt.",
        "The targets' own efforts added up exceed the joint plan, since one place serves several targets "
        "at once; the budget to set aside is the joint plan's, on the summary page."),
    "plan.effort_none": ("Mô hình dòng nhân lực không dự báo mục tiêu này, nên chưa tính được số chỉ tiêu cần.",
                         "The stock-flow engine does not project this target, so no effort is computed."),
    "plan.places_item": ("{programme} {places} chỉ tiêu/năm", "{programme} {places} places a year"),
    "plan.t09_heading": ("Ba thành phần của T09", "T09's three parts"),
    "plan.col_part": ("Thành phần", "Part"),
    "plan.col_start": ("Hiện nay", "Now"),
    "plan.col_median": ("Dự báo 2030 theo kế hoạch (trung vị)", "2030 under the plan (median)"),
    "plan.col_p": ("Xác suất đạt", "Chance of meeting"),
    "plan.t11_heading": ("T11 theo lĩnh vực trọng điểm: số người có trình độ sau đại học",
                         "T11 by key field: people with a post-graduate degree"),
    "plan.part.T09": ("Đủ cả ba", "All three"),
    "plan.part.T09a": ("Ngoại ngữ", "Foreign language"),
    "plan.part.T09b": ("Tin học", "IT"),
    "plan.part.T09c": ("Bồi dưỡng theo tiêu chuẩn", "Standard training"),
    # --- a unit's page -----------------------------------------------------------------------------
    "plan.unit_heading": ("Triển vọng của đơn vị và số người cần cử đi học",
                          "The unit's outlook and how many people to send"),
    "plan.unit_intro": (
        "Dự báo năm 2030 của đơn vị theo kế hoạch đào tạo, kéo một phần về mức toàn tỉnh (Bayes thực "
        "nghiệm); đơn vị xếp hạng {rank} trên {n} (hạng 1 là xa mục tiêu nhất).",
        "The unit's 2030 forecast under the training plan, partly pooled toward the province (empirical "
        "Bayes); the unit ranks {rank} of {n} (rank 1 is furthest from the targets)."),
    "plan.unit_alloc_heading": ("Chỉ tiêu đào tạo phân bổ cho đơn vị mỗi năm (số người cần cử đi học)",
                                "Training places allocated to the unit each year (people to send)"),
    "plan.unit_alloc_rule": (
        "Quy tắc phân bổ: chỉ tiêu của mỗi chương trình chia cho các đơn vị theo số người còn thiếu để đạt "
        "các mục tiêu mà chương trình đó phục vụ (phương pháp số dư lớn nhất; tổng các đơn vị đúng bằng "
        "chỉ tiêu toàn tỉnh).",
        "Allocation rule: each programme's places are shared over the units in proportion to the people "
        "they lack for the targets the programme serves (largest remainder; the units add up exactly to "
        "the provincial places)."),
    "plan.unit_alloc_none": ("Kế hoạch không phân bổ chỉ tiêu nào cho đơn vị này.",
                             "The plan allocates no places to this unit."),
    "plan.unit_missing": ("Danh sách cán bộ không có đơn vị này, nên chưa có dự báo và phân bổ theo đơn vị.",
                          "The staff roster has no one in this unit, so there is no unit forecast or allocation."),
    "plan.unit_hidden": ("Các mục tiêu có dưới {n} người trong đơn vị được ẩn.",
                         "Targets counting fewer than {n} people in the unit are hidden."),
}

#: Programme names (the engine's codes, :data:`forecast.stockflow.PROGRAMMES`).
PROGRAMMES: dict[str, tuple[str, str]] = {
    "university": ("Đại học (vừa làm vừa học)", "University degree (part-time)"),
    "postgraduate": ("Sau đại học (lĩnh vực trọng điểm)", "Post-graduate (key fields)"),
    "political_theory_elementary": ("Sơ cấp lý luận chính trị", "Elementary political theory"),
    "political_theory_intermediate": ("Trung cấp lý luận chính trị", "Intermediate political theory"),
    "political_theory_senior": ("Cao cấp lý luận chính trị", "Senior political theory"),
    "principal_specialist": ("Chương trình chuyên viên chính", "Principal specialist programme"),
    "senior_specialist": ("Chương trình chuyên viên cao cấp", "Senior specialist programme"),
    "language": ("Ngoại ngữ", "Foreign language"),
    "it": ("Tin học", "IT"),
    "standard_training": ("Bồi dưỡng theo tiêu chuẩn ngạch, chức danh, vị trí việc làm",
                          "Training required by grade, title or post"),
    "standardisation": ("Chuẩn hóa cán bộ cấp xã", "Standardising commune cadres"),
}

#: The plan's key fields of T11 (:data:`forecast.domain.vocabulary.KEY_FIELDS`).
FIELDS: dict[str, tuple[str, str]] = {
    "kinh_te_cua_khau": ("Kinh tế cửa khẩu", "Border-gate economy"),
    "thuong_mai": ("Thương mại", "Trade"),
    "van_hoa": ("Văn hóa", "Culture"),
    "du_lich": ("Du lịch", "Tourism"),
    "dich_vu": ("Dịch vụ", "Services"),
    "ha_tang_kcn": ("Hạ tầng khu công nghiệp", "Industrial-zone infrastructure"),
    "nong_nghiep": ("Nông nghiệp", "Agriculture"),
}

#: The plan's population groups (:data:`forecast.plan.groups.GROUPS`: each takes the members of its
#: population not in an earlier group, hence "other …").
GROUPS: dict[str, tuple[str, str]] = {
    "lanh_dao_cap_so": ("Lãnh đạo cấp sở", "Department-level leaders"),
    "lanh_dao_cap_phong": ("Lãnh đạo cấp phòng", "Division-level leaders"),
    "can_bo_chu_chot_cap_xa": ("Cán bộ chủ chốt cấp xã", "Key commune cadres"),
    "can_bo_cap_xa": ("Cán bộ cấp xã khác", "Other commune cadres"),
    "cbcc_cap_xa": ("Công chức cấp xã", "Commune civil servants"),
    "cbcc_trong_quy_hoach": ("Cán bộ, công chức cấp tỉnh, huyện trong quy hoạch",
                             "Province and district cadres and civil servants in the succession pool"),
    "cbcc_tinh_huyen": ("Cán bộ, công chức cấp tỉnh, huyện khác", "Other province and district cadres and civil servants"),
    "vien_chuc": ("Viên chức", "Public employees"),
    "cbccvc": ("Khác", "Others"),
    "khong_su_dung": ("Chỉ tiêu không sử dụng hết (không đủ người thuộc diện học)",
                      "Places left unused (too few staff to take them)"),
}

MESSAGES.update({f"plan.programme.{k}": v for k, v in PROGRAMMES.items()})
MESSAGES.update({f"plan.group.{k}": v for k, v in GROUPS.items()})
MESSAGES.update({f"plan.field.{k}": v for k, v in FIELDS.items()})
