"""What a planner types: numbers the Vietnamese way, percentages, and scenario names.

Small pure functions that return the clean value or raise :class:`InputError`, whose
message is already in the planner's language (the widgets show it as it is). Nothing is
ever silently replaced: a value that cannot be read, or lies outside its range, is
refused and the previous value kept.

Rules for numbers (both languages, so a habit from one does not mislead in the other):

* the decimal mark is the comma in Vietnamese and the point in English, but the other
  mark is also read as a decimal mark unless it is followed by exactly three digits, when
  it groups thousands (``1.000`` = 1000 in Vietnamese, ``1,000`` = 1000 in English;
  ``1,5`` = ``1.5`` = 1.5 in both);
* a field shown as a percentage reads what is typed as a percentage, with or without the
  sign: ``60%``, ``60 %`` and ``60`` all mean 0.60; a number between 0 and 1 without the sign
  (``0,9``: 0.9 % or 90 %?) is refused with the question, never guessed;
* ``−`` (the typographic minus) is a minus sign.

Scenario names keep their Vietnamese letters as the display name; the file name is an
ASCII slug of it (``kịch bản A`` → ``kich_ban_a.yml``) and always stays inside the
scenarios folder.

Imports only :mod:`forecast.explorer.messages` (and the standard library).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from forecast.explorer.messages import text

#: Longest display name accepted for a scenario.
MAX_NAME = 64
#: The probability of meeting a target a planner may require (issue 16): from even odds to 95 %;
#: above 95 % the Monte-Carlo estimate of a few hundred draws cannot tell one plan from another.
P_REQUIRED_RANGE = (0.5, 0.95)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|[.,]\d+)$")


class InputError(ValueError):
    """A typed value that cannot be taken; the message is in the planner's language."""


def _clean(raw: str) -> str:
    s = unicodedata.normalize("NFC", str(raw)).strip()
    return s.replace("\u2212", "-").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")


def _grouped(part: str, mark: str) -> str | None:
    """``part`` without its thousands marks when every group after the first has three digits, else None."""
    groups = part.split(mark)
    if groups[0] and all(len(g) == 3 for g in groups[1:]):
        return "".join(groups)
    return None


def _to_float(s: str, lang: str) -> float | None:
    """The number ``s`` (already cleaned, no percent sign) or None when it is not one."""
    if not _NUMBER.match(s):
        return None
    sign = -1.0 if s.startswith("-") else 1.0
    body = s.lstrip("+-")
    decimal, grouping = (",", ".") if lang == "vi" else (".", ",")
    if decimal in body and grouping in body:
        # "1.000,5" (vi) / "1,000.5" (en): thousands, then the language's decimal mark
        head, _, frac = body.rpartition(decimal)
        whole = _grouped(head, grouping)
        return None if whole is None or not frac.isdigit() else sign * float(f"{whole}.{frac}")
    for mark in (grouping, decimal):
        if mark not in body:
            continue
        if mark == grouping and (plain := _grouped(body, mark)) is not None:
            return sign * float(plain)
        if body.count(mark) == 1:
            # one mark not grouping thousands is a decimal mark, whichever language's it is
            return sign * float(body.replace(mark, "."))
        return None
    return sign * float(body)


def parse_number(raw: str, lang: str = "vi", *, percent: bool = False, integer: bool = False,
                 minimum: float | None = None, maximum: float | None = None) -> float:
    """The number a planner typed, in the units of the lever (a share for a percentage field).

    Parameters
    ----------
    raw : str
        What was typed, e.g. ``"1,5"``, ``"60%"``, ``"1.000"``, ``"-0,02"``.
    lang : {"vi", "en"}
        The interface language (decides which mark groups thousands and the message's language).
    percent : bool
        The field is shown as a percentage: ``"60"`` and ``"60%"`` both give 0.6.
    integer : bool
        Only whole numbers are accepted (places a year).
    minimum, maximum : float, optional
        The accepted range, in the lever's units (a share for a percentage field).

    Returns
    -------
    float

    Raises
    ------
    InputError
        When the text is not a number, not whole where it must be, or out of range; the
        message (in ``lang``) says why and what would be accepted.

    Examples
    --------
    >>> parse_number("1,5", "vi")
    1.5
    >>> parse_number("60%", "vi", percent=True)
    0.6
    """
    s = _clean(raw)
    is_percent = s.endswith("%")
    if is_percent:
        s = s[:-1]
    value = _to_float(s, lang)
    example = ("60%" if percent else ("150" if integer else ("1,5" if lang == "vi" else "1.5")))
    if value is None or (is_percent and not percent):
        raise InputError(text("bad_number", lang, text=str(raw).strip(), example=example))
    if percent and not is_percent and 0 < abs(value) < 1:
        # "0,9" in a percentage field: a share (90 %) or 0.9 %? Asked, never guessed
        raise InputError(text("ambiguous_percent", lang, text=str(raw).strip(),
                              small=show_number(value / 100.0, lang, percent=True),
                              large=show_number(value, lang, percent=True)))
    if percent:
        value = round(value / 100.0, 10)
    if integer and not float(value).is_integer():
        raise InputError(text("not_whole", lang, text=str(raw).strip(), example=example))
    if (minimum is not None and value < minimum - 1e-12) or (maximum is not None and value > maximum + 1e-12):
        raise InputError(text("out_of_range", lang, value=str(raw).strip(),
                              lo=show_number(minimum, lang, percent=percent),
                              hi=show_number(maximum, lang, percent=percent)))
    return float(value)


