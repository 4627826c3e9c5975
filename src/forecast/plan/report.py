"""Report content of issue 16 as tables and sentences (Vietnamese and English), for the report stages to show.

Nothing here draws or writes a page: each function returns a DataFrame or text built only from
aggregates, and every count of people under :data:`forecast.plan.units.MIN_CELL` is suppressed
(shown as ``None``; the pages print a dash).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.domain.vocabulary import KEY_FIELDS, POSTGRAD
from forecast.inputs.roster import active_on
from forecast.plan import costs as costs_mod
from forecast.plan import joint
from forecast.plan.needs import TargetEffort
from forecast.plan.units import MIN_CELL, UnitOutlook
from forecast.verdict import yearchange

LANGS = ("vi", "en")

#: Programme names in Vietnamese (the engine's English labels are in :data:`forecast.stockflow.PROGRAMMES`).
PROGRAMME_VI = {
    "university": "Đại học (vừa làm vừa học)", "postgraduate": "Sau đại học (lĩnh vực trọng điểm)",
    "political_theory_elementary": "Sơ cấp lý luận chính trị",
    "political_theory_intermediate": "Trung cấp lý luận chính trị",
    "political_theory_senior": "Cao cấp lý luận chính trị", "principal_specialist": "Chương trình chuyên viên chính",
    "senior_specialist": "Chương trình chuyên viên cao cấp", "language": "Ngoại ngữ", "it": "Tin học",
    "standard_training": "Bồi dưỡng theo tiêu chuẩn ngạch, chức danh, vị trí việc làm",
    "standardisation": "Chuẩn hóa cán bộ cấp xã",
}


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def _vnd(x: float | None, lang: str) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    text = f"{x:,.0f}"
    return (text.replace(",", ".") + " đồng") if lang == "vi" else f"{text} VND"


def _pct(x: float, lang: str) -> str:
    return f"{100 * x:.0f} %"


def _int(x: float, lang: str) -> str:
    text = f"{x:,.0f}"
    return text.replace(",", ".") if lang == "vi" else text


def _suppress(n: float | int | None) -> int | None:
    return None if n is None or n < MIN_CELL else int(n)


def plan_table(plan: joint.Plan, lang: str = "vi") -> pd.DataFrame:
    """The costed plan: one row per programme, places a year and cost per year 2026–2030, total, provenance."""
    _check(lang)
    t = joint.plan_table(plan)
    places = t.pivot_table(index="programme", columns="year", values="places", aggfunc="first")
    cost = t.pivot_table(index="programme", columns="year", values="cost_vnd", aggfunc="sum")
    rows = []
    for pg in plan.places:
        c = plan.costs[pg]
        name = PROGRAMME_VI[pg] if lang == "vi" else pg.replace("_", " ")
        row = {("Chương trình" if lang == "vi" else "programme"): name}
        for y in places.columns:
            row[f"{y}"] = int(places.loc[pg, y]) if pg in places.index else 0
        row["Chi phí 2026–2030 (đồng)" if lang == "vi" else "cost 2026–2030 (VND)"] = (
            float(cost.loc[pg].sum()) if pg in cost.index else 0.0)
        assumed = c.status == costs_mod.ASSUMPTION
        row["Căn cứ đơn giá" if lang == "vi" else "unit cost basis"] = (
            ("GIẢ ĐỊNH: " if lang == "vi" else "") + c.basis if assumed else c.source)
        rows.append(row)
    return pd.DataFrame(rows)


def plan_sentences(plan: joint.Plan, lang: str = "vi") -> list[str]:
    """The plan's summary: objective, total cost, simulated probabilities reached, what it cannot reach."""
    _check(lang)
    met = ", ".join(f"{t} ({_pct(plan.probabilities[t], lang)})" for t in plan.met) or "—"
    out = []
    if lang == "vi":
        out.append(("Kế hoạch chi phí thấp nhất để đạt mọi chỉ tiêu có thể đạt với xác suất ≥ "
                    if plan.budget is None else "Kế hoạch đạt nhiều chỉ tiêu nhất trong kinh phí, xác suất ≥ ")
                   + f"{_pct(plan.p_required, lang)} (mô phỏng kiểm chứng: {'đạt' if plan.verified else 'CHƯA đạt'}).")
        out.append(f"Tổng kinh phí 2026–2030: {_vnd(plan.cost_total, lang)}; đơn giá có nhãn GIẢ ĐỊNH "
                   "là giả định của công cụ, không phải mức do văn bản quy định.")
        out.append(f"Xác suất đạt năm 2030 theo mô phỏng: {met}.")
        for t in plan.unreachable:
            out.append(f"{t}: không kế hoạch đào tạo nào đạt được (ngay cả khi mọi chương trình có "
                       f"{_int(plan.top_places, lang)} chỉ tiêu/năm, xác suất chỉ "
                       f"{_pct(plan.top_probabilities.get(t, 0.0), lang)}).")
    else:
        out.append((f"Least-cost plan meeting every reachable target with probability ≥ {_pct(plan.p_required, lang)}"
                    if plan.budget is None else
                    f"Plan meeting the most targets within the budget, probability ≥ {_pct(plan.p_required, lang)}")
                   + f" (verified by simulation: {'yes' if plan.verified else 'NO'}).")
        out.append(f"Total cost 2026–2030: {_vnd(plan.cost_total, lang)}; unit costs marked ASSUMPTION are this "
                   "workbench's assumptions, not amounts set by an act.")
        out.append(f"Simulated probability of meeting each target in 2030: {met}.")
        for t, why in plan.unreachable.items():
            out.append(f"{t}: no training plan reaches it ({why}).")
    return out


