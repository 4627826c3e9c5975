"""The report set of a run: self-contained HTML pages, the index, the method notes, the summary.

Pages use nbconvert's ``basic`` template (body only, code cells removed) wrapped in
the workbench's own page shell: ``lang`` set, inline CSS, no script, no external
stylesheet or font, images inline (base64) in the notebook outputs. A page works
offline and can be e-mailed as one file. Every page starts with the same header
(:func:`page_header`): data as of, data source, the synthetic-data notice when it
applies, the method in one sentence and a link to the method notes.

``summary.json`` / ``summary.csv`` are built from the prepared results
(:class:`forecast.reports.pipeline.RunResults`), never scraped from notebooks.
"""

from __future__ import annotations

import html
import json
import math
import re
from functools import lru_cache
from pathlib import Path

from forecast import __version__, atomic, config, i18n
from forecast.domain.targets import load_targets
from forecast.reports import csvout, fmt, palette
from forecast.verdict.yearchange import target_definitions

# nbformat (and nbconvert) are imported inside the functions that render pages: notebooks
# import this module for the summary rows, and nbformat's import costs a kernel seconds.

PAGE_CSS = """
:root { --fg:#1b1b1b; --muted:#555555; --accent:#0b5394; --bg:#ffffff; --line:#d9d9d9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "Noto Sans", "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; line-height: 1.5; }
p, li, figcaption, h1, h2, h3, td, th { overflow-wrap: break-word; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1, h2, h3 { color: var(--accent); line-height: 1.25; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; } h3 { font-size: 1.05rem; }
a { color: var(--accent); }
img { max-width: 100%; height: auto; display: block; }
code { overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f3f6fa; }
td.num, th.num { text-align: right; white-space: nowrap; }
td:first-child { white-space: nowrap; font-weight: bold; }
table.summary { width: 100%; }
table.summary td.num { white-space: normal; }
table.summary td:nth-child(2) { min-width: 10rem; }
table.summary td:nth-child(8) { min-width: 9rem; }
/* a wide table scrolls inside its own box: no column is cut and the page never scrolls sideways */
.table-wrap { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
.table-wrap:focus { outline: 2px solid var(--accent); }
.jp-Cell, .jp-OutputArea, .jp-OutputArea-output, .jp-RenderedHTMLCommon { max-width: 100%; min-width: 0; }
.notice { border-left: 0.3rem solid #b45f06; background: #fff4e5; padding: 0.6rem 0.8rem; margin: 0.8rem 0; }
.privacy { border-left: 0.3rem solid #5a5a5a; background: #f4f4f4; padding: 0.5rem 0.8rem; margin: 0.8rem 0; }
.meta { color: var(--muted); font-size: 0.9rem; }
header.report-meta { border-bottom: 1px solid var(--line); margin-bottom: 1rem; padding-bottom: 0.4rem; }
header.report-meta p { margin: 0.2rem 0; }
nav.crumbs { font-size: 0.9rem; margin-bottom: 0.4rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.jp-InputPrompt, .jp-OutputPrompt, .prompt { display: none; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: 0.9rem; }
/* statuses: Okabe-Ito colours, always with a symbol and a word (forecast.reports.palette) */
.status { font-weight: bold; white-space: nowrap; border-left: 0.35rem solid; padding-left: 0.3rem; }
STATUS_CSS
ul.rules { list-style: none; padding-left: 0; }
ul.rules li { margin: 0.25rem 0; }
ul.rules .status { white-space: normal; font-weight: normal; }
ul.pages { columns: 14rem; padding-left: 1.2rem; }
@media (max-width: 40rem) {
  main { padding: 0.6rem; }
  table { font-size: 0.8rem; }
  th, td { padding: 0.25rem 0.3rem; }
  /* the leader's summary table becomes one card per target on a phone: every column stays, labelled */
  table.summary thead { display: none; }
  table.summary, table.summary tbody, table.summary tr, table.summary td { display: block; width: 100%; }
  table.summary tr { border: 1px solid var(--line); border-radius: 0.3rem; margin-bottom: 0.6rem; padding: 0.3rem; }
  table.summary td { border: 0; text-align: left; white-space: normal; min-width: 0; padding: 0.1rem 0.2rem; }
  table.summary td::before { content: attr(data-label) ": "; color: var(--muted); font-weight: normal; }
  table.summary td:first-child::before, table.summary td:nth-child(2)::before { content: none; }
}
/* print: A4 portrait; tables wrap to the page instead of scrolling; sections start on a new page */
@page { size: A4 portrait; margin: 14mm 12mm 16mm 12mm; }
@media print {
  html, body { font-size: 9.5pt; background: #ffffff; }
  main { max-width: none; padding: 0; }
  nav.crumbs { display: none; }
  a { color: inherit; text-decoration: none; }
  .table-wrap, .jp-Cell, .jp-OutputArea, .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
  table { width: 100% !important; table-layout: auto; font-size: 8pt; }
  table.summary td:nth-child(2), table.summary td:nth-child(8) { min-width: 0; }
  th, td { white-space: normal !important; overflow-wrap: break-word; padding: 0.15rem 0.25rem; }
  td:first-child { white-space: nowrap !important; overflow-wrap: normal; }
  .status { white-space: normal; }
  thead { display: table-header-group; }
  tr, figure, img, .notice, .privacy, ul.rules li { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  main h2 { break-before: page; page-break-before: always; }
  body.index main h2, body.methods main h2 { break-before: auto; page-break-before: auto; }
  img { max-height: 24cm; width: auto; }
  .status, .notice { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _status_css() -> str:
    rules = [f".status-{code} {{ border-left-color: {palette.status_colour(code)}; }}"
             for code in (*palette.STATUS_STYLE, "unknown")]
    return "\n".join(rules)


PAGE_CSS = PAGE_CSS.replace("STATUS_CSS", _status_css())


def text(key: str, lang: str) -> str:
    """A fixed page text in ``lang`` (catalogue key ``page.<key>``)."""
    return i18n.t(f"page.{key}", lang)


def atomic_write_text(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` atomically (see :mod:`forecast.atomic`)."""
    atomic.write_text(path, content)


