"""The explorer as an app: ``forecast explore`` served by Voilà, used in headless Chromium (Playwright).

One server and one page for the whole module (Voilà runs the notebook before it sends
the page, which takes tens of seconds on a busy machine). The data folder is a copy in a
temporary folder, so saving a scenario never touches the project's ``data/scenarios``.
What a planner does, in order: the page shows no code and no error; a lever moved on its
slider changes the verdict; "60%" typed as the required probability and "1,5" as the
capacity multiplier are taken; a word typed as a number is refused with a message; a
scenario saved as "kịch bản A" is found under that name and loads back into the controls; a
required probability of 97 % is refused; "Tính nhu cầu đào tạo" shows its progress, then the answer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forecast import config
from forecast.commands.explore import free_port, wait_until_listening

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
#: Voilà executes the notebook before answering: generous on a shared 2-core machine.
PAGE_TIMEOUT_MS = 300_000
UPDATE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory):
    """The project's data folder without the demo province (read in place), in a temporary folder."""
    folder = tmp_path_factory.mktemp("explore") / "data"
    shutil.copytree(config.data_dir(), folder, ignore=shutil.ignore_patterns("demo"))
    # the save below must find its name free, whatever a planner saved in the project's folder
    (folder / "scenarios" / "kich_ban_a.yml").unlink(missing_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(data_copy):
    port = free_port()
    env = {**os.environ, "FORECAST_DATA": str(data_copy), "FORECAST_DEMO": str(config.demo_dir()),
           "FORECAST_REPORTS": str(data_copy.parent / "reports")}
    command = Path(sys.executable).with_name("forecast")  # the console script a planner runs
    proc = subprocess.Popen([str(command), "explore", "--port", str(port), "--no-browser", "--draws", "200"], env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_listening(port, timeout=120, proc=proc)
        yield f"http://127.0.0.1:{port}/", proc
    finally:
        os.killpg(proc.pid, 15)  # the group this test started: the command, Voilà and its kernel
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


@pytest.fixture(scope="module")
def page(server, chromium):
    """A page of the session's browser (conftest.chromium) on the running app."""
    url, _proc = server
    pg = chromium.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    # the page may ask for web fonts or MathJax on the internet, which this machine cannot reach:
    # only errors from the app itself count
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error"
          and "net::ERR_NAME_NOT_RESOLVED" not in m.text and "net::ERR_INTERNET" not in m.text else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(url, timeout=PAGE_TIMEOUT_MS)
    pg.wait_for_selector(".fx-verdict p", timeout=PAGE_TIMEOUT_MS)
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    pg.close()


def _verdict(page) -> str:
    return page.inner_text(".fx-verdict")


def _show(page, css: str, group: str) -> None:
    """Open the accordion ``group`` when the control ``css`` is hidden (one group is open at a time)."""
    if not page.locator(css).first.is_visible():
        page.get_by_text(group).click()
        page.wait_for_selector(css, state="visible", timeout=UPDATE_TIMEOUT_MS)


TRAINING, STAFFING = "Chỉ tiêu đào tạo, bồi dưỡng mỗi năm", "Tuyển dụng, biên chế, bổ nhiệm"


def _type(page, css: str, value: str) -> None:
    if "training-capacity-factor" in css:
        _show(page, css, TRAINING)
    box = page.locator(f"{css} input")
    box.fill(value)
    box.press("Enter")


def _wait_verdict_change(page, old: str) -> str:
    page.wait_for_function("old => document.querySelector('.fx-verdict').innerText !== old", arg=old,
                           timeout=UPDATE_TIMEOUT_MS)
    return _verdict(page)


def test_the_app_shows_no_code_and_no_error(page):
    assert page.locator(".jp-CodeMirrorEditor, .cm-editor, .jp-InputArea-editor").count() == 0
    body = page.inner_text("body")
    assert "from forecast" not in body and "launch(" not in body and "Traceback" not in body
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "Với các đòn bẩy này" in _verdict(page)  # Vietnamese by default
    assert "Mức dự phóng năm 2030" in page.inner_text(".fx-level")
    assert page.errors == []


def test_moving_a_lever_on_its_slider_changes_the_verdict(page):
    old = _verdict(page)
    _show(page, ".fx-slider-replacement-rate .noUi-handle", STAFFING)
    page.locator(".fx-slider-replacement-rate").scroll_into_view_if_needed()
    handle = page.locator(".fx-slider-replacement-rate .noUi-handle").bounding_box()
    track = page.locator(".fx-slider-replacement-rate .noUi-target").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] - 20, y, steps=8)  # to the left end: replace no leaver, a hiring freeze
    page.mouse.up()
    new = _wait_verdict_change(page, old)
    assert new != old
    assert page.locator(".fx-input-replacement-rate input").input_value() == "0%"


@pytest.mark.parametrize("css, typed, shown, in_verdict", [
    (".fx-input-p-required", "60%", "60%", "yêu cầu 60%"),
    (".fx-input-training-capacity-factor", "1,5", "1,5", None),
])
def test_typed_percentages_and_decimal_commas_are_taken(page, css, typed, shown, in_verdict):
    old = _verdict(page)
    _type(page, css, typed)
    new = _wait_verdict_change(page, old)
    assert page.locator(f"{css} input").input_value() == shown
    if in_verdict:
        assert in_verdict in new


def test_a_word_typed_as_a_number_is_refused_with_a_message_and_the_value_kept(page):
    _type(page, ".fx-input-training-capacity-factor", "nhiều")
    page.wait_for_selector(".fx-input-error span", timeout=UPDATE_TIMEOUT_MS)
    assert "“nhiều” không phải là một số" in page.inner_text(".fx-input-error span")
    assert page.locator(".fx-input-training-capacity-factor input").input_value() == "1,5"


