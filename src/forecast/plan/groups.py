"""The plan's places by population group: who each programme's yearly places are expected to go to.

The groups partition the staff by the targets' populations (:data:`forecast.domain.definitions.POPULATIONS`),
taken in the order of :data:`GROUPS`: a person belongs to the first group whose population holds
them, so department and division leaders come first, then commune key cadres, the other commune
cadres, commune civil servants, the succession pool at province and district level, the other
provincial and district cadres and civil servants, public employees, and anyone left.

How the split is measured: the engine's projection of the verified plan records each programme's
yearly intake by population group (``stockflow.project(..., by_group=True)``: places go to the
staff who lack the programme's qualification and may enrol, in proportion to their numbers times
the history's weights, :mod:`forecast.stockflow.allocation`). A programme's places in a year are
split into the places taken up, the simulated mean intake rounded (at most the places), shared
over the groups in proportion to each group's simulated intake by largest remainder, and the
places left unused (:data:`UNFILLED`: too few staff lack the qualification and may enrol), so
the parts add up exactly to the places and each group's part is the number of its staff
expected to take the programme that year.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast.domain.definitions import POPULATIONS
from forecast.plan.units import largest_remainder
from forecast.stockflow.layout import matches
from forecast.stockflow.spec import PROGRAMMES

#: The population groups in the order people are assigned to them (population codes; each takes
#: the members of its population not in an earlier group). ``cbccvc`` (everyone) comes last.
GROUPS: tuple[str, ...] = ("lanh_dao_cap_so", "lanh_dao_cap_phong", "can_bo_chu_chot_cap_xa", "can_bo_cap_xa",
                           "cbcc_cap_xa", "cbcc_trong_quy_hoach", "cbcc_tinh_huyen", "vien_chuc", "cbccvc")
#: The places nobody takes up (the engine finds too few staff who lack the qualification and may enrol).
UNFILLED = "khong_su_dung"
#: Columns of :func:`places_by_group`.
COLUMNS = ["programme", "year", "group", "places", "enrolled", "share"]


def group_codes(groups: pd.DataFrame) -> np.ndarray:
    """The population group (:data:`GROUPS`) of every row of a frame with the engine's group attributes.

    Parameters
    ----------
    groups : DataFrame
        ``category``, ``level``, ``leader``, ``key_cadre``, ``in_pool`` (the engine's groups or a roster).

    Returns
    -------
    ndarray of str
        One code per row: the first group whose population holds the row.
    """
    out = np.full(len(groups), GROUPS[-1], dtype=object)
    free = np.ones(len(groups), dtype=bool)
    for code in GROUPS:
        hit = free & matches(groups, POPULATIONS[code].where)
        out[hit] = code
        free &= ~hit
    return out


def eligible_groups(programme: str, groups: pd.DataFrame) -> set[str]:
    """The population groups holding someone the programme may enrol (by its eligibility filter)."""
    ok = matches(groups, PROGRAMMES[programme].eligible)
    return set(group_codes(groups[ok]))


def places_by_group(enrolments_by_group: pd.DataFrame, places: Mapping[str, int],
                    years: tuple[int, int]) -> pd.DataFrame:
    """Each programme's yearly places split over the population groups by the engine's simulated intake.

    Parameters
    ----------
    enrolments_by_group : DataFrame
        :attr:`forecast.stockflow.Projection.enrolments_by_group` of the plan's projection.
    places : mapping of programme → int
        The plan's places a year.
    years : (int, int)
        First and last year of the plan.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: per programme with places, year and group with an intake, the integer
        ``places`` (summing to the programme's places each year, with the unused places as the
        group :data:`UNFILLED`), the simulated mean ``enrolled`` and its ``share`` of the
        programme's intake that year. Groups in :data:`GROUPS` order, the unused places last.
    """
    frame = enrolments_by_group
    if frame is None:
        raise ValueError("the projection has no enrolments by group: project it with by_group=True")
    frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
    frame = frame.assign(group=group_codes(frame)) if len(frame) else frame.assign(group=[])
    summed = frame.groupby(["programme", "year", "group"])["enrolled"].sum()
    by_key = {key: part.droplevel([0, 1]) for key, part in summed.groupby(level=[0, 1])}
    order = {g: i for i, g in enumerate(GROUPS)}
    rows = []
    for pg, n in places.items():
        if int(n) <= 0:
            continue
        for year in range(years[0], years[1] + 1):
            got = by_key.get((pg, year), pd.Series(dtype=float))
            got = got[got > 0].sort_index(key=lambda s: s.map(order))
            # the places taken up: the simulated mean intake (at most the places; more only by the
            # places' own spread between draws), the rest left unused
            filled = min(int(n), int(round(float(got.sum()))))
            split = largest_remainder(filled, got.to_numpy(float))
            rows += [{"programme": pg, "year": year, "group": g, "places": int(k), "enrolled": float(e),
                      "share": float(e / got.sum())} for g, k, e in zip(got.index, split, got.to_numpy(), strict=True)]
            if int(n) > filled:
                rows.append({"programme": pg, "year": year, "group": UNFILLED, "places": int(n) - filled,
                             "enrolled": 0.0, "share": float("nan")})
    return pd.DataFrame(rows, columns=COLUMNS)
