"""The engine's state space: population groups, qualification dimensions and states,
the training programmes and each target read on cells (derived from :mod:`forecast.domain`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.domain import definitions, vocabulary

# ---------------------------------------------------------------------------------------
# State space
# ---------------------------------------------------------------------------------------

#: The staff categories (cán bộ, công chức, viên chức).
CATEGORIES = vocabulary.CATEGORIES

#: Integer type of the cell counts (2.5 million staff fit; half the memory traffic of int64).
COUNT = np.int32

#: Attributes a population group is made of (the targets' populations use nothing else).
GROUP_KEYS = ("category", "level", "leader", "key_cadre", "in_pool")

#: Qualification dimensions and their states, in order (state codes are the positions).
#: ``education``: post-graduates are split by field because T11 counts the key fields only.
#: ``skills``: a bit mask, language = 1, IT = 2, standard training = 4 (T09 needs all three).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "education": ("below_university", "university", "postgrad_key_field", "postgrad_other_field"),
    "political_theory": ("none", "so_cap", "trung_cap", "cao_cap"),
    "state_mgmt": ("none", "cvc", "cvcc"),
    "skills": tuple(f"l{b & 1}i{(b >> 1) & 1}s{(b >> 2) & 1}" for b in range(8)),
    "standardised": ("no", "yes"),
}
LANGUAGE, IT, STANDARD = 1, 2, 4

#: Roster columns the engine reads.
ROSTER_COLUMNS = ("birth_year", "birth_month", "sex", "category", "level", "leader", "key_cadre",
                  "in_pool", "education", "field", "political_theory", "state_mgmt",
                  "foreign_language", "it_skill", "standard_training", "standardised")

_BELOW_UNIVERSITY = tuple(e for e in vocabulary.EDUCATION if e not in vocabulary.UNIVERSITY_PLUS)
#: The roster values each state of :data:`DIMENSIONS` stands for (column → values; every
#: combination is a member): the targets' criteria are read on them (:data:`TARGET_SPECS`).
STATE_MEMBERS: dict[str, tuple[dict[str, tuple], ...]] = {
    "education": ({"education": _BELOW_UNIVERSITY, "field": vocabulary.FIELDS},
                  {"education": ("dai_hoc",), "field": vocabulary.FIELDS},
                  {"education": vocabulary.POSTGRAD, "field": vocabulary.KEY_FIELDS},
                  {"education": vocabulary.POSTGRAD, "field": ("khac",)}),
    "political_theory": tuple({"political_theory": (v,)} for v in vocabulary.POLITICAL_THEORY),
    # the chuyên viên programme moves no target: it shares the first state with none
    "state_mgmt": ({"state_mgmt": ("none", "cv")}, {"state_mgmt": ("cvc",)}, {"state_mgmt": ("cvcc",)}),
    "skills": tuple({"foreign_language": (b & 1,), "it_skill": ((b >> 1) & 1,), "standard_training": ((b >> 2) & 1,)}
                    for b in range(8)),
    "standardised": ({"standardised": (0,)}, {"standardised": (1,)}),
}


@dataclass(frozen=True)
class Programme:
    """An in-service training programme: which state moves to which, and who may enrol.

    Attributes
    ----------
    name : str
        Lever name in scenario files (``programmes.<name>.capacity`` …).
    dimension : str
        The qualification dimension it changes.
    moves : tuple of (int, int)
        ``(from_state, to_state)`` pairs.
    eligible : dict
        Group attribute → allowed values; a group is eligible when every attribute matches.
    label : str
        English name for reports.
    priority : tuple of dict
        Priority tiers (group filters, first served first): places go to the first tier's
        eligible staff, what is left to the next, then to everyone else eligible.
    """

    name: str
    dimension: str
    moves: tuple
    eligible: dict
    label: str
    priority: tuple = ()


def _skill_moves(bit: int) -> tuple:
    return tuple((s, s | bit) for s in range(8) if not s & bit)


_CBCC = vocabulary.CBCC
#: Leader posts filled by promotion (department ``so`` and division ``phong`` level).
LEADER_POSTS = vocabulary.LEADER_POSTS

#: The programmes of the plan's training effort (Plan 165/KH-UBND, section III).
#: Priority tiers follow the plan (section III): places for the programme a post requires
#: go first to the holders of that post, then to the succession pool. They apply to the
#: share of places the scenario reserves (lever ``priority_share``); the other places are
#: shared in proportion to who is eligible times the group's weight from the history.
PROGRAMMES: dict[str, Programme] = {p.name: p for p in (
    Programme("university", "education", ((0, 1),), {}, "University degree (in-service)",
              ({"key_cadre": (1,), "level": ("xa",)},)),
    Programme("postgraduate", "education", ((1, 2),), {}, "Master's/doctorate in a key field"),
    Programme("political_theory_elementary", "political_theory", ((0, 1),),
              {"category": _CBCC}, "Elementary political theory (sơ cấp)", ({"in_pool": (1,)},)),
    Programme("political_theory_intermediate", "political_theory", ((0, 2), (1, 2)),
              {"category": _CBCC}, "Intermediate political theory (trung cấp)",
              ({"category": ("can_bo",), "level": ("xa",)}, {"in_pool": (1,)})),
    Programme("political_theory_senior", "political_theory", ((2, 3),),
              {"category": _CBCC}, "Senior political theory (cao cấp)", ({"leader": LEADER_POSTS},)),
    Programme("principal_specialist", "state_mgmt", ((0, 1),), {}, "Principal specialist programme (CVC)",
              ({"leader": LEADER_POSTS}, {"in_pool": (1,)})),
    Programme("senior_specialist", "state_mgmt", ((1, 2),), {}, "Senior specialist programme (CVCC)",
              ({"leader": ("so",)}, {"leader": ("phong",)}, {"in_pool": (1,)})),
    Programme("language", "skills", _skill_moves(LANGUAGE), {}, "Foreign-language course"),
    Programme("it", "skills", _skill_moves(IT), {}, "IT course"),
    Programme("standard_training", "skills", _skill_moves(STANDARD), {},
              "Training required by grade, title and job position"),
    Programme("standardisation", "standardised", ((0, 1),),
              {"category": ("can_bo",), "level": ("xa",)}, "Commune cadre standardisation"),
)}


@dataclass(frozen=True)
class TargetSpec:
    """How a target reads on cells: a population filter on groups and a criterion."""

    population: dict
    dimension: str
    states: tuple
    kind: str = "share"


def dimension_of(criterion: definitions.Criterion) -> str:
    """The qualification dimension whose states describe every roster column a criterion reads."""
    for dim, members in STATE_MEMBERS.items():
        if set(criterion.columns) <= set(members[0]):
            return dim
    raise definitions.DefinitionError(f"criterion {criterion.code!r} reads {criterion.columns}: no dimension of "
                                      "the stock-flow engine holds them all")


def target_spec(definition: definitions.Definition) -> TargetSpec:
    """A target's population and criterion (:mod:`forecast.domain.definitions`) read on the engine's cells."""
    dim = dimension_of(definition.criterion)
    return TargetSpec(definition.population.where, dim, definition.criterion.states_within(STATE_MEMBERS[dim]),
                      kind=definition.kind)


#: Every indicator's definition (:mod:`forecast.domain.definitions`) on the engine's states.
TARGET_SPECS: dict[str, TargetSpec] = {tid: target_spec(d) for tid, d in definitions.definitions().items()}


