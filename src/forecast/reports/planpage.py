"""The training plan on the report pages, as safe HTML from the run's ``plan`` block (issue 16).

Every function reads ``res.plan`` (:func:`forecast.reports.planrun.plan_summary`, the same
block ``summary.json`` holds) and the report language, and returns headings, prose and tables
whose every word comes from the catalogue (:mod:`forecast.i18n.plan`): the summary's costed plan
(places by programme and year, cost by year and in total, unit costs with their basis, the
ASSUMPTION label), the units furthest from the targets, a target's effort line (its own effort
and its part in the joint plan; T09's parts, T11 by key field) and a unit's outlook and allocated
places. Figures are aggregates: a unit's forecast for a target counting fewer than 5 people
is not in the block at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from forecast import i18n
from forecast.plan.effort import DEFAULT_LEVERS
from forecast.reports import fmt
from forecast.reports.blocks import heading_html, list_html, paragraph_html, table_html
from forecast.reports.plangroups import groups_html, programme_name
from forecast.reports.suppression import MIN_CELL

t = i18n.t

#: Rows of the summary's ranking of units.
RANKED_ROWS = 10


def _plan(res) -> Mapping | None:
    return getattr(res, "plan", None) or None


def vnd(x: float | None, lang: str) -> str:
    """An amount in billions of VND (``212,3 tỷ đồng`` / ``VND 212.3 bn``)."""
    if x is None:
        return fmt.MISSING
    return t("plan.vnd_bn", lang, x=fmt.number(float(x) / 1e9, 1, lang))


def basis_text(unit_cost: Mapping, lang: str) -> str:
    """What a unit cost rests on: ``GIẢ ĐỊNH`` / ``ASSUMPTION``, or the acts that set it."""
    if unit_cost.get("status") != "legal":
        return t("plan.basis_assumption", lang)
    source = str(unit_cost.get("source") or "")
    acts = re.findall(r"\d+/\d{4}/[A-ZĐ][\wĐ-]*", source)
    return t("plan.basis_legal", lang, acts=", ".join(dict.fromkeys(acts)) if acts else source)


def _programmes_of(target_id: str) -> list[str]:
    return [lv.split(".")[1] for lv in DEFAULT_LEVERS.get(target_id, ()) if lv.startswith("programmes.")]


# ---------------------------------------------------------------------------
# the summary
# ---------------------------------------------------------------------------
def plan_sentences(plan: Mapping, lang: str) -> list[str]:
    """Objective and check, total cost, the ASSUMPTION note, probabilities reached, unreachable targets."""
    p = fmt.percent(plan["p_required"], 0, lang)
    verified = t("plan.verified_yes" if plan["verified"] else "plan.verified_no", lang)
    if plan.get("budget_vnd") is None:
        out = [t("plan.intro_cost", lang, p=p, verified=verified)]
    else:
        out = [t("plan.intro_budget", lang, p=p, budget=vnd(plan["budget_vnd"], lang), verified=verified)]
    years = len(plan["years"]) or 1
    out.append(t("plan.cost_total", lang, total=vnd(plan["cost_total_vnd"], lang),
                 per_year=vnd(plan["cost_total_vnd"] / years, lang)))
    if any(c.get("status") != "legal" for c in plan["unit_costs"].values()):
        per_day = plan.get("assumed_per_day_vnd")
        out.append(t("plan.assumption_note", lang, per_day=t("plan.vnd", lang, x=fmt.number(per_day, 0, lang))
                     if per_day else fmt.MISSING))
    items = ", ".join(f"{tid} {fmt.probability(pr, lang)}" for tid, pr in plan["probabilities"].items()
                      if len(tid) == 3)
    out.append(t("plan.probabilities", lang, items=items))
    out.append(t("plan.spread_note", lang))
    for tid, top in plan["unreachable"].items():
        if len(tid) != 3:
            continue  # T09's parts: on T09's page
        out.append(t("plan.unreachable", lang, id=tid, places=fmt.number(plan.get("top_places"), 0, lang),
                     p=fmt.probability(top, lang)))
    idle = [programme_name(pg, lang) for pg, n in plan["places_per_year"].items() if n == 0]
    if idle:
        out.append(t("plan.idle", lang, items="; ".join(idle)))
    return out


def places_table(plan: Mapping, lang: str) -> tuple[list[str], list[list[str]]]:
    """Head and rows: programme, places each year, unit cost, cost 2026–2030, basis (programmes with places)."""
    years = [str(y) for y in plan["years"]]
    head = [t("plan.col_programme", lang), *years, t("plan.col_unit_cost", lang), t("plan.col_cost_total", lang),
            t("plan.col_basis", lang)]
    rows = []
    for pg, n in plan["places_per_year"].items():
        if n <= 0:
            continue
        uc = plan["unit_costs"].get(pg, {})
        rows.append([programme_name(pg, lang), *[fmt.number(n, 0, lang) for _ in years],
                     fmt.number(uc.get("vnd"), 0, lang), vnd(plan["cost_by_programme_vnd"].get(pg), lang),
                     basis_text(uc, lang)])
    return head, rows


def cost_table(plan: Mapping, lang: str) -> tuple[list[str], list[list[str]]]:
    """Head and rows: year, simulated participants, cost; and the 2026–2030 total."""
    head = [t("plan.col_year", lang), t("plan.col_participants", lang), t("plan.col_cost", lang)]
    rows = []
    for y in plan["years"]:
        people = sum(v[str(y)] for v in plan["participants"].values())
        rows.append([str(y), fmt.number(people, 0, lang), vnd(plan["cost_by_year_vnd"][str(y)], lang)])
    total = sum(sum(v.values()) for v in plan["participants"].values())
    rows.append([t("plan.total", lang), fmt.number(total, 0, lang), vnd(plan["cost_total_vnd"], lang)])
    return head, rows


def ranked_table(plan: Mapping, lang: str, names: Mapping[str, str] | None = None,
                 n: int = RANKED_ROWS) -> tuple[list[str], list[list[str]]]:
    """Head and rows of the units furthest from the targets (units under 5 people are not ranked here)."""
    names = names or {}
    p = fmt.percent(plan["p_required"], 0, lang)
    head = [t("plan.col_rank", lang), t("report.col_unit", lang), t("plan.col_gap", lang),
            t("plan.col_below", lang, p=p), t("plan.col_places", lang)]
    alloc: dict[str, int] = {}
    for r in plan["allocation"]:
        alloc[r["unit"]] = alloc.get(r["unit"], 0) + int(r["places_per_year"])
    rows = [[str(r["rank"]), f"{names.get(r['unit'], r['unit'])} ({r['unit']})",
             fmt.number(100 * float(r["gap_2030"]), 1, lang), fmt.number(r["targets_below_p"], 0, lang),
             fmt.number(alloc.get(r["unit"], 0), 0, lang)] for r in plan["ranked_units"][:n]]
    return head, rows


def plan_html(res, lang: str) -> str:
    """The summary's costed plan: sentences, places and cost tables, the units furthest from the targets."""
    plan = _plan(res)
    parts = [heading_html(t("plan.heading", lang))]
    if plan is None:
        return parts[0] + paragraph_html(t("plan.none", lang))
    sentences = plan_sentences(plan, lang)
    parts += [paragraph_html(s) for s in sentences[:2]]
    head, rows = places_table(plan, lang)
    parts.append(table_html(head, rows, numeric=set(range(1, len(head) - 1)), cls="plan",
                            caption=t("plan.places_caption", lang)))
    head, rows = cost_table(plan, lang)
    parts.append(table_html(head, rows, numeric={1, 2}, cls="plan-cost", caption=t("plan.cost_caption", lang)))
    parts += [paragraph_html(s) for s in sentences[2:]]
    groups = groups_html(plan, lang)  # the places by population group ("" without a split)
    if groups:
        parts.append(groups)
    head, rows = ranked_table(plan, lang, _unit_names(res))
    if rows:
        parts += [heading_html(t("plan.ranked_heading", lang), 3), paragraph_html(t("plan.ranked_intro", lang)),
                  table_html(head, rows, numeric={0, 2, 3, 4}, cls="ranked"),
                  paragraph_html(t("plan.unit_alloc_rule", lang), cls="meta")]
    return "\n".join(parts)


