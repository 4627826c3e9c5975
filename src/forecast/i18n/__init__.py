"""One message catalogue for both report languages (Vietnamese ``vi``, English ``en``).

Every string a report page, a chart or the explorer shows is looked up here by key;
none is concatenated from English fragments, and a translator edits one place per
area: :mod:`.catalogue` (report pages and tables), :mod:`.charts` (chart labels),
:mod:`.terms` (statuses, model names, the international progress measures and the
status rules) and :mod:`.notes` (the models' and validation's English notes, matched
by pattern and worded in both languages). Each entry is a ``(vi, en)`` pair.

API (the explorer uses the same)::

    from forecast import i18n

    i18n.t("page.as_of", "vi")                       # 'Số liệu đến'
    i18n.t("report.facts_p", "en", year=2030, p="81%")
    i18n.check_lang("vi")                            # 'vi', or ValueError
    i18n.translate_note("Series break in 2025 ...", "vi")
    i18n.keys()                                      # every key, for tests and tools

``t(key, lang, **fmt)`` fills ``{placeholders}`` with ``str.format`` (values are not
escaped: HTML callers escape the result) and returns NFC text. An unknown key raises
``KeyError`` naming it; an unknown language raises ``ValueError``. To add messages for
a new area (e.g. the explorer), add a module holding a ``MESSAGES`` dict of
``key: (vi, en)`` with a prefix of its own and list it in :data:`_AREAS`.

Vietnamese terms follow the laws on cadres, civil servants and public employees
(Luật Cán bộ, công chức; Luật Viên chức): cán bộ, công chức, viên chức, lý luận chính
trị, chuyên viên chính, chuyên viên cao cấp. Percentages are written without a space
(``80%``) in both languages, as everywhere in the reports.

This package imports nothing else of ``forecast`` (the reports and the explorer import it).
"""

from __future__ import annotations

import string
import unicodedata

from forecast.i18n import catalogue, charts, exports, national, notes, plan, terms, yearchange

LANGS = ("vi", "en")

_AREAS = (catalogue, charts, terms, notes, exports, national, plan, yearchange)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in _AREAS:
        for key, pair in area.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice (in {area.__name__})")
            merged[key] = pair
    return merged


_MESSAGES = _merge()


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, got {lang!r}")
    return lang


def keys() -> list[str]:
    """Every message key, sorted."""
    return sorted(_MESSAGES)


def raw(key: str, lang: str) -> str:
    """The message of ``key`` in ``lang`` with its ``{placeholders}`` unfilled."""
    try:
        pair = _MESSAGES[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue (forecast.i18n)") from None
    return pair[LANGS.index(check_lang(lang))]


def placeholders(key: str, lang: str) -> set[str]:
    """The names of the ``{placeholders}`` of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(raw(key, lang)) if name}


def t(key: str, lang: str, **fmt: object) -> str:
    """The message ``key`` in ``lang``, placeholders filled from ``fmt``, in Unicode NFC.

    Examples
    --------
    >>> t("page.as_of", "vi")
    'Số liệu đến'
    >>> t("report.facts_p", "en", year=2030, p="81%")
    'Chance of meeting the target in 2030: 81%.'
    """
    return unicodedata.normalize("NFC", raw(key, lang).format(**fmt))


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in _MESSAGES


def translate_note(note: str, lang: str) -> str:
    """A model's, rule's or loader's English note in ``lang`` (see :func:`forecast.i18n.notes.translate`)."""
    return notes.translate(note, check_lang(lang), t)


__all__ = ["LANGS", "check_lang", "has", "keys", "placeholders", "raw", "t", "translate_note"]
