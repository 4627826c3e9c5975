"""The national roll-up: ``national/index.html`` (Vietnamese), ``index.en.html`` and ``summary.json``.

National figures are sums of the provinces' counts (numerators and denominators of the
same year), and a national share is the ratio of the two sums, never an average of the
provinces' shares: a province of 40,000 staff weighs what its staff weigh. Provinces whose
counts are of another year than the latest as-of year are listed but not summed.
The pages are self-contained like every report page (:func:`forecast.reports.html.page`).
"""

from __future__ import annotations

from pathlib import Path

from forecast import i18n
from forecast.national.tasks import read_counts
from forecast.reports import fmt
from forecast.reports import html as report
from forecast.reports.blocks import Markup, esc, status_html, table_html, threshold_text, value

#: Statuses that count as "met or on track" in the national table.
GOOD = {"achieved", "met", "on_track"}
#: How many provinces the "furthest behind" table names per target.
BEHIND = 3
#: The page of each language (Vietnamese first: ``index.html``).
PAGES = {"vi": "index.html", "en": "index.en.html"}


def collect(out_base: Path, status: dict[str, str], published: dict[str, dict]) -> list[dict]:
    """One row per province: its run status and the counts of its current report set (if any).

    ``published`` maps a province to its last published ``as_of`` (the national state);
    a province that failed this run keeps the figures of its previous report set.
    """
    rows = []
    for name in sorted(status):
        as_of = (published.get(name) or {}).get("as_of")
        data = read_counts(Path(out_base) / name / str(as_of)) if as_of is not None else None
        run = status[name]
        if run == "failed" and data is None:
            run = "failed_none"
        rows.append({"name": name, "run": run, "as_of": as_of, "data": data,
                     "href": f"../{name}/{as_of}/index.html" if data is not None else None})
    return rows


def _sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(sum(present)) if present else None


def aggregate(rows: list[dict]) -> dict:
    """National sums per target over the provinces with counts for the latest as-of year.

    Returns ``{"year", "provinces", "targets": [{id, kind, threshold, text, numerator,
    denominator, share, reporting, good}]}``; ``share`` = sum of numerators / sum of
    denominators (``None`` without a positive denominator).
    """
    with_data = [r for r in rows if r["data"] is not None]
    if not with_data:
        return {"year": None, "provinces": 0, "targets": []}
    year = max(int(r["data"]["as_of"]) for r in with_data)
    same = [r["data"] for r in with_data if int(r["data"]["as_of"]) == year]
    ids = sorted({tid for d in same for tid in d["targets"]})
    out = []
    for tid in ids:
        cells = [d["targets"][tid] for d in same if tid in d["targets"]]
        pairs = [(c.get("numerator"), c.get("denominator")) for c in cells]
        kind = cells[0].get("kind")
        # a share needs both counts from a province; a count target only its numerator
        used = [(n, d) for n, d in pairs if n is not None and (d is not None or kind != "share")]
        num, den = _sum([n for n, _ in used]), _sum([d for _, d in used])
        out.append({"id": tid, "kind": kind, "threshold": cells[0].get("threshold"), "text": cells[0].get("text"),
                    "numerator": num, "denominator": den,
                    "share": num / den if kind == "share" and num is not None and den else None,
                    "reporting": len(used), "good": sum(1 for c in cells if c.get("status") in GOOD)})
    return {"year": year, "provinces": len(same), "targets": out}


def province_name(row: dict, lang: str) -> str:
    """The province's name in ``lang``: from its dataset (national list label), else its folder name."""
    data = row.get("data") or {}
    named = data.get("province_name") or data.get("name")
    return report.in_language(named, lang) if named else row["name"]


def _percent_or_count(v: float | None, kind: str | None, lang: str) -> str:
    return value(v, "share" if kind == "share" else "count", lang)


def _aggregates_html(agg: dict, lang: str) -> str:
    t = i18n.t
    head = [t("national.col.target", lang), t("national.col.threshold", lang), t("national.col.numerator", lang),
            t("national.col.denominator", lang), t("national.col.share", lang), t("national.col.provinces", lang),
            t("national.col.met", lang)]
    body = []
    for a in agg["targets"]:
        text = report.in_language(a.get("text") or "", lang)
        body.append([Markup(f"<b>{esc(a['id'])}</b> {esc(text)}"), threshold_text(a["threshold"], lang),
                     fmt.number(a["numerator"], 0, lang) if a["numerator"] is not None else fmt.MISSING,
                     fmt.number(a["denominator"], 0, lang) if a["denominator"] is not None else fmt.MISSING,
                     value(a["share"], "share", lang) if a["kind"] == "share"
                     else fmt.number(a["numerator"], 0, lang) if a["numerator"] is not None else fmt.MISSING,
                     str(a["reporting"]), str(a["good"])])
    return table_html(head, body, numeric={2, 3, 4, 5, 6})