def _unit_names(res) -> dict[str, str]:
    communes = getattr(res, "communes", None)
    if communes is None or not len(communes):
        return {}
    return dict(zip(communes["unit_code"].astype(str), communes["name"].astype(str), strict=False))


# ---------------------------------------------------------------------------
# a target's page
# ---------------------------------------------------------------------------
def effort_sentences(plan: Mapping, target_id: str, lang: str) -> list[str]:
    """The target's own effort (places, probability, cost, or why not) and its part in the joint plan."""
    out = []
    effort = next((e for e in plan["efforts"] if e["target_id"] == target_id), None)
    if effort is not None:
        progs = " + ".join(programme_name(pg, lang) for pg in effort["programmes"])
        p_req = fmt.percent(effort["p_required"], 0, lang)
        if effort["reachable"] and not effort["places_per_year"]:
            out.append(t("plan.effort_zero", lang, programmes=progs, p=fmt.probability(effort["probability"], lang),
                         p_req=p_req))
        elif effort["reachable"]:
            assumed = t("plan.effort_assumed", lang) if effort["cost_status"] == "assumption" else ""
            out.append(t("plan.effort_line", lang, places=fmt.number(effort["places_per_year"], 0, lang),
                         programmes=progs, now=fmt.number(effort["baseline_places"], 0, lang),
                         p=fmt.probability(effort["probability"], lang), p_req=p_req,
                         per_year=vnd(effort["cost_per_year_vnd"], lang), total=vnd(effort["cost_total_vnd"], lang),
                         assumed=assumed))
        else:
            out.append(t("plan.effort_unreachable", lang, places=fmt.number(effort["places_per_year"], 0, lang),
                         programmes=progs, p=fmt.probability(effort["probability"], lang), p_req=p_req))
    if target_id in plan["probabilities"]:
        items = "; ".join(t("plan.places_item", lang, programme=programme_name(pg, lang),
                            places=fmt.number(plan["places_per_year"].get(pg, 0), 0, lang))
                          for pg in _programmes_of(target_id)) or fmt.MISSING
        out.append(t("plan.effort_in_plan", lang, items=items,
                     p=fmt.probability(plan["probabilities"][target_id], lang),
                     p0=fmt.probability(plan["baseline_probabilities"].get(target_id), lang)))
    if not out:
        out.append(t("plan.effort_none", lang))
    elif effort is not None:
        out.append(t("plan.effort_note", lang))
    return out


