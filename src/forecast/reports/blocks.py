"""The building blocks of report pages: escaped HTML pieces and the words every section shares.

Pure functions returning strings: tables in their own scrolling container (a phone scrolls
the table, never the page), statuses with their symbol and word, values in the report's
number format, scenario titles, "what it would take". Every data-derived string is
escaped; :class:`Markup` marks the few strings that are already safe HTML.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from forecast import i18n
from forecast.reports import fmt, palette
from forecast.reports.html import target_summary


class Markup(str):
    """A string that is already safe HTML (table cells holding it are not escaped again)."""


def esc(x: object) -> str:
    """Escape any value for HTML text (data-derived strings are never trusted)."""
    return html.escape(fmt.nfc(str(x)))


def heading_html(text: str, level: int = 2) -> str:
    """A section heading."""
    return f"<h{level}>{esc(text)}</h{level}>"


def paragraph_html(text: str, cls: str = "") -> str:
    """A paragraph of escaped prose."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def list_html(items: Sequence[str], cls: str = "") -> str:
    """A bulleted list; items are escaped unless they are :class:`Markup`."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{_cell_text(i)}</li>" for i in items) + "</ul>"


def _cell_text(v: object) -> str:
    return str(v) if isinstance(v, Markup) else esc(v)


def table_html(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] | set[int] = (),
               cls: str = "", caption: str = "") -> str:
    """An escaped HTML table in its own scrolling container.

    The container (``div.table-wrap``) scrolls sideways on a narrow screen so that no
    column is cut and the page itself never scrolls; print styles let the table wrap
    to the page instead. Each cell carries its column heading (``data-label``) for the
    card layout of the summary on phones.
    """
    def cell(tag: str, i: int, v: object) -> str:
        c = ' class="num"' if i in numeric else ""
        lab = f' data-label="{esc(head[i])}"' if tag == "td" and i < len(head) else ""
        return f"<{tag}{c}{lab}>{_cell_text(v)}</{tag}>"

    thead = "<tr>" + "".join(cell("th", i, h) for i, h in enumerate(head)) + "</tr>"
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    klass = f' class="{esc(cls)}"' if cls else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="table-wrap" role="region" tabindex="0"><table{klass}>{cap}<thead>{thead}</thead>'
            f"<tbody>{body}</tbody></table></div>")


def value(v: object, kind: str, lang: str, digits: int = 1) -> str:
    """A target value: a percentage for shares, whole people for counts; ``–`` when missing."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return fmt.MISSING
    return fmt.percent(v, digits, lang) if kind == "share" else fmt.number(v, 0, lang)


def threshold_text(threshold: float | None, lang: str) -> str:
    """The target as written in tables: ``95%``, or "rising every year" for T11."""
    return fmt.percent(threshold, 0, lang) if threshold is not None else i18n.t("report.rising", lang)


def status_label(status: object, lang: str) -> str:
    """A status or class code in the report language (an unknown code as given, underscores as spaces)."""
    if status is None:
        return fmt.MISSING
    key = f"status.{status}"
    return i18n.t(key, lang) if i18n.has(key) else str(status).replace("_", " ")


def status_text(status: object, lang: str) -> str:
    """Symbol and word of a status (``✓ Đúng tiến độ``): the word never relies on colour."""
    if status is None:
        return fmt.MISSING
    return f"{palette.status_symbol(str(status))} {status_label(status, lang)}"


def status_html(status: object, lang: str) -> Markup:
    """A status as a coloured badge with its symbol and word."""
    if status is None:
        return Markup(esc(fmt.MISSING))
    code = str(status) if str(status) in palette.STATUS_STYLE else "unknown"
    return Markup(f'<span class="status status-{esc(code)}">{esc(status_text(status, lang))}</span>')


def model_name(method: str | None, lang: str, scenarios: list[dict] | None = None) -> str:
    """A forecasting method's name in the report language (``default`` → the default, explained)."""
    if not method:
        return fmt.MISSING
    if method.startswith("stockflow:"):
        name = method.split(":", 1)[1]
        labels = {s["name"]: scenario_label(s, lang) for s in scenarios or []}
        return i18n.t("model.stockflow", lang, scenario=labels.get(name, name))
    key = f"model.{method}"
    return i18n.t(key, lang) if i18n.has(key) else method


def tidy(text: str, lang: str) -> str:
    """Data text in the report's typography: no space between a number and ``%`` in either language."""
    out = fmt.nfc(text)
    for digit in "0123456789":
        out = out.replace(f"{digit} %", f"{digit}%")
    return out


def scenario_label(scenario: dict, lang: str) -> str:
    """A scenario's title in the report language (its name when it has none)."""
    label = scenario.get("label")
    if isinstance(label, dict):
        label = label.get(lang) or label.get("en")
    return tidy(str(label or scenario["name"]), lang)


def scenario_description(scenario: dict, lang: str) -> str:
    """A scenario's description in the report language (the English one only for English pages)."""
    if lang == "vi":
        text = scenario.get("description_vi") or ""
    else:
        text = scenario.get("description") or ""
    return tidy(str(text), lang)


def summary_row(outcome) -> dict:
    """One target's row of ``summary.json`` (the reports' single source of figures)."""
    return target_summary(outcome)


def people_per_year(outcome, required_pp: float | None) -> float | None:
    """Extra people meeting the criterion each year that the required pace means at today's headcount."""
    s = outcome.series
    if required_pp is None or s is None or "denominator" not in s or not len(s.dropna(subset=["denominator"])):
        return None
    den = float(s.dropna(subset=["denominator"]).iloc[-1]["denominator"])
    return required_pp / 100.0 * den


def what_it_takes(outcome, lang: str) -> str:
    """One sentence: the pace (and roughly how many people a year) the target needs from now."""
    t = i18n.t
    if outcome.kind == "count":
        return t("report.take_rising", lang)
    row = summary_row(outcome)
    req, obs = row.get("required_pace"), row.get("observed_pace")
    if row.get("status") in ("met", "achieved") or (req is not None and req <= 0):
        return t("report.take_met", lang)
    if req is None:
        return fmt.MISSING
    n = people_per_year(outcome, req)
    people = t("report.take_people", lang, n=fmt.number(n, 0, lang)) if n and n >= 1 else ""
    if obs is not None and obs > 0 and req > obs:
        return t("report.take_pace", lang, req=fmt.points(req, 1, lang), mult=fmt.number(req / obs, 1, lang),
                 people=people)
    if obs is not None and obs > 0 and req <= obs:
        on_track = row.get("status") in (None, "on_track") or (row.get("p_meet") or 0) >= 0.5
        return t("report.take_met", lang) if on_track else t("report.take_slowing", lang)
    return t("report.take_pace_simple", lang, req=fmt.points(req, 1, lang), people=people)


def synthetic_mark(res, lang: str) -> str | None:
    """The mark every chart of synthetic data carries (``None`` for real data)."""
    return i18n.t("chart.synthetic", lang) if getattr(res, "synthetic", False) else None
