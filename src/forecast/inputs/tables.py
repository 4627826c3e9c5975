"""Located problems and the reading primitives every input file goes through.

Every problem names where it is, as a user sees it: ``PATH[:SHEET]:ROW:COLUMN:
message``, with rows numbered as in Excel or a text editor (the header of a CSV is
line 1). Checks collect *all* problems of a file before anything is reported, and a
command writes nothing when there is one.

Text files are decoded the way Excel on Windows writes them: UTF-8 with or without
a byte-order mark, UTF-16 (Excel's "Unicode text"), and as a last resort Windows-1258
(the Vietnamese ANSI code page). Vietnamese text is normalised to NFC, so a name typed
in decomposed Unicode (``a`` + combining accents) matches its composed spelling.

The file-type checks themselves live with the shapes they check
(:func:`forecast.inputs.observations.check_observations`, :func:`forecast.inputs.roster.check_roster`,
:func:`forecast.inputs.returns.read_return`); :func:`validate_paths` dispatches to them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file.

    Attributes
    ----------
    path : str
        The file as the user named it.
    sheet : str or None
        Excel sheet name (None for text files).
    row : int or None
        Row (Excel) or line (text editor) number, 1-based; None for the whole file.
    column : str or None
        Column heading (CSV) or ``letter (heading)`` (Excel); None for a whole row/file.
    message : str
        What is wrong and, where possible, how to fix it.
    """

    path: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path) + (f":{self.sheet}" if self.sheet else "")
        row = "-" if self.row is None else str(self.row)
        col = "-" if not self.column else str(self.column)
        # One problem, one line: a cell's line break (or a library's message) is shown escaped.
        return one_line(f"{where}:{row}:{col}: {self.message}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes (``\\n``)."""
    return _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text.strip())


class ValidationError(ValueError):
    """Raised with every problem found; ``str()`` lists them one a line."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid input")


def raise_if(problems: list[Problem]) -> None:
    """Raise :class:`ValidationError` when ``problems`` is not empty."""
    if problems:
        raise ValidationError(sort_problems(problems))


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in reading order: by file, sheet, row (whole-file problems first)."""
    return sorted(problems, key=lambda p: (str(p.path), p.sheet or "", -1 if p.row is None else p.row))


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def slug(text: str) -> str:
    """A Vietnamese label reduced to a data code: ``"Cán bộ"`` → ``"can_bo"``.

    Accents are removed (đ → d), case folded, runs of spaces/dashes/punctuation become
    one underscore. Used to accept the words people type for enumerated codes.
    """
    s = unicodedata.normalize("NFD", str(text).strip().lower()).replace("đ", "d")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "_", s).strip("_")


def slug_series(s: pd.Series) -> pd.Series:
    """Vectorised :func:`slug` (applied per distinct value, so cheap on big columns)."""
    uniq = pd.unique(s)
    return s.map({u: slug(u) for u in uniq})


# --- decoding ---------------------------------------------------------------------------

class DecodeError(ValueError):
    """The bytes are not text in an encoding Excel produces."""


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file as Excel on Windows may have written it.

    Returns
    -------
    (text, encoding) : tuple of str
        The NFC text and the encoding used (``utf-8``, ``utf-8-sig``, ``utf-16``,
        ``cp1258``).

    Raises
    ------
    DecodeError
        When no supported encoding fits (binary data, an unknown code page).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif len(raw) >= 4 and raw[1:2] == b"\x00" and raw[3:4] == b"\x00":
        enc = "utf-16-le"  # UTF-16 without a byte-order mark: ASCII with NUL high bytes
    elif b"\x00" in raw[:4096]:
        raise DecodeError("this is not a text file (it contains NUL bytes)")
    else:
        try:
            return nfc(raw.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            enc = "cp1258"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"cannot read the text as {enc} (byte {exc.start}); save the file as 'CSV UTF-8' in Excel") from None
    if enc == "cp1258" and not re.search(r"[\u00c0-\u1ef9]", text):
        # Decoded, but into nothing that looks Vietnamese: most likely another code page.
        raise DecodeError("the text is neither UTF-8 nor UTF-16; save the file as 'CSV UTF-8' in Excel")
    return nfc(text), ("cp1258" if enc == "cp1258" else enc)


# --- tables ----------------------------------------------------------------------------

#: A row whose first filled cell starts with one of these is a total line, not data.
TOTAL_ROW = re.compile(r"^\s*(tổng|cộng|tong cong|total)", re.IGNORECASE)