def show_number(value: float | None, lang: str = "vi", *, percent: bool = False, integer: bool = False) -> str:
    """A lever value as the planner reads it: ``96%`` for a share field, ``1,5`` / ``1.5``, ``1.000``."""
    if value is None:
        return ""
    if percent:
        digits = 0 if abs(100 * value - round(100 * value)) < 1e-9 else 1
        return _format(100 * value, digits, lang) + "%"
    if integer or float(value).is_integer():
        return _format(value, 0, lang)
    digits = 2 if abs(100 * value - round(100 * value)) < 1e-9 else 3
    return _format(value, digits, lang).rstrip("0").rstrip(",.")


def _format(value: float, digits: int, lang: str) -> str:
    s = f"{value:,.{digits}f}"
    if lang == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def check_required(value: object, lang: str = "vi") -> float:
    """A required probability as a share within :data:`P_REQUIRED_RANGE`, else :class:`InputError` in ``lang``.

    Takes what the controls hold (a number, or text typed as in :func:`parse_number`:
    ``"80%"``, ``"80"``, ``"82,5%"`` are read as percentages).

    Examples
    --------
    >>> check_required(0.8)
    0.8
    >>> check_required("82,5%")
    0.825
    """
    lo, hi = P_REQUIRED_RANGE
    if isinstance(value, str):
        return parse_number(value, lang, percent=True, minimum=lo, maximum=hi)
    try:
        p = float(value) if not isinstance(value, bool) else float("nan")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        p = float("nan")
    if not lo - 1e-12 <= p <= hi + 1e-12:  # NaN fails too
        shown = show_number(p, lang, percent=True) if p == p else str(value)
        raise InputError(text("bad_required", lang, lo=show_number(lo, lang, percent=True),
                              hi=show_number(hi, lang, percent=True), value=shown))
    return p


def display_name(raw: str, lang: str = "vi") -> str:
    """A scenario's display name: NFC, trimmed, 1–64 characters with a letter or digit, else :class:`InputError`."""
    name = unicodedata.normalize("NFC", str(raw)).strip()
    if not name or len(name) > MAX_NAME or not any(ch.isalnum() for ch in name) or any(
            unicodedata.category(ch).startswith("C") for ch in name):
        raise InputError(text("bad_name", lang))
    return name


def slug(name: str) -> str:
    """An ASCII file stem for a display name: ``"Kịch bản A (2026)"`` → ``"kich_ban_a_2026"``.

    Letters lose their tone and vowel marks (``đ`` becomes ``d``), everything that is not
    a letter or digit becomes one ``_``; so no slash, dot or ``..`` survives.
    """
    s = unicodedata.normalize("NFC", str(name)).replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s[:MAX_NAME]


def scenario_path(directory: Path, raw_name: str, lang: str = "vi") -> tuple[str, Path]:
    """The display name and the file ``<directory>/<slug>.yml`` for a typed scenario name.

    Raises :class:`InputError` for a name without a letter or digit; the path is checked to
    lie directly inside ``directory`` (a slug cannot leave it, and the check says so).
    """
    name = display_name(raw_name, lang)
    stem = slug(name)
    if not stem:
        raise InputError(text("bad_name", lang))
    folder = Path(directory).resolve()
    path = (folder / f"{stem}.yml").resolve()
    if path.parent != folder:  # pragma: no cover - the slug has no separator; kept as a guard
        raise InputError(text("bad_name", lang))
    return name, path
