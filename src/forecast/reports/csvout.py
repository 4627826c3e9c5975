"""CSV files of the report set, written for the spreadsheet a Department opens them in.

Every CSV starts with a UTF-8 byte-order mark: without it Excel reads the file in the
computer's legacy code page and garbles the Vietnamese letters.

``--lang vi`` writes for Excel with Vietnamese regional settings, where the decimal
separator is the comma and the list separator the semicolon: fields are separated by
``;``, numbers keep their full precision with a decimal comma (``0,951234``: the same
fraction as ``summary.json``, which Excel reads as a number and can show as a
percentage), the headers are in Vietnamese and statuses are words, not codes. (A
percentage column was the alternative; fractions were kept so that one column never
mixes percentages with the headcounts of T11.) ``--lang en`` keeps the machine-friendly
form: ``,``, a decimal point and the ``summary.json`` keys as headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from forecast import i18n

#: The byte-order mark Excel needs to read UTF-8.
BOM = "\ufeff"
#: Columns whose values are codes, worded in Vietnamese in ``--lang vi``.
_WORDED = {"status": "status.", "official_label": "status.", "kind": "export.kind.", "method": "model."}


def dialect(lang: str) -> tuple[str, str]:
    """``(separator, decimal)`` of the CSV files in ``lang``."""
    return (";", ",") if i18n.check_lang(lang) == "vi" else (",", ".")


def header(column: str, lang: str) -> str:
    """A column's header: Vietnamese words in ``vi``; the ``summary.json`` key in ``en``."""
    key = f"export.col.{column}"
    if lang == "vi" and i18n.has(key):
        return i18n.t(key, lang)
    return column


def word(column: str, code: object, lang: str) -> object:
    """A code column's value in ``lang`` (``on_track`` → ``Đúng tiến độ``); other values unchanged."""
    prefix = _WORDED.get(column)
    if lang != "vi" or prefix is None or code is None or (isinstance(code, float) and pd.isna(code)):
        return code
    key = f"{prefix}{code}"
    return i18n.t(key, lang) if i18n.has(key) else code


def csv_text(frame: pd.DataFrame, lang: str) -> str:
    """``frame`` as CSV text in the dialect of ``lang``, with the byte-order mark."""
    sep, decimal = dialect(lang)
    return BOM + frame.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\n")


def summary_frame(targets: Sequence[Mapping], columns: Sequence[str], lang: str) -> pd.DataFrame:
    """The rows of ``summary.csv``: one per target, values worded and headed for ``lang``."""
    frame = pd.DataFrame([{c: word(c, t.get(c), lang) for c in columns} for t in targets], columns=list(columns))
    for col in ("latest_year", "first_year_met", "target_year"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")  # years stay integers beside missing values
    return frame.rename(columns={c: header(c, lang) for c in columns})


def read_csv(path, lang: str) -> pd.DataFrame:
    """Read back a CSV of the report set written in ``lang`` (for tests and other software)."""
    sep, decimal = dialect(lang)
    return pd.read_csv(path, sep=sep, decimal=decimal, encoding="utf-8-sig")