def t09_table(plan: Mapping, lang: str) -> tuple[list[str], list[list[str]]]:
    """Head and rows of T09 and its parts: now, 2030 median under the plan, probability."""
    head = [t("plan.col_part", lang), t("plan.col_start", lang), t("plan.col_median", lang), t("plan.col_p", lang)]
    rows = [[f"{r['target']} — {t('plan.part.' + r['target'], lang)}", fmt.percent(r["start"], 1, lang),
             fmt.percent(r["median_2030"], 1, lang), fmt.probability(r["p_meet"], lang)]
            for r in plan["t09_parts"] if i18n.has("plan.part." + str(r["target"]))]
    return head, rows


def t11_table(plan: Mapping, lang: str) -> tuple[list[str], list[list[str]]]:
    """Head and rows of post-graduates by key field and year (counts under 5 shown as hidden)."""
    rows_in = plan["t11_by_field"]
    fields = [k for k in (rows_in[0] if rows_in else {}) if k != "year"]
    head = [t("plan.col_year", lang), *[t(f"plan.field.{f}", lang) if i18n.has(f"plan.field.{f}") else f
                                        for f in fields]]
    hidden = t("report.hidden", lang)
    rows = [[str(r.get("year", "")), *[hidden if r[f] is None else fmt.number(r[f], 0, lang) for f in fields]]
            for r in rows_in]
    return head, rows