def effort_line(effort: TargetEffort, lang: str = "vi") -> str:
    """One target's effort sentence with its cost (or why it cannot be reached)."""
    _check(lang)
    progs = " + ".join(PROGRAMME_VI[p] if lang == "vi" else p.replace("_", " ") for p in effort.programmes)
    assumed = effort.cost_status == "assumption"
    if not effort.reachable:
        return (f"{effort.target_id}: không đạt được chỉ bằng đào tạo — {effort.reason}." if lang == "vi" else
                f"{effort.target_id}: training alone cannot reach it — {effort.reason}.")
    if lang == "vi":
        cost = ("" if effort.cost_total is None else
                f"; kinh phí khoảng {_vnd(effort.cost_per_year, lang)}/năm, {_vnd(effort.cost_total, lang)} "
                f"giai đoạn 2026–2030{' (đơn giá GIẢ ĐỊNH)' if assumed else ''}")
        return (f"{effort.target_id}: cần {_int(effort.places_per_year, lang)} chỉ tiêu/năm {progs} (hiện "
                f"{_int(effort.baseline_places, lang)}) để đạt với xác suất {_pct(effort.probability, lang)} "
                f"(≥ {_pct(effort.p_required, lang)}), đã tính người nghỉ hưu, nghỉ việc và tuyển mới{cost}.")
    cost = ("" if effort.cost_total is None else
            f"; about {_vnd(effort.cost_per_year, lang)} a year, {_vnd(effort.cost_total, lang)} over 2026–2030"
            f"{' (ASSUMED unit cost)' if assumed else ''}")
    return (f"{effort.target_id}: {effort.places_per_year:,} places a year of {progs} (now "
            f"{effort.baseline_places:,.0f}) reach it with probability {_pct(effort.probability, lang)} "
            f"(≥ {_pct(effort.p_required, lang)}), net of retirements, exits and recruits{cost}.")


def unit_table(outlook: UnitOutlook, ranked: pd.DataFrame, allocation: pd.DataFrame | None = None,
               target_id: str | None = None) -> pd.DataFrame:
    """Per unit (and target): 2030 median share, P(meet), rank, allocated places; cells under 5 people suppressed."""
    t = outlook.table if target_id is None else outlook.table[outlook.table["target"] == target_id]
    t = t.merge(ranked[["unit", "rank"]], on="unit", how="left")
    if allocation is not None and len(allocation):
        places = allocation.groupby("unit")["places_per_year"].sum().rename("allocated_places_per_year")
        t = t.merge(places, left_on="unit", right_index=True, how="left")
        t["allocated_places_per_year"] = t["allocated_places_per_year"].fillna(0).astype(int)
    small = t["denominator"] < MIN_CELL
    out = t[["unit", "target", "rank", "denominator", "share", "median_2030", "low_2030", "high_2030", "p_meet",
             *(["allocated_places_per_year"] if "allocated_places_per_year" in t else [])]].copy()
    out["denominator"] = out["denominator"].astype(object)
    for col in ("denominator", "share", "median_2030", "low_2030", "high_2030", "p_meet"):
        out[col] = out[col].astype(object)
        out.loc[small, col] = None  # a population under 5 people: no figure at all
    return out.sort_values(["rank", "target"]).reset_index(drop=True)


