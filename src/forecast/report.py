"""Turning executed notebooks into self-contained HTML pages, the index and the summary.

Pages use nbconvert's ``basic`` template (body only, code cells removed) wrapped in
the workbench's own page shell: ``lang`` set, inline CSS, no external script or
stylesheet, images already inline (base64) in the notebook outputs. A page works
offline and can be e-mailed as one file.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path

import nbformat

PAGE_CSS = """
:root { --fg:#1b1b1b; --muted:#5a5a5a; --accent:#0b5394; --bg:#ffffff; --line:#d9d9d9; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1, h2, h3 { color: var(--accent); line-height: 1.25; }
a { color: var(--accent); }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.92rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f6fa; }
.table-wrap, .jp-RenderedHTMLCommon { overflow-x: auto; max-width: 100%; }
.notice { border-left: 0.3rem solid #b45f06; background: #fff4e5; padding: 0.6rem 0.8rem; margin: 0.8rem 0; }
.meta { color: var(--muted); font-size: 0.9rem; }
pre { white-space: pre-wrap; }
.jp-InputPrompt, .jp-OutputPrompt, .prompt { display: none; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: 0.9rem; }
"""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def page(title: str, body_html: str, lang: str = "vi") -> str:
    """A complete, self-contained HTML page around ``body_html``.

    ``title`` is escaped; ``body_html`` must already be safe HTML.
    """
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body_html}\n</main>\n</body>\n</html>\n"
    )


def notebook_body_html(nb: nbformat.NotebookNode) -> str:
    """The notebook's outputs and prose as HTML, without code cells or prompts."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    return body


def notebook_title(nb: nbformat.NotebookNode, default: str) -> str:
    """The first Markdown heading of the notebook's outputs or prose, else ``default``."""
    meta_title = nb.metadata.get("forecast", {}).get("title")
    if meta_title:
        return str(meta_title)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return default


def render_notebook(nb_path: Path, html_path: Path, lang: str = "vi") -> str:
    """Render an executed notebook to a self-contained HTML page; return its title."""
    nb = nbformat.read(nb_path, as_version=4)
    title = notebook_title(nb, Path(nb_path).stem)
    atomic_write_text(html_path, page(title, notebook_body_html(nb), lang=lang))
    return title


def write_json(path: Path, data) -> None:
    """Write ``data`` as UTF-8 JSON (sorted keys, indented) atomically."""
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def index_page(pages: list[dict], opts) -> str:
    """The ``index.html`` of a report set: links to every page of the run."""
    lang = opts.lang
    heading = "Báo cáo dự báo mục tiêu năm 2030" if lang == "vi" else "Forecast reports for the 2030 targets"
    as_of = ("Số liệu đến năm" if lang == "vi" else "Data as of") + f" {opts.as_of}"
    items = "\n".join(
        f'<li><a href="{html.escape(p["href"])}">{html.escape(p["title"])}</a></li>' for p in pages
    )
    body = f"<h1>{html.escape(heading)}</h1>\n<p class=\"meta\">{html.escape(as_of)}</p>\n<ul>\n{items}\n</ul>"
    return page(heading, body, lang=lang)


def write_summary(folder: Path, opts, *, started: float, finished: float) -> None:
    """Write ``summary.json`` and ``summary.csv`` for a run."""
    import pandas as pd

    from forecast import __version__
    from forecast.targets import load_targets

    rows = [{"id": t.id, "threshold": t.threshold, "year": t.year, "kind": t.kind} for t in load_targets()]
    summary = {
        "as_of": opts.as_of,
        "lang": opts.lang,
        "provenance": {"package_version": __version__, "started": started, "finished": finished},
        "targets": rows,
    }
    write_json(Path(folder) / "summary.json", summary)
    atomic_write_text(Path(folder) / "summary.csv", pd.DataFrame(rows).to_csv(index=False))