@dataclass
class Table:
    """A table read from a file, every cell as NFC text.

    Attributes
    ----------
    frame : DataFrame
        Data rows (blank and total rows removed), columns = normalised headings.
    rows : ndarray of int
        The row/line number of each data row as the user sees it.
    letters : dict
        Heading -> column label for messages (the heading itself for CSV; ``"D (Thạc sĩ)"``
        style for Excel).
    path, sheet : str
        Where the table comes from.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    letters: dict
    path: str
    sheet: str | None = None

    def at(self, mask, column: str | None, message, **values) -> list[Problem]:
        """Problems for the rows where ``mask`` is True.

        ``message`` is a text, a per-row Series, or a ``str.format`` template whose fields
        are filled from the per-row Series in ``values`` (formatted only for the rows
        that have the problem, so a clean 100k-row file costs nothing here).
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return []
        rows = self.rows[mask]
        if isinstance(message, pd.Series):
            msgs = message.to_numpy()[mask]
        elif values:
            cols = {k: np.asarray(v, dtype=object)[mask] for k, v in values.items()}
            msgs = [message.format(**{k: c[i] for k, c in cols.items()}) for i in range(len(rows))]
        else:
            msgs = [message] * len(rows)
        col = self.letters.get(column, column) if column else None
        return [Problem(self.path, self.sheet, int(r), col, str(m)) for r, m in zip(rows, msgs, strict=True)]

    def whole(self, message: str, column: str | None = None, row: int | None = None) -> Problem:
        """A problem about the whole table (or its header)."""
        return Problem(self.path, self.sheet, row, self.letters.get(column, column) if column else None, message)


def normalise_heading(h) -> str:
    """A heading as matched by the readers: NFC, trimmed, lower case, single spaces."""
    return re.sub(r"\s+", " ", nfc(str(h)).replace("\ufeff", "").strip().lower())


def read_text_table(path: Path | str, display: str | None = None) -> tuple[Table | None, list[Problem]]:
    """Read a CSV (or ``.csv.gz``) file into a :class:`Table` of text cells.

    Blank lines and total lines ("Tổng cộng", …) are dropped; line numbers are kept.
    A header with ``;`` and no ``,`` is read with ``;`` (Excel in some locales).

    Returns
    -------
    (table, problems)
        ``table`` is None when the file cannot be read at all.
    """
    path = Path(path)
    shown = display or str(path)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            raw = gzip.decompress(raw)
    except OSError as exc:
        return None, [Problem(shown, None, None, None, f"cannot read the file: {exc.strerror or exc}")]
    if not raw.strip():
        return None, [Problem(shown, None, None, None, "the file is empty")]
    try:
        text, _enc = decode_text(raw)
    except DecodeError as exc:
        return None, [Problem(shown, None, None, None, str(exc))]
    if not text.strip():
        return None, [Problem(shown, None, None, None, "the file is empty")]
    first = text.split("\n", 1)[0]
    skipped = 0
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        # Excel's own hint line ("sep=;") comes before the header.
        sep_hint = first.strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first, skipped = text.split("\n", 1)[0], 1
    # Excel writes "Unicode text" (UTF-16) tab-separated and, in some locales, CSV with ';'.
    sep = "\t" if ("\t" in first and "," not in first) else (";" if (";" in first and "," not in first) else ",")
    if skipped:
        sep = sep_hint
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                         skip_blank_lines=False, skipinitialspace=False)
    except (pd.errors.ParserError, ValueError) as exc:
        # pandas names the line ("Expected 6 fields in line 5, saw 7"): point at it.
        m = re.search(r"line (\d+)", str(exc))
        row = int(m.group(1)) + skipped if m else None
        hint = " (more cells than the header: put text containing commas in quotes)" if "Expected" in str(exc) else ""
        return None, [Problem(shown, None, row, None, f"not a readable CSV table: {str(exc).strip()}{hint}")]
    # pandas renames a repeated heading ("year.1"): take the headings from the header line itself.
    header = next(csv.reader(io.StringIO(first), delimiter=sep), [])
    headings = [normalise_heading(c) for c in header] if len(header) == len(df.columns) else \
        [normalise_heading(c) for c in df.columns]
    problems = []
    dupes = sorted({h for h in headings if headings.count(h) > 1 and h})
    for h in dupes:
        problems.append(Problem(shown, None, 1, h, "this column heading appears twice"))
    df.columns = headings
    df = df.loc[:, ~pd.Index(headings).duplicated()]
    # Line numbers assume one line per record (a quoted line break would shift them).
    rows = np.arange(len(df)) + 2 + skipped
    table = _drop_blank_and_total(df, rows, {h: h for h in df.columns}, shown, None)
    if table.frame.empty:
        problems.append(Problem(shown, None, None, None, "the file has a header but no data rows"))
    return table, problems


