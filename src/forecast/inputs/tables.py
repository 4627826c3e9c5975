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
import functools
import gzip
import io
import os
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from forecast.domain.vocabulary import slug  # the one reduction of typed words to codes
from forecast.inputs.cells import may_start_with, trim_and_find_blank


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
    """``text`` in Unicode NFC (composed) form (the same object when it already is: no copy)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def per_distinct(func: Callable[..., Any]) -> Callable[..., Any]:
    """Make a column function run once per distinct cell when a column repeats itself.

    ``func(series, *args)`` returns a Series or a tuple of Series aligned with its input. A
    roster of a million rows has a few hundred distinct unit codes or dates: computing
    each once and spreading the results keeps ``validate`` fast on big files.
    """
    @functools.wraps(func)
    def wrapper(s: pd.Series, *args: Any, **kwargs: Any) -> Any:
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        if len(uniques) * 2 >= len(s):
            return func(s, *args, **kwargs)
        out = func(pd.Series(uniques, dtype=s.dtype), *args, **kwargs)

        def spread(r: pd.Series) -> pd.Series:
            return pd.Series(r.to_numpy()[codes], index=s.index, name=r.name)
        return tuple(spread(r) for r in out) if isinstance(out, tuple) else spread(out)
    return wrapper


def slug_series(s: pd.Series) -> pd.Series:
    """Vectorised :func:`slug` (applied per distinct value, so cheap on big columns)."""
    uniq = pd.unique(s)
    return s.map({u: slug(u) for u in uniq})


# --- YAML ---------------------------------------------------------------------------------

#: Largest YAML file read (dataset descriptions, scenarios, run specifications are a few KB).
MAX_YAML_BYTES = 1_000_000


class YamlError(ValueError):
    """A YAML input cannot be read; ``problem`` locates why (``str()`` is its one line)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader (no tags that build objects) without aliases.

    An alias (``*name``) repeats an anchored node; nested, a few hundred bytes expand to
    billions of nodes ("billion laughs"). The workbench's YAML files never need them.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in this file: write the values out", mark)
        return super().compose_node(parent, index)


