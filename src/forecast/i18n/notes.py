"""The English notes of the models, the meeting and progress rules and the loader, in both languages.

Those modules sit below the reports and write one English sentence per fact (a series
break handled, the weights the default learned, the ceiling bias of the level-CAGR
rules …). :func:`translate` recognises each sentence by its pattern and words it from
this catalogue in the report language, numbers in that language's format; a note no
pattern knows is returned as it is (the Vietnamese report test then names it, so a new
note is translated rather than shown in English). The English wording may be plainer
than the original (the command-line flag of the re-basing note is left out: reports
are read by planners).
"""

from __future__ import annotations

import re
from collections.abc import Callable

MESSAGES: dict[str, tuple[str, str]] = {
    "note.break_shift": (
        "Điểm gãy chuỗi năm {y} (thay đổi tổng thể): ước lượng mức dịch chuyển {s} điểm phần trăm tại điểm "
        "gãy; xu hướng được tính liên tục qua mọi năm.",
        "Series break in {y} (new population definition): level shift of {s} percentage points estimated at "
        "the break; the trend is carried across from all years."),
    "note.break_ignored": ("Bỏ qua điểm gãy chuỗi năm {y}: quá ít năm số liệu để ước lượng mức dịch chuyển.",
                           "Series break in {y} ignored: too few points to estimate a level shift."),
    "note.default_weights": (
        "Mô hình mặc định: tổ hợp có trọng số, học bằng kiểm định dự báo quá khứ theo nhiều mốc ({source}; "
        "{k} dự báo quá khứ được chấm); trọng số ở tầm dự báo {h} năm: {weights}. Khoảng dự báo hiệu chỉnh theo "
        "sai số (đã chuẩn hóa) của các dự báo quá khứ đó.",
        "Default: a weighted combination learned by rolling-origin backtest ({source}; {k} scored past "
        "forecasts); weights {h} years ahead: {weights}. Intervals calibrated on the scaled errors of those "
        "past forecasts."),
    "note.default_source": ("{n} chuỗi số liệu{own}, mốc dự báo đến năm {y}", "{n} series{own}, origins up to {y}"),
    "note.default_source_own": (" của đơn vị này", " of this unit"),
    "note.default_partial": (
        "Mô hình mặc định: không ước lượng được mọi mô hình thành phần cho chuỗi này, nên dự báo là hỗn hợp "
        "đều trọng số của các mô hình thành phần.",
        "Default: not every component could be fitted to this series, so the forecast is the equal-weight "
        "mixture of the component models."),
    "note.default_short": (
        "Mô hình mặc định: chuỗi quá ngắn để học trọng số bằng kiểm định dự báo quá khứ, nên dự báo là hỗn hợp "
        "đều trọng số của các mô hình thành phần.",
        "Default: too little history to learn weights by backtest, so the forecast is the equal-weight mixture "
        "of the component models."),
    "note.meeting_rounded": (
        "Quy tắc đạt: tỷ lệ làm tròn đến {places} đạt {thr} (tức từ {cut} trở lên){ceiling}.",
        "Meeting rule: the share rounded to {places} reaches {thr} (met at {cut} or more){ceiling}."),
    "note.places_whole": ("số nguyên phần trăm", "whole percent"),
    "note.places_decimals": ("{d} chữ số thập phân của phần trăm", "{d} decimal(s) of a percent"),
    "note.meeting_ceiling": ("; tỷ lệ không thể vượt 100%", "; a share cannot pass 100%"),
    "note.meeting_exact": ("Quy tắc đạt: tỷ lệ từ {thr} trở lên, so sánh đúng (không làm tròn).",
                           "Meeting rule: the share reaches {thr} exactly or more."),
    "note.no_numeric_target": (
        "Mục tiêu không có con số: đạt khi số lượng tăng mỗi năm đến năm mục tiêu.",
        "No numeric target: met if the count rises every year to the target year."),
    "note.official_break": (
        "Các thước đo tiến độ quốc tế dùng nguyên giá trị đã công bố; giữa năm gốc và năm mới nhất có điểm gãy "
        "chuỗi.",
        "The international progress measures use the published values as they are; a series break lies "
        "between the base and the latest year."),
    "note.ceiling": (
        "Gần mức trần 100%, các thước đo dựa trên tăng trưởng kép (CAGR) đánh giá tiến độ cao hơn thực tế: "
        "ngoại suy theo tăng trưởng kép cho {proj} năm {y}{beyond}, còn ngoại suy có giới hạn (thang logit) qua "
        "cùng hai điểm cho {bounded}.",
        "Near the 100% ceiling the compound-growth (CAGR) measures overstate progress: compounding the level "
        "gives {proj} in {y}{beyond}, a bounded (logit) projection through the same two points gives "
        "{bounded}."),
    "note.ceiling_beyond": (" (vượt 100%, không thể có với một tỷ lệ)", " (beyond 100%, impossible for a share)"),
    "note.too_few_years": ("Quá ít năm số liệu để dự báo.", "Too few years of data for a forecast."),
    "note.fewer_than_two": ("Có dưới hai năm số liệu.", "Fewer than two years of data."),
    "note.no_observation": ("Không có số liệu nào đến năm {y}.", "No observation up to {y}."),
    "note.no_rising": ("Dự báo không phủ đủ các năm đến năm mục tiêu: không tính được xác suất tăng liên tục.",
                       "The forecast does not cover every year to the target year: no probability of rising."),
    "note.escap_undefined": ("Mục tiêu không có con số: khoảng cách ESCAP không xác định.",
                             "No numeric target: the ESCAP gap is not defined."),
    "note.rebase_split": (
        "Số liệu của các xã bị chia tách được phân bổ theo tỷ lệ {shares} (phần số liệu của xã cũ chuyển sang "
        "đơn vị nhận phần tách ra). Đây là giả định; có thể điều chỉnh khi quy đổi lại số liệu.",
        "Counts of split communes were shared out with the shares {shares} (the part of the old commune's "
        "counts going to the unit that received its part). This is an assumption, which can be changed when "
        "the data are re-based again."),
    "note.rebase_percent": (
        "{n} dòng số liệu cấp xã chỉ có tỷ lệ phần trăm nên không quy đổi được sang đơn vị mới (không lấy bình "
        "quân các tỷ lệ) và đã được bỏ ra.",
        "{n} commune rows with a percentage only could not be re-based (percentages are never averaged) and "
        "were left out."),
    "note.rebase_partial": (
        "{n} dòng số liệu đã quy đổi thiếu một phần đơn vị cũ (đánh dấu “thiếu”).",
        "{n} re-based rows miss some of their old units (flagged “partial”)."),
    "note.default_no_global": (
        "Mô hình mặc định: mô hình toàn cục có quá ít cửa sổ quá khứ để học, nên vị trí của nó trong tổ hợp do xu "
        "hướng tắt dần trên thang logit đảm nhận.",
        "Default: the global model had too few past windows to learn from, so its place in the combination is "
        "taken by the damped logit trend."),
    "note.component_left_out": ("Bỏ thành phần {name}: {why}", "Component {name} left out: {why}"),
    "note.break_last_value": (
        "Điểm gãy chuỗi năm {y}: giá trị năm cuối đã theo định nghĩa mới; không dùng các thay đổi giữa hai năm "
        "vắt qua điểm gãy.",
        "Series break in {y}: the last value is already on the new definition; year-on-year changes across the "
        "break are not used."),
    "note.global_trained": (
        "Mô hình toàn cục: cây quyết định tăng cường học trên {rows} cửa sổ quá khứ × tầm dự báo của {n} chuỗi, "
        "kết quả thực tế đến năm {y}.",
        "Global model: gradient-boosted trees trained on {rows} past windows × horizons of {n} series, outcomes "
        "up to {y}."),
    "note.global_uncalibrated": (
        "Mô hình toàn cục: quá ít dự báo quá khứ của chính nó để hiệu chỉnh khoảng dự báo, nên khoảng dự báo mở "
        "rộng như bước ngẫu nhiên theo thay đổi hằng năm của chuỗi.",
        "Global model: too few of its own past forecasts to calibrate intervals, so they spread as a random walk "
        "of the series' yearly changes."),
    "note.pooled_shrunk": (
        "Mô hình gộp: độ dốc được co {pct}% về phía bình quân của các đơn vị tương đương ({a} → {b} điểm logit "
        "mỗi năm).",
        "Pooled model: slope shrunk {pct}% of the way towards the peer average ({a} → {b} logit-points a year)."),
    "note.quasi_binomial": (
        "Mô hình tuyến tính tổng quát tựa nhị thức, mỗi năm có trọng số theo quy mô tổng thể; hệ số phân tán "
        "φ = {phi}.",
        "Quasi-binomial GLM weighted by each year's population; dispersion φ = {phi}."),
    "note.global_needs": (
        "mô hình toàn cục cần ít nhất {n} cửa sổ quá khứ có kết quả thực tế (chuỗi × tầm dự báo) đến năm {y}; cần "
        "thêm các chuỗi tương đương",
        "the global model needs at least {n} past windows with an outcome (series × horizons) by {y}; give it "
        "peer series"),
    "note.global_shares_only": ("mô hình toàn cục chỉ dự báo tỷ lệ", "the global model forecasts shares only"),
    "note.pooled_none": ("Mô hình gộp: có dưới ba đơn vị tương đương có số liệu, nên không gộp.",
                         "Pooled model: fewer than three peer units with data, so no pooling."),
    "note.population_empty": ("{id}: tổng thể bằng không trong một số lần mô phỏng hoặc một số năm.",
                              "{id}: the population is empty in some draws or years."),
    "note.no_forecast": ("Không có dự báo: {problem}", "No forecast: {problem}"),
}

