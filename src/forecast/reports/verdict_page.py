"""The verdict on the report pages: one probability, the rule behind it, scenarios as changes.

The logic lives in :mod:`forecast.verdict` (the rule, the record of every target built by
:func:`forecast.reports.pipeline.prepare_results`, the sentences); this module only puts
it on the page, escaped. Notebooks call :func:`scenario_changes`
(summary) and :func:`target_verdict` (one target); :func:`probability_cell` is the one
probability a table shows, :func:`rule_text` the rule under it.
"""

from __future__ import annotations

import html

from IPython.display import HTML, display

from forecast.domain import status as status_rule
from forecast.domain.targets import get_target
from forecast.reports import fmt
from forecast.verdict import wording

_T = {
    "changes_title": {"vi": "Các kịch bản so với xác suất hiện nay", "en": "Scenarios as changes from the headline"},
    "changes_none": {"vi": "Không có kịch bản nào được chạy.", "en": "No scenario was run."},
    "verdict_title": {"vi": "Đánh giá và cách tính", "en": "Verdict and how it is reached"},
    "scenarios": {"vi": "Các kịch bản:", "en": "Scenarios:"},
}


def _t(key: str, lang: str) -> str:
    return _T[key][fmt.check_lang(lang)]


def _show(text: str) -> None:
    display(HTML(fmt.nfc(text)))


def _esc(x) -> str:
    return html.escape(fmt.nfc(str(x)))


def _items(items: list[str], cls: str = "") -> str:
    klass = f' class="{_esc(cls)}"' if cls else ""
    return f"<ul{klass}>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>"


def _label(res, name: str, lang: str) -> str:
    for s in res.scenarios:
        if s["name"] == name:
            label = s.get("label")
            if isinstance(label, dict):
                label = label.get(lang) or label.get("en")
            return str(label or name)
    return name


def probability_cell(outcome, lang: str) -> str:
    """The one probability of a target a table shows (words when 100 % is out of reach)."""
    rec = getattr(outcome, "verdict", None)
    if rec is None:
        return fmt.probability((outcome.attainment or {}).get("p_meet"), lang)
    return wording.headline_probability(rec.verdict, lang, rec.unreachable)


def rule_text(lang: str) -> str:
    """The verdict rule in one paragraph (under the summary and scenario tables)."""
    return wording.rule_statement(lang)


def change_sentences(res, outcome, lang: str) -> list[str]:
    """Each scenario of a target as a change from its headline (``đào tạo tăng tốc: …``)."""
    rec = getattr(outcome, "verdict", None)
    if rec is None:
        return []
    return [wording.scenario_sentence(ch, _label(res, name, lang), lang) for name, ch in rec.changes]


def scenario_changes(res, lang: str) -> None:
    """Summary section: for each target, each scenario as a change from the headline."""
    _show(f"<h2>{_esc(_t('changes_title', lang))}</h2>")
    rows = [(o.id, change_sentences(res, o, lang)) for o in res.targets]
    rows = [(tid, s) for tid, s in rows if s]
    if not rows:
        _show(f"<p>{_esc(_t('changes_none', lang))}</p>")
        return
    _show("<ul>" + "".join(f"<li>{_esc(tid)} — {_esc('; '.join(s))}</li>" for tid, s in rows) + "</ul>")


def target_verdict(res, target_id: str, lang: str) -> None:
    """A target's verdict: the meeting rule, where the probability comes from, what explains it, scenarios."""
    o = res.target(target_id)
    rec = getattr(o, "verdict", None)
    target = get_target(target_id)
    _show(f"<h2>{_esc(_t('verdict_title', lang))}</h2>")
    items = [wording.meeting_rule(target, lang)]
    if rec is not None:
        items.append(wording.source(rec.verdict, lang))
        items.append(status_rule.rule_statement(lang=lang))
        if rec.unreachable:
            items.append(wording.unreachable(rec.recruit_gap, target, lang))
        if rec.fall is not None:
            items.append(wording.fall_sentence(rec.fall, rec.causes, rec.stock, lang))
    _show(_items(items))
    changes = change_sentences(res, o, lang)
    if changes:
        _show(f"<p>{_esc(_t('scenarios', lang))}</p>" + _items(changes))



def scenario_grid(res, lang: str) -> tuple[list[str], list[list[str]]]:
    """Head and rows of the scenarios table: the headline, then each scenario as ``58% → 84%``."""
    head = [("Mã" if lang == "vi" else "Id"), ("Xác suất đạt hiện nay" if lang == "vi" else "Chance of meeting now")]
    names = [s["name"] for s in res.scenarios if s["name"] != "baseline"]
    head += [_label(res, n, lang) for n in names]
    rows = []
    for o in res.targets:
        rec = getattr(o, "verdict", None)
        changes = dict(rec.changes) if rec is not None else {}
        row = [o.id, probability_cell(o, lang)]
        for n in names:
            ch = changes.get(n)
            row.append(fmt.MISSING if ch is None else
                       f"{wording.probability(ch.p_from, lang)} → {wording.probability(ch.p_to, lang)}")
        rows.append(row)
    return head, rows
