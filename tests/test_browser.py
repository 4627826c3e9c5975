"""The report set in a real browser: headless Chromium (Debian's), no network, via Playwright.

Opens ``index.html`` and every page it links (file:// URLs): no console error, every
image decodes, the summary's table lists T01–T11, Vietnamese text is present as NFC,
the summary fits a phone-width screen without horizontal page scrolling, and every
page is under 3 MB (sizes printed). A screenshot of the summary goes to test-artifacts/.
Printing (print media at the printable width of A4) cuts no table, and the PDFs go to
test-artifacts/; at 390 px no table loses a column (it fits or scrolls in its own box).
"""

import unicodedata
from urllib.parse import urljoin

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAX_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture(scope="module")
def report_folder(annual_run):
    folder, code, err = annual_run
    assert code == 0, err
    return folder


def _open(browser, url, width=1000):
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return context, page, errors


def _linked_pages(browser, index_url):
    context, page, errors = _open(browser, index_url)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    context.close()
    assert not errors, errors
    return sorted({h for h in hrefs if h.endswith(".html")})


def test_every_linked_page_loads_cleanly(browser, report_folder, artifacts_dir, capsys):
    index_url = (report_folder / "index.html").as_uri()
    pages = _linked_pages(browser, index_url)
    assert "summary.html" in pages and "methods.html" in pages
    sizes = {}
    for href in ["index.html", *pages]:
        path = report_folder / href
        assert path.exists(), f"broken link {href}"
        sizes[href] = path.stat().st_size
        context, page, errors = _open(browser, urljoin(index_url, href))
        assert not errors, f"{href}: {errors}"
        assert page.evaluate("document.documentElement.lang") in ("vi", "en")
        broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.alt)")
        assert broken == [], f"{href}: images that do not decode: {broken}"
        missing_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt).length")
        assert missing_alt == 0, f"{href}: images without alt text"
        context.close()
    table = "\n".join(f"{size / 1024:8.0f} KiB  {href}" for href, size in sorted(sizes.items(), key=lambda kv: -kv[1]))
    (artifacts_dir / "report-sizes.txt").write_text(table + "\n", encoding="utf-8")
    with capsys.disabled():                                   # shown in the CI log, not swallowed by capture
        print(f"\nreport sizes (limit {MAX_BYTES // 1024} KiB):\n{table}")
    assert max(sizes.values()) < MAX_BYTES


def test_summary_lists_the_targets_in_vietnamese_and_fits_a_phone(browser, report_folder, artifacts_dir):
    context, page, errors = _open(browser, (report_folder / "summary.html").as_uri(), width=375)
    ids = page.eval_on_selector_all("table.summary tbody tr td:first-child", "els => els.map(e => e.textContent)")
    assert ids == [f"T{i:02d}" for i in range(1, 12)]
    text = page.inner_text("body")
    assert unicodedata.is_normalized("NFC", text)
    for word in ("Số liệu đến", "Tóm tắt", "Xác suất đạt", "Dữ liệu tổng hợp — minh họa", "Đúng tiến độ"):
        assert word in text, word
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(artifacts_dir / "summary-phone.png"), full_page=True)
    context.close()
    context, page, errors = _open(browser, (report_folder / "summary.html").as_uri(), width=1200)
    page.screenshot(path=str(artifacts_dir / "summary-desktop.png"), full_page=True)
    context.close()
    assert not errors


#: A4 portrait minus the print stylesheet's side margins (12 mm each), in CSS pixels (96 per inch).
A4_PRINTABLE_PX = int((210 - 2 * 12) / 25.4 * 96)
PHONE_PX = 390

_TABLE_FIT = """(limit) => Array.from(document.querySelectorAll('table')).map(t => {
    const r = t.getBoundingClientRect();
    return {first: (t.querySelector('td, th') || {}).textContent, scroll: t.scrollWidth,
            right: Math.round(r.right), limit: limit};
}).filter(t => t.scroll > t.limit + 1 || t.right > t.limit + 1)"""

_TABLE_REACH = """() => Array.from(document.querySelectorAll('table')).map(t => {
    const wrap = t.closest('.table-wrap');
    const style = wrap ? getComputedStyle(wrap).overflowX : 'none';
    const fits = t.getBoundingClientRect().right <= window.innerWidth + 1;
    const scrolls = wrap !== null && (style === 'auto' || style === 'scroll') && wrap.scrollWidth >= t.scrollWidth
                    && wrap.getBoundingClientRect().right <= window.innerWidth + 1;
    return {first: (t.querySelector('td, th') || {}).textContent, fits: fits, scrolls: scrolls};
}).filter(t => !(t.fits || t.scrolls))"""


@pytest.mark.parametrize("name", ["index.html", "summary.html", "scenarios.html", "target-T01.html"])
def test_printing_to_a4_cuts_no_table(browser, report_folder, artifacts_dir, name):
    """In print media at the printable width of A4 every table wraps to fit: nothing is cut off."""
    context = browser.new_context(viewport={"width": A4_PRINTABLE_PX, "height": 1100}, offline=True)
    page = context.new_page()
    page.goto((report_folder / name).as_uri(), wait_until="load")
    page.emulate_media(media="print")
    assert page.evaluate(_TABLE_FIT, A4_PRINTABLE_PX) == [], f"{name}: tables wider than the printable width"
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_PRINTABLE_PX
    wide_images = page.evaluate(f"Array.from(document.images).filter(i => i.getBoundingClientRect().right > "
                                f"{A4_PRINTABLE_PX + 1}).length")
    assert wide_images == 0
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (artifacts_dir / f"print-{name.replace('.html', '')}.pdf").write_bytes(pdf)
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 1
    context.close()


def test_on_a_phone_no_table_loses_a_column(browser, report_folder):
    """At 390 px every table fits, or scrolls inside its own box; the page itself never scrolls sideways."""
    names = ["index.html", "summary.html", "scenarios.html", "targets.html", "data-review.html", "target-T01.html",
             *sorted(p.name for p in report_folder.glob("commune-*.html"))[:1], "methods.html"]
    for name in names:
        context, page, errors = _open(browser, (report_folder / name).as_uri(), width=PHONE_PX)
        assert page.evaluate(_TABLE_REACH) == [], f"{name}: a table is cut on a phone"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px on a phone"
        context.close()


def test_charts_are_drawn_at_twice_their_display_size(browser, report_folder):
    context, page, errors = _open(browser, (report_folder / "target-T01.html").as_uri())
    sizes = page.evaluate("Array.from(document.images).map(i => [i.naturalWidth, i.getAttribute('width')])")
    assert sizes and all(natural == 2 * int(width) for natural, width in sizes)
    context.close()
