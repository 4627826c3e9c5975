"""Reading ``.xlsx`` workbooks in bounded memory: sizes checked first, sheets streamed once.

A workbook is a zip of XML files. A few kilobytes can declare gigabytes (a zip bomb, a
sheet padded with millions of empty cells) and a single stray cell at ``XFD1048576``
makes a reader that fills the rectangle up to the last used cell materialise billions of
empty cells. So:

1. the zip directory is read first and every member's declared uncompressed size checked
   against :attr:`Limits.uncompressed_bytes` before anything is decompressed (Python's
   zip reader never returns more than the declared size);
2. each sheet's XML is parsed once, as a stream, keeping only the cells that hold
   something (value or formula) in a :class:`Sheet`;
3. a filled cell beyond :attr:`Limits.rows` or :attr:`Limits.columns`, or more than
   :attr:`Limits.cells` filled cells in the workbook, stops the reading with a problem
   located at that cell.

The limits are generous for an annual return (a few hundred filled cells); they are
parameters of :func:`read_workbook` and of the readers that call it, and their defaults
can be changed with the environment variables listed at :class:`Limits`.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from forecast.inputs.tables import Problem


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """How much of a workbook is read before it is refused.

    Attributes
    ----------
    uncompressed_bytes : int
        Total uncompressed size of the workbook's members (``FORECAST_XLSX_MAX_MB``, default 50 MB).
    rows, columns : int
        Last row and column a filled cell may be in (``FORECAST_XLSX_MAX_ROWS``, default
        10 000; ``FORECAST_XLSX_MAX_COLUMNS``, default 200).
    cells : int
        Filled cells in the whole workbook (``FORECAST_XLSX_MAX_CELLS``, default 200 000).
    members : int
        Files inside the zip (``FORECAST_XLSX_MAX_MEMBERS``, default 1 000).
    """

    uncompressed_bytes: int = field(default_factory=lambda: _env_int("FORECAST_XLSX_MAX_MB", 50) * 1_000_000)
    rows: int = field(default_factory=lambda: _env_int("FORECAST_XLSX_MAX_ROWS", 10_000))
    columns: int = field(default_factory=lambda: _env_int("FORECAST_XLSX_MAX_COLUMNS", 200))
    cells: int = field(default_factory=lambda: _env_int("FORECAST_XLSX_MAX_CELLS", 200_000))
    members: int = field(default_factory=lambda: _env_int("FORECAST_XLSX_MAX_MEMBERS", 1_000))


@dataclass
class Sheet:
    """The filled cells of one worksheet (1-based row and column numbers).

    Attributes
    ----------
    title, state : str
        Sheet name and visibility (``visible``, ``hidden``, ``veryHidden``).
    values : dict
        ``(row, column) -> value``: the saved value (for a formula, its last computed value).
    formulas : dict
        ``(row, column) -> "=…"`` for cells holding a formula.
    merged : list of tuple
        Merged ranges as ``(min_row, min_col, max_row, max_col)``.
    """

    title: str
    state: str = "visible"
    values: dict = field(default_factory=dict)
    formulas: dict = field(default_factory=dict)
    merged: list = field(default_factory=list)
    _by_row: dict | None = field(default=None, repr=False, compare=False)

    def row(self, row: int) -> dict:
        """``column -> value`` of the filled cells of one row."""
        if self._by_row is None:
            self._by_row = {}
            for (r, c), v in self.values.items():
                self._by_row.setdefault(r, {})[c] = v
        return self._by_row.get(row, {})

    @property
    def max_row(self) -> int:
        """Last row holding a value or formula (0 for an empty sheet)."""
        return max((r for r, _c in (*self.values, *self.formulas)), default=0)

    @property
    def max_column(self) -> int:
        """Last column holding a value or formula (0 for an empty sheet)."""
        return max((c for _r, c in (*self.values, *self.formulas)), default=0)

    def value(self, row: int, column: int) -> Any:
        """The saved value of a cell (None when empty)."""
        return self.values.get((row, column))

    def formula(self, row: int, column: int) -> str | None:
        """The formula of a cell (``"=SUM(…)"``), or None."""
        return self.formulas.get((row, column))

    def row_numbers(self, first: int = 1, last: int | None = None) -> list[int]:
        """Numbers of the rows from ``first`` to ``last`` that hold anything, ascending."""
        rows = {r for r, _c in (*self.values, *self.formulas)}
        return sorted(r for r in rows if r >= first and (last is None or r <= last))


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser keeping both a formula cell's saved value and its formula."""

    def parse_cell(self, element):
        self.data_only = True  # the saved value (openpyxl drops it when reading formulas)
        cell = super().parse_cell(element)
        if element.find(FORMULA_TAG) is not None:
            try:
                cell["formula"] = self.parse_formula(element)
            except Exception:  # an unusual formula type: that there is one is what matters
                cell["formula"] = "=…"
        return cell


