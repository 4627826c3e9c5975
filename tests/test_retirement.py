"""Statutory retirement ages (Labour Code 2019 art. 169, Decree 135/2020/NĐ-CP, Appendix I).

Cases are the schedule's steps: the first and last rises, the year-of-reaching rule
(a birth month whose age at the old step falls in a later year gets that year's age),
the final ages (men 62 from 2028, women 60 from 2035) and the ages before 2021.
"""

import numpy as np
import pytest

from forecast.domain.retirement import (
    retirement_age_months,
    retirement_date,
    retires_by,
    statutory_age_months,
)


def ym(years: int, months: int = 0) -> int:
    return 12 * years + months


@pytest.mark.parametrize(("year", "sex", "age"), [
    (2019, "nam", ym(60)), (2020, "nam", ym(60)),            # before the reform
    (2021, "nam", ym(60, 3)), (2022, "nam", ym(60, 6)), (2023, "nam", ym(60, 9)),
    (2024, "nam", ym(61)), (2027, "nam", ym(61, 9)),
    (2028, "nam", ym(62)), (2035, "nam", ym(62)),            # final age from 2028
    (2019, "nu", ym(55)), (2020, "nu", ym(55)),
    (2021, "nu", ym(55, 4)), (2022, "nu", ym(55, 8)), (2023, "nu", ym(56)),
    (2030, "nu", ym(58, 4)), (2034, "nu", ym(59, 8)),
    (2035, "nu", ym(60)), (2045, "nu", ym(60)),              # final age from 2035
])
def test_statutory_age_by_year(year, sex, age):
    assert int(statutory_age_months(year, sex)) == age


@pytest.mark.parametrize(("birth", "sex", "age", "reached"), [
    # (birth year, month), sex, retirement age, (year, month) in which it is reached
    ((1960, 12), "nam", ym(60), (2020, 12)),         # last cohort at the old age
    ((1961, 1), "nam", ym(60, 3), (2021, 4)),        # Appendix I: pension from 5/2021
    ((1961, 9), "nam", ym(60, 3), (2021, 12)),       # reaches 60y3m within 2021
    ((1961, 10), "nam", ym(60, 6), (2022, 4)),       # 60y3m would fall in 2022: 2022's age
    ((1966, 1), "nam", ym(61, 9), (2027, 10)),       # last cohort below the final age
    ((1966, 4), "nam", ym(62), (2028, 4)),           # final age: 61y9m would fall in 2028
    ((1970, 6), "nam", ym(62), (2032, 6)),
    ((1965, 12), "nu", ym(55), (2020, 12)),
    ((1966, 1), "nu", ym(55, 4), (2021, 5)),
    ((1966, 8), "nu", ym(55, 4), (2021, 12)),        # 55y4m reached in 12/2021
    ((1966, 9), "nu", ym(55, 8), (2022, 5)),         # would be 1/2022: 2022's age 55y8m
    ((1966, 10), "nu", ym(55, 8), (2022, 6)),
    ((1975, 1), "nu", ym(59, 8), (2034, 9)),         # Appendix I: 59y8m in 9/2034
    ((1975, 5), "nu", ym(60), (2035, 5)),            # 59y8m would be 1/2035: 60 from 2035
    ((1980, 3), "nu", ym(60), (2040, 3)),
])
def test_retirement_by_birth_month(birth, sex, age, reached):
    by, bm = birth
    assert int(retirement_age_months(by, bm, sex)) == age
    y, m = retirement_date(by, bm, sex)
    assert (int(y), int(m)) == reached


def test_vectorised_over_people():
    by = np.array([1961, 1961, 1975, 1966])
    bm = np.array([1, 10, 1, 10])
    sex = np.array(["nam", "nam", "nu", "nu"])
    ages = retirement_age_months(by, bm, sex)
    assert ages.tolist() == [ym(60, 3), ym(60, 6), ym(59, 8), ym(55, 8)]
    years, months = retirement_date(by, bm, sex)
    assert list(zip(years.tolist(), months.tolist(), strict=True)) == [(2021, 4), (2022, 4), (2034, 9), (2022, 6)]


def test_later_birth_never_retires_earlier():
    # the schedule only rises: a later birth month never reaches retirement earlier
    months = np.arange(1950 * 12, 1990 * 12)
    for sex in ("nam", "nu"):
        y, m = retirement_date(months // 12, months % 12 + 1, np.full(len(months), sex))
        idx = y * 12 + m
        assert np.all(np.diff(idx) >= 0)


@pytest.mark.parametrize(("year", "month", "expected"), [
    (2022, 3, False), (2022, 4, True), (2021, 12, False),
])
def test_retires_by(year, month, expected):
    assert bool(retires_by(1961, 10, "nam", year, month)) is expected


@pytest.mark.parametrize("sex", ["male", "female", "Nam", "nữ", "M", "f"])
def test_sex_spellings_accepted(sex):
    assert statutory_age_months(2021, sex) in (ym(60, 3), ym(55, 4))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: statutory_age_months(2021, "x"), "sex must be"),
    (lambda: retirement_age_months(1970, 13, "nam"), "birth_month"),
    (lambda: retirement_age_months(1970, 0, "nu"), "birth_month"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