def table_from_frame(df: pd.DataFrame, path: str = "<frame>", first_row: int = 2) -> Table:
    """Wrap an in-memory frame as a :class:`Table` (cells as text), to run the same checks.

    Row numbers count from ``first_row`` (2 = as if the frame were a CSV with a header).
    """
    text = df.astype(object).where(df.notna(), "").astype(str)
    text.columns = [normalise_heading(c) for c in text.columns]
    text = text.apply(lambda c: c.map(nfc)) if len(text) else text
    rows = np.arange(len(text)) + first_row
    return _drop_blank_and_total(text.reset_index(drop=True), rows, {h: h for h in text.columns}, path, None)


def _strip(col: pd.Series) -> pd.Series:
    """Trim the cells of a text column; columns of few distinct values are done per value (fast)."""
    uniq = pd.unique(col)
    if len(uniq) * 4 < len(col):
        return col.map({u: u.strip() for u in uniq})
    return col.str.strip()


def _drop_blank_and_total(df: pd.DataFrame, rows: np.ndarray, letters: dict, path: str,
                          sheet: str | None) -> Table:
    df = df.apply(_strip) if len(df) else df
    filled = (df != "").to_numpy() if len(df.columns) else np.zeros((len(df), 0), bool)
    blank = ~filled.any(axis=1) if filled.size else np.ones(len(df), bool)
    if len(df) and filled.size:
        first_idx = filled.argmax(axis=1)
        first_val = df.to_numpy()[np.arange(len(df)), first_idx]
        total = pd.Series(first_val).str.match(TOTAL_ROW).to_numpy() & ~blank
    else:
        total = np.zeros(len(df), bool)
    keep = ~(blank | total)
    return Table(df[keep].reset_index(drop=True), rows[keep], letters, path, sheet)


# --- numbers -----------------------------------------------------------------------------

#: ASCII digits only: ``\d`` would also match Arabic-Indic or full-width digits, which the
#: numeric conversion then silently turns into a missing value.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def parse_numbers(s: pd.Series, percent: bool = False) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of text cells as numbers (dot decimals only).

    Parameters
    ----------
    s : Series of str
        Cells; empty text means missing.
    percent : bool
        Accept a trailing ``%``.

    Returns
    -------
    (values, bad, messages)
        Floats (NaN where empty or bad), a mask of unparseable cells and, for those, a
        message saying why (``"12 người"``, a decimal comma, thousands separators).
    """
    t = s.fillna("").astype(str).str.strip(" \t\u00a0")
    if percent:
        t = t.str.replace(r"\s*%$", "", regex=True)
    empty = t == ""
    ok = t.str.match(_NUMBER) | empty
    values = pd.to_numeric(t.where(ok & ~empty), errors="coerce")
    bad = ~ok
    msgs = pd.Series("", index=s.index, dtype=object)
    if bad.any():
        tb = t[bad]
        comma_dec = tb.str.fullmatch(r"[+-]?\d+,\d{1,2}")
        thousands = tb.str.fullmatch(r"[+-]?\d{1,3}([.,\s]\d{3})+")
        orig = s[bad].astype(str)
        m = np.where(comma_dec, "'" + orig + "' has a decimal comma: write it with a dot (e.g. 12.5)",
                     np.where(thousands, "'" + orig + "' has a thousands separator: write the number without it",
                              "'" + orig + "' is not a number: write digits only (no words or units)"))
        msgs[bad] = m
    return values, bad, msgs


# --- dispatch ------------------------------------------------------------------------------

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def file_kind(path: Path) -> str:
    """``excel``, ``text`` (CSV, possibly gzipped), ``folder`` or ``other`` from the name."""
    path = Path(path)
    if path.is_dir():
        return "folder"
    name = path.name.lower()
    if name.endswith(EXCEL_SUFFIXES) or name.endswith(".xls"):
        return "excel"
    if name.endswith(TEXT_SUFFIXES) or name.endswith(tuple(s + ".gz" for s in TEXT_SUFFIXES)):
        return "text"
    return "other"
