"""Unit costs of the training programmes, each with what it rests on (``data/costs.yml``).

An amount is either **legal** (published by the province; its ``source`` names the act) or an
**assumption** of this workbench for a programme with no published amount: then it is
``days × assumed_vnd_per_day``, both stated in the file, and every output labels it
"ASSUMPTION" (never as a legal figure).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from forecast.inputs.tables import YamlError, load_yaml
from forecast.plan.effort import costs_file
from forecast.stockflow import PROGRAMMES

LEGAL = "legal"
ASSUMPTION = "assumption"


class CostError(ValueError):
    """The cost table is malformed; the message lists every located problem."""


@dataclass(frozen=True)
class UnitCost:
    """The cost of one place (one participant through the whole programme).

    Attributes
    ----------
    programme : str
    vnd : float
        VND per participant.
    status : str
        :data:`LEGAL` or :data:`ASSUMPTION`.
    source : str
        The act that sets a legal amount ("no published amount found" for an assumption).
    basis : str
        How an assumed amount was computed (empty for a legal one).
    """

    programme: str
    vnd: float
    status: str
    source: str
    basis: str = ""

    @property
    def label(self) -> str:
        """The provenance in a few words, for tables: the act, or "ASSUMPTION: …"."""
        return self.source if self.status == LEGAL else self.basis

    def to_dict(self) -> dict:
        """JSON-ready fields."""
        return {"programme": self.programme, "vnd_per_participant": self.vnd, "status": self.status,
                "source": self.source, "basis": self.basis}


def _number(value, where: str, problems: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(f"{where}: expected a non-negative number, got {value!r}")
        return None
    return float(value)


def unit_costs(path: Path | str | None = None) -> dict[str, UnitCost]:
    """Every programme's unit cost with its provenance.

    Parameters
    ----------
    path : Path, optional
        The cost table (default ``data/costs.yml``).

    Returns
    -------
    dict of programme → UnitCost
        Only programmes with a legal amount or a complete assumption (``days`` and the file's
        ``assumed_vnd_per_day``).

    Raises
    ------
    CostError
        Every problem at once, each as ``FILE: programmes.NAME.key: message``.
    """
    path = Path(path or costs_file())
    try:
        doc = load_yaml(path) or {}
    except YamlError as exc:
        raise CostError(str(exc)) from None
    if not isinstance(doc, Mapping):
        raise CostError(f"{path}: expected a mapping with 'programmes'")
    problems: list[str] = []
    per_day = doc.get("assumed_vnd_per_day")
    if per_day is not None:
        per_day = _number(per_day, f"{path}: assumed_vnd_per_day", problems)
    out: dict[str, UnitCost] = {}
    for name, item in (doc.get("programmes") or {}).items():
        where = f"{path}: programmes.{name}"
        if name not in PROGRAMMES:
            problems.append(f"{where}: unknown programme (known: {', '.join(PROGRAMMES)})")
            continue
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping with 'vnd_per_participant', 'status' and 'source'")
            continue
        status = item.get("status", LEGAL if item.get("vnd_per_participant") is not None else ASSUMPTION)
        source = str(item.get("source") or "").strip()
        if status == LEGAL:
            if item.get("vnd_per_participant") is None:
                problems.append(f"{where}.vnd_per_participant: a legal amount needs a number")
                continue
            if not source:
                problems.append(f"{where}.source: a legal amount needs the act that sets it")
            vnd = _number(item["vnd_per_participant"], f"{where}.vnd_per_participant", problems)
            if vnd is not None:
                out[name] = UnitCost(name, vnd, LEGAL, source)
        elif status == ASSUMPTION:
            if item.get("vnd_per_participant") is not None:
                problems.append(f"{where}: an assumption is computed from 'days' (leave vnd_per_participant null)")
                continue
            basis = str(item.get("basis") or "").strip()
            if "days" not in item:
                continue  # no figure at all: the programme is not priced
            days = _number(item["days"], f"{where}.days", problems)
            if not basis.upper().startswith("ASSUMPTION"):
                problems.append(f"{where}.basis: an assumed amount needs a basis starting with 'ASSUMPTION'")
            if per_day is None:
                problems.append(f"{path}: assumed_vnd_per_day is needed to price {name} from its days")
            elif days is not None:
                out[name] = UnitCost(name, days * per_day, ASSUMPTION, source or "no published amount found",
                                     f"{basis} ({days:g} days × {per_day:,.0f} VND)")
        else:
            problems.append(f"{where}.status: expected '{LEGAL}' or '{ASSUMPTION}', got {status!r}")
    if problems:
        raise CostError("\n".join(problems))
    return out


def vnd(costs: Mapping[str, UnitCost]) -> dict[str, float]:
    """Programme → VND per participant (the plain mapping :func:`forecast.plan.effort.required_effort` takes)."""
    return {k: c.vnd for k, c in costs.items()}
