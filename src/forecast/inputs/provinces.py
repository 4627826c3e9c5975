"""The national list of provincial-level units since 1 July 2025 (34: 28 provinces, 6 cities).

``data/provinces.csv`` (columns ``code, name_vi, name_en, type, merged_from``) lists the
units created by Nghị quyết 202/2025/QH15 (12 June 2025) on the arrangement of
provincial-level units, each under the two-digit code of the unit it kept the code of
(the statistics office's list of administrative units). A national run labels each
province folder with it, and ``forecast synth --province-code`` names a synthetic
province after it. Commune-level units of provinces other than Lạng Sơn are not in the
workbench's registry (``data/units.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from forecast import config


@dataclass(frozen=True)
class Province:
    """One provincial-level unit: its code and names (``type`` ``tinh`` or ``thanh_pho``)."""

    code: str
    name_vi: str
    name_en: str
    type: str

    def name(self, lang: str) -> str:
        """The name in a report language (``vi`` or ``en``)."""
        return self.name_vi if lang == "vi" else self.name_en


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Province, ...]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"code", "name_vi", "name_en", "type"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    return tuple(Province(r.code.strip().zfill(2), r.name_vi.strip(), r.name_en.strip(), r.type.strip())
                 for r in frame.itertuples())


def load_provinces() -> tuple[Province, ...]:
    """Every provincial-level unit of the national list, in code order."""
    return tuple(sorted(_load(str(config.provinces_file())), key=lambda p: p.code))


def province(code: str | int) -> Province:
    """The unit with ``code`` (``"20"``, ``20`` and ``" 20"`` alike).

    Raises
    ------
    KeyError
        The code is not in the national list (the message names the known codes).
    """
    key = str(code).strip().zfill(2)
    for p in load_provinces():
        if p.code == key:
            return p
    known = ", ".join(p.code for p in load_provinces())
    raise KeyError(f"unknown province code {str(code)!r} (known: {known})")
