"""The prepared results as data: JSON that cannot run code when read back.

The runner prepares one results object per run and every notebook reads it. A pickle
would run whatever code a crafted file names, so the results travel as tagged JSON:
plain values as themselves, and a small set of shapes (tuples, non-text keys, numpy
arrays and scalars, pandas frames and series, timestamps) under a ``"__tag__"`` key.
Objects are rebuilt only for dataclasses defined in the ``forecast`` package and never
through their constructors, so reading a file calls no code it names.

Floats are written with Python's shortest round-trip representation (``NaN`` and
``Infinity`` as JSON extensions), so numbers come back bit for bit.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast import atomic

TAG = "__tag__"


class ResultsFormatError(ValueError):
    """The file is not results written by :func:`dump` (or names a type it may not build)."""


# --- encoding -------------------------------------------------------------------------------

def encode(obj: Any) -> Any:
    """``obj`` as JSON-ready data (see the module notes for the shapes kept)."""
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, np.generic):
        return {TAG: "np", "dtype": obj.dtype.str, "v": obj.item()}
    if isinstance(obj, int | float):
        return obj
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, tuple):
        return {TAG: "tuple", "v": [encode(v) for v in obj]}
    if isinstance(obj, dict):
        if all(isinstance(k, str) and k != TAG for k in obj):
            return {k: encode(v) for k, v in obj.items()}
        return {TAG: "dict", "v": [[encode(k), encode(v)] for k, v in obj.items()]}
    if isinstance(obj, np.ndarray):
        return _encode_array(obj)
    if isinstance(obj, pd.DataFrame):
        return {TAG: "frame", "columns": _encode_index(obj.columns),
                "data": [_encode_array(obj.iloc[:, i].to_numpy()) for i in range(obj.shape[1])],
                "index": _encode_index(obj.index)}
    if isinstance(obj, pd.Series):
        return {TAG: "series", "name": encode(obj.name), "data": _encode_array(obj.to_numpy()),
                "index": _encode_index(obj.index)}
    if isinstance(obj, pd.Timestamp):
        return {TAG: "timestamp", "v": obj.isoformat()}
    if isinstance(obj, _dt.date):
        return {TAG: "date", "v": obj.isoformat()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        return {TAG: "dataclass", "type": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    raise TypeError(f"cannot store a {type(obj).__module__}.{type(obj).__qualname__} in the results")


def _encode_array(a: np.ndarray) -> dict:
    if a.dtype.kind in "biuf":
        return {TAG: "array", "dtype": a.dtype.str, "shape": list(a.shape), "v": a.ravel().tolist()}
    if a.dtype.kind == "M":
        return {TAG: "array", "dtype": a.dtype.str, "shape": list(a.shape), "v": a.view("i8").ravel().tolist()}
    return {TAG: "array", "dtype": "object", "shape": list(a.shape), "v": [encode(v) for v in a.ravel().tolist()]}


def _encode_index(index: pd.Index) -> dict:
    if isinstance(index, pd.RangeIndex):
        return {TAG: "range", "start": index.start, "stop": index.stop, "step": index.step,
                "name": encode(index.name)}
    if isinstance(index, pd.MultiIndex):
        raise TypeError("cannot store a MultiIndex in the results")
    return {TAG: "index", "data": _encode_array(index.to_numpy()), "name": encode(index.name)}


# --- decoding -------------------------------------------------------------------------------

def decode(data: Any) -> Any:
    """The object :func:`encode` turned into ``data``."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    tag = data.get(TAG)
    if tag is None:
        return {k: decode(v) for k, v in data.items()}
    if tag == "np":
        return np.array(data["v"], dtype=_dtype(data["dtype"]))[()]
    if tag == "tuple":
        return tuple(decode(v) for v in data["v"])
    if tag == "dict":
        return {_hashable(decode(k)): decode(v) for k, v in data["v"]}
    if tag == "array":
        return _decode_array(data)
    if tag == "frame":
        frame = pd.DataFrame({i: _decode_array(a) for i, a in enumerate(data["data"])},
                             index=_decode_index(data["index"]))
        frame.columns = _decode_index(data["columns"])
        return frame
    if tag == "series":
        return pd.Series(_decode_array(data["data"]), index=_decode_index(data["index"]), name=decode(data["name"]))
    if tag == "timestamp":
        return pd.Timestamp(data["v"])
    if tag == "date":
        return _dt.date.fromisoformat(data["v"])
    if tag == "dataclass":
        return _decode_dataclass(data)
    raise ResultsFormatError(f"unknown tag {tag!r}")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _dtype(text: str) -> np.dtype:
    dtype = np.dtype(text)
    if dtype.kind not in "biufM":
        raise ResultsFormatError(f"unsupported array type {text!r}")
    return dtype


def _decode_array(data: dict) -> np.ndarray:
    shape = tuple(int(n) for n in data["shape"])
    if data["dtype"] == "object":
        out = np.empty(len(data["v"]), dtype=object)
        out[:] = [decode(v) for v in data["v"]]
        return out.reshape(shape)
    dtype = _dtype(data["dtype"])
    if dtype.kind == "M":
        return np.array(data["v"], dtype="i8").view(dtype).reshape(shape)
    return np.array(data["v"], dtype=dtype).reshape(shape)


def _decode_index(data: dict) -> pd.Index:
    if data[TAG] == "range":
        return pd.RangeIndex(data["start"], data["stop"], data["step"], name=decode(data["name"]))
    return pd.Index(_decode_array(data["data"]), name=decode(data["name"]))


def _decode_dataclass(data: dict) -> Any:
    """Rebuild a dataclass of the ``forecast`` package without calling its code."""
    module_name, _, qualname = str(data["type"]).partition(":")
    if module_name != "forecast" and not module_name.startswith("forecast."):
        raise ResultsFormatError(f"type {data['type']!r} is not one of the workbench's")
    try:
        cls: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        raise ResultsFormatError(f"unknown type {data['type']!r}") from None
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ResultsFormatError(f"type {data['type']!r} is not a data class")
    names = {f.name for f in dataclasses.fields(cls)}
    fields = data["fields"]
    if set(fields) != names:
        raise ResultsFormatError(f"{data['type']}: fields {sorted(fields)} do not match {sorted(names)}")
    obj = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(obj, name, decode(value))  # also for frozen data classes
    return obj


# --- files ---------------------------------------------------------------------------------

def dump(obj: Any, path: Path) -> Path:
    """Write ``obj`` as results JSON to ``path`` atomically; return the path."""
    return atomic.write_text(path, json.dumps(encode(obj), ensure_ascii=False, allow_nan=True))


def load(path: Path) -> Any:
    """Read results written by :func:`dump`.

    Raises
    ------
    ResultsFormatError
        The file is not valid results JSON.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFormatError(f"{path}: not a results file ({exc})") from None
    return decode(data)