def _wait_for(page, script: str, arg=None) -> None:
    page.wait_for_function(script, arg=arg, timeout=UPDATE_TIMEOUT_MS)


FACTOR, REPLACEMENT, MESSAGE = (".fx-input-training-capacity-factor input", ".fx-input-replacement-rate input",
                                ".fx-message")


def test_a_scenario_saved_with_a_vietnamese_name_loads_back(page, data_copy):
    # Self-contained: it sets the levers it saves (rather than relying on what earlier tests
    # left), and every check after a click waits for the screen, since the kernel's updates
    # arrive one widget at a time (the box values first, the message last)
    _type(page, ".fx-input-training-capacity-factor", "1,5")
    _show(page, f"{REPLACEMENT}", STAFFING)
    _type(page, ".fx-input-replacement-rate", "0%")
    _wait_for(page, "([f, r]) => document.querySelector(f).value === '1,5' && document.querySelector(r).value === '0%'",
              [FACTOR, REPLACEMENT])
    _show(page, ".fx-name input", "Lưu, nạp và so sánh kịch bản")
    _type(page, ".fx-name", "kịch bản A")
    page.get_by_role("button", name="Lưu kịch bản").click()
    _wait_for(page, "m => document.querySelector(m).innerText.includes('Đã lưu')", MESSAGE)
    assert "“kịch bản A”" in page.inner_text(MESSAGE)
    assert (data_copy / "scenarios" / "kich_ban_a.yml").exists()

    page.get_by_role("button", name="Về kịch bản gốc").click()
    _wait_for(page, "([f, r, m]) => document.querySelector(f).value === '1' && document.querySelector(r).value !== '0%'"
              " && !document.querySelector(m).innerText.includes('Đã lưu')", [FACTOR, REPLACEMENT, MESSAGE])
    page.locator(".fx-saved select").select_option(label="kịch bản A")
    page.get_by_role("button", name="Nạp kịch bản").click()
    _wait_for(page, "([f, r, m]) => document.querySelector(f).value === '1,5' && document.querySelector(r).value === '0%'"
              " && document.querySelector(m).innerText.includes('Đã nạp kịch bản “kịch bản A”')",
              [FACTOR, REPLACEMENT, MESSAGE])
    assert page.errors == []


def test_the_required_probability_is_refused_outside_50_to_95_percent(page):
    _type(page, ".fx-input-p-required", "97%")
    _wait_for(page, "() => [...document.querySelectorAll('.fx-input-error span')].some("
              "e => e.innerText.includes('97% nằm ngoài khoảng cho phép 50% – 95%'))")
    assert page.locator(".fx-input-p-required input").input_value() == "60%"  # the previous value stays


def test_what_it_takes_runs_on_its_button_with_a_progress_message(page):
    start = time.perf_counter()
    page.get_by_role("button", name="Tính nhu cầu đào tạo").click()
    _wait_for(page, "() => document.querySelector('.fx-effort').innerText.includes('Đang tính nhu cầu đào tạo')")
    page.wait_for_function("() => document.querySelector('.fx-effort').innerText.includes('Tính trong')",
                           timeout=PAGE_TIMEOUT_MS)
    seconds = time.perf_counter() - start
    answer = page.inner_text(".fx-effort")
    print(f"\nwhat it takes, click to answer: {seconds:.1f} s: {answer}")  # the figure in the closing note
    assert "yêu cầu 60%" in answer
    assert "chỉ tiêu/năm" in answer or "Không thể đạt" in answer
    assert page.errors == []


def test_a_closed_pages_kernel_is_shut_down_and_an_open_pages_is_kept(data_copy, chromium):
    """Each page starts a kernel of about 330 MB: a closed tab's goes after ``--kernel-idle`` seconds."""
    psutil = pytest.importorskip("psutil")
    port = free_port()
    env = {**os.environ, "FORECAST_DATA": str(data_copy), "FORECAST_DEMO": str(config.demo_dir()),
           "FORECAST_REPORTS": str(data_copy.parent / "reports")}
    command = Path(sys.executable).with_name("forecast")
    proc = subprocess.Popen([str(command), "explore", "--port", str(port), "--no-browser", "--draws", "50",
                             "--kernel-idle", "3"], env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kernels() -> int:
        return sum("ipykernel" in " ".join(c.cmdline()) for c in psutil.Process(proc.pid).children(recursive=True))

    try:
        wait_until_listening(port, timeout=120, proc=proc)
        url = f"http://127.0.0.1:{port}/"
        closed = chromium.new_page()
        closed.goto(url, timeout=PAGE_TIMEOUT_MS)
        closed.wait_for_selector(".fx-verdict p", timeout=PAGE_TIMEOUT_MS)
        closed.close()
        kept = chromium.new_page()
        kept.goto(url, timeout=PAGE_TIMEOUT_MS)
        kept.wait_for_selector(".fx-verdict p", timeout=PAGE_TIMEOUT_MS)
        deadline = time.monotonic() + 60
        while kernels() > 1 and time.monotonic() < deadline:
            time.sleep(1)
        assert kernels() == 1  # the closed page's kernel is gone
        time.sleep(5)  # longer than the idle time: the open page's kernel stays and still answers
        assert kernels() == 1
        before = kept.inner_text(".fx-status")
        box = kept.locator(".fx-input-p-required input")
        box.fill("70%")
        box.press("Enter")
        kept.wait_for_function("s => document.querySelector('.fx-status').innerText !== s", arg=before,
                               timeout=UPDATE_TIMEOUT_MS)
        kept.close()
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
