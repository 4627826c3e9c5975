"""Every report section, rendered from hand-made results in both languages (fast; no notebook runs).

Vietnamese sections carry no English word outside the allow-list, English sections no
Vietnamese word outside the data's own names; tables scroll in their own box; statuses carry
their symbol; the summary states the rules and the international measures.
"""

import re

import pytest
from conftest import make_results
from vietnamese_text import english_words, page_text

from forecast.domain.targets import load_targets
from forecast.reports import review, sections

_VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


def _all_sections(res, lang):
    out = [sections.headline_html(res, lang), sections.summary_table_html(res, lang),
           sections.status_rules_html(lang), sections.international_html(res, lang),
           sections.status_figure_html(res, lang), sections.scenario_table_html(res, lang),
           sections.scenario_charts_html(res, lang), review.validation_html(res, lang), review.breaks_html(res, lang),
           review.coverage_html(res, lang), review.privacy_html(lang, 5), review.targets_table_html(lang)]
    for tid in ("T01", "T11"):
        out += [sections.target_title_text(res, tid, lang), sections.fan_chart_html(res, tid, lang),
                sections.target_facts_html(res, tid, lang), sections.target_history_html(res, tid, lang)]
    code = str(res.communes["unit_code"].iloc[0])
    out += [review.commune_title_text(res, code, lang), review.commune_table_html(res, code, lang),
            review.commune_chart_html(res, code, lang), review.commune_multiples_html(res, "T06", lang)]
    return "\n".join(out)


@pytest.fixture(scope="module")
def rendered():
    res = make_results()
    res.warnings = ["split communes shared out with shares 06001: 0.50 (share of the old unit's counts going to "
                    "the unit that received its part; an assumption, change it with --split CODE=SHARE)"]
    for o in res.targets:                                     # a model the catalogue names (the fixture's is ad hoc)
        o.attainment["method"] = "default"
    res.targets[0].forecast.notes = ["Series break in 2025 (new population definition): level shift of -0.4 pp "
                                     "estimated at the break; the trend is carried across from all years."]
    return {lang: _all_sections(res, lang) for lang in ("vi", "en")}


def test_vietnamese_sections_have_no_english_word(rendered):
    assert sorted(set(english_words(page_text(rendered["vi"])))) == []


def test_english_sections_have_no_vietnamese_word(rendered):
    text = page_text(rendered["en"])
    # the units' and the dataset's names are data in Vietnamese, and the plan's English texts keep
    # the legal terms in Vietnamese beside their translation
    words = {w for w in re.findall(r"\w+", text) if _VIETNAMESE_LETTERS.search(w)}
    legal = {w for tg in load_targets() for w in re.findall(r"\w+", tg.text("en"))}
    fixture_names = {"Xã", "Tỉnh", "thử", "nghiệm", "Cơ", "sở"}   # units, dataset, the scenario's only title
    assert words - legal - fixture_names == set()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_table_scrolls_in_its_own_box(rendered, lang):
    tables = rendered[lang].count("<table")
    assert tables >= 5
    assert rendered[lang].count('<div class="table-wrap" role="region" tabindex="0"><table') == tables


@pytest.mark.parametrize(("lang", "badge"), [("vi", "✓ Đúng tiến độ"), ("en", "✓ On track")])
def test_statuses_carry_symbol_and_word(rendered, lang, badge):
    assert f'<span class="status status-on_track">{badge}</span>' in rendered[lang]


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ["Cách đọc đánh giá", "từ 50% trở lên", "không quá 3 lần", "Phiên bản phương pháp"]),
    ("en", ["How the statuses are decided", "of 50% or more", "at most 3 times", "Version of the method"]),
])
def test_the_summary_states_the_rules_and_the_measures_with_their_versions(rendered, lang, words):
    for w in words:
        assert w in rendered[lang], w
    for measure in ("ESCAP —", "UNSD —", "Eurostat —"):
        assert measure in rendered[lang]
