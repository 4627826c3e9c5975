"""The roster's vocabulary, written once: the codes a staff record may carry, the words people
type for them, and the one reading of a yes/no mark.

Roster reading (:mod:`forecast.inputs.roster`), the annual return (:mod:`forecast.inputs.returns`),
the stock-flow engine (:mod:`forecast.stockflow`) and the synthetic province
(:mod:`forecast.synth`) all take their codes from here (docs/architecture.md, "Roster").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

# --- who --------------------------------------------------------------------------------

#: Staff categories: cán bộ (elected/appointed cadres), công chức (civil servants),
#: viên chức (public employees of public service units).
CATEGORIES: tuple[str, ...] = ("can_bo", "cong_chuc", "vien_chuc")
#: Cadres and civil servants (the "CBCC" of the plan), the categories of most populations.
CBCC: tuple[str, ...] = ("can_bo", "cong_chuc")
#: Levels of management: province, district (until 30 June 2025), commune.
LEVELS: tuple[str, ...] = ("tinh", "huyen", "xa")
#: Leader posts filled by appointment: department (sở) and division (phòng) level.
LEADER_POSTS: tuple[str, ...] = ("so", "phong")
#: Every value of the roster's ``leader`` column (``none``: not a leader).
LEADERS: tuple[str, ...] = (*LEADER_POSTS, "none")
SEXES: tuple[str, ...] = ("nam", "nu")

# --- qualifications -----------------------------------------------------------------------

#: Education levels, highest first (the order of the annual return's columns).
EDUCATION: tuple[str, ...] = ("tien_si", "thac_si", "dai_hoc", "cao_dang", "trung_cap", "so_cap", "chua_dao_tao")
#: University degree or higher (đại học, thạc sĩ, tiến sĩ): T01, T02, T05, T06.
UNIVERSITY_PLUS: tuple[str, ...] = ("dai_hoc", "thac_si", "tien_si")
#: Post-graduate degrees (thạc sĩ, tiến sĩ): T11.
POSTGRAD: tuple[str, ...] = ("thac_si", "tien_si")
#: Political-theory levels, lowest first (cao cấp includes the bachelor's, cử nhân).
POLITICAL_THEORY: tuple[str, ...] = ("none", "so_cap", "trung_cap", "cao_cap")
#: State-management programmes, lowest first: chuyên viên, chuyên viên chính, chuyên viên cao cấp.
STATE_MGMT: tuple[str, ...] = ("none", "cv", "cvc", "cvcc")
#: Fields of study; all but ``khac`` are the plan's key fields (T11).
FIELDS: tuple[str, ...] = ("kinh_te_cua_khau", "thuong_mai", "van_hoa", "du_lich", "dich_vu", "ha_tang_kcn",
                           "nong_nghiep", "khac")
KEY_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f != "khac")
#: Why a person left: retirement, resignation, Decree 178/2024 early exit, transfer, other.
EXIT_REASONS: tuple[str, ...] = ("huu", "nghi_viec", "nd178", "chuyen_cong_tac", "khac")
#: Exits the stock-flow engine models on its own (statutory retirement and the one-off
#: Decree 178 wave), kept out of the "other exits" rate.
SCHEDULED_EXITS: tuple[str, ...] = ("huu", "nd178")

#: The allowed codes of every coded roster column.
ENUMS: dict[str, tuple[str, ...]] = {
    "sex": SEXES,
    "category": CATEGORIES,
    "level": LEVELS,
    "leader": LEADERS,
    "education": EDUCATION,
    "field": FIELDS,
    "political_theory": POLITICAL_THEORY,
    "state_mgmt": STATE_MGMT,
    "exit_reason": EXIT_REASONS,
}
#: Yes/no roster columns: the T09 skills (0/1 against the requirement of the person's grade,
#: title and post), standardisation (T10), the commune key cadres (T05) and the succession pool (T03).
FLAG_COLUMNS: tuple[str, ...] = ("key_cadre", "in_pool", "foreign_language", "it_skill", "standard_training",
                                 "standardised")

#: Words people type, reduced by :func:`slug`, mapped onto the codes.
ALIASES: dict[str, dict[str, str]] = {
    "sex": {"female": "nu", "f": "nu", "male": "nam", "m": "nam"},
    "level": {"cap_tinh": "tinh", "cap_huyen": "huyen", "cap_xa": "xa"},
    "leader": {"": "none", "khong": "none", "cap_so": "so", "cap_phong": "phong"},
    "education": {"chua_qua_dao_tao": "chua_dao_tao", "ts": "tien_si", "ths": "thac_si"},
    "political_theory": {"": "none", "khong": "none", "chua": "none", "cu_nhan": "cao_cap",
                         "cao_cap_cu_nhan": "cao_cap"},
    "state_mgmt": {"": "none", "khong": "none", "chua": "none", "chuyen_vien": "cv", "chuyen_vien_chinh": "cvc",
                   "chuyen_vien_cao_cap": "cvcc"},
    "field": {"": "khac"},
}


def slug(text: object) -> str:
    """A Vietnamese label reduced to a data code: ``"Cán bộ"`` → ``"can_bo"``.

    Accents are removed (đ → d), case folded, runs of spaces/dashes/punctuation become
    one underscore. Used to accept the words people type for enumerated codes.
    """
    s = unicodedata.normalize("NFD", str(text).strip().lower()).replace("đ", "d")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "_", s).strip("_")


# --- yes/no --------------------------------------------------------------------------------

#: Marks read as "yes" (after :func:`slug`).
YES_WORDS: frozenset[str] = frozenset({"1", "true", "co", "x", "yes"})
#: Marks read as "no" (after :func:`slug`); an empty cell is "no".
NO_WORDS: frozenset[str] = frozenset({"0", "false", "khong", "no", "", "none", "nan"})


def _number(value: object) -> float | None:
    """The value as a number when it is one (a numeric type or a text such as ``"1"``, ``"0.0"``)."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    try:
        num = float(str(value).strip())
    except ValueError:
        return None
    return None if math.isnan(num) else num


