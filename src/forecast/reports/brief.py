"""``tom-tat.pdf``: a one-page A4 brief for the provincial leadership, printed by headless Chromium.

One line per target: its number and words, the status (symbol and word, so a black-and-
white copy reads), the probability of meeting it by 2030 (the one headline verdict of
``summary.json``) and what it would take; under the table, what changed since the previous
year's report set in one sentence (:func:`forecast.reports.yearchange.brief_sentence`). The
page is plain HTML with its own print stylesheet (A4 portrait, small type, every line kept
to one page), printed with ``chromium --headless --print-to-pdf``; a brief that would run
onto a second page is an error, not a silent overflow.

Chromium is required: the run fails with a message naming ``FORECAST_CHROMIUM`` and
``scripts/install-chromium.sh`` when it is missing.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from forecast import atomic, config, i18n
from forecast.reports import exportdata, palette, yearchange

t = i18n.t

#: Chromium's flags: no sandbox (containers, CI), no GPU, no network beyond the local file.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                  "--run-all-compositor-stages-before-draw")
#: Seconds Chromium may take to print the page.
TIMEOUT_S = 120

_CSS = """
@page { size: A4 portrait; margin: 14mm 12mm 14mm 15mm; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 10pt;
       color: #000; margin: 0; }
h1 { font-size: 13pt; margin: 0 0 2mm 0; }
p { margin: 0 0 2mm 0; }
.synthetic { border: 1.5pt solid #B45F06; padding: 1.5mm 2mm; font-weight: bold; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 0.5pt solid #555; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
col.id { width: 9mm; } col.target { width: 62mm; } col.status { width: 27mm; } col.p { width: 16mm; }
.status b { font-size: 11pt; }
.changes { margin-top: 2mm; }
"""


class BriefError(OSError):
    """The brief could not be printed (no Chromium, Chromium failed, or more than one page).

    An ``OSError``: the annual run reports it like any failure to write the report set
    (one line, exit 1, the previous set left as it was).
    """


def brief_html(data: Mapping, results, lang: str = "vi") -> str:
    """The brief's page as self-contained HTML (text escaped; no external resource)."""
    table = exportdata.target_table(data, results, lang)
    rows = []
    for r in table.to_dict("records"):
        symbol, colour = palette.status_symbol(r["status_code"]), palette.status_colour(r["status_code"])
        rows.append(
            f"<tr><td>{html.escape(r['id'])}</td><td>{html.escape(str(r['text']))}</td>"
            f'<td class="status"><b style="color:{colour}">{html.escape(symbol)}</b> {html.escape(r["status"])}</td>'
            f'<td class="num">{html.escape(exportdata.text_cell("p_meet", r, lang))}</td>'
            f"<td>{html.escape(str(r['action']))}</td></tr>")
    head = "".join(f"<th>{html.escape(exportdata.header(c, lang))}</th>"
                   for c in ("id", "text", "status", "p_meet", "action"))
    notice = (f'<p class="synthetic">{html.escape(t("page.synthetic_notice", lang))}</p>'
              if data.get("synthetic") else "")
    title = t("export.brief_title", lang)
    changes = yearchange.brief_sentence(data.get("changes_since_previous"), lang)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(t('export.brief_sub', lang, year=data['as_of']))}</p>{notice}"
            '<table><colgroup><col class="id"><col class="target"><col class="status"><col class="p"><col></colgroup>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p class="changes">{html.escape(changes)}</p>'
            f"<p><i>{html.escape(t('export.method_note', lang))}</i></p></body></html>")


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF (its ``/Type /Page`` objects; Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def print_pdf(page_html: str, chromium: Path | None = None) -> bytes:
    """Print an HTML page to A4 PDF with headless Chromium; ``BriefError`` with the reason on failure."""
    exe = chromium or config.chromium_executable()
    if exe is None or not Path(exe).is_file():
        raise BriefError("tom-tat.pdf needs Chromium, which was not found: set FORECAST_CHROMIUM to its path "
                         "or run scripts/install-chromium.sh")
    with tempfile.TemporaryDirectory(prefix="forecast-brief-") as tmp:
        src, out = Path(tmp) / "tom-tat.html", Path(tmp) / "tom-tat.pdf"
        src.write_text(page_html, encoding="utf-8")
        cmd = [str(exe), *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--print-to-pdf={out}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BriefError(f"Chromium ({exe}) did not print tom-tat.pdf within {TIMEOUT_S} s") from exc
        if not out.is_file() or out.stat().st_size == 0:
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-5:])
            raise BriefError(f"Chromium ({exe}) did not print tom-tat.pdf (exit {proc.returncode}): {tail}")
        return out.read_bytes()


def write_brief(path: Path, data: Mapping, results, lang: str = "vi", chromium: Path | None = None) -> Path:
    """Write ``tom-tat.pdf`` atomically: one A4 page; ``BriefError`` if it would not fit or cannot print."""
    pdf = print_pdf(brief_html(data, results, lang), chromium)
    pages = pdf_pages(pdf)
    if pages != 1:
        raise BriefError(f"tom-tat.pdf came out at {pages} pages; the brief must fit on one A4 page")
    return atomic.write_bytes(Path(path), pdf)
