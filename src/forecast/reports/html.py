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

from forecast import __version__, atomic, config
from forecast.reports import fmt

# nbformat (and nbconvert) are imported inside the functions that render pages: notebooks
# import this module for the summary rows, and nbformat's import costs a kernel seconds.

PAGE_CSS = """
:root { --fg:#1b1b1b; --muted:#5a5a5a; --accent:#0b5394; --bg:#ffffff; --line:#d9d9d9; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font-family: "Noto Sans", "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; line-height: 1.5; }
p, li, figcaption, h1, h2, h3 { overflow-wrap: break-word; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1, h2, h3 { color: var(--accent); line-height: 1.25; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; } h3 { font-size: 1.05rem; }
a { color: var(--accent); }
img { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f3f6fa; }
td.num, th.num { text-align: right; white-space: nowrap; }
td:first-child { white-space: nowrap; font-weight: bold; }
table.summary { width: 100%; }
table.summary td.num { white-space: normal; }
table.summary td:nth-child(2) { min-width: 10rem; }
table.summary td:nth-child(8) { min-width: 9rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.jp-Cell, .jp-OutputArea, .jp-OutputArea-output, .jp-RenderedHTMLCommon { max-width: 100%; overflow-x: auto; }
.notice { border-left: 0.3rem solid #b45f06; background: #fff4e5; padding: 0.6rem 0.8rem; margin: 0.8rem 0; }
.privacy { border-left: 0.3rem solid #5a5a5a; background: #f4f4f4; padding: 0.5rem 0.8rem; margin: 0.8rem 0; }
.meta { color: var(--muted); font-size: 0.9rem; }
header.report-meta { border-bottom: 1px solid var(--line); margin-bottom: 1rem; padding-bottom: 0.4rem; }
header.report-meta p { margin: 0.2rem 0; }
nav.crumbs { font-size: 0.9rem; margin-bottom: 0.4rem; }
pre { white-space: pre-wrap; }
.jp-InputPrompt, .jp-OutputPrompt, .prompt { display: none; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: 0.9rem; }
.status-met { font-weight: bold; }
ul.pages { columns: 14rem; padding-left: 1.2rem; }
@media (max-width: 40rem) {
  main { padding: 0.6rem; }
  table { font-size: 0.8rem; }
  th, td { padding: 0.25rem 0.3rem; }
  /* the leader's summary table becomes one card per target on a phone */
  table.summary thead { display: none; }
  table.summary, table.summary tbody, table.summary tr, table.summary td { display: block; width: 100%; }
  table.summary tr { border: 1px solid var(--line); border-radius: 0.3rem; margin-bottom: 0.6rem; padding: 0.3rem; }
  table.summary td { border: 0; text-align: left; white-space: normal; min-width: 0; padding: 0.1rem 0.2rem; }
  table.summary td::before { content: attr(data-label) ": "; color: var(--muted); font-weight: normal; }
  table.summary td:first-child::before, table.summary td:nth-child(2)::before { content: none; }
}
"""

SYNTHETIC_NOTICE = (
    "Dữ liệu minh họa tổng hợp (synthetic), không phải số liệu thật của tỉnh Lạng Sơn. / "
    "Synthetic demonstration data, not Lạng Sơn's real figures."
)

_TEXT = {
    "as_of": {"vi": "Số liệu đến", "en": "Data as of"},
    "source": {"vi": "Nguồn số liệu", "en": "Data source"},
    "method": {
        "vi": ("Phương pháp: mỗi chỉ tiêu được dự báo đến năm 2030 từ chuỗi số liệu hằng năm (tổng tử số "
               "chia tổng mẫu số) bằng tổ hợp các mô hình xu hướng, trọng số học từ kiểm định dự báo quá khứ; "
               "xác suất đạt là tỷ lệ các đường mô phỏng đạt ngưỡng năm 2030."),
        "en": ("Method: each indicator is forecast to 2030 from its annual series (summed numerators over "
               "summed denominators) by a combination of trend models weighted by rolling-origin backtests; "
               "the probability of meeting a target is the share of simulated paths reaching it in 2030."),
    },
    "method_link": {"vi": "Ghi chú phương pháp đầy đủ", "en": "Full method notes"},
    "index": {"vi": "Mục lục báo cáo", "en": "Report index"},
    "heading": {"vi": "Báo cáo dự báo các mục tiêu năm 2030", "en": "Forecast reports for the 2030 targets"},
    "main": {"vi": "Báo cáo chung", "en": "Reports"},
    "targets": {"vi": "Từng mục tiêu", "en": "Targets one by one"},
    "communes": {"vi": "Từng xã, phường", "en": "Communes and wards"},
    "files": {"vi": "Tệp kết quả", "en": "Result files"},
    "methods_title": {"vi": "Ghi chú phương pháp", "en": "Method notes"},
    "no_methods": {"vi": "Chưa có ghi chú phương pháp chi tiết trong bản phát hành này.",
                   "en": "The detailed method notes are not part of this release yet."},
}


