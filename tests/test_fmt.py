"""Numbers, percentages and dates in Vietnamese and English reports."""

import datetime as dt
import math
import unicodedata

import pytest

from forecast.reports import fmt


@pytest.mark.parametrize(("x", "digits", "lang", "expected"), [
    (1234.5, 1, "vi", "1.234,5"),
    (1234.5, 1, "en", "1,234.5"),
    (1234567, 0, "vi", "1.234.567"),
    (1234567, 0, "en", "1,234,567"),
    (0.5, 2, "vi", "0,50"),
    (-3.25, 1, "vi", "-3,2"),          # banker's rounding of Python's format: -3.25 -> -3.2
    (-0.04, 1, "vi", "0,0"),           # no negative zero
    (12, 0, "vi", "12"),
    (None, 1, "vi", "–"),
    (float("nan"), 1, "en", "–"),
])
def test_number(x, digits, lang, expected):
    assert fmt.number(x, digits, lang) == expected


@pytest.mark.parametrize(("share", "digits", "lang", "expected"), [
    (0.9512, 1, "vi", "95,1%"),
    (0.9512, 1, "en", "95.1%"),
    (1.0, 0, "vi", "100%"),
    (0.0, 1, "vi", "0,0%"),
    (None, 1, "vi", "–"),
])
def test_percent(share, digits, lang, expected):
    assert fmt.percent(share, digits, lang) == expected


@pytest.mark.parametrize(("pp", "lang", "unit", "expected"), [
    (1.25, "vi", True, "+1,2 điểm phần trăm/năm"),
    (1.25, "en", True, "+1.2 pp/yr"),
    (-0.5, "vi", True, "-0,5 điểm phần trăm/năm"),
    (0.0, "vi", True, "0,0 điểm phần trăm/năm"),
    (2.0, "vi", False, "+2,0"),
    (float("nan"), "en", True, "–"),
])
def test_points(pp, lang, unit, expected):
    assert fmt.points(pp, 1, lang, unit=unit) == expected


@pytest.mark.parametrize(("p", "lang", "expected"), [
    (0.0, "vi", "< 1%"),
    (0.004, "en", "< 1%"),
    (0.5, "vi", "50%"),
    (0.987, "vi", "99%"),
    (1.0, "vi", "> 99%"),
    (0.9995, "en", "> 99%"),
    (None, "vi", "–"),
])
def test_probability_never_claims_certainty(p, lang, expected):
    assert fmt.probability(p, lang) == expected


@pytest.mark.parametrize(("d", "lang", "expected"), [
    (dt.date(2025, 10, 30), "vi", "30/10/2025"),
    (dt.date(2025, 1, 5), "vi", "05/01/2025"),
    ("2025-11-15", "vi", "15/11/2025"),
    (dt.datetime(2025, 11, 15, 7, 30), "vi", "15/11/2025"),
    (dt.date(2025, 1, 5), "en", "2025-01-05"),
])
def test_date(d, lang, expected):
    assert fmt.date(d, lang) == expected


def test_year_end_is_the_reporting_deadline():
    assert fmt.year_end(2025, "vi") == "30/10/2025"


@pytest.mark.parametrize("func", [
    lambda: fmt.number(1, 0, "fr"),
    lambda: fmt.percent(0.1, 0, "VI"),
    lambda: fmt.date("2025-01-01", "de"),
])
def test_unknown_language_is_an_error(func):
    with pytest.raises(ValueError, match="language"):
        func()


def test_nfc_composes_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Lạng Sơn")
    assert fmt.nfc(decomposed) == "Lạng Sơn"
    assert len(fmt.nfc(decomposed)) < len(decomposed)


def test_missing_marker_is_not_nan_text():
    assert "nan" not in fmt.number(math.nan).lower()