_NUM = r"[-+−]?\d+(?:\.\d+)?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), k) for p, k in [
    (rf"Series break in (?P<y>\d{{4}}) \(new population definition\): level shift of (?P<s>{_NUM}) pp estimated "
     r"at the break; the trend is carried across from all years\.", "note.break_shift"),
    (r"Series break in (?P<y>\d{4}) ignored: too few points to estimate a level shift\.", "note.break_ignored"),
    (r"Default: weighted combination learned by rolling-origin backtest \((?P<n>\d+) series(?P<own> of this "
     r"unit)?, origins up to (?P<oy>\d{4}); (?P<k>\d+) scored past forecasts\); weights at (?P<h>\d+) years "
     r"ahead: (?P<weights>.*?)\. Intervals calibrated on the scaled errors of those past forecasts\.",
     "note.default_weights"),
    (r"Default: not every component could be fitted to this series, so the forecast is the equal-weight "
     r"mixture of the component models' distributions\.", "note.default_partial"),
    (r"Default: too little history to learn weights by backtest, so the forecast is the equal-weight mixture "
     r"of the component models' distributions\.", "note.default_short"),
    (rf"Meeting rule: the share rounded to (?P<d>\d+) decimal\(s\) of a percent reaches (?P<thr>{_NUM})% \(met "
     rf"at (?P<cut>{_NUM})% or more\)(?P<ceiling>; a share cannot pass 100%)?\.", "note.meeting_rounded"),
    (rf"Meeting rule: the share reaches (?P<thr>{_NUM})% exactly or more\.", "note.meeting_exact"),
    (r"No numeric target: met if the count rises every year to the target year\.", "note.no_numeric_target"),
    (r"Official labels use the published values as they are; a series break lies between the base and the "
     r"latest year\.", "note.official_break"),
    (rf"Near the 100% ceiling the level-CAGR rules overstate progress: compounding the level gives "
     rf"(?P<proj>{_NUM})% in (?P<y>\d{{4}})(?P<beyond> \(beyond 100%, impossible for a share\))?, a bounded "
     rf"\(logit\) projection through the same two points gives (?P<bounded>{_NUM})%\.", "note.ceiling"),
    (r"Too few years of data for a forecast\.", "note.too_few_years"),
    (r"Fewer than two years of data\.", "note.fewer_than_two"),
    (r"No observation up to (?P<y>\d{4})\.", "note.no_observation"),
    (r"The forecast does not cover every year to the target year: no probability of rising\.", "note.no_rising"),
    (r"No numeric target: the ESCAP gap is not defined\.", "note.escap_undefined"),
    (r"split communes shared out with shares (?P<shares>.*?) \(share of the old unit's counts going to the unit "
     r"that received its part; an assumption, change it with --split CODE=SHARE\)", "note.rebase_split"),
    (r"(?P<n>\d+) percent-only commune rows could not be re-based \(percentages are never averaged\) and were "
     r"left out", "note.rebase_percent"),
    (r"(?P<n>\d+) re-based rows miss some of their old units \(flag 'partial'\)", "note.rebase_partial"),
    (r"Pooled model: fewer than three peer units with data, so no pooling.*", "note.pooled_none"),
    (r"(?P<id>T\d{2}[a-c]?): the population is empty in some draws or years", "note.population_empty"),
    (r"the global model needs at least (?P<n>\d+) past windows with an outcome \(series × horizons\) by "
     r"(?P<y>\d{4}); give it peer series", "note.global_needs"),
    (r"the global model forecasts shares only", "note.global_shares_only"),
    (r"Default: the global model had too few past windows to learn from, so its place in the combination is "
     r"taken by the damped logit trend\.", "note.default_no_global"),
    (r"Component (?P<name>\w+) left out: (?P<why>.*)", "note.component_left_out"),
    (r"Series break in (?P<y>\d{4}): the last value is already on the new definition; year-on-year changes "
     r"across the break are not used\.", "note.break_last_value"),
    (r"Global model: gradient-boosted trees trained on (?P<rows>\d+) past windows × horizons of (?P<n>\d+) "
     r"series, outcomes up to (?P<y>\d{4})\.", "note.global_trained"),
    (r"Global model: too few of its own past forecasts to calibrate intervals, so they spread as a random walk "
     r"of the series' yearly changes\.", "note.global_uncalibrated"),
    (rf"Pooled model: slope shrunk (?P<pct>{_NUM})% of the way towards the peer average \((?P<a>{_NUM}) → "
     rf"(?P<b>{_NUM}) logit-points a year\)\.", "note.pooled_shrunk"),
    (rf"Quasi-binomial GLM weighted by each year's population; dispersion φ = (?P<phi>{_NUM})\.",
     "note.quasi_binomial"),
]]


