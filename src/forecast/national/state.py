"""Which provinces a national run covers, and which of them changed since their last publication.

A province is a sub-folder of ``--provinces DIR`` holding ``dataset.yml``. Its *fingerprint* is
the SHA-256 of the same per-file hashes the run's provenance records
(:func:`forecast.reports.pipeline.input_files`: the data folder's files, the targets, the run
specification and the notebooks) together with the run's options. ``national/inputs.json``
keeps, per province, the fingerprint of its published report set; a province whose
fingerprint is unchanged and whose report set is still there is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from forecast import atomic, config
from forecast.reports.pipeline import input_files

#: File (in the national folder) recording the fingerprint of each published province.
STATE_FILE = "inputs.json"
#: A province folder's name: letters, digits, ``-`` and ``_`` (it becomes a folder of the output).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def find_provinces(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The province folders of ``folder`` (sub-folders with ``dataset.yml``) and the problems found.

    Problems are ``(name, message)``: a sub-folder without ``dataset.yml`` or with a name
    that cannot be an output folder is that province's problem (named), not silently
    dropped; ``name`` is empty for a problem of ``folder`` itself.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return [], [("", f"--provinces: {folder} is not a folder")]
    found: list[Path] = []
    problems: list[tuple[str, str]] = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not NAME.fullmatch(sub.name):
            problems.append(("", f"{sub}: a province folder's name may hold only letters, digits, '-' and '_'"))
        elif not (sub / "dataset.yml").is_file():
            problems.append((sub.name, f"{sub}: no dataset.yml (every province folder is a data folder)"))
        else:
            found.append(sub)
    if not found and not problems:
        problems.append(("", f"--provinces: {folder} holds no province folder (sub-folders with dataset.yml)"))
    return found, problems


def fingerprint(data_dir: Path, extra: Sequence[Path], options: dict) -> str:
    """SHA-256 over a province's input hashes and the run options that change its reports."""
    payload = {"inputs": input_files(Path(data_dir), extra), "options": options}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def read_state(out_base: Path) -> dict[str, dict]:
    """``{province: {"fingerprint", "as_of"}}`` of the last publications (empty when none or unreadable)."""
    path = config.national_dir(out_base) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def write_state(out_base: Path, state: dict[str, dict]) -> None:
    """Record the fingerprints of the published provinces (atomically)."""
    path = config.national_dir(out_base) / STATE_FILE
    atomic.write_text(path, json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def unchanged(name: str, print_: str, state: dict[str, dict], out_base: Path) -> bool:
    """Whether province ``name`` was published with fingerprint ``print_`` and its report set is there."""
    entry = state.get(name) or {}
    if entry.get("fingerprint") != print_ or entry.get("as_of") is None:
        return False
    return (Path(out_base) / name / str(entry["as_of"]) / "summary.json").is_file()