def page(title: str, body_html: str, lang: str = "vi", header_html: str = "", nav: bool = True,
         kind: str = "") -> str:
    """A complete, self-contained HTML page around ``body_html``.

    ``title`` is escaped; ``body_html`` and ``header_html`` must already be safe HTML.
    ``kind`` (``index``, ``methods``) names the page for the print styles. Text is
    normalised to NFC so Vietnamese diacritics compare and render alike.
    """
    crumbs = f'<nav class="crumbs"><a href="index.html">{html.escape(text("index", lang))}</a></nav>\n' if nav else ""
    body_class = f' class="{html.escape(kind, quote=True)}"' if kind else ""
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n"
        f"<body{body_class}>\n<main>\n{crumbs}{header_html}\n{body_html}\n</main>\n</body>\n</html>\n"
    )
    return fmt.nfc(doc)


def in_language(value: object, lang: str) -> str:
    """A dataset text in ``lang``: a ``{vi, en}`` mapping, or the matching half of ``"vi text / en text"``."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or next(iter(value.values()), ""))
    parts = str(value).split(" / ")
    if len(parts) == 2:
        return parts[0] if lang == "vi" else parts[1]
    return str(value)


def page_header(results, lang: str = "vi") -> str:
    """The block every page starts with: as-of date, source, synthetic notice, method, link.

    For synthetic data the source is the catalogue's statement that the data are
    synthetic (never the generator's command line), and the notice says so again.

    Parameters
    ----------
    results : forecast.reports.pipeline.RunResults
        Supplies ``as_of``, ``meta`` (dataset.yml) and ``synthetic``.
    """
    meta = results.meta or {}
    if results.synthetic:
        source = text("synthetic_source", lang)
    else:
        source = in_language(meta.get("source") or meta.get("name") or results.data_dir, lang)
    name = in_language(meta["name"], lang) if meta.get("name") else ""
    src = html.escape(source) if not name or name == source else f"{html.escape(name)} — {html.escape(source)}"
    parts = [
        '<header class="report-meta">',
        f'<p class="meta"><strong>{html.escape(text("as_of", lang))}:</strong> '
        f"{html.escape(fmt.year_end(results.as_of, lang))}</p>",
        f'<p class="meta"><strong>{html.escape(text("source", lang))}:</strong> {src}</p>',
    ]
    if results.synthetic:
        parts.append(f'<p class="notice" role="note">{html.escape(text("synthetic_notice", lang))}</p>')
    parts.append(f'<p class="meta">{html.escape(text("method", lang))} '
                 f'<a href="methods.html">{html.escape(text("method_link", lang))}</a></p>')
    parts.append("</header>")
    return "\n".join(parts)


@lru_cache(maxsize=1)
def _exporter():
    """One HTML exporter per process (building it loads the templates, which is slow)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("remove",)
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(template_name="basic", config=c)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def notebook_body_html(nb) -> str:
    """The notebook's outputs and prose as HTML, without code cells, prompts or ``remove``-tagged cells."""
    body, _ = _exporter().from_notebook_node(nb)
    # nbconvert's basic template may add an anchor-link pilcrow to headings; keep pages plain
    return re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", body)


_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def notebook_title(nb, default: str) -> str:
    """The page title: notebook metadata, else the first ``<h1>`` in the outputs, else ``default``."""
    meta_title = nb.metadata.get("forecast", {}).get("title")
    if meta_title:
        return str(meta_title)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {}).get("text/html")
            if data:
                m = _H1.search("".join(data) if isinstance(data, list) else data)
                if m:
                    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
    return default