def text(key: str, lang: str) -> str:
    """A fixed page text in ``lang``."""
    return _TEXT[key][fmt.check_lang(lang)]


def atomic_write_text(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` atomically (see :mod:`forecast.atomic`)."""
    atomic.write_text(path, content)


def page(title: str, body_html: str, lang: str = "vi", header_html: str = "", nav: bool = True) -> str:
    """A complete, self-contained HTML page around ``body_html``.

    ``title`` is escaped; ``body_html`` and ``header_html`` must already be safe HTML.
    Text is normalised to NFC so Vietnamese diacritics compare and render alike.
    """
    crumbs = f'<nav class="crumbs"><a href="index.html">{html.escape(text("index", lang))}</a></nav>\n' if nav else ""
    doc = (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{crumbs}{header_html}\n{body_html}\n</main>\n</body>\n</html>\n"
    )
    return fmt.nfc(doc)


def page_header(results, lang: str = "vi") -> str:
    """The block every page starts with: as-of date, source, synthetic notice, method, link.

    Parameters
    ----------
    results : forecast.reports.pipeline.RunResults
        Supplies ``as_of``, ``meta`` (dataset.yml) and ``synthetic``.
    """
    meta = results.meta or {}
    source = meta.get("source") or meta.get("name") or results.data_dir
    if isinstance(source, dict):
        source = source.get(lang) or source.get("vi") or next(iter(source.values()), "")
    name = meta.get("name")
    src = html.escape(str(source)) if not name or name == source else (
        f"{html.escape(str(name))} — {html.escape(str(source))}")
    parts = [
        '<header class="report-meta">',
        f'<p class="meta"><strong>{html.escape(text("as_of", lang))}:</strong> '
        f"{html.escape(fmt.year_end(results.as_of, lang))}</p>",
        f'<p class="meta"><strong>{html.escape(text("source", lang))}:</strong> {src}</p>',
    ]
    if results.synthetic:
        parts.append(f'<p class="notice" role="note">{html.escape(SYNTHETIC_NOTICE)}</p>')
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
             '<li><a href="summary.json">summary.json</a></li><li><a href="summary.csv">summary.csv</a></li>'
             f'<li><a href="methods.html">{html.escape(text("methods_title", lang))}</a></li></ul>')
    body = f"<h1>{html.escape(heading)}</h1>\n" + "\n".join(sections) + "\n" + files
    return page(heading, body, lang=lang, header_html=page_header(results, lang), nav=False)


def markdown_to_html(source: str) -> str:
    """Markdown to HTML with mistune (nbconvert's own dependency), raw HTML escaped."""
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough", "url"])(source)


def write_methods_page(path: Path, results, lang: str = "vi") -> None:
    """Render the method notes (``docs/methods.md``) into the report set as ``methods.html``."""

    src = config.methods_file()
    if src.is_file():
        body = markdown_to_html(src.read_text(encoding="utf-8"))
    else:
        body = f"<h1>{html.escape(text('methods_title', lang))}</h1><p>{html.escape(text('no_methods', lang))}</p>"
    atomic_write_text(path, page(text("methods_title", lang), body, lang=lang,
                                 header_html=page_header(results, lang)))


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
        "p_meet": _first(att, "p_meet"),
        "status": _first(att, "status"),
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
    }


CSV_COLUMNS = ("id", "kind", "threshold", "latest_year", "latest_value", "median_2030", "lo80_2030",
               "hi80_2030", "p_meet", "status", "official_label", "required_pace", "observed_pace",
               "acceleration", "first_year_met", "p_meet_scenario", "method")


def write_summary(folder: Path, results, provenance_: dict) -> dict:
    """Write ``summary.json`` and ``summary.csv`` (one row per target); return the summary."""
    import pandas as pd

    data = summary(results, provenance_)
    write_json(Path(folder) / "summary.json", data)
    frame = pd.DataFrame([{c: t.get(c) for c in CSV_COLUMNS} for t in data["targets"]])
    for col in ("latest_year", "first_year_met"):
        frame[col] = frame[col].astype("Int64")  # years stay integers beside missing values
    atomic_write_text(Path(folder) / "summary.csv", frame.to_csv(index=False, lineterminator="\n"))
    return data