class _TooBig(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def check_zip(path: Path, shown: str, limits: Limits) -> list[Problem]:
    """Problems of the zip directory: too many members or too much declared uncompressed data."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [Problem(shown, None, None, None, f"the workbook cannot be opened ({exc}); "
                        "open and save it again in Excel")]
    if len(infos) > limits.members:
        return [Problem(shown, None, None, None, f"the workbook holds {len(infos):,} files; at most "
                        f"{limits.members:,} are read (is it really a workbook?)")]
    total = sum(i.file_size for i in infos)
    if total > limits.uncompressed_bytes:
        biggest = max(infos, key=lambda i: i.file_size)
        return [Problem(shown, None, None, None, f"the workbook would unpack to {total / 1e6:,.0f} MB "
                        f"(largest part {biggest.filename}, {biggest.file_size / 1e6:,.0f} MB); at most "
                        f"{limits.uncompressed_bytes / 1e6:,.0f} MB are read: remove what is not part "
                        "of the return or raise FORECAST_XLSX_MAX_MB")]
    return []


def read_workbook(path: Path | str, shown: str | None = None,
                  limits: Limits | None = None) -> tuple[list[Sheet] | None, list[Problem]]:
    """Read every worksheet of an ``.xlsx`` once, in bounded memory.

    Parameters
    ----------
    path : path
        The workbook (only read).
    shown : str, optional
        How to name the file in problems.
    limits : Limits, optional
        Size limits (default :class:`Limits` ()).

    Returns
    -------
    (sheets, problems)
        ``sheets`` is None when the workbook cannot be read (the problems say why).
    """
    path = Path(path)
    shown = shown or str(path)
    limits = limits or Limits()
    problems = check_zip(path, shown, limits)
    if problems:
        return None, problems
    try:
        wb = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on corrupt archives
        return None, [Problem(shown, None, None, None, f"the workbook cannot be opened ({type(exc).__name__}: "
                              f"{exc}); open and save it again in Excel")]
    sheets: list[Sheet] = []
    budget = [limits.cells]
    try:
        for ws in wb.worksheets:
            sheets.append(_read_sheet(wb, ws, shown, limits, budget))
    except _TooBig as exc:
        return None, [exc.problem]
    except Exception as exc:  # damaged sheet XML
        return None, [Problem(shown, None, None, None, f"the workbook cannot be read ({type(exc).__name__}: "
                              f"{exc}); open and save it again in Excel")]
    finally:
        wb.close()
    return sheets, []


def _read_sheet(wb: Any, ws: Any, shown: str, limits: Limits, budget: list[int]) -> Sheet:
    sheet = Sheet(ws.title, getattr(ws, "sheet_state", "visible") or "visible")
    with ws._get_source() as src:
        parser = _Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for _idx, cells in parser.parse():
            for cell in cells:
                value, formula = cell["value"], cell.get("formula")
                if value is None and formula is None:
                    continue  # formatting only: far-away empty cells cost nothing
                r, c = cell["row"], cell["column"]
                if r > limits.rows or c > limits.columns:
                    raise _TooBig(Problem(shown, sheet.title, r, get_column_letter(min(c, 16384)),
                                          f"a filled cell far outside the return (beyond row {limits.rows:,} "
                                          f"or column {get_column_letter(limits.columns)}): delete it "
                                          "(Ctrl+End in Excel goes to the last used cell)"))
                budget[0] -= 1
                if budget[0] < 0:
                    raise _TooBig(Problem(shown, sheet.title, r, get_column_letter(c),
                                          f"more than {limits.cells:,} filled cells in the workbook; an annual "
                                          "return has a few hundred"))
                if value is not None:
                    sheet.values[(r, c)] = value
                if formula is not None:
                    sheet.formulas[(r, c)] = formula
        if parser.merged_cells is not None:
            for merged in parser.merged_cells.mergeCell:
                _add_merged(sheet, merged.ref)
    return sheet


def _add_merged(sheet: Sheet, ref: str) -> None:
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (TypeError, ValueError):
        return
    if None not in (min_col, min_row, max_col, max_row):
        sheet.merged.append((min_row, min_col, max_row, max_col))


def open_workbook(path: Path, shown: str, limits: Limits | None = None) -> tuple[list[Sheet] | None, list[Problem]]:
    """The sheets of an ``.xlsx`` (:func:`read_workbook`), or why the file is no workbook at all:
    empty, an old ``.xls``, a CSV renamed."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(shown, None, None, None, f"cannot read the file: {exc.strerror or exc}")]
    if size == 0:
        return None, [Problem(shown, None, None, None, "the file is empty")]
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(8)
        hint = ("an old-format .xls workbook: open it in Excel and save as .xlsx"
                if head.startswith(b"\xd0\xcf\x11\xe0") else "not an Excel .xlsx workbook (is it a CSV or another "
                "file renamed to .xlsx?)")
        return None, [Problem(shown, None, None, None, f"the file is {hint}")]
    return read_workbook(path, shown, limits)
