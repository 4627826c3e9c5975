"""Small helpers the notebooks call, so that notebooks stay thin (no logic in cells)."""

from __future__ import annotations

import html

from IPython.display import HTML, display


def setup(lang: str = "vi") -> None:
    """Common notebook setup: quiet warnings, plotting style."""
    import warnings

    warnings.filterwarnings("ignore")


def show_targets_table(lang: str = "vi") -> None:
    """Display the plan's targets T01–T11 as an HTML table (text escaped)."""
    from forecast.targets import load_targets

    head = ("Mã", "Mục tiêu", "Ngưỡng", "Năm", "Loại") if lang == "vi" else ("Id", "Target", "Threshold", "Year", "Kind")
    rows = []
    for t in load_targets():
        thr = "tăng hằng năm" if (t.threshold is None and lang == "vi") else (
            "rising every year" if t.threshold is None else f"≥ {t.threshold:g}%")
        rows.append(f"<tr><td>{t.id}</td><td>{html.escape(t.text(lang))}</td><td>{html.escape(thr)}</td>"
                    f"<td>{t.year}</td><td>{html.escape(t.kind)}</td></tr>")
    table = ("<div class='table-wrap'><table class='targets'><thead><tr>"
             + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
             + "".join(rows) + "</tbody></table></div>")
    display(HTML(table))
