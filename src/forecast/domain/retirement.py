"""Statutory retirement ages: Labour Code 2019 art. 169 and Decree 135/2020/NĐ-CP.

Under normal working conditions the retirement age rises from 1 January 2021:

* men: 60 years 3 months in 2021, +3 months a year, 62 years from 2028;
* women: 55 years 4 months in 2021, +4 months a year, 60 years from 2035.

Before 2021 the ages were 60 (men) and 55 (women). The age that applies to a
person is the one in force in the calendar year in which they reach it (Decree
135/2020, Appendix I), so a man born in October 1961 retires at 60 years 6 months
in April 2022, not at 60 years 3 months in January 2022. The pension starts the
month after the age is reached; here the *retirement month* is the month in
which the statutory age is reached and a person counts as retired from the first
day of the following month.

Everything is vectorised over arrays of birth years and months.
"""

from __future__ import annotations

import numpy as np

MALE, FEMALE = "nam", "nu"

# (base age in months, first year of the rise, step in months per year, final age in months)
_SCHEDULE = {
    MALE: (60 * 12, 2021, 3, 62 * 12),
    FEMALE: (55 * 12, 2021, 4, 60 * 12),
}


def _is_male(sex) -> np.ndarray:
    s = np.asarray(sex).astype(str)
    s = np.char.lower(np.char.strip(s))
    ok = np.isin(s, ["nam", "male", "m", "nu", "nữ", "female", "f"])
    if not ok.all():
        bad = sorted(set(s[~ok].tolist()))[:5]
        raise ValueError(f"sex must be 'nam' or 'nu' (or male/female), got {bad}")
    return np.isin(s, ["nam", "male", "m"])


def statutory_age_months(year, sex) -> np.ndarray:
    """The statutory retirement age (in months) in force in calendar ``year``.

    Parameters
    ----------
    year : int or array of int
        Calendar year(s).
    sex : str or array of str
        ``"nam"`` (male) or ``"nu"`` (female); English spellings are accepted.

    Returns
    -------
    ndarray of int
        Age in months, e.g. 723 (60 years 3 months) for a man in 2021.
    """
    year = np.asarray(year, dtype=np.int64)
    male = _is_male(sex)
    out = np.empty(np.broadcast(year, male).shape, dtype=np.int64)
    y, m = np.broadcast_arrays(year, male)
    for key, is_m in ((MALE, True), (FEMALE, False)):
        base, start, step, final = _SCHEDULE[key]
        rise = np.clip(y - start + 1, 0, None) * step
        age = np.minimum(base + rise, final)
        out = np.where(m == is_m, age, out)
    return out


def retirement_age_months(birth_year, birth_month, sex) -> np.ndarray:
    """The statutory age (months) at which people born in the given month retire.

    The age is the one in force in the year the person reaches it (Decree 135/2020).
    """
    by = np.asarray(birth_year, dtype=np.int64)
    bm = np.asarray(birth_month, dtype=np.int64)
    if np.any((bm < 1) | (bm > 12)):
        raise ValueError("birth_month must be in 1..12")
    birth_index = by * 12 + (bm - 1)  # months since year 0
    # The age only grows with the year, so iterate from the year of the base age: the
    # fixed point (year of reaching the age == year whose age applies) is reached in
    # a few steps.
    year = (birth_index + statutory_age_months(by + 55, sex)) // 12
    for _ in range(20):
        age = statutory_age_months(year, sex)
        reached = (birth_index + age) // 12
        if np.array_equal(reached, year):
            return age
        year = np.maximum(year, reached)
    return statutory_age_months(year, sex)


def retirement_date(birth_year, birth_month, sex) -> tuple[np.ndarray, np.ndarray]:
    """Year and month in which the statutory retirement age is reached.

    Returns
    -------
    (year, month) : tuple of ndarray
        The person counts as retired from the first day of the following month.
    """
    by = np.asarray(birth_year, dtype=np.int64)
    bm = np.asarray(birth_month, dtype=np.int64)
    idx = by * 12 + (bm - 1) + retirement_age_months(by, bm, sex)
    return idx // 12, idx % 12 + 1


def retires_by(birth_year, birth_month, sex, year: int, month: int = 12) -> np.ndarray:
    """Whether the statutory age is reached on or before the end of ``year``-``month``."""
    ry, rm = retirement_date(birth_year, birth_month, sex)
    return ry * 12 + rm <= int(year) * 12 + int(month)
