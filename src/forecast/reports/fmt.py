"""Numbers, percentages and dates written the way each report language expects.

Vietnamese reports use the decimal comma and the dot as thousands separator
(``1.234,5``) and dates as ``dd/mm/yyyy``; English reports use ``1,234.5`` and
ISO 8601 dates (``yyyy-mm-dd``), which no English reader misreads. Every function is pure and returns a string; a missing
value (``None`` or NaN) becomes an en dash so tables never show ``nan``.
"""

from __future__ import annotations

import datetime as _dt
import math
import unicodedata

from forecast import i18n

LANGS = i18n.LANGS
MISSING = "–"

_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}  # (decimal, thousands)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise ``ValueError``."""
    return i18n.check_lang(lang)


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def number(x, digits: int = 0, lang: str = "vi") -> str:
    """Format a number with ``digits`` decimals and the language's separators.

    Examples
    --------
    >>> number(1234.5, 1, "vi")
    '1.234,5'
    >>> number(1234.5, 1, "en")
    '1,234.5'
    """
    check_lang(lang)
    if _missing(x):
        return MISSING
    dec, thou = _SEPARATORS[lang]
    text = f"{float(x):,.{digits}f}"  # English separators first, then swap
    text = text.replace(",", "\0").replace(".", dec).replace("\0", thou)
    if text.startswith("-") and float(text.lstrip("-").replace(thou, "").replace(dec, ".")) == 0:
        text = text[1:]  # no "-0,0"
    return text


def percent(share, digits: int = 1, lang: str = "vi") -> str:
    """Format a share in [0, 1] as a percentage: ``0.9512`` → ``95,1%`` (vi) / ``95.1%`` (en)."""
    if _missing(share):
        return MISSING
    return f"{number(100.0 * float(share), digits, lang)}%"


def points(pp, digits: int = 1, lang: str = "vi", signed: bool = True, unit: bool = True) -> str:
    """Format a pace in percentage points per year (``+1,2 điểm phần trăm/năm`` or ``+1.2 pp/yr``).

    ``unit=False`` leaves the unit out (for table cells whose heading names it).
    """
    if _missing(pp):
        return MISSING
    suffix = i18n.t("unit.pp_year", lang)
    body = number(pp, digits, lang)
    if signed and float(pp) > 0 and body != number(0, digits, lang):
        body = "+" + body
    return f"{body} {suffix}" if unit else body


def probability(p, lang: str = "vi") -> str:
    """Format a probability as a whole percentage, saying ``< 1%`` / ``> 99%`` at the ends.

    A Monte-Carlo estimate of 0 or 1 is not a certainty, so the extremes are
    written as bounds.
    """
    if _missing(p):
        return MISSING
    p = float(p)
    if p < 0.01:
        return f"< {number(1, 0, lang)}%"
    if p > 0.99:
        return f"> {number(99, 0, lang)}%"
    return f"{number(100 * p, 0, lang)}%"


def date(d, lang: str = "vi") -> str:
    """Format a date (``date``, ``datetime`` or ISO string): ``dd/mm/yyyy`` (vi), ``yyyy-mm-dd`` (en)."""
    check_lang(lang)
    if _missing(d):
        return MISSING
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    if lang == "en":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def year_end(year: int, lang: str = "vi") -> str:
    """The reporting date of a data year: returns are due by 30 October (``30/10/2025`` in vi)."""
    return date(_dt.date(int(year), 10, 30), lang)


def nfc(text: str) -> str:
    """Text in Unicode NFC (how Vietnamese is stored and compared everywhere)."""
    return unicodedata.normalize("NFC", str(text))
