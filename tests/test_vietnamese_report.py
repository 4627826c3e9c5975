"""The Vietnamese report set (``forecast run``, ``--lang vi``) is Vietnamese throughout.

Renders the report set once (the session's :func:`annual_run` on the fixture data) and
reads every page as a reader sees it, image descriptions included: no English word
outside a short allow-list (proper names, units, ISO codes: ``tests/vietnamese_text.py``),
none of the wordings issue 17 found, the status rules and the international measures
stated on the summary, and the synthetic-data mark on every chart.
"""

import re

import pytest
from vietnamese_text import english_words, page_text

from forecast.domain import status

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages(annual_run):
    folder, code, err = annual_run
    assert code == 0, err
    found = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}
    assert {"index.html", "summary.html", "methods.html", "scenarios.html", "target-T01.html"} <= set(found)
    return found


def test_every_page_declares_vietnamese(pages):
    assert all('<html lang="vi">' in doc for doc in pages.values())


def test_no_english_word_on_any_page(pages):
    english = {name: sorted(set(english_words(page_text(doc)))) for name, doc in pages.items()}
    assert {name: words for name, words in english.items() if words} == {}


@pytest.mark.parametrize(("pattern", "why"), [
    (r"đ\.p\.", "not a known abbreviation"),
    (r"theo kịch bản Kịch bản", "doubled word"),
    (r"forecast synth|--seed|--split|--\w+", "a command line in a report"),
    (r"\(baseline\)", "an English scenario code in a heading"),
    (r"tiếng Anh", "notes left in English"),
    (r"Mô hình: default", "an English model name"),
    (r"chính thức", "the international measures are not a Vietnamese official assessment"),
    (r"(?<!dự báo )khoảng 80%", "'khoảng 80%' reads as 'about 80%'"),
    (r"\d %", "a space between a number and %"),
])
def test_none_of_the_wordings_the_issue_found(pages, pattern, why):
    hits = {name: re.findall(rf".{{0,30}}{pattern}.{{0,30}}", page_text(doc)) for name, doc in pages.items()}
    assert {name: h for name, h in hits.items() if h} == {}, why


def test_the_summary_states_the_status_rules_and_the_international_measures(pages):
    text = page_text(pages["summary.html"])
    p = f"{round(100 * status.ON_TRACK_P)}%"
    assert f"Đúng tiến độ: xác suất đạt mục tiêu năm 2030 từ {p} trở lên" in text
    assert f"không quá {status.OFF_TRACK_MULTIPLE:g} lần" in text
    for name in ("Cần tăng tốc", "Chậm tiến độ", "Đã đạt", "Thiếu số liệu"):
        assert f"{name}:" in text
    for measure in ("ESCAP", "UNSD", "Eurostat"):
        assert f"{measure} —" in text
    assert text.count("Phiên bản phương pháp:") == 3


def test_every_chart_carries_the_synthetic_mark(pages):
    images = {name: re.findall(r'<img [^>]*alt="([^"]*)"', doc) for name, doc in pages.items()}
    assert sum(map(len, images.values())) > 0
    unmarked = {name: [a[:40] for a in alts if not a.startswith("Dữ liệu tổng hợp — minh họa")]
                for name, alts in images.items()}
    assert {name: a for name, a in unmarked.items() if a} == {}


def test_the_header_states_synthetic_data_in_vietnamese(pages):
    text = page_text(pages["index.html"])
    assert "Dữ liệu tổng hợp — minh họa" in text and "không phải số liệu thật" in text