def render_notebook(nb_path: Path, html_path: Path, lang: str = "vi", header_html: str = "",
                    title: str | None = None) -> str:
    """Render an executed notebook to a self-contained HTML page; return its title."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    title = title or notebook_title(nb, Path(nb_path).stem)
    atomic_write_text(html_path, page(title, notebook_body_html(nb), lang=lang, header_html=header_html))
    return title


def write_json(path: Path, data) -> None:
    """Write ``data`` as UTF-8 JSON (sorted keys, indented) atomically."""
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def index_page(pages: list[dict], results, lang: str = "vi") -> str:
    """The ``index.html`` of a report set: the header and links to every page, by section."""
    heading = text("heading", lang)
    sections = []
    for group in ("main", "targets", "communes"):
        items = [p for p in pages if p.get("group", "main") == group]
        if not items:
            continue
        links = "\n".join(f'<li><a href="{html.escape(p["href"], quote=True)}">{html.escape(p["title"])}</a></li>'
                          for p in items)
        cls = ' class="pages"' if group != "main" else ""
        sections.append(f"<h2>{html.escape(text(group, lang))}</h2>\n<ul{cls}>\n{links}\n</ul>")
    files = (f'<h2>{html.escape(text("files", lang))}</h2>\n<ul>'
             f'<li><a href="summary.json">{html.escape(text("file_json", lang))}</a></li>'
             f'<li><a href="summary.csv">{html.escape(text("file_csv", lang))}</a></li>'
             f'<li><a href="methods.html">{html.escape(text("methods_title", lang))}</a></li></ul>')
    body = f"<h1>{html.escape(heading)}</h1>\n" + "\n".join(sections) + "\n" + files
    return page(heading, body, lang=lang, header_html=page_header(results, lang), nav=False, kind="index")


def markdown_to_html(source: str) -> str:
    """Markdown to HTML with mistune (nbconvert's own dependency), raw HTML escaped.

    HTML comments (maintainers' markers) are left out; tables are put in their own scrolling
    container, like every report table.
    """
    import mistune

    source = re.sub(r"<!--.*?-->", "", source, flags=re.S)  # maintainers' markers, not for readers
    body = str(mistune.create_markdown(escape=True, plugins=["table", "strikethrough", "url"])(source))
    return body.replace("<table>", '<div class="table-wrap" role="region" tabindex="0"><table>').replace(
        "</table>", "</table></div>")


def write_methods_page(path: Path, results, lang: str = "vi") -> None:
    """Render the method notes in the report language into the report set as ``methods.html``.

    ``docs/methods.md`` (English) or its Vietnamese translation ``docs/methods.vi.md``
    (:func:`forecast.config.methods_file_for`).
    """
    src = config.methods_file_for(lang)
    if src.is_file():
        body = markdown_to_html(src.read_text(encoding="utf-8"))
    else:
        body = f"<h1>{html.escape(text('methods_title', lang))}</h1><p>{html.escape(text('no_methods', lang))}</p>"
    atomic_write_text(path, page(text("methods_title", lang), body, lang=lang,
                                 header_html=page_header(results, lang), kind="methods"))


# ---------------------------------------------------------------------------
# summary.json / summary.csv
# ---------------------------------------------------------------------------
def _clean(x, digits: int = 6):
    """JSON-safe value: NaN → None, numpy scalars → Python, floats rounded for stable output."""
    if x is None:
        return None
    if hasattr(x, "item") and not isinstance(x, list | dict | str):
        x = x.item()
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else round(x, digits)
    if isinstance(x, dict):
        return {str(k): _clean(v, digits) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v, digits) for v in x]
    return x


def _first(d: dict, *keys):
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return None


def target_summary(outcome, baseline: str | None = None) -> dict:
    """One target's row of ``summary.json`` from its prepared outcome.

    Values come from the attainment record (``Attainment.to_dict()``); the 2030
    median and interval fall back to the forecast's own summary when the record
    lacks them. Shares are in [0, 1], paces in percentage points per year.
    """
    att = dict(outcome.attainment or {})
    year = outcome.year
    med, lo, hi = (_first(att, f"median_{year}", "median"), _first(att, f"lo80_{year}", "lo80"),
                   _first(att, f"hi80_{year}", "hi80"))
    fc = outcome.forecast
    if fc is not None and None in (med, lo, hi) and year in set(int(y) for y in fc.years):
        row = fc.summary_frame((80,)).loc[year]
        med, lo, hi = (med if med is not None else row["median"], lo if lo is not None else row["lo-80"],
                       hi if hi is not None else row["hi-80"])
    scen = {name: v.get("p_meet") for name, v in (outcome.scenarios or {}).items()}
    # the one verdict (forecast.verdict.record): its probability and status are the headline;
    # the trend's and the engine's stay in "p_meet_trend", "scenario_p_meet" and "verdict"
    rec = getattr(outcome, "verdict", None)
    v = rec.verdict if rec is not None else None
    if v is not None and v.source == "engine":
        med, lo, hi = v.median, v.lo80, v.hi80
    row = {
        "id": outcome.id,
        "kind": outcome.kind,
        "threshold": outcome.threshold,
        "target_year": year,
        "latest_value": _first(att, "latest_value"),
        "latest_year": _first(att, "latest_year"),
        f"median_{year}": med,
        f"lo80_{year}": lo,
        f"hi80_{year}": hi,
        "p_meet": v.p_meet if v is not None else _first(att, "p_meet"),
        "status": v.status if v is not None else _first(att, "status"),
        "p_meet_source": v.source if v is not None else ("trend" if att.get("p_meet") is not None else None),
        "p_meet_trend": _first(att, "p_meet"),
        "status_trend": _first(att, "status"),
        "verdict": rec.to_dict() if rec is not None else None,
        # the headline official label is ESCAP's (the Asia-Pacific rule); all three are kept
        "official_label": _first(att, "official_label", "escap_class"),
        "official_labels": {k: att.get(k) for k in ("escap_class", "escap_gap", "unsd_class", "unsd_ratio",
                                                     "eurostat_class", "eurostat_ratio") if k in att},
        "official_rules": {k: {"rule": v.get("rule"), "version": v.get("version")}
                           for k, v in (att.get("official") or {}).items() if isinstance(v, dict)},
        "required_pace": _first(att, "required_pace_pp", "required_pace"),
        "observed_pace": _first(att, "observed_pace_pp", "observed_pace"),
        "acceleration": _first(att, "acceleration", "acceleration_multiple"),
        "first_year_met": _first(att, "first_year_met"),
        "method": _first(att, "method") or getattr(fc, "method", None),
        "scenario_p_meet": scen,
        "p_meet_scenario": scen.get(baseline) if baseline else None,
    }
    return _clean(row)


def provenance(results, *, started: str, finished: str, commit: str | None) -> dict:
    """Where a run's numbers come from: input hashes, versions, parameters and times."""
    import platform


    return _clean({
        "inputs_sha256": dict(sorted(results.files.items())),
        "package_version": __version__,
        "python": platform.python_version(),
        "git_commit": commit,
        "parameters": results.parameters,
        "started": started,
        "finished": finished,
    })


def summary(results, provenance_: dict) -> dict:
    """The content of ``summary.json``."""
    names = [s["name"] for s in results.scenarios]
    baseline = "baseline" if "baseline" in names else (names[0] if names else None)
    meta = results.meta or {}
    return {
        "as_of": results.as_of,
        "synthetic": bool(results.synthetic),
        "lang": results.lang,
        "dataset": _clean({"name": meta.get("name"), "source": meta.get("source")}),
        "scenarios": names,
        "baseline_scenario": baseline,
        "provenance": provenance_,
        "targets": [target_summary(t, baseline) for t in results.targets],
        # the costed training plan (forecast.reports.planrun.plan_summary), the pages' and exports' source
        "plan": _clean(getattr(results, "plan", None)),
        # what each target counts, so that next year's run can tell a definition change (forecast.verdict.yearchange)
        "target_definitions": _clean(target_definitions(load_targets())),
        # the comparison with the previous as-of year's report set (forecast.reports.yearchange); null without one
        "changes_since_previous": _clean(getattr(results, "year_changes", None)),
    }


CSV_COLUMNS = ("id", "kind", "threshold", "latest_year", "latest_value", "median_2030", "lo80_2030",
               "hi80_2030", "p_meet", "status", "official_label", "required_pace", "observed_pace",
               "acceleration", "first_year_met", "p_meet_scenario", "method")


def write_summary(folder: Path, results, provenance_: dict) -> dict:
    """Write ``summary.json`` and ``summary.csv`` (one row per target); return the summary."""

    data = summary(results, provenance_)
    write_json(Path(folder) / "summary.json", data)
    # UTF-8 with BOM, Vietnamese headers and decimal comma in --lang vi (forecast.reports.csvout)
    frame = csvout.summary_frame(data["targets"], CSV_COLUMNS, results.lang)
    atomic_write_text(Path(folder) / "summary.csv", csvout.csv_text(frame, results.lang))
    return data
