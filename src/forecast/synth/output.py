"""Writing a generated province as a dataset folder (``forecast synth``): every file built
in memory, then each replaced atomically; same result, same bytes.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import yaml

from forecast import atomic
from forecast.synth.calibration import PARAMETERS, calibration_frame, measure, render_readme
from forecast.synth.history import SynthResult
from forecast.synth.registry import ProvinceRegistry, relabel

# --------------------------------------------------------------------------------------
# Writing the dataset folder
# --------------------------------------------------------------------------------------


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def _gzip_bytes(data: bytes, name: str) -> bytes:
    buf = io.BytesIO()
    # mtime=0 and a fixed inner name: the same data give the same bytes.
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    atomic.write_bytes(path, data)


def _yaml_bytes(meta: dict) -> bytes:
    name = (meta.get("province_name") or {}).get("vi") if isinstance(meta.get("province_name"), dict) else None
    whose = f"{name[:1].lower()}{name[1:]}" if name else "tỉnh Lạng Sơn"
    head = f"# Synthetic demonstration dataset. Dữ liệu mô phỏng, không phải số liệu thật của {whose}.\n"
    return (head + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)).encode("utf-8")


def calibration_report(result: SynthResult) -> pd.DataFrame:
    """The calibration table with the generated value of each quantity and whether it is within tolerance."""
    cal = calibration_frame()
    cal["generated"] = [round(measure(q, result.observations, result.flows), 2) for q in cal["quantity"]]
    cal["within"] = (cal["generated"] - cal["value"]).abs() <= cal["tolerance"]
    return cal


def readme_text(result: SynthResult, calibration: pd.DataFrame) -> str:
    """``README.md`` of the dataset folder: the warning, the files, every parameter and the calibration."""

    return render_readme(result, calibration, PARAMETERS)


def write_dataset(result: SynthResult, out: Path | str, snapshots: bool = False,
                  registry: ProvinceRegistry | None = None) -> list[Path]:
    """Write the dataset folder (all files built in memory first, then each replaced atomically).

    Files: ``dataset.yml``, ``observations.csv``, ``roster.csv.gz`` (the last snapshot),
    ``roster_history.csv.gz`` (every year's roster as a roster history), ``flows.csv``,
    ``calibration.csv``, ``README.md``; with ``snapshots`` also
    ``snapshots/roster_<year>.csv.gz`` for every year. With ``registry`` (a province of
    another code, :mod:`forecast.synth.registry`) the units are moved onto it and the folder
    also holds its ``units.csv`` and ``crosswalk.csv``; the calibration is measured before
    (its measures know the project's codes).
    """
    out = Path(out)
    cal = calibration_report(result)
    if registry is not None:
        result = relabel(result, registry)
    last = max(result.rosters)
    files = {
        "dataset.yml": _yaml_bytes(result.meta),
        "observations.csv": _csv_bytes(result.observations),
        "roster.csv.gz": _gzip_bytes(_csv_bytes(result.rosters[last]), "roster.csv"),
        "roster_history.csv.gz": _gzip_bytes(_csv_bytes(result.history), "roster_history.csv"),
        "flows.csv": _csv_bytes(result.flows),
        "calibration.csv": _csv_bytes(cal),
        "README.md": readme_text(result, cal).encode("utf-8"),
    }
    if registry is not None:
        files["units.csv"] = _csv_bytes(registry.units)
        files["crosswalk.csv"] = _csv_bytes(registry.crosswalk)
    if snapshots:
        for year, r in sorted(result.rosters.items()):
            files[f"snapshots/roster_{year}.csv.gz"] = _gzip_bytes(_csv_bytes(r), f"roster_{year}.csv")
    written = []
    for name, data in files.items():
        _atomic_write(out / name, data)
        written.append(out / name)
    return written


