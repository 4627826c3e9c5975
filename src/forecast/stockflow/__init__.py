"""The manpower stock-flow engine: a roster snapshot stepped year by year under a scenario.

A Markov manpower model (Bartholomew, Forbes & McClean, *Statistical techniques for
manpower planning*, 1991; see ``METHODS.md`` §3) on **cohort counts**, never on people:

* a *cell* is a population group (category × level × leader post × key cadre × pool
  membership, the attributes the targets' populations are defined on) × the snapshot
  year in which its members reach the statutory retirement age (Decree 135/2020, by
  exact birth month and sex, :mod:`forecast.domain.retirement`); the retirement year is all the
  engine needs of birth date and sex;
* each cell carries, per *qualification dimension* (education, political theory, state
  management programme, the three skills of T09 jointly, standardisation), the count of
  its members in each state of that dimension;
* Monte-Carlo draws are the last array axis, so one year is a handful of array operations
  whatever the number of staff.

One year (snapshot ``t-1`` → ``t``, 31 October) applies, in order:

1. statutory retirements (deterministic: the whole cell retiring in ``t`` leaves);
2. other exits, binomial by cell at the scenario's rate of the group (by cell and
   education state when graduates leave at another rate); the exits of a cell are spread
   over the states of the (other) dimensions by systematic sampling, a cheap stand-in for
   the multivariate hypergeometric with the right means;
3. training completions due in ``t``, then new enrolments: each programme's yearly
   capacity is shared over the eligible cells in proportion to their eligible counts
   times the group's allocation weight ``w`` (estimated from the history's completions,
   1 without history): enrolment = ``floor(eligible · min(1, λ·w) + U)``, ``λ`` the
   level that fills the places (``capacity / Σ eligible`` when all weights are 1);
   completers are binomial at the completion rate and move after ``duration`` years;
   people who would reach retirement before completing are not enrolled;
4. vacancies of appointed posts (leaders, the succession pool, key commune cadres) are
   filled by appointment with the qualification mix of the group appointed from, new
   leaders holding the post's programme at least in the scenario's share;
5. recruitment into the other groups: ``replacement_rate`` × exits + ``headcount_change``
   × headcount, with the qualification mix of recent recruits.

Every binomial is drawn by inversion of its CDF at a counter-based uniform keyed by
(seed, year, flow, position) — common random numbers: two scenarios projected with the
same seed see the same uncertainty, and while places are fewer than the staff to train a
scenario with more places ends with at least as many qualified staff in every draw (see
``docs/stockflow.md``).

The package: :mod:`.spec` (states, programmes, targets on cells), :mod:`.cohorts`, :mod:`.sampling`,
:mod:`.layout` (the cells), :mod:`.engine` (the year loop), :mod:`.allocation`, :mod:`.projection` (the results object),
:mod:`.simulation` (:func:`project`), :mod:`.history` (levers estimated from the past) and
:mod:`.scenarios` (scenario files). May import :mod:`forecast.domain` and :mod:`forecast.inputs`.
"""

from forecast.stockflow.cohorts import active_staff, cohorts, retirement_years, states
from forecast.stockflow.fixtures import random_roster
from forecast.stockflow.projection import Projection
from forecast.stockflow.sampling import binomial_inverse
from forecast.stockflow.simulation import project
from forecast.stockflow.spec import (
    COUNT,
    DIMENSIONS,
    GROUP_KEYS,
    IT,
    LANGUAGE,
    LEADER_POSTS,
    PROGRAMMES,
    ROSTER_COLUMNS,
    STANDARD,
    TARGET_SPECS,
    Programme,
    TargetSpec,
)

__all__ = [
    "COUNT", "DIMENSIONS", "GROUP_KEYS", "IT", "LANGUAGE", "LEADER_POSTS", "PROGRAMMES", "ROSTER_COLUMNS",
    "STANDARD", "TARGET_SPECS", "Programme", "Projection", "TargetSpec", "active_staff",
    "binomial_inverse", "cohorts", "project", "random_roster", "retirement_years", "states",
]
