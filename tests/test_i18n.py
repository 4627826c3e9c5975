"""The message catalogue: both languages for every key, the same placeholders, the plan's terms,
and the models' English notes worded in Vietnamese (the notes are produced by the real code)."""

import re
import string
import unicodedata

import pandas as pd
import pytest
from vietnamese_text import english_words, is_english

from forecast import i18n
from forecast.models.base import break_notes
from forecast.verdict import official

KEYS = i18n.keys()


def _names(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", KEYS)
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    vi, en = i18n.raw(key, "vi"), i18n.raw(key, "en")
    assert vi.strip() and en.strip()
    assert _names(vi) == _names(en), key
    assert unicodedata.is_normalized("NFC", vi)


@pytest.mark.parametrize(("bad", "why"), [
    (r"đ\.p\.", "not a known abbreviation: write 'điểm phần trăm'"),
    (r"\d %", "no space between a number and %"),
    (r"(?<!dự báo )khoảng 80%", "'khoảng 80%' reads as 'about 80%': say 'khoảng dự báo 80%'"),
    (r"chính thức", "the international measures are not a Vietnamese official assessment"),
    (r"--\w", "no command-line flag in a report"),
    (r"kịch bản Kịch bản", "no doubled word"),
])
def test_vietnamese_wording_avoids_the_known_mistakes(bad, why):
    hits = [k for k in KEYS if re.search(bad, i18n.raw(k, "vi"))]
    assert hits == [], f"{why}: {hits}"


@pytest.mark.parametrize(("key", "terms"), [
    ("report.privacy", ["các ô có dưới {n} người được ẩn"]),
    ("model.default", ["mô hình"]),
    ("rules.on_track", ["Đúng tiến độ"]),
    ("rules.acceleration_needed", ["Cần tăng tốc"]),
    ("rules.off_track", ["Chậm tiến độ"]),
])
def test_statuses_are_named_with_the_words_the_tables_use(key, terms):
    for term in terms:
        assert term in i18n.raw(key, "vi")


def test_lookup_fills_placeholders_and_names_unknown_keys_and_languages():
    assert i18n.t("report.facts_p", "vi", year=2030, p="81%") == "Xác suất đạt mục tiêu năm 2030: 81%."
    with pytest.raises(KeyError, match="no message 'nope'"):
        i18n.t("nope", "vi")
    with pytest.raises(ValueError, match="language must be one of"):
        i18n.t("page.as_of", "fr")


@pytest.mark.parametrize(("key", "constant"), [("official.escap.version", official.ESCAP_VERSION),
                                                ("official.unsd.version", official.UNSD_VERSION),
                                                ("official.eurostat.version", official.EUROSTAT_VERSION)])
def test_the_measures_versions_match_the_rules_and_keep_their_figures_in_vietnamese(key, constant):
    assert i18n.raw(key, "en") == constant                   # the English text is the rule's own version
    def figures(text):
        return sorted(re.sub(r"(\d),(\d)", r"\1.\2", x) for x in re.findall(r"[−-]?\d+(?:[.,]\d+)?", text))
    assert figures(i18n.raw(key, "vi")) == figures(constant)


def _ceiling_note():
    return official.ceiling_note(80.0, 92.3, 2018, 2025, 2030)


#: Notes as the models, rules and loader write them (produced by the code where it is cheap).
REAL_NOTES = [
    *break_notes([2025], [-0.4], []),
    *break_notes([], [], [2025]),
    _ceiling_note(),
    "Default: weighted combination learned by rolling-origin backtest (10 series of this unit, origins up to "
    "2025; 90 scored past forecasts); weights at 5 years ahead: straight_line 0.7, last_value 0.3. Intervals "
    "calibrated on the scaled errors of those past forecasts.",
    "Default: too little history to learn weights by backtest, so the forecast is the equal-weight mixture of "
    "the component models' distributions.",
    "Meeting rule: the share rounded to 0 decimal(s) of a percent reaches 100% (met at 99.5% or more); a share "
    "cannot pass 100%.",
    "Meeting rule: the share reaches 95% exactly or more.",
    "No numeric target: met if the count rises every year to the target year.",
    "Official labels use the published values as they are; a series break lies between the base and the latest "
    "year.",
    "split communes shared out with shares 06001: 0.50, 06004: 0.30 (share of the old unit's counts going to the "
    "unit that received its part; an assumption, change it with --split CODE=SHARE)",
    "3 re-based rows miss some of their old units (flag 'partial')",
    "Default: the global model had too few past windows to learn from, so its place in the combination is taken "
    "by the damped logit trend.",
    "Component local_logit left out: Too few years of data for a forecast.",
    "Series break in 2025: the last value is already on the new definition; year-on-year changes across the "
    "break are not used.",
    "Global model: gradient-boosted trees trained on 420 past windows × horizons of 12 series, outcomes up to "
    "2025.",
    "Pooled model: slope shrunk 40% of the way towards the peer average (3.10 → 2.50 logit-points a year).",
    "Quasi-binomial GLM weighted by each year's population; dispersion φ = 2.3.",
]


@pytest.mark.parametrize("note", [n for n in REAL_NOTES if n], ids=lambda n: n[:40])
def test_english_notes_are_worded_in_vietnamese(note):
    vi = i18n.translate_note(note, "vi")
    assert vi != note
    assert english_words(vi) == []
    assert "--split" not in vi and "--split" not in i18n.translate_note(note, "en")


@pytest.mark.parametrize(("word", "english"), [
    ("forecast", True), ("model", True), ("break", True), ("the", True), ("series", True),
    ("theo", False), ("chia", False), ("trong", False), ("nghiep", False), ("Mục", False), ("T01", False),
    ("ESCAP", False), ("logit", False), ("quy", False),
])
def test_the_english_word_detector(word, english):
    assert is_english(word) is english


def test_every_vietnamese_message_is_free_of_english():
    found = {k: english_words(re.sub(r"\{[^}]*\}", " ", i18n.raw(k, "vi"))) for k in KEYS}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_note_the_models_write_on_a_series_is_worded_in_vietnamese():
    """Fit every registered model to a series with a break: whatever notes they write today are translated."""
    import numpy as np

    from forecast.models import MODELS, get_model
    from forecast.models.base import SeriesError

    years = np.arange(2015, 2026)
    value = np.linspace(0.6, 0.8, len(years))
    series = pd.DataFrame({"year": years, "numerator": 1000 * value, "denominator": 1000.0, "value": value,
                           "break": years == 2025})
    notes = set()
    for name in MODELS:
        try:
            notes |= set(get_model(name).fit(series).notes_)
        except SeriesError as exc:               # e.g. the global model without peers: its message is a note too
            notes.add(f"Component {name} left out: {exc}")
    assert notes
    untranslated = {n: english_words(i18n.translate_note(n, "vi")) for n in notes}
    assert {n: w for n, w in untranslated.items() if w} == {}
    for name in MODELS:
        assert i18n.has(f"model.{name}"), name                  # every model has a Vietnamese name


def test_note_numbers_take_the_decimal_comma():
    vi = i18n.translate_note(break_notes([2025], [-0.4], [])[0], "vi")
    assert "-0,4 điểm phần trăm" in vi and "2025" in vi


def test_the_ceiling_note_keeps_its_figures():
    note = _ceiling_note()
    assert note is not None
    en_figures = re.findall(r"\d+\.\d", note)
    vi = i18n.translate_note(note, "vi")
    assert [f.replace(".", ",") for f in en_figures] == re.findall(r"\d+,\d", vi)


def test_an_unknown_note_is_kept_as_written():
    assert i18n.translate_note("Something new happened.", "vi") == "Something new happened."


def test_a_wrapped_problem_is_worded_inside_its_frame():
    assert i18n.translate_note("No forecast: Too few years of data for a forecast.", "vi") == \
        "Không có dự báo: Quá ít năm số liệu để dự báo."


def test_the_catalogue_is_the_only_source_of_report_strings():
    """No report module keeps a bilingual dict of its own (the verdict page's words are its engineer's)."""
    from pathlib import Path

    import forecast.reports as reports

    folder = Path(reports.__file__).parent
    owned = ["notebook.py", "sections.py", "review.py", "blocks.py", "plots.py", "html.py", "fmt.py"]
    found = [name for name in owned if re.search(r'"vi"\s*:\s*"', (folder / name).read_text(encoding="utf-8"))]
    assert found == []

