"""The verdict in words, Vietnamese and English: the rule, the source, scenarios as changes.

Every function is pure and returns plain text (reports escape it). Numbers follow the
reports' conventions: the decimal comma in Vietnamese, probabilities as whole percents with
``< 1%`` / ``> 99%`` at the ends (a Monte-Carlo 0 or 1 is not a certainty).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable

from forecast.domain import status as status_rule
from forecast.verdict.changes import ScenarioChange
from forecast.verdict.falls import Fall, RecruitGap, UnusualFlow
from forecast.verdict.verdict import COVERAGE80, MAE_RATIO, MIN_SCORED, Verdict

LANGS = ("vi", "en")
MISSING = "–"

#: Names of the leaving flows of ``flows.csv`` in the report languages.
FLOW_NAMES = {
    "exit_nd178": {"vi": "người nghỉ sớm theo Nghị định 178/2024/NĐ-CP (tinh giản khi sắp xếp bộ máy)",
                   "en": "early exits under Decree 178/2024 (streamlining with the reorganisation)"},
    "transfer_out": {"vi": "lượt chuyển đơn vị khi sắp xếp bộ máy, chính quyền hai cấp",
                     "en": "transfers between units in the reorganisation (two-tier local government)"},
    "exit_huu": {"vi": "người nghỉ hưu", "en": "retirements"},
    "exit_nghi_viec": {"vi": "người thôi việc", "en": "resignations"},
    "exit_chuyen_cong_tac": {"vi": "người chuyển công tác ra ngoài", "en": "transfers out of the province's staff"},
    "exit_khac": {"vi": "người ra khỏi biên chế vì lý do khác", "en": "other exits"},
}


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, got {lang!r}")
    return lang


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def number(x: float | None, digits: int, lang: str) -> str:
    """``1.234,5`` (vi) / ``1,234.5`` (en); ``–`` for a missing value."""
    if x is None or not math.isfinite(float(x)):
        return MISSING
    text = f"{float(x):,.{digits}f}"
    if _lang(lang) == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(share: float | None, digits: int, lang: str) -> str:
    """A share in [0, 1] as a percentage (``95,7%``)."""
    return MISSING if share is None else f"{number(100.0 * share, digits, lang)}%"


def probability(p: float | None, lang: str) -> str:
    """A probability as a whole percent, ``< 1%`` and ``> 99%`` at the ends."""
    if p is None or not math.isfinite(float(p)):
        return MISSING
    if p < 0.01:
        return f"< {number(1, 0, lang)}%"
    if p > 0.99:
        return f"> {number(99, 0, lang)}%"
    return f"{number(100.0 * p, 0, lang)}%"


def value(x: float | None, kind: str, lang: str) -> str:
    """A target value: a percentage with one decimal for shares, whole people for counts."""
    return percent(x, 1, lang) if kind == "share" else number(x, 0, lang)


# ---------------------------------------------------------------------------
# the meeting rule
# ---------------------------------------------------------------------------
def meeting_rule(target, lang: str) -> str:
    """The sentence stating when ``target`` counts as met (every target page shows it)."""
    rule = target.meeting
    vi = _lang(lang) == "vi"
    if rule.rule == "rising":
        return (f"Quy tắc đạt: kế hoạch không đặt con số; chỉ tiêu đạt khi số lượng năm sau cao hơn năm trước, "
                f"liên tục đến năm {target.year}." if vi else
                f"Meeting rule: the plan sets no number; the target is met when the count is higher than the year "
                f"before, every year to {target.year}.")
    thr = percent(target.threshold / 100.0, 0, lang)
    if rule.rule == "exact":
        return (f"Quy tắc đạt: tỷ lệ từ {thr} trở lên, so sánh đúng (không làm tròn)." if vi else
                f"Meeting rule: a share of {thr} or more, compared exactly (no rounding).")
    cut = percent(target.met_share, (rule.decimals or 0) + 1, lang)
    places = {0: ("số nguyên phần trăm", "whole percent"), 1: ("một chữ số thập phân", "one decimal"),
              2: ("hai chữ số thập phân", "two decimals")}[int(rule.decimals or 0)]
    ceiling = target.threshold >= 100
    if vi:
        why = (" Tỷ lệ không thể vượt 100%, và chỉ một người chưa đạt chuẩn trong hàng trăm người đã làm tỷ lệ "
               "chính xác thấp hơn 100%." if ceiling else "")
        return f"Quy tắc đạt: tỷ lệ làm tròn đến {places[0]} đạt {thr}, tức từ {cut} trở lên.{why}"
    why = (" A share cannot pass 100%, and one person not yet meeting the criterion among hundreds keeps the "
           "exact share below 100%." if ceiling else "")
    return f"Meeting rule: the share rounded to {places[1]} reaches {thr}, i.e. {cut} or more.{why}"


def unreachable(gap: RecruitGap, target, lang: str) -> str:
    """Why the target is out of reach while recruits keep arriving without its criterion."""
    y0, y1 = gap.years
    n = lambda x: number(x, 0, lang)  # noqa: E731 - a local shorthand
    thr, cut = percent(target.threshold / 100, 0, lang), percent(target.met_share, 1, lang)
    ceiling, per_year = percent(gap.ceiling, 1, lang), number(gap.per_year, 0, lang)
    if _lang(lang) == "vi":
        return (f"Chưa thể đạt {thr} khi còn tuyển người chưa đạt chuẩn: trong {n(gap.recruits)} người được tuyển "
                f"dụng {y0}–{y1} hiện thuộc nhóm này ({n(gap.population)} người), {n(gap.without)} người chưa đạt "
                f"tiêu chí khi vào, khoảng {per_year} người mỗi năm. Dù mỗi người được đào tạo ngay trong năm, vào "
                f"ngày chốt số liệu vẫn còn chừng ấy người chưa đạt, nên tỷ lệ cao nhất giữ được là khoảng "
                f"{ceiling}, dưới mức {cut} mà quy tắc đạt yêu cầu. Muốn đạt, cần tuyển người đã đạt chuẩn.")
    return (f"{thr} is out of reach while recruits arrive without the criterion: of the {n(gap.recruits)} people "
            f"hired {y0}–{y1} now in this group ({n(gap.population)} people), {n(gap.without)} arrived without it, "
            f"about {per_year} a year. Even if each is trained within the year, that many are untrained on the "
            f"snapshot date, so the highest share that can be held is about {ceiling}, below the {cut} the meeting "
            f"rule asks. Meeting it needs recruits who already meet the criterion.")


def is_unreachable(verdict: Verdict, gap: RecruitGap | None, target) -> bool:
    """A 100 % target below 1 % whose recruits without the criterion cap the share under the rule's cut."""
    return (target.threshold is not None and target.threshold >= 100 and verdict.p_meet is not None
            and verdict.p_meet < 0.01 and gap is not None and gap.without > 0
            and gap.ceiling < float(target.met_share))