def effort_html(res, target_id: str, lang: str) -> str:
    """A target's effort section: what training it would take, T09's parts, T11 by key field."""
    plan = _plan(res)
    if plan is None:
        return ""
    parts = [heading_html(t("plan.effort_heading", lang))]
    parts += [paragraph_html(s) for s in effort_sentences(plan, target_id, lang)]
    if target_id == "T09" and plan["t09_parts"]:
        head, rows = t09_table(plan, lang)
        parts += [heading_html(t("plan.t09_heading", lang), 3), table_html(head, rows, numeric={1, 2, 3})]
    if target_id == "T11" and plan["t11_by_field"]:
        head, rows = t11_table(plan, lang)
        parts += [heading_html(t("plan.t11_heading", lang), 3),
                  table_html(head, rows, numeric=set(range(1, len(head))))]
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# a unit's page
# ---------------------------------------------------------------------------
def unit_allocation(plan: Mapping, unit: str) -> dict[str, int]:
    """Programme → places a year allocated to ``unit`` (programmes with none left out)."""
    out: dict[str, int] = {}
    for r in plan["allocation"]:
        if r["unit"] == unit and int(r["places_per_year"]) > 0:
            out[r["programme"]] = out.get(r["programme"], 0) + int(r["places_per_year"])
    return out


def unit_html(res, unit: str, lang: str) -> str:
    """A unit's outlook under the plan (2030 forecast, probability, rank) and its allocated places."""
    plan = _plan(res)
    if plan is None:
        return ""
    parts = [heading_html(t("plan.unit_heading", lang))]
    rows_in = [r for r in plan["units"] if r["unit"] == unit]
    ranked = {r["unit"]: r["rank"] for r in plan["ranked_units"]}
    alloc = unit_allocation(plan, unit)
    if not rows_in and not alloc:
        return parts[0] + paragraph_html(t("plan.unit_missing", lang))
    if rows_in:
        rank = ranked.get(unit, rows_in[0].get("rank"))
        parts.append(paragraph_html(t("plan.unit_intro", lang, rank=fmt.number(rank, 0, lang),
                                      n=fmt.number(len({r["unit"] for r in plan["units"]}), 0, lang))))
        head = [t("report.col_id", lang), t("report.col_2030", lang), t("report.col_p", lang)]
        rows = [[r["target"], f"{fmt.percent(r['median_2030'], 1, lang)} ({fmt.percent(r['low_2030'], 0, lang)}–"
                 f"{fmt.percent(r['high_2030'], 0, lang)})", fmt.probability(r["p_meet"], lang)]
                for r in sorted(rows_in, key=lambda r: str(r["target"]))]
        parts += [table_html(head, rows, numeric={1, 2}), paragraph_html(t("plan.unit_hidden", lang, n=MIN_CELL),
                                                                        cls="meta")]
    parts.append(heading_html(t("plan.unit_alloc_heading", lang), 3))
    if alloc:
        parts.append(list_html([t("plan.places_item", lang, programme=programme_name(pg, lang),
                                  places=fmt.number(n, 0, lang)) for pg, n in alloc.items()], cls="allocation"))
    else:
        parts.append(paragraph_html(t("plan.unit_alloc_none", lang)))
    parts.append(paragraph_html(t("plan.unit_alloc_rule", lang), cls="meta"))
    return "\n".join(parts)
