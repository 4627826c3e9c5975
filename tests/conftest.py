"""Shared test fixtures: a tiny data folder builder and the fixture dataset.

``build_dataset(folder)`` writes a small, valid dataset folder (``dataset.yml``,
``observations.csv``, ``roster.csv``) with seeded, smooth synthetic numbers: the
province (unit ``20``) for every indicator and year, and a few commune-level units
(codes valid after 1 July 2025) for the commune-level targets in the latest year,
one of them deliberately tiny (fewer than 5 people) to exercise suppression.
``tests/data/fixture_dataset/`` is a committed copy made by this builder
(``python tests/conftest.py`` rewrites it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

TESTS = Path(__file__).resolve().parent
FIXTURE_DATASET = TESTS / "data" / "fixture_dataset"
ARTIFACTS = TESTS.parent / "test-artifacts"

#: Commune-level units of the fixture (valid from 1 July 2025 in data/units.csv).
FIXTURE_COMMUNES = ("06040", "06001", "06019")
#: Starting share and yearly gain (share points) of each indicator at the province.
TRENDS = {
    "T01": (0.82, 0.015), "T02": (0.55, 0.020), "T03": (0.70, 0.030), "T04": (0.60, 0.040),
    "T05": (0.75, 0.030), "T06": (0.62, 0.035), "T07": (0.20, 0.015), "T08": (0.60, 0.030),
    "T09": (0.40, 0.050), "T09a": (0.50, 0.040), "T09b": (0.70, 0.030), "T09c": (0.60, 0.040),
    "T10": (0.50, 0.050),
}
COMMUNE_TARGETS = ("T04", "T06", "T10")
BREAK_TARGETS = ("T01", "T04", "T05", "T06", "T10")


def _observations(years: range, communes: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for ind, (start, gain) in TRENDS.items():
        den0 = int(rng.integers(400, 2000))
        for k, year in enumerate(years):
            den = den0 + 10 * k
            if ind in BREAK_TARGETS and year >= 2025:
                den = int(den * 0.8)  # the 2025 reorganisation shrinks the population
            share = min(0.99, start + gain * k + rng.normal(0, 0.004))
            rows.append({"indicator": ind, "unit_code": "20", "year": year, "numerator": round(share * den),
                         "denominator": den, "value": "", "source": "fixture", "flags": "synthetic"})
    for k, year in enumerate(years):
        rows.append({"indicator": "T11", "unit_code": "20", "year": year, "numerator": 40 + 3 * k + int(rng.integers(0, 2)),
                     "denominator": "", "value": "", "source": "fixture", "flags": "synthetic"})
    last = years[-1]
    for ind in COMMUNE_TARGETS:
        for j, code in enumerate(communes):
            den = 3 if j == len(communes) - 1 else int(rng.integers(15, 40))  # last one is tiny
            share = min(1.0, TRENDS[ind][0] + TRENDS[ind][1] * (len(years) - 1) + rng.normal(0, 0.05))
            rows.append({"indicator": ind, "unit_code": code, "year": last, "numerator": int(round(share * den)),
                         "denominator": den, "value": "", "source": "fixture", "flags": "synthetic"})
    return pd.DataFrame(rows)


def _roster(year: int, communes: tuple[str, ...], n: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for i in range(n):
        sex = "nam" if rng.random() < 0.55 else "nu"
        birth = int(rng.integers(1972 if sex == "nu" else 1968, 2000))
        at_xa = i % 2 == 0
        category = "can_bo" if at_xa and i % 4 == 0 else ("cong_chuc" if i % 3 else "vien_chuc")
        hire = max(birth + 22, 2000) + int(rng.integers(0, 5))
        hire = min(hire, year)
        edu = rng.choice(["dai_hoc", "thac_si", "cao_dang", "trung_cap"], p=[0.6, 0.1, 0.2, 0.1])
        rows.append({
            "person_id": f"P{i:05d}", "birth_year": birth, "birth_month": int(rng.integers(1, 13)), "sex": sex,
            "category": category, "level": "xa" if at_xa else "tinh",
            "unit_code": communes[i % len(communes)] if at_xa else "20",
            "leader": "phong" if (not at_xa and i % 7 == 1) else ("so" if (not at_xa and i % 29 == 3) else "none"),
            "key_cadre": int(at_xa and category == "can_bo" and i % 8 == 0),
            "in_pool": int(category != "vien_chuc" and i % 5 == 0),
            "education": edu,
            "field": rng.choice(["thuong_mai", "du_lich", "khac", "nong_nghiep"]),
            "political_theory": rng.choice(["none", "so_cap", "trung_cap", "cao_cap"]),
            "state_mgmt": rng.choice(["none", "cv", "cvc", "cvcc"], p=[0.3, 0.4, 0.2, 0.1]),
            "foreign_language": int(rng.random() < 0.6), "it_skill": int(rng.random() < 0.7),
            "standard_training": int(rng.random() < 0.6),
            "standardised": int(at_xa and category == "can_bo" and rng.random() < 0.6),
            "hire_date": f"{hire}-09-01", "exit_date": "", "exit_reason": "", "year": year,
        })
    return pd.DataFrame(rows)


def build_dataset(folder: Path, *, years: range = range(2018, 2026), communes: tuple[str, ...] = FIXTURE_COMMUNES,
                  roster_size: int = 120, seed: int = 7, synthetic: bool = True, roster: bool = True) -> Path:
    """Write a tiny valid dataset folder and return its path.

    Parameters
    ----------
    folder : Path
        Created if missing; existing files of the same names are overwritten.
    years : range
        Years of the observations (the last is the as-of year and the roster's year).
    communes : tuple of str
        Commune-level unit codes (must be valid in ``data/units.csv`` in the last year).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    meta = {"name": "Tỉnh thử nghiệm (bộ số liệu kiểm thử)", "synthetic": synthetic,
            "description_vi": "Bộ số liệu nhỏ, tổng hợp, dùng cho kiểm thử.",
            "description_en": "A small synthetic dataset for tests.",
            "source": "tests/conftest.py build_dataset"}
    (folder / "dataset.yml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _observations(years, communes, rng).to_csv(folder / "observations.csv", index=False, lineterminator="\n")
    if roster:
        _roster(years[-1], communes, roster_size, rng).to_csv(folder / "roster.csv", index=False, lineterminator="\n")
    return folder


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_session(tmp_path_factory):
    """Hindcast and plan caches of this test session only, so no result computed by an earlier
    run (or by older code) can make a test pass; commands run by the tests inherit it."""
    before = os.environ.get("FORECAST_CACHE")
    if before is None:
        os.environ["FORECAST_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("FORECAST_CACHE", None)


@pytest.fixture(scope="session")
def fixture_dataset() -> Path:
    """The committed tiny dataset folder (read-only: copy it before changing anything)."""
    return FIXTURE_DATASET


@pytest.fixture
def dataset_copy(tmp_path, fixture_dataset) -> Path:
    """A private, writable copy of the fixture dataset."""
    dest = tmp_path / "data"
    shutil.copytree(fixture_dataset, dest)
    return dest


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave files for people to look at (screenshots, reports); kept by CI."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def annual_run(tmp_path_factory, fixture_dataset):
    """One full ``forecast run`` on the fixture dataset per test session, shared by many tests.

    Returns ``(report_folder, exit_code, stderr)``.
    """
    import contextlib
    import io

    from forecast.cli import main

    out = tmp_path_factory.mktemp("reports")
    err = io.StringIO()
    env_ci = os.environ.pop("CI", None)
    try:
        with contextlib.redirect_stderr(err):
            code = main(["run", "--data", str(fixture_dataset), "--out", str(out), "--jobs", "2"])
    finally:
        if env_ci is not None:
            os.environ["CI"] = env_ci
    folders = [p for p in out.iterdir() if p.is_dir() and p.name.isdigit()]
    return (folders[0] if folders else None), code, err.getvalue()


def make_results(*, as_of: int = 2025, lang: str = "vi", synthetic: bool = True, n_draws: int = 200,
                 commune_names: dict[str, str] | None = None, seed: int = 3):
    """A hand-made :class:`forecast.reports.pipeline.RunResults` for rendering tests.

    It does not run the models: trend forecasts are straight-line extrapolations of
    the fixture observations with Gaussian noise, and attainment records carry the
    fields reports read. Rendering tests use it so that they do not depend on (or
    retest) the analysis; the end-to-end tests use :func:`annual_run` instead.
    """
    from forecast.domain.targets import load_targets
    from forecast.reports.pipeline import RunResults, TargetOutcome, coverage_table
    from forecast.results import Forecast

    rng = np.random.default_rng(seed)
    obs = pd.read_csv(FIXTURE_DATASET / "observations.csv", dtype={"unit_code": str})
    years = np.arange(as_of + 1, 2031)
    outcomes = []
    for t in load_targets():
        rows = obs[(obs["indicator"] == t.id) & (obs["unit_code"] == "20")].sort_values("year")
        kind = "share" if t.kind == "share" else "count"
        value = rows["numerator"] / rows["denominator"] if kind == "share" else rows["numerator"].astype(float)
        series = pd.DataFrame({"year": rows["year"].to_numpy(), "numerator": rows["numerator"].to_numpy(),
                               "denominator": rows["denominator"].to_numpy(), "value": value.to_numpy(),
                               "break": (rows["year"] == (t.break_year or 0)).to_numpy()})
        slope = np.polyfit(series["year"], series["value"], 1)[0]
        last = float(series["value"].iloc[-1])
        steps = years - as_of
        noise = rng.normal(0, 0.01 if kind == "share" else 2, size=(n_draws, len(years))).cumsum(axis=1)
        draws = last + slope * steps + noise
        if kind == "share":
            draws = np.clip(draws, 0, 1)
        fc = Forecast(years, draws, method="straight line (test)", kind=kind)
        p = fc.prob_at_least(t.share, 2030) if kind == "share" else fc.prob_rising(last)
        req = (t.share - last) * 100 / (2030 - as_of) if kind == "share" else None
        att = {"target_id": t.id, "latest_value": last, "latest_year": as_of, "p_meet": p,
               "status": "on_track" if p >= 0.5 else "off_track",
               "required_pace_pp": req, "observed_pace_pp": slope * 100 if kind == "share" else None,
               "escap_class": "acceleration_needed"}
        units = None
        if t.id in COMMUNE_TARGETS:
            u = obs[(obs["indicator"] == t.id) & (obs["unit_code"] != "20")].copy()
            u["value"] = u["numerator"] / u["denominator"]
            units = u[["unit_code", "year", "numerator", "denominator", "value"]].reset_index(drop=True)
        outcomes.append(TargetOutcome(
            id=t.id, kind=kind, threshold=t.share, year=t.year, break_year=t.break_year,
            text={"vi": t.text_vi, "en": t.text_en}, notes={"vi": t.notes_vi, "en": t.notes_en},
            series=series, forecast=fc, attainment=att,
            scenarios={"baseline": {"forecast": fc, "p_meet": p}}, units=units))
    names = commune_names or {c: f"Xã {c}" for c in FIXTURE_COMMUNES}
    return RunResults(
        as_of=as_of, lang=lang, data_dir=str(FIXTURE_DATASET), synthetic=synthetic,
        meta={"name": "Tỉnh thử nghiệm", "source": "tests/conftest.py"}, files={"dataset/observations.csv": "0" * 64},
        targets=outcomes, scenarios=[{"name": "baseline", "label": "Cơ sở", "description": "test"}],
        communes=pd.DataFrame({"unit_code": list(names), "name": list(names.values())}),
        coverage=coverage_table(obs, as_of), warnings=[], parameters={"as_of": as_of})


@pytest.fixture
def results():
    """Hand-made prepared results (see :func:`make_results`)."""
    return make_results()


if __name__ == "__main__":  # rewrite the committed fixture dataset
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE_DATASET
    print(build_dataset(target))


#: Headless Chromium flags of every browser test: no sandbox (CI runs as root), nothing fetched
#: in the background, no first-run pages.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's, or ``FORECAST_CHROMIUM``) for the session's browser tests.

    Missing Chromium fails in CI (``scripts/install-chromium.sh`` installs it) and skips elsewhere.
    """
    from forecast import config
    exe = config.chromium_executable()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: scripts/install-chromium.sh should have installed it")
        pytest.skip("Chromium not found (set FORECAST_CHROMIUM or run scripts/install-chromium.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def written_exports(folder: Path, results, lang: str):
    """``summary.json``'s content, the workbook and the Word report the run writes for ``results``.

    Returns ``(data, workbook, document)``: the summary as JSON would give it back, the
    ``so-lieu.xlsx`` opened with openpyxl and the ``bao-cao.docx`` opened with python-docx.
    """
    import json

    import openpyxl
    from docx import Document

    from forecast.reports import docx as report_docx
    from forecast.reports import html
    from forecast.reports import xlsx as report_xlsx

    data = json.loads(json.dumps(html.summary(results, {})))
    workbook = openpyxl.load_workbook(report_xlsx.write_xlsx(folder / "so-lieu.xlsx", data, results, lang))
    document = Document(str(report_docx.write_docx(folder / "bao-cao.docx", data, results, lang)))
    return data, workbook, document


def docx_paragraphs(document) -> str:
    """The paragraphs of a python-docx document, one per line."""
    return "\n".join(p.text for p in document.paragraphs)


def docx_cells(document) -> list[str]:
    """The text of every table cell of a python-docx document, table by table, row by row."""
    return [c.text for table in document.tables for row in table.rows for c in row.cells]