def headline_probability(verdict: Verdict, lang: str, unreachable_: bool = False) -> str:
    """The one probability a table shows; words instead of ``< 1%`` when recruits put 100 % out of reach."""
    if unreachable_:
        return ("không đạt được khi còn tuyển người chưa đạt chuẩn" if _lang(lang) == "vi"
                else "out of reach while recruits arrive unqualified")
    return probability(verdict.p_meet, lang)


# ---------------------------------------------------------------------------
# where the headline comes from
# ---------------------------------------------------------------------------
def rule_statement(lang: str) -> str:
    """The verdict rule in one paragraph (the summary page and ``docs/methods.md`` §7)."""
    lo, hi = (percent(c, 0, lang) for c in COVERAGE80)
    ratio = number(MAE_RATIO, 1, lang)
    if _lang(lang) == "vi":
        return (f"Mỗi mục tiêu có một xác suất đạt và một đánh giá. Xác suất lấy từ mô hình dòng nhân lực (kịch bản "
                f"cơ sở) khi mô hình này qua kiểm định trên số liệu quá khứ của chính mục tiêu đó: khoảng dự báo 80% chứa "
                f"{lo}–{hi} giá trị đã quan sát và sai số tuyệt đối bình quân không quá {ratio} lần sai số của mô "
                f"hình xu hướng (ít nhất {MIN_SCORED} dự báo được chấm). Nếu không, xác suất lấy từ mô hình xu "
                f"hướng. Các kịch bản được nêu là thay đổi so với xác suất này. "
                + status_rule.rule_statement(lang="vi"))
    return (f"Each target has one probability and one status. The probability comes from the stock-flow model "
            f"(baseline scenario) where that model passes its hindcast on the target's own history: its 80% "
            f"intervals cover {lo}–{hi} of the observed values and its mean absolute error is at most {ratio} times "
            f"the trend model's (at least {MIN_SCORED} scored forecasts). Otherwise it comes from the trend model. "
            f"Scenarios are stated as changes from this probability. " + status_rule.rule_statement(lang="en"))


