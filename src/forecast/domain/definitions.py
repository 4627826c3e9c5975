"""What each target counts: its population P and its criterion C, written once.

Every answer of the workbench is "the share of population P that meets criterion C" (T11: the
number meeting C). ``data/targets.yml`` names P and C by code (``population.code``,
``criterion.code``); this module gives each code its meaning as a declarative predicate:

* a :class:`Population` is a filter over the group attributes of a person — ``category``,
  ``level``, ``leader``, ``key_cadre``, ``in_pool`` — usable on a roster (one row per person)
  and on the stock-flow engine's group frame (one row per group) alike;
* a :class:`Criterion` is a conjunction of (roster column, accepted values) terms.

Each also carries what the other stages need of it: the rows of the annual return a
population is reported in and the return's numerator fields of a criterion
(:mod:`forecast.inputs.returns`), and the training programmes that move a criterion (the
default lever of :mod:`forecast.plan.effort`). The roster masks
(:func:`forecast.inputs.roster.target_masks`), the engine's target specs, the return rules and
the default levers are derived from :func:`definitions`.

Who counts toward T06? ``definition("T06")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import config
from forecast.domain import targets as targets_mod
from forecast.domain.vocabulary import (
    CBCC,
    KEY_FIELDS,
    POLITICAL_THEORY,
    POSTGRAD,
    STATE_MGMT,
    UNIVERSITY_PLUS,
)

#: The attributes a population may filter on (a person's group in the stock-flow engine).
GROUP_ATTRIBUTES: tuple[str, ...] = ("category", "level", "leader", "key_cadre", "in_pool")

#: A return row selection: (sheet number "Biểu NN", row codes or None for every row).
ReturnRows = tuple[tuple[int, tuple[str, ...] | None], ...]
#: The three population sheets that together hold everyone (Biểu 01–03).
_EVERYONE_ROWS: ReturnRows = ((1, None), (2, None), (3, None))


class DefinitionError(ValueError):
    """A target names a population or criterion code this module does not define."""


def _mask(frame: pd.DataFrame, terms: tuple[tuple[str, tuple], ...]) -> pd.Series:
    ok = pd.Series(True, index=frame.index)
    for column, allowed in terms:
        ok &= frame[column].isin(list(allowed))
    return ok


@dataclass(frozen=True)
class Population:
    """Who a target counts (its denominator): a filter over :data:`GROUP_ATTRIBUTES`.

    Attributes
    ----------
    code : str
        The ``population.code`` of ``data/targets.yml``.
    terms : tuple of (attribute, allowed values)
        Every term must hold; no term: everyone.
    return_rows : tuple of (sheet number, row codes or None)
        Where the annual return reports this population (None: every row of the sheet).
    """

    code: str
    terms: tuple[tuple[str, tuple], ...]
    return_rows: ReturnRows

    @property
    def where(self) -> dict[str, tuple]:
        """The filter as ``{attribute: allowed values}`` (the engine's group filter)."""
        return dict(self.terms)

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Which rows belong: works on a roster and on the engine's group frame."""
        return _mask(frame, self.terms)


@dataclass(frozen=True)
class Criterion:
    """What a target counts as met (its numerator): a conjunction of roster terms.

    Attributes
    ----------
    code : str
        The ``criterion.code`` of ``data/targets.yml`` (or a part's code, e.g. ``ngoai_ngu``).
    terms : tuple of (roster column, accepted values)
        Every term must hold.
    return_fields : tuple of str
        The annual return's columns whose sum is the numerator.
    programmes : tuple of str
        The training programmes that move the criterion (stock-flow programme names), the
        default lever of the effort solver.
    """

    code: str
    terms: tuple[tuple[str, tuple], ...]
    return_fields: tuple[str, ...]
    programmes: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The roster columns the criterion reads."""
        return tuple(c for c, _ in self.terms)

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Which roster rows meet it."""
        return _mask(frame, self.terms)

    def holds(self, record: Mapping[str, object]) -> bool:
        """Whether one record (column → value) meets it."""
        return all(record[c] in allowed for c, allowed in self.terms)

    def states_within(self, state_members: Sequence[Mapping[str, Sequence]]) -> tuple[int, ...]:
        """The states of a qualification dimension that meet the criterion.

        Parameters
        ----------
        state_members : sequence of mappings
            For each state (by position), the roster values it stands for: column → the
            values of that column its members may carry (every combination is a member).

        Returns
        -------
        tuple of int
            Positions of the states whose members all meet the criterion.

        Raises
        ------
        DefinitionError
            When a state holds members on both sides (the dimension cannot express the
            criterion) or the criterion reads a column the states do not describe.
        """
        met = []
        for k, members in enumerate(state_members):
            missing = [c for c in self.columns if c not in members]
            if missing:
                raise DefinitionError(f"criterion {self.code!r} reads {missing}, which state {k} does not describe")
            cols = list(members)
            verdicts = {self.holds(dict(zip(cols, combo, strict=True))) for combo in product(*members.values())}
            if len(verdicts) > 1:
                raise DefinitionError(f"criterion {self.code!r} splits state {k} ({dict(members)})")
            if verdicts == {True}:
                met.append(k)
        return tuple(met)


@dataclass(frozen=True)
class Definition:
    """One indicator: its population, its criterion and its kind.

    Attributes
    ----------
    target_id : str
        ``T01`` … ``T11`` or a part (``T09a``).
    population : Population
    criterion : Criterion
    kind : str
        ``share`` (numerator / denominator) or ``count`` (T11: the numerator alone).
    """

    target_id: str
    population: Population
    criterion: Criterion
    kind: str

    def masks(self, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        """(population mask, criterion mask) on a roster."""
        return self.population.mask(frame), self.criterion.mask(frame)

    @property
    def levers(self) -> tuple[str, ...]:
        """The default levers: the capacity of each programme moving the criterion."""
        return tuple(f"programmes.{p}.capacity" for p in self.criterion.programmes)


_P = Population
#: The populations named by ``data/targets.yml`` (population.code).
POPULATIONS: dict[str, Population] = {p.code: p for p in (
    _P("cbcc_tinh_huyen", (("category", CBCC), ("level", ("tinh", "huyen"))), ((1, None),)),
    _P("vien_chuc", (("category", ("vien_chuc",)),), ((2, None),)),
    _P("cbcc_trong_quy_hoach", (("category", CBCC), ("in_pool", (1,))), ((5, None),)),
    _P("can_bo_cap_xa", (("category", ("can_bo",)), ("level", ("xa",))), ((3, ("chu_chot", "can_bo_khac")),)),
    # key_cadre is set for commune cadres only (roster check), so no category term is needed
    _P("can_bo_chu_chot_cap_xa", (("key_cadre", (1,)), ("level", ("xa",))), ((3, ("chu_chot",)),)),
    _P("cbcc_cap_xa", (("category", CBCC), ("level", ("xa",))), ((3, None),)),
    _P("lanh_dao_cap_so", (("leader", ("so",)),), ((4, ("so",)),)),
    _P("lanh_dao_cap_phong", (("leader", ("phong",)),), ((4, ("phong",)),)),
    _P("cbccvc", (), _EVERYONE_ROWS),
)}

_SKILLS = ("language", "it", "standard_training")
_C = Criterion
#: The criteria named by ``data/targets.yml`` (criterion.code) and by T09's parts.
CRITERIA: dict[str, Criterion] = {c.code: c for c in (
    _C("dai_hoc_tro_len", (("education", UNIVERSITY_PLUS),), ("tien_si", "thac_si", "dai_hoc"), ("university",)),
    _C("llct_bat_ky", (("political_theory", POLITICAL_THEORY[1:]),),
       ("llct_cao_cap", "llct_trung_cap", "llct_so_cap"), ("political_theory_elementary",)),
    _C("llct_trung_cap_tro_len", (("political_theory", POLITICAL_THEORY[2:]),),
       ("llct_cao_cap", "llct_trung_cap"), ("political_theory_intermediate",)),
    _C("cvcc", (("state_mgmt", STATE_MGMT[3:]),), ("qlnn_cvcc",), ("senior_specialist",)),
    _C("cvc_tro_len", (("state_mgmt", STATE_MGMT[2:]),), ("qlnn_cvc", "qlnn_cvcc"), ("principal_specialist",)),
    _C("nn_th_bd", (("foreign_language", (1,)), ("it_skill", (1,)), ("standard_training", (1,))), ("ca_ba",),
       _SKILLS),
    _C("ngoai_ngu", (("foreign_language", (1,)),), ("ngoai_ngu",), ("language",)),
    _C("tin_hoc", (("it_skill", (1,)),), ("tin_hoc",), ("it",)),
    _C("boi_duong", (("standard_training", (1,)),), ("boi_duong",), ("standard_training",)),
    _C("chuan_hoa", (("standardised", (1,)),), ("chuan_hoa",), ("standardisation",)),
    _C("sau_dai_hoc_linh_vuc_trong_diem", (("education", POSTGRAD), ("field", KEY_FIELDS)),
       ("sau_dh_trong_diem",), ("postgraduate",)),
)}

#: The criterion of each part of a composite target (T09: language, IT, standard training).
PART_CRITERIA: dict[str, str] = {"T09a": "ngoai_ngu", "T09b": "tin_hoc", "T09c": "boi_duong"}

_KINDS = {"share": "share", "count_direction": "count"}


def build(target_list: Sequence[targets_mod.Target], source: str) -> dict[str, Definition]:
    """The definitions of a list of targets, in order (each target followed by its parts).

    Parameters
    ----------
    target_list : sequence of Target
        As :func:`forecast.domain.targets.read_targets` returns them.
    source : str
        The file they come from, for messages.

    Raises
    ------
    DefinitionError
        Naming the file and target of every unknown population, criterion or part.
    """
    problems: list[str] = []
    out: dict[str, Definition] = {}
    for t in target_list:
        pcode, ccode = str((t.population or {}).get("code")), str((t.criterion or {}).get("code"))
        if pcode not in POPULATIONS:
            problems.append(f"{source}: target {t.id}: unknown population code '{pcode}' "
                            f"(known: {', '.join(POPULATIONS)})")
        if ccode not in CRITERIA:
            problems.append(f"{source}: target {t.id}: unknown criterion code '{ccode}' "
                            f"(known: {', '.join(c for c in CRITERIA if c not in PART_CRITERIA.values())})")
        if t.kind not in _KINDS:
            problems.append(f"{source}: target {t.id}: unknown kind {t.kind!r}")
        for part in t.parts:
            if part.get("id") not in PART_CRITERIA:
                problems.append(f"{source}: target {t.id}: unknown part {part.get('id')!r} "
                                f"(known: {', '.join(PART_CRITERIA)})")
        if problems:
            continue
        pop, kind = POPULATIONS[pcode], _KINDS[t.kind]
        out[t.id] = Definition(t.id, pop, CRITERIA[ccode], kind)
        for part in t.parts:
            out[part["id"]] = Definition(part["id"], pop, CRITERIA[PART_CRITERIA[part["id"]]], kind)
    if problems:
        raise DefinitionError("\n".join(problems))
    return out


@lru_cache(maxsize=4)
def _definitions(path: str) -> dict[str, Definition]:
    return build(targets_mod.read_targets(Path(path)), path)


def definitions(path: Path | str | None = None) -> dict[str, Definition]:
    """Every indicator's definition (T01 … T11 with T09a–c after T09), cached per targets file.

    Parameters
    ----------
    path : path, optional
        The targets file; default :func:`forecast.config.targets_file`.

    Raises
    ------
    DefinitionError
        When the file names a code without a definition (the message names file and target).
    """
    return dict(_definitions(str(path or config.targets_file())))


def definition(target_id: str) -> Definition:
    """One indicator's definition (``"T06"``, ``"T09a"``).

    Raises
    ------
    DefinitionError
        For an id that is neither a target nor a part, naming the known ids.
    """
    defs = _definitions(str(config.targets_file()))
    if target_id not in defs:
        raise DefinitionError(f"unknown indicator {target_id!r}; known: {', '.join(defs)}")
    return defs[target_id]


def roster_masks(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Population and criterion masks of every indicator on a roster (checked codes, 0/1 flags).

    Returns
    -------
    dict
        indicator id → (population mask, criterion mask); T11's population is everyone
        and only its criterion is counted.
    """
    return {tid: d.masks(frame) for tid, d in definitions().items()}


def group_mask(groups: pd.DataFrame, target_id: str) -> np.ndarray:
    """Which rows of a group frame (columns :data:`GROUP_ATTRIBUTES`) are in a target's population."""
    return definition(target_id).population.mask(groups).to_numpy()


__all__ = ["CRITERIA", "GROUP_ATTRIBUTES", "PART_CRITERIA", "POPULATIONS", "Criterion", "Definition",
           "DefinitionError", "Population", "build", "definition", "definitions", "group_mask", "roster_masks"]
