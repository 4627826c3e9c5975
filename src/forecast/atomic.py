"""Writing files atomically: a temporary file in the destination folder, then one rename.

Every output of the workbench goes through here, so a reader never sees a half-written
file and a failure (or a kill) leaves the previous version in place. Files are made
readable by everyone (``0o644``): ``mkstemp`` creates ``0o600`` files, but reports and
data files are meant to be shared.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_with(path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place.

    Parameters
    ----------
    path : path-like
        The destination; its folder is created when missing.
    write : callable
        Writes the whole content to the path it is given (e.g. ``workbook.save``).

    Returns
    -------
    Path
        The destination.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return write_with(path, lambda tmp: tmp.write_bytes(data))


def write_text(path, text: str) -> Path:
    """Write ``text`` as UTF-8 with ``\\n`` line ends to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path, data, *, sort_keys: bool = False) -> Path:
    """Write ``data`` as indented UTF-8 JSON (non-ASCII kept) to ``path`` atomically."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=sort_keys, default=str) + "\n"
    return write_text(path, text)


def read_cache(path) -> dict | None:
    """A cache entry written by :func:`write_cache`, or ``None`` when it is missing or damaged
    (a damaged entry is recomputed and rewritten, never trusted)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return doc if isinstance(doc, dict) else None


def write_cache(path, doc: dict, say: Callable[[str], object] | None = None) -> bool:
    """Write a cache entry atomically; a cache that cannot be written is said, not fatal (False)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, doc)
    except OSError as exc:
        if say is not None:
            say(f"could not write the cache {path} ({exc.strerror or exc}); the run goes on")
        return False
    return True