def read_yes_no(value: object) -> tuple[bool, bool]:
    """One yes/no mark read: ``(yes, recognised)``.

    The one rule of every yes/no column, whether a person's record is checked (roster
    reading, which rejects what it does not recognise) or counted (the stock-flow engine,
    which reads any other mark as yes):

    1. missing (None, NaN) is no;
    2. a number (or a text reading as one) is yes when above 0; recognised when 0 or 1;
    3. other text, reduced by :func:`slug`, is yes in :data:`YES_WORDS`, no in
       :data:`NO_WORDS` (both recognised: ``Có``, ``x``, ``Không``, an empty cell);
    4. anything else is not recognised and read as yes (a mark in a yes/no column).

    Returns
    -------
    (yes, recognised) : tuple of bool
    """
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)) or value is pd.NA \
            or value is pd.NaT:
        return False, True
    num = _number(value)
    if num is not None:
        return num > 0, num in (0.0, 1.0)
    word = slug(value)
    if word in YES_WORDS:
        return True, True
    if word in NO_WORDS:
        return False, True
    return True, False


def yes_no(values: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`read_yes_no` on a column, computed once per distinct value.

    Returns
    -------
    (yes, recognised) : tuple of bool arrays
        Aligned with ``values``.
    """
    codes, uniques = pd.factorize(pd.Series(list(values) if not isinstance(values, pd.Series | np.ndarray)
                                            else values), use_na_sentinel=True)
    read = [read_yes_no(u) for u in uniques] + [(False, True)]  # the sentinel -1 (missing) picks the last
    yes = np.array([r[0] for r in read], dtype=bool)[codes]
    recognised = np.array([r[1] for r in read], dtype=bool)[codes]
    return yes, recognised


def flag(values: Iterable[Any]) -> np.ndarray:
    """0/1 (int8) of a yes/no column read leniently (:func:`read_yes_no`; unrecognised marks are yes)."""
    return yes_no(values)[0].astype(np.int8)


def is_blank(values: pd.Series) -> pd.Series:
    """Cells with no text: missing, empty or spaces, or the ``nan``/``None`` a text export writes."""
    text = values.fillna("").astype(str).str.strip()
    return text.isin(["", "nan", "None"])


__all__ = ["ALIASES", "CATEGORIES", "CBCC", "EDUCATION", "ENUMS", "EXIT_REASONS", "FIELDS", "FLAG_COLUMNS",
           "KEY_FIELDS", "LEADERS", "LEADER_POSTS", "LEVELS", "NO_WORDS", "POLITICAL_THEORY", "POSTGRAD",
           "SCHEDULED_EXITS", "SEXES", "STATE_MGMT", "UNIVERSITY_PLUS", "YES_WORDS", "flag", "is_blank",
           "read_yes_no", "slug", "yes_no"]