def t09_parts(projection, lang: str = "vi") -> pd.DataFrame:
    """T09 and its parts T09a–c: start value, 2030 median and P(meet) from one projection."""
    _check(lang)
    names = {"vi": {"T09": "Đủ cả ba", "T09a": "Ngoại ngữ", "T09b": "Tin học", "T09c": "Bồi dưỡng theo tiêu chuẩn"},
             "en": {"T09": "All three", "T09a": "Foreign language", "T09b": "IT", "T09c": "Standard training"}}[lang]
    rows = []
    for tid in ("T09", "T09a", "T09b", "T09c"):
        rows.append({"target": tid, "part": names[tid], "start": projection.start_value(tid),
                     "median_2030": float(np.median(projection.draws(tid)[:, -1])), "p_meet": projection.p_meet(tid)})
    return pd.DataFrame(rows)


def t11_by_field(roster: pd.DataFrame, key_fields: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Post-graduates in post by key field and snapshot year (T11's breakdown); counts under 5 suppressed."""
    fields = key_fields or tuple(KEY_FIELDS)
    frame = roster[active_on(roster)] if "year" in roster else roster
    pg = frame[frame["education"].isin(POSTGRAD) & frame["field"].isin(fields)]
    table = pg.groupby(["year", "field"]).size().unstack(fill_value=0) if "year" in pg else (
        pg.groupby("field").size().to_frame().T)
    table = table.reindex(columns=list(fields), fill_value=0)
    return table.map(_suppress)


REASONS = {"vi": {"definition": "thay đổi định nghĩa chỉ tiêu", "reorganisation": "sắp xếp lại đơn vị hành chính",
                  "new_data": "số liệu mới", "method": "thay đổi phương pháp dự báo"},
           "en": {"definition": "definition change", "reorganisation": "reorganisation of units",
                  "new_data": "new data", "method": "change of forecasting method"}}


#: Codes of :data:`forecast.verdict.yearchange.REASONS` → the words' keys above.
_REASON_WORD = {"definition_change": "definition", "method_change": "method"}


def what_changed(previous: Path | str | Mapping, current: Mapping, lang: str = "vi", min_move: float = 0.1,
                 reorganised: bool = False) -> pd.DataFrame:
    """Targets whose status changed or whose probability moved by ≥ ``min_move`` since a previous ``summary.json``.

    Parameters
    ----------
    previous : path or mapping
        The previous report set's ``summary.json`` (a missing file gives an empty table).
    current : mapping
        This run's ``summary.json`` document.
    reorganised : bool
        Whether the units were reorganised between the two (e.g. the 2025 merger of communes).

    Returns
    -------
    DataFrame
        ``target``, ``status_before``, ``status_now``, ``p_before``, ``p_now``, ``reason`` (main reason
        in words: definition change, reorganisation, new data, or the method).
    """
    _check(lang)
    if isinstance(previous, Mapping):
        before: Mapping = previous
    else:
        path = Path(previous)
        if not path.exists():
            return pd.DataFrame(columns=["target", "status_before", "status_now", "p_before", "p_now", "reason"])
        before = json.loads(path.read_text(encoding="utf-8"))
    old = {t["id"]: t for t in before.get("targets", [])}
    rows = []
    for t in current.get("targets", []):
        o = old.get(t["id"])
        if o is None:
            continue
        p0, p1 = o.get("p_meet"), t.get("p_meet")
        moved = p0 is not None and p1 is not None and abs(p1 - p0) >= min_move
        if o.get("status") != t.get("status") or moved:
            # the main reason by the one rule of the year-on-year section (forecast.verdict.yearchange)
            code = yearchange.causes(before, current, o, t, t["id"])[0]
            if reorganised and code != "definition_change":
                code = "reorganisation"
            rows.append({"target": t["id"], "status_before": o.get("status"), "status_now": t.get("status"),
                         "p_before": p0, "p_now": p1, "reason": REASONS[lang][_REASON_WORD.get(code, code)]})
    return pd.DataFrame(rows, columns=["target", "status_before", "status_now", "p_before", "p_now", "reason"])