def _cell(target: dict | None, lang: str) -> Markup:
    if not target:
        return Markup(esc(fmt.MISSING))
    p = target.get("p_meet")
    prob = f" · {esc(fmt.probability(p, lang))}" if p is not None else ""
    return Markup(f"{status_html(target.get('status'), lang)}{prob}")


def _province_link(row: dict, lang: str) -> Markup:
    name = esc(province_name(row, lang))
    return Markup(f'<a href="{esc(row["href"])}">{name}</a>') if row["href"] else Markup(name)


def _by_province_html(rows: list[dict], ids: list[str], lang: str) -> str:
    t = i18n.t
    head = [t("national.col.province", lang), t("national.col.run", lang), *ids]
    body = []
    for r in rows:
        targets = (r["data"] or {}).get("targets", {})
        body.append([_province_link(r, lang), t(f"national.run.{r['run']}", lang),
                     *[_cell(targets.get(tid), lang) for tid in ids]])
    return table_html(head, body)


def furthest_behind(rows: list[dict], tid: str, k: int = BEHIND) -> list[tuple[dict, dict]]:
    """The ``k`` provinces least likely to meet target ``tid`` (ties: larger gap to the threshold first)."""
    scored = []
    for r in rows:
        c = ((r["data"] or {}).get("targets") or {}).get(tid)
        if not c or c.get("p_meet") is None:
            continue
        gap = (c["threshold"] - c["latest_value"]) if c.get("threshold") is not None and \
            c.get("latest_value") is not None else float("-inf")
        scored.append((c["p_meet"], -gap, r["name"], r, c))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    return [(r, c) for *_, r, c in scored[:k]]


def _behind_html(rows: list[dict], agg: dict, lang: str) -> str:
    t = i18n.t
    head = [t("national.col.target", lang), t("national.col.province", lang), t("national.col.p_meet", lang),
            t("national.col.gap", lang)]
    body = []
    for a in agg["targets"]:
        for r, c in furthest_behind(rows, a["id"]):
            gap = (c["threshold"] - c["latest_value"]) if a["kind"] == "share" and c.get("latest_value") is not None \
                and c.get("threshold") is not None else None
            body.append([a["id"], _province_link(r, lang), fmt.probability(c["p_meet"], lang),
                         fmt.points(gap * 100, 1, lang, signed=False, unit=False) if gap is not None else fmt.MISSING])
    return table_html(head, body, numeric={2, 3})


def national_page(rows: list[dict], agg: dict, lang: str = "vi") -> str:
    """The roll-up page in ``lang``: aggregates, each province per target, the furthest behind, failures."""
    t = i18n.t
    other = "en" if lang == "vi" else "vi"
    ids = [a["id"] for a in agg["targets"]]
    parts = [f"<h1>{esc(t('national.title', lang))}</h1>",
             f'<p><a href="{PAGES[other]}" hreflang="{other}">{esc(t("national.other_lang", lang))}</a></p>',
             f"<p>{esc(t('national.intro', lang, n=len(rows), year=agg['year'] or fmt.MISSING))}</p>"]
    if any((r["data"] or {}).get("synthetic") for r in rows):
        parts.append(f'<p class="notice">{esc(t("national.synthetic", lang))}</p>')
    parts += [f"<h2>{esc(t('national.aggregates', lang))}</h2>", _aggregates_html(agg, lang),
              f"<h2>{esc(t('national.by_province', lang))}</h2>",
              f"<p class=\"meta\">{esc(t('national.by_province_note', lang))}</p>",
              _by_province_html(rows, ids, lang),
              f"<h2>{esc(t('national.behind', lang))}</h2>",
              f"<p class=\"meta\">{esc(t('national.behind_note', lang, k=BEHIND))}</p>",
              _behind_html(rows, agg, lang)]
    failed = [r for r in rows if r["run"] in ("failed", "failed_none")]
    if failed:
        items = "".join(f"<li>{_province_link(r, lang)}: {esc(t('national.run.' + r['run'], lang))}</li>"
                        for r in failed)
        parts += [f"<h2>{esc(t('national.failed', lang))}</h2>",
                  f"<p>{esc(t('national.failed_note', lang))}</p><ul>{items}</ul>"]
    return report.page(t("national.title", lang), "\n".join(parts), lang=lang, nav=False, kind="index")


def write_rollup(folder: Path, rows: list[dict]) -> list[Path]:
    """Write the roll-up pages (``index.html`` Vietnamese, ``index.en.html``) and ``summary.json``."""
    folder = Path(folder)
    agg = aggregate(rows)
    written = []
    for lang, name in PAGES.items():
        report.atomic_write_text(folder / name, national_page(rows, agg, lang))
        written.append(folder / name)
    provinces = [{"name": r["name"], "run": r["run"], "as_of": r["as_of"],
                  "targets": {tid: {k: c.get(k) for k in ("status", "p_meet", "numerator", "denominator")}
                              for tid, c in ((r["data"] or {}).get("targets") or {}).items()}} for r in rows]
    report.write_json(folder / "summary.json", {"year": agg["year"], "aggregates": agg["targets"],
                                                "provinces": provinces})
    written.append(folder / "summary.json")
    return written