def load_yaml(path: Path | str, shown: str | None = None, max_bytes: int = MAX_YAML_BYTES) -> object:
    """Read a YAML file safely: no object-building tags, no aliases, at most ``max_bytes``.

    Raises
    ------
    YamlError
        The file is missing, too large, not UTF-8 or not valid YAML (located by line and column).
    """
    path = Path(path)
    shown = shown or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlError(Problem(shown, None, None, None,
                                    f"the file is {size:,} bytes; at most {max_bytes:,} are read"))
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise YamlError(Problem(shown, None, None, None, f"cannot read the file: {exc.strerror or exc}")) from None
    except UnicodeDecodeError as exc:
        raise YamlError(Problem(shown, None, None, None, f"not UTF-8 text (byte {exc.start})")) from None
    try:
        return yaml.load(nfc(text), Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        raise YamlError(Problem(shown, None, mark.line + 1 if mark is not None else None,
                                f"column {mark.column + 1}" if mark is not None else None,
                                f"not valid YAML: {what}")) from None


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


# --- bounded reading -----------------------------------------------------------------------

#: Largest text file read (after decompression), bytes: ``FORECAST_TEXT_MAX_MB`` (default 300 MB,
#: three times a province's million-row roster).
MAX_TEXT_BYTES = int(os.environ.get("FORECAST_TEXT_MAX_MB", "300") or 300) * 1_000_000
_CHUNK = 1 << 20


class TooLarge(ValueError):
    """A file is (or would decompress to) more bytes than allowed."""


def read_bounded(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of ``path`` (decompressed when it ends in ``.gz``), at most ``max_bytes``.

    A gzip stream is decompressed in 1 MB chunks and abandoned as soon as it passes the
    limit, so a small compressed bomb never occupies more than the limit.

    Raises
    ------
    TooLarge
        Past the limit. ``OSError``, ``EOFError`` and ``zlib.error`` for unreadable files.
    """
    limit = MAX_TEXT_BYTES if max_bytes is None else max_bytes
    path = Path(path)

    def too_large(what: str) -> TooLarge:
        return TooLarge(f"the file {what} more than {limit / 1e6:,.0f} MB; larger files are refused "
                        "(FORECAST_TEXT_MAX_MB raises the limit)")

    if path.suffix != ".gz":
        if path.stat().st_size > limit:
            raise too_large("has")
        return path.read_bytes()
    parts, size = [], 0
    with gzip.open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise too_large("unpacks to")
            parts.append(chunk)
    return b"".join(parts)


# --- tables ----------------------------------------------------------------------------

#: A row whose first filled cell starts with one of these is a total line, not data.
TOTAL_WORDS = ("tổng", "cộng", "tong cong", "total")
TOTAL_ROW = re.compile(r"^\s*(" + "|".join(TOTAL_WORDS) + ")", re.IGNORECASE)


#: At most this many problems of one kind (one check of one column) are listed per table;
#: the rest are counted. None lists all. ``forecast validate --max-errors N`` sets it.
MAX_PER_KIND: ContextVar[int | None] = ContextVar("MAX_PER_KIND", default=None)


@contextmanager
def max_problems_per_kind(n: int | None) -> Iterator[None]:
    """List at most ``n`` problems of each kind inside the ``with`` block (None: all)."""
    token = MAX_PER_KIND.set(n)
    try:
        yield
    finally:
        MAX_PER_KIND.reset(token)


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
        cap = MAX_PER_KIND.get()
        extra = 0
        if cap is not None and mask.sum() > cap:
            # bounded: a file with millions of bad cells yields the first few and a count
            extra = int(mask.sum()) - cap
            mask = mask & (np.cumsum(mask) <= cap)
        rows = self.rows[mask]
        if isinstance(message, pd.Series):
            msgs = message.to_numpy()[mask]
        elif values:
            cols = {k: np.asarray(v, dtype=object)[mask] for k, v in values.items()}
            msgs = [message.format(**{k: c[i] for k, c in cols.items()}) for i in range(len(rows))]
        else:
            msgs = [message] * len(rows)
        col = self.letters.get(column, column) if column else None
        out = [Problem(self.path, self.sheet, int(r), col, str(m)) for r, m in zip(rows, msgs, strict=True)]
        if extra:
            out.append(Problem(self.path, self.sheet, None, col, f"{extra:,} more rows like row {out[0].row} "
                               f"({out[0].message}); only the first {len(out)} of each kind are listed "
                               "(--max-errors)"))
        return out

    def whole(self, message: str, column: str | None = None, row: int | None = None) -> Problem:
        """A problem about the whole table (or its header)."""
        return Problem(self.path, self.sheet, row, self.letters.get(column, column) if column else None, message)


def normalise_heading(h) -> str:
    """A heading as matched by the readers: NFC, trimmed, lower case, single spaces."""
    return re.sub(r"\s+", " ", nfc(str(h)).replace("\ufeff", "").strip().lower())


def read_text_table(path: Path | str, display: str | None = None,
                    max_bytes: int | None = None) -> tuple[Table | None, list[Problem]]:
    """Read a CSV (or ``.csv.gz``) file into a :class:`Table` of text cells.

    Blank lines and total lines ("Tổng cộng", …) are dropped; line numbers are kept.
    A header with ``;`` and no ``,`` is read with ``;`` (Excel in some locales).

    A file larger than ``max_bytes`` (default :data:`MAX_TEXT_BYTES`; for ``.gz``, its
    uncompressed size, found while decompressing in bounded chunks) is refused.

    Returns
    -------
    (table, problems)
        ``table`` is None when the file cannot be read at all.
    """
    path = Path(path)
    shown = display or str(path)
    try:
        raw = read_bounded(path, max_bytes)
    except TooLarge as exc:
        return None, [Problem(shown, None, None, None, str(exc))]
    except (OSError, EOFError, zlib.error) as exc:
        what = "the compressed file is damaged or truncated" if path.suffix == ".gz" else "cannot read the file"
        return None, [Problem(shown, None, None, None, f"{what}: {getattr(exc, 'strerror', None) or exc}")]
    # (isspace, find and slices below, not strip or split: no copy of a 100 MB file)
    if not raw or raw.isspace():
        return None, [Problem(shown, None, None, None, "the file is empty")]
    try:
        text, enc = decode_text(raw)
    except DecodeError as exc:
        return None, [Problem(shown, None, None, None, str(exc))]
    # Plain ASCII UTF-8 (most big exports) is parsed from the bytes: the text is dropped
    # at once, which halves the peak; other text is parsed from its decoded NFC form.
    ascii_utf8 = enc.startswith("utf-8") and raw[3 if enc == "utf-8-sig" else 0:].isascii()
    if not ascii_utf8:
        del raw
    if not text or text.isspace():
        return None, [Problem(shown, None, None, None, "the file is empty")]
    newline = text.find("\n")
    first = text if newline < 0 else text[:newline]
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
    source: io.BytesIO | io.StringIO
    if ascii_utf8 and not skipped:
        source = io.BytesIO(raw)
        del text
    else:
        source = io.StringIO(text)
    try:
        df = pd.read_csv(source, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                         skip_blank_lines=False, skipinitialspace=False)
    except (pd.errors.ParserError, ValueError) as exc:
        # pandas names the line ("Expected 6 fields in line 5, saw 7"): point at it.
        m = re.search(r"line (\d+)", str(exc))
        row = int(m.group(1)) + skipped if m else None
        hint = " (more cells than the header: put text containing commas in quotes)" if "Expected" in str(exc) else ""
        return None, [Problem(shown, None, row, None, f"not a readable CSV table: {str(exc).strip()}{hint}")]
    if not isinstance(df.index, pd.RangeIndex):
        # pandas makes the first column the index when every data row has one cell more than
        # the header: all columns would be read one place off
        n_head = len(df.columns)
        if n_head == 0:
            return None, [Problem(shown, None, 1 + skipped, None, "the header line is empty or unreadable: put "
                                  "the column headings on the first line")]
        return None, [Problem(shown, None, 2 + skipped, None, f"this row has {n_head + 1} cells but the header "
                              f"has {n_head} (a separator at the end of every line?): remove the extra "
                              "separators or name the extra column")]
    # pandas renames a repeated heading ("year.1"): take the headings from the header line itself.
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=sep), [])
    except csv.Error as exc:  # e.g. a lone carriage return inside the header line
        return None, [Problem(shown, None, 1 + skipped, None, f"the header line cannot be read as CSV ({exc})")]
    headings = [normalise_heading(c) for c in header] if len(header) == len(df.columns) else \
        [normalise_heading(c) for c in df.columns]
    problems = []
    dupes = sorted({h for h in headings if headings.count(h) > 1 and h})
    for h in dupes:
        problems.append(Problem(shown, None, 1, h, "this column heading appears twice"))
    df.columns = headings
    df = df.loc[:, ~pd.Index(headings).duplicated()] if dupes else df  # (the take would copy every column)
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


def _drop_blank_and_total(df: pd.DataFrame, rows: np.ndarray, letters: dict, path: str,
                          sheet: str | None) -> Table:
    df, blank, first_val = trim_and_find_blank(df)
    total = np.zeros(len(df), bool)
    if may_start_with(first_val[~blank], TOTAL_WORDS):  # else no row is a total: no match per row
        codes, uniques = pd.factorize(first_val)
        total = pd.Series(uniques, dtype=object).str.match(TOTAL_ROW).fillna(False).to_numpy(bool)[codes] & ~blank
    keep = ~(blank | total)
    if keep.all():  # nothing to drop: no copy of the table (set_axis, unlike reset_index, copies nothing)
        return Table(df.set_axis(pd.RangeIndex(len(df)), axis=0, copy=False), rows, letters, path, sheet)
    return Table(df[keep].set_axis(pd.RangeIndex(int(keep.sum())), copy=False), rows[keep], letters, path, sheet)


# --- numbers -----------------------------------------------------------------------------

#: ASCII digits only: ``\d`` would also match Arabic-Indic or full-width digits, which the
#: numeric conversion then silently turns into a missing value.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


#: Largest magnitude a cell may hold: every number of these files (headcounts of a province,
#: years, percentages) is far below it, so a larger one is a typing accident or a probe (1e300
#: of 1e300 would read as a share of 100 %).
MAX_NUMBER = 1e9


def parse_numbers(s: pd.Series, percent: bool = False,
                  limit: float = MAX_NUMBER) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of text cells as numbers (dot decimals only).

    Parameters
    ----------
    s : Series of str
        Cells; empty text means missing.
    percent : bool
        Accept a trailing ``%``.
    limit : float
        Largest magnitude accepted (:data:`MAX_NUMBER`); larger numbers, and numbers too large
        for a float (``1e400``), are bad cells.

    Returns
    -------
    (values, bad, messages)
        Floats (NaN where empty or bad), a mask of unparseable cells and, for those, a
        message saying why (``"12 người"``, a decimal comma, thousands separators).
    """
    codes, uniques = pd.factorize(s.fillna("").astype(str))
    if len(uniques) * 2 < len(s):
        # a big column of few distinct cells (years, codes): each distinct text parsed once
        v, b, m = _parse_numbers(pd.Series(uniques, dtype=object), percent, limit)
        return (pd.Series(v.to_numpy()[codes], index=s.index, dtype=float),
                pd.Series(b.to_numpy()[codes], index=s.index, dtype=bool),
                pd.Series(m.to_numpy()[codes], index=s.index, dtype=object))
    return _parse_numbers(s, percent, limit)


def _parse_numbers(s: pd.Series, percent: bool, limit: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    t = s.fillna("").astype(str).str.strip(" \t\u00a0")
    if percent:
        t = t.str.replace(r"\s*%$", "", regex=True)
    empty = t == ""
    ok = t.str.match(_NUMBER) | empty
    values = pd.to_numeric(t.where(ok & ~empty), errors="coerce")
    huge = ok & ~empty & ~(values.abs() <= limit)  # NaN here: beyond a float (1e400)
    values = values.where(~huge)
    bad = ~ok | huge
    msgs = pd.Series("", index=s.index, dtype=object)
    if huge.any():
        msgs[huge] = "'" + s[huge].astype(str) + f"' is implausibly large (above {limit:,.0f})"
    if (~ok).any():
        bad = ~ok
        tb = t[bad]
        comma_dec = tb.str.fullmatch(r"[+-]?\d+,\d{1,2}")
        thousands = tb.str.fullmatch(r"[+-]?\d{1,3}([.,\s]\d{3})+")
        orig = s[bad].astype(str)
        m = np.where(comma_dec, "'" + orig + "' has a decimal comma: write it with a dot (e.g. 12.5)",
                     np.where(thousands, "'" + orig + "' has a thousands separator: write the number without it",
                              "'" + orig + "' is not a number: write digits only (no words or units)"))
        msgs[bad] = m
    return values, ~ok | huge, msgs


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