def _decimal(text: str, lang: str) -> str:
    """A number as written in the note (``-0.4``) in the report language (``-0,4`` in Vietnamese)."""
    return text.replace(".", ",") if lang == "vi" else text


def _weights(text: str, lang: str, t: Callable[..., str]) -> str:
    """``straight_line 0.7, last_value 0.3`` with the models named in ``lang``."""
    parts = []
    for item in text.split(", "):
        name, _, w = item.rpartition(" ")
        key = f"model.{name}"
        label = t(key, lang) if name and _known(key, t) else name
        parts.append(f"{label} {_decimal(w, lang)}")
    return ", ".join(parts)


def _known(key: str, t: Callable[..., str]) -> bool:
    try:
        t(key, "en")
    except KeyError:
        return False
    return True


def _fill(key: str, groups: dict[str, str | None], lang: str, t: Callable[..., str]) -> str:
    g = {k: v for k, v in groups.items() if v is not None}
    if key == "note.break_shift":
        return t(key, lang, y=g["y"], s=_decimal(g["s"], lang))
    if key == "note.default_weights":
        own = t("note.default_source_own", lang) if g.get("own") else ""
        source = t("note.default_source", lang, n=g["n"], own=own, y=g["oy"])
        return t(key, lang, source=source, k=g["k"], h=g["h"], weights=_weights(g["weights"], lang, t))
    if key == "note.meeting_rounded":
        ceiling = t("note.meeting_ceiling", lang) if g.get("ceiling") else ""
        places = (t("note.places_whole", lang) if int(g["d"]) == 0 else
                  t("note.places_decimals", lang, d=g["d"]))
        return t(key, lang, places=places, thr=_decimal(g["thr"], lang) + "%",
                 cut=_decimal(g["cut"], lang) + "%", ceiling=ceiling)
    if key == "note.meeting_exact":
        return t(key, lang, thr=_decimal(g["thr"], lang) + "%")
    if key == "note.ceiling":
        beyond = t("note.ceiling_beyond", lang) if g.get("beyond") else ""
        return t(key, lang, proj=_decimal(g["proj"], lang) + "%", y=g["y"], beyond=beyond,
                 bounded=_decimal(g["bounded"], lang) + "%")
    if key == "note.component_left_out":
        label = t(f"model.{g['name']}", lang) if _known(f"model.{g['name']}", t) else g["name"]
        return t(key, lang, name=label, why=translate(g["why"], lang, t))
    if key in ("note.pooled_shrunk", "note.quasi_binomial"):
        return t(key, lang, **{k: _decimal(v, lang) for k, v in g.items()})
    if key == "note.rebase_split":
        sep = "; " if lang == "vi" else ", "  # a decimal comma inside a comma-separated list would be ambiguous
        shares = sep.join(f"{code}: {_decimal(v, lang)}" for code, _, v in
                          (s.partition(": ") for s in g["shares"].split(", ")))
        return t(key, lang, shares=shares)
    return t(key, lang, **g)


def translate(note: str, lang: str, t: Callable[..., str]) -> str:
    """``note`` worded in ``lang`` from this catalogue; an unknown note is returned unchanged.

    Parameters
    ----------
    note : str
        One English sentence written by a model, a rule or the loader.
    lang : {"vi", "en"}
    t : callable
        The catalogue's look-up, :func:`forecast.i18n.t`.
    """
    text = str(note).strip()
    if text.startswith("No forecast: "):
        return t("note.no_forecast", lang, problem=translate(text[len("No forecast: "):], lang, t))
    for pattern, key in _PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            return _fill(key, m.groupdict(), lang, t)
    return text
