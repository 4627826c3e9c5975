"""A unit registry of its own for a synthetic province of another code (``forecast synth --province-code``).

The generator works on Lạng Sơn's registry (its districts, communes, the 2024 and 2025
changes). A test province of another code gets the same structure under codes and names of
its own: the province unit takes the province's code, each district a three-digit code
``001``, ``002``, … and each commune the five-digit code ``<province code><nnn>`` (a code
reused by the 2024–2025 changes stays one code, so the crosswalk keeps its meaning);
commune and district names become ``Xã <province> 017``, ``Huyện <province> 03``. The
provincial agencies (``P..``) keep their codes. :func:`relabel` moves a generated
province onto that registry; the dataset folder carries it as ``units.csv`` and
``crosswalk.csv``, which the input layer reads (:func:`forecast.inputs.units.dataset_registry`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from forecast.inputs import units
from forecast.synth.history import SynthResult

#: Name prefix of each unit type (as in the national lists).
PREFIX = {"tinh": "Tỉnh", "thanh_pho": "Thành phố", "huyen": "Huyện", "thi_xa": "Thị xã",
          "xa": "Xã", "phuong": "Phường", "thi_tran": "Thị trấn"}
#: The place name the project's registry is written for (replaced in agency names).
HOME = "Lạng Sơn"


@dataclass
class ProvinceRegistry:
    """A synthetic province's registry: its units, its crosswalk, and the old code → new code map."""

    code: str
    units: pd.DataFrame
    crosswalk: pd.DataFrame
    codes: dict[str, str] = field(default_factory=dict)

    def recode(self, column: pd.Series) -> pd.Series:
        """Unit codes of the project's registry as this province's (other values unchanged)."""
        return column.map(lambda c: self.codes.get(c, c))


def _short(name_vi: str) -> str:
    """``Tỉnh Cao Bằng`` → ``Cao Bằng``."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name_vi.startswith(prefix):
            return name_vi[len(prefix):]
    return name_vi


def province_registry(code: str, name_vi: str) -> ProvinceRegistry:
    """Lạng Sơn's registry and crosswalk recoded and renamed for the province ``code`` called ``name_vi``.

    Parameters
    ----------
    code : str
        The province's two-digit code (``data/provinces.csv``).
    name_vi : str
        Its Vietnamese name, e.g. ``Tỉnh Cao Bằng``.
    """
    short = _short(name_vi)
    with units.dataset_registry(None):  # always derived from the project's registry
        reg = units.load_units()
        xwalk = units.load_crosswalk()
    top = reg[(reg["level"] == "tinh") & (reg["parent"] == "")]["code"].tolist()
    districts = sorted(set(reg.loc[reg["level"] == "huyen", "code"]))
    communes = sorted(set(reg.loc[reg["level"] == "xa", "code"]))
    codes = {c: code for c in top}
    codes |= {c: f"{k:03d}" for k, c in enumerate(districts, 1)}
    codes |= {c: f"{code}{k:03d}" for k, c in enumerate(communes, 1)}

    def new_name(row: pd.Series) -> str:
        if row["code"] in top:
            return name_vi
        if row["level"] in ("huyen", "xa"):
            width = 2 if row["level"] == "huyen" else 3
            return f"{PREFIX.get(row['type'], 'Xã')} {short} {codes[row['code']][-width:]}"
        return str(row["name"]).replace(HOME, short)

    out = reg.copy()
    out["name"] = out.apply(new_name, axis=1)
    names = dict(zip(zip(reg["code"], reg["name"], strict=True), out["name"], strict=True))
    by_name = dict(zip(reg["name"], out["name"], strict=True))
    out["code"] = out["code"].map(lambda c: codes.get(c, c))
    out["parent"] = out["parent"].map(lambda c: codes.get(c, c) if c else c)
    source = f"synthetic: the project's registry recoded for province {code} (forecast synth)"
    out["source"] = [re.sub(r".*(merged .*)", r"\1", s) if "merged" in s else source for s in reg["source"]]
    for col in ("valid_from", "valid_to"):
        out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")

    cw = xwalk.copy()
    for side in ("new", "old"):
        cw[f"{side}_unit_name"] = [names.get((c, n), n) for c, n in zip(xwalk[f"{side}_code"],
                                                                     xwalk[f"{side}_unit_name"], strict=True)]
        cw[f"{side}_code"] = xwalk[f"{side}_code"].map(lambda c: codes.get(c, c))
    cw["old_district"] = xwalk["old_district"].map(lambda n: by_name.get(n, n))
    cw["source_url"] = source
    cw["change_date"] = xwalk["change_date"].dt.strftime("%Y-%m-%d")
    return ProvinceRegistry(code, out[units.UNIT_COLUMNS], cw, codes)


def relabel(result: SynthResult, registry: ProvinceRegistry) -> SynthResult:
    """The generated province with every unit code moved onto ``registry`` (a new result; same people)."""

    def moved(frame: pd.DataFrame) -> pd.DataFrame:
        if "unit_code" not in frame:
            return frame
        return frame.assign(unit_code=registry.recode(frame["unit_code"].astype(str)))

    meta = dict(result.meta)
    meta["units"] = {"registry": units.DATASET_UNITS_FILE, "crosswalk": units.DATASET_CROSSWALK_FILE}
    return SynthResult(seed=result.seed, scale=result.scale,
                       rosters={y: moved(r) for y, r in result.rosters.items()},
                       history=moved(result.history), observations=moved(result.observations),
                       flows=moved(result.flows), meta=meta)
