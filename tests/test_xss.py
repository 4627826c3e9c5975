"""HTML safety: every string that comes from data is escaped in reports.

Unit names (from the unit registry), the dataset's name, source and descriptions, the
observations' ``source`` column and a scenario's description are replaced by markup
that would run script if pasted unescaped (``tests/test_privacy.py``'s hostile run). The
pages must show that markup as text, contain no ``<script>`` element and no event
handler attribute, and a real browser (headless Chromium) must see no dialog open.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from conftest import FIXTURE_COMMUNES, make_results
from test_browser import browser  # noqa: F401 - the shared Chromium fixture
from test_privacy import XSS_META, XSS_UNIT_NAMES, hostile_run

from forecast.reports import html as report
from forecast.reports import notebook as nbk

PAYLOAD = XSS_UNIT_NAMES[FIXTURE_COMMUNES[0]]           # "<script>alert(1)</script>"


class _ActiveMarkup(HTMLParser):
    """Collects what a browser could execute: script/iframe/object elements, on* handler attributes
    and javascript: URLs (escaped text such as ``&lt;script&gt;`` is data, not markup)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def active_markup(page: str) -> list[str]:
    """Every executable element or attribute in an HTML text (empty for a safe page)."""
    parser = _ActiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    run = hostile_run(tmp_path_factory)
    assert run["code"] == 0, run["stderr"]
    return run["report"]


# --- what the rendering functions do with hostile strings (fast, no notebook) ---------------------


def _shown(monkeypatch):
    out = []
    monkeypatch.setattr(nbk, "display", lambda obj: out.append(obj.data))
    return out


def test_a_unit_name_with_markup_is_escaped_in_the_commune_title_and_table(monkeypatch):
    res = make_results(commune_names=dict(XSS_UNIT_NAMES))
    out = _shown(monkeypatch)
    for code in FIXTURE_COMMUNES:
        nbk.commune_title(res, code, "vi")
        nbk.commune_table(res, code, "vi")
    page = "\n".join(out)
    assert active_markup(page) == []
    assert html.escape(PAYLOAD) in page


def test_dataset_metadata_with_markup_is_escaped_in_every_page_header():
    res = make_results()
    res.meta = dict(XSS_META)
    header = report.page_header(res, "vi")
    index = report.index_page([{"title": PAYLOAD, "href": 'x.html" onmouseover="alert(1)', "group": "main"}], res)
    for page in (header, index):
        assert active_markup(page) == []
    assert html.escape(XSS_META["name"]) in header
    assert html.escape(PAYLOAD) in index


def test_the_markup_detector_finds_what_would_run():
    """A control for :func:`active_markup`: it flags live markup and ignores escaped text."""
    assert active_markup("<p>" + PAYLOAD + "</p>") == ["<script>"]
    assert active_markup('<img src="x" onerror="alert(2)">') == ["<img onerror='alert(2)'>"]
    assert active_markup('<a href="javascript:alert(1)">x</a>') != []
    assert active_markup("<p>" + html.escape(PAYLOAD) + '</p><img alt="&lt;img onerror=x&gt;">') == []


def test_a_page_title_taken_from_markup_is_escaped(tmp_path):
    page = report.page(PAYLOAD, "<p>body</p>", lang="vi")
    assert f"<title>{html.escape(PAYLOAD)}</title>" in page and "<script" not in page


# --- the published report set of the hostile run ------------------------------------------------


@pytest.mark.slow
def test_no_page_of_the_hostile_run_carries_active_markup(hostile_report):
    pages = sorted(hostile_report.glob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert active_markup(text) == [], page.name
    commune = (hostile_report / f"commune-{FIXTURE_COMMUNES[0]}.html").read_text(encoding="utf-8")
    assert html.escape(PAYLOAD) in commune                 # the name is there, as text
    index = (hostile_report / "index.html").read_text(encoding="utf-8")
    assert html.escape(PAYLOAD) in index


@pytest.mark.browser
@pytest.mark.slow
def test_the_browser_shows_script_names_as_text_and_runs_nothing(browser, hostile_report):  # noqa: F811
    dialogs, errors = [], []
    pages = sorted(p.name for p in hostile_report.glob("*.html"))
    for name in pages:
        context = browser.new_context(offline=True, java_script_enabled=True)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((hostile_report / name).as_uri(), wait_until="load")
        page.mouse.move(10, 10)
        for el in page.query_selector_all("b, p, td, h1, a")[:200]:   # hover would fire onmouseover
            el.hover(timeout=1000, force=True)
        assert page.evaluate("document.scripts.length") == 0, name
        handlers = page.evaluate("Array.from(document.querySelectorAll('*')).flatMap(e => "
                                 "Array.from(e.attributes).map(a => a.name)).filter(n => n.startsWith('on'))")
        assert handlers == [], f"{name}: event handler attributes {handlers}"
        if name == f"commune-{FIXTURE_COMMUNES[0]}.html":
            assert PAYLOAD in page.inner_text("body")      # shown to the reader as text
        context.close()
    print(f"\nopened {len(pages)} pages; dialogs: {dialogs}; page errors: {errors}")
    assert dialogs == [] and errors == []
