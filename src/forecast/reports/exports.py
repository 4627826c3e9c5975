"""The Department's files of a report set, written in one call after ``summary.json``.

``bao-cao.docx`` (:mod:`.docx`), ``so-lieu.xlsx`` (:mod:`.xlsx`), ``so-lieu-don-vi.csv``
(the as-of year's counts by unit, small cells hidden: :mod:`.suppression`, in the CSV
dialect of :mod:`.csvout`) and ``tom-tat.pdf`` (:mod:`.brief`). All come from the same
``summary.json`` content and the same prepared results, so their figures agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from forecast import atomic
from forecast.reports import brief, csvout, docx, exportdata, xlsx
from forecast.reports.suppression import MIN_CELL

#: File names of the exports in the report folder.
DOCX, XLSX, UNITS_CSV, BRIEF = "bao-cao.docx", "so-lieu.xlsx", "so-lieu-don-vi.csv", "tom-tat.pdf"


def units_csv_text(results, lang: str = "vi", min_cell: int = MIN_CELL) -> str:
    """``so-lieu-don-vi.csv``: the as-of year's counts by unit; a hidden cell is empty."""
    units = exportdata.unit_table(results, min_cell)
    frame = units[list(exportdata.UNIT_COLUMNS)].copy()
    frame["year"] = frame["year"].astype("Int64")
    return csvout.csv_text(frame.rename(columns={c: csvout.header(c, lang) for c in frame.columns}), lang)


def write_exports(folder: Path, data: Mapping, results, lang: str = "vi", min_cell: int = MIN_CELL) -> list[Path]:
    """Write the four exports into ``folder`` (each atomically); return their paths.

    Parameters
    ----------
    folder : Path
        The report set's folder (the run's temporary folder before it is published).
    data : mapping
        The content of ``summary.json``.
    results : RunResults
        The run's prepared results.
    lang : str
        ``vi`` or ``en``.
    min_cell : int
        Smallest count shown in a per-unit cell (the run's ``min_cell`` parameter).

    Raises
    ------
    forecast.reports.brief.BriefError
        Chromium is missing or the brief does not fit on one page (an ``OSError``).
    """
    folder = Path(folder)
    atomic.write_text(folder / UNITS_CSV, units_csv_text(results, lang, min_cell))
    return [docx.write_docx(folder / DOCX, data, results, lang, min_cell),
            xlsx.write_xlsx(folder / XLSX, data, results, lang, min_cell),
            folder / UNITS_CSV,
            brief.write_brief(folder / BRIEF, data, results, lang)]