def source(verdict: Verdict, lang: str) -> str:
    """Which model gave the headline and why, with the hindcast figures behind the choice."""
    vi = _lang(lang) == "vi"
    h = verdict.hindcast
    figures = ""
    if h is not None and h.mae_ratio is not None and h.engine_coverage80 is not None:
        cov, ratio = percent(h.engine_coverage80, 0, lang), number(h.mae_ratio, 2, lang)
        figures = (f" (kiểm định quá khứ: khoảng dự báo 80% chứa {cov} giá trị quan sát; sai số bằng {ratio} lần mô hình "
                   f"xu hướng; {h.n_scored} dự báo)" if vi else
                   f" (hindcast: 80% intervals cover {cov} of observed values; error {ratio}× the trend model's; "
                   f"{h.n_scored} forecasts)")
    texts = {
        "engine_passed": ("Xác suất theo mô hình dòng nhân lực, kịch bản cơ sở: mô hình qua kiểm định quá khứ cho "
                          "mục tiêu này", "Probability from the stock-flow model, baseline scenario: it passes its "
                          "hindcast for this target"),
        "engine_coverage": ("Xác suất theo mô hình xu hướng: khoảng dự báo của mô hình dòng nhân lực chưa khớp "
                            "với số liệu quá khứ của mục tiêu này", "Probability from the trend model: the "
                            "stock-flow model's intervals do not match this target's past"),
        "engine_mae": ("Xác suất theo mô hình xu hướng: trên số liệu quá khứ, mô hình dòng nhân lực sai nhiều hơn "
                       "mô hình xu hướng", "Probability from the trend model: on past data the stock-flow model "
                       "erred more than the trend model"),
        "engine_too_few": ("Xác suất theo mô hình xu hướng: quá ít dự báo quá khứ để kiểm định mô hình dòng nhân "
                           "lực", "Probability from the trend model: too few past forecasts to check the "
                           "stock-flow model"),
        "no_hindcast": ("Xác suất theo mô hình xu hướng: chưa có kết quả kiểm định quá khứ của mô hình dòng nhân "
                        "lực, nên mặc định dùng mô hình xu hướng", "Probability from the trend model: no hindcast "
                        "of the stock-flow model is available, so the trend model is the default"),
        "no_engine": ("Xác suất theo mô hình xu hướng: mô hình dòng nhân lực không chạy cho mục tiêu này (không có "
                      "danh sách nhân sự)", "Probability from the trend model: the stock-flow model did not run "
                      "for this target (no staff roster)"),
        "no_trend": ("Chưa có xác suất: chuỗi số liệu quá ngắn để dự báo xu hướng và mô hình dòng nhân lực chưa qua "
                     "kiểm định", "No probability: the series is too short for a trend forecast and the "
                     "stock-flow model has not passed its hindcast"),
        "no_component": ("Chưa có xác suất: không mô hình nào dự báo được mục tiêu này",
                         "No probability: neither model could forecast this target"),
    }
    vi_text, en_text = texts[verdict.reason]
    return _nfc((vi_text if vi else en_text) + figures + ".")


# ---------------------------------------------------------------------------
# scenarios as changes
# ---------------------------------------------------------------------------
def scenario_sentence(change: ScenarioChange, label: str, lang: str,
                      shown: Callable[[float | None, str], str] | None = None) -> str:
    """``đào tạo tăng tốc: xác suất đạt từ 58% lên 84%; năm 2030: 95,7% → 97,1%``.

    ``shown(p, lang)`` writes the probabilities (default: whole percentages, as the reports do;
    the explorer passes its own one-decimal form so the sentence matches its table).
    """
    vi = _lang(lang) == "vi"
    show = shown or probability
    a, b = show(change.p_from, lang), show(change.p_to, lang)
    if a == b:
        p_part = f"xác suất đạt giữ ở {a}" if vi else f"chance of meeting stays at {a}"
    elif vi:
        up = change.p_to is not None and change.p_from is not None and change.p_to > change.p_from
        p_part = f"xác suất đạt từ {a} {'lên' if up else 'xuống'} {b}"
    else:
        p_part = f"chance of meeting from {a} to {b}"
    m_from, m_to = value(change.median_from, change.kind, lang), value(change.median_to, change.kind, lang)
    year = f"năm {change.year}" if vi else str(change.year)
    return _nfc(f"{label}: {p_part}; {year}: {m_from} → {m_to}")


# ---------------------------------------------------------------------------
# a count that fell
# ---------------------------------------------------------------------------
def fall_sentence(fall: Fall, causes: list[UnusualFlow], stock: tuple[float, float] | None, lang: str) -> str:
    """``Số lượng giảm từ 274 (2024) xuống 253 (2025). Năm 2025 có: …`` from the data."""
    vi = _lang(lang) == "vi"
    n = lambda x: number(x, 0, lang)  # noqa: E731 - a local shorthand
    head = (f"Số lượng giảm từ {n(fall.value_from)} ({fall.year_from}) xuống {n(fall.value_to)} ({fall.year_to})."
            if vi else f"The count fell from {n(fall.value_from)} ({fall.year_from}) to {n(fall.value_to)} "
            f"({fall.year_to}).")
    parts = []
    for c in causes:
        name = FLOW_NAMES.get(c.flow, {}).get(lang, c.flow)
        usual = (("các năm trước: không có" if vi else "none in the years before") if c.usual == 0 else
                 (f"bình quân các năm trước: {n(c.usual)}" if vi else f"{n(c.usual)} a year before"))
        parts.append(f"{n(c.count)} {name} ({usual})")
    text = head
    if parts:
        text += (f" Năm {fall.year_to} có " if vi else f" In {fall.year_to} there were ") + "; ".join(parts) + "."
    if stock is not None:
        text += (f" Tổng số thạc sĩ, tiến sĩ trong toàn đội ngũ: {n(stock[0])} → {n(stock[1])}." if vi else
                 f" Masters and doctors across all staff: {n(stock[0])} → {n(stock[1])}.")
    if not parts:
        text += (" Số liệu dòng nhân lực không cho thấy dòng ra bất thường trong năm đó." if vi else
                 " The flows show no unusual exit that year.")
    return _nfc(text)
