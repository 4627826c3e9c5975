"""One verdict per target: the meeting rule, the choice between trend and engine, scenarios as changes.

Specifications, as tables: when a share meets a target under each meeting rule (and that the
trend, the engine and the targets file agree on it); which component gives the headline for
each hindcast; scenarios stated against the headline in Vietnamese and English; why a count
fell and why 100 % is out of reach, read from the data; one probability column on the summary.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_results

from forecast import config
from forecast.domain.targets import (
    MeetingRule,
    TargetsFileError,
    default_meeting_rule,
    get_target,
    load_targets,
    read_targets,
)
from forecast.reports import notebook as nbk
from forecast.reports import verdict_page
from forecast.reports.html import target_summary
from forecast.results import Forecast
from forecast.stockflow.projection import Projection
from forecast.verdict import falls, record, wording
from forecast.verdict.attainment import met_threshold, progress_status
from forecast.verdict.changes import ScenarioChange, scenario_change
from forecast.verdict.verdict import (
    ENGINE,
    TREND,
    Component,
    HindcastScore,
    choose,
    decide,
    engine_passes,
    scores_from_hindcast,
)

# ---------------------------------------------------------------------------
# the meeting rule
# ---------------------------------------------------------------------------
RULE_TABLE = [  # rule, threshold %, numerator, denominator, met?
    (MeetingRule("exact"), 95, 950, 1000, True),
    (MeetingRule("exact"), 95, 949, 1000, False),
    (MeetingRule("exact"), 100, 999, 1000, False),
    (MeetingRule("exact"), 100, 1000, 1000, True),
    (MeetingRule("rounded", 0), 100, 995, 1000, True),     # 99.5 % rounds to 100 %
    (MeetingRule("rounded", 0), 100, 994, 1000, False),    # 99.4 % rounds to 99 %
    (MeetingRule("rounded", 0), 95, 945, 1000, True),
    (MeetingRule("rounded", 0), 95, 944, 1000, False),
    (MeetingRule("rounded", 1), 100, 9995, 10000, True),   # 99.95 % rounds to 100.0 %
    (MeetingRule("rounded", 1), 100, 9994, 10000, False),
    (MeetingRule("rounded", 2), 40, 39995, 100000, True),
    (MeetingRule("exact"), 95, 0, 0, False),               # an empty population never meets a target
]


@pytest.mark.parametrize(("rule", "threshold", "num", "den", "met"), RULE_TABLE)
def test_a_share_meets_the_rule_in_whole_people(rule, threshold, num, den, met):
    assert bool(rule.meets_counts(num, den, threshold)) is met
    if den:  # the share cut the trend uses says the same
        assert (num / den >= rule.cut(threshold) - 1e-12) is met


@pytest.mark.parametrize(("kind", "threshold", "expected"), [
    ("share", 100, MeetingRule("rounded", 0)),
    ("share", 95, MeetingRule("exact")),
    ("share", 40, MeetingRule("exact")),
    ("count_direction", None, MeetingRule("rising")),
])
def test_default_rule(kind, threshold, expected):
    assert default_meeting_rule(kind, threshold) == expected


@pytest.mark.parametrize("target", load_targets(), ids=lambda t: t.id)
def test_every_target_states_its_rule_and_every_model_uses_it(target):
    assert target.meeting_rule is not None and target.meeting == target.meeting_rule
    assert met_threshold(target) == target.met_share                # trend attainment
    if target.threshold is None:
        assert target.meeting.rule == "rising" and target.met_share is None
    else:
        assert target.met_share == pytest.approx(target.meeting.cut(target.threshold))


BAD_RULES = [
    ({"rule": "roughly"}, "meeting_rule.rule must be one of"),
    ({"rule": "rounded"}, "decimals must be a whole number"),
    ({"rule": "rounded", "decimals": 5}, "decimals must be a whole number"),
    ({"rule": "exact", "decimals": 1}, "applies to a 'rounded' rule only"),
    ({"rule": "rising"}, "does not fit a target of kind 'share'"),
    ({"rule": "exact", "digits": 1}, "unknown key(s) digits"),
    ("exact", "must be a mapping"),
]


@pytest.mark.parametrize(("value", "message"), BAD_RULES)
def test_a_bad_meeting_rule_is_named_with_file_and_target(tmp_path, value, message):
    doc = yaml.safe_load(config.targets_file().read_text(encoding="utf-8"))
    doc["targets"][1]["meeting_rule"] = value                      # T02
    doc["targets"][10]["meeting_rule"] = {"rule": "exact"}          # T11 too: every problem at once
    path = tmp_path / "targets.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TargetsFileError) as err:
        read_targets(path)
    assert message in str(err.value) and "target #2 (T02)" in str(err.value)
    assert "target #11 (T11)" in str(err.value)


def _projection(target_id: str, num: int, den: int) -> Projection:
    years = np.array([2030])
    return Projection(scenario="test", years=years, start_year=2029,
                      numerators={target_id: np.array([[num]])}, denominators={target_id: np.array([[den]])},
                      start={target_id: (num, den)}, enrolments=pd.DataFrame(), flows=pd.DataFrame())


@pytest.mark.parametrize(("target_id", "num", "den", "p"), [
    ("T03", 995, 1000, 1.0),    # rounded to whole percent: 99.5 % is 100 %
    ("T03", 994, 1000, 0.0),
    ("T01", 950, 1000, 1.0),    # exact: 95 %
    ("T01", 949, 1000, 0.0),
])
def test_the_engine_uses_the_meeting_rule(target_id, num, den, p):
    assert _projection(target_id, num, den).p_meet(target_id) == p


# ---------------------------------------------------------------------------
# the choice between trend and engine
# ---------------------------------------------------------------------------
def score(cov=0.8, eng=1.0, tr=1.0, n=20) -> HindcastScore:
    return HindcastScore("T01", engine_mae=eng, trend_mae=tr, engine_coverage80=cov, n_scored=n)


TREND_C = Component(TREND, 0.58, 0.954, 0.89, 0.98, "default")
ENGINE_C = Component(ENGINE, 0.99, 0.97, 0.96, 0.98, "stockflow:baseline")

CHOICES = [  # trend, engine, score, source, reason
    (TREND_C, ENGINE_C, score(), ENGINE, "engine_passed"),
    (TREND_C, ENGINE_C, score(eng=1.2, tr=1.0), ENGINE, "engine_passed"),          # at the bar
    (TREND_C, ENGINE_C, score(eng=1.25, tr=1.0), TREND, "engine_mae"),
    (TREND_C, ENGINE_C, score(cov=0.5), TREND, "engine_coverage"),                  # over-confident
    (TREND_C, ENGINE_C, score(cov=0.97), TREND, "engine_coverage"),                 # too wide
    (TREND_C, ENGINE_C, score(n=2), TREND, "engine_too_few"),
    (TREND_C, ENGINE_C, None, TREND, "no_hindcast"),
    (TREND_C, ENGINE_C, score(tr=None), TREND, "no_hindcast"),
    (TREND_C, None, score(), TREND, "no_engine"),
    (None, ENGINE_C, score(), ENGINE, "engine_passed"),
    (None, ENGINE_C, score(cov=0.3), None, "no_trend"),
    (None, None, None, None, "no_component"),
]


@pytest.mark.parametrize(("trend", "engine", "sc", "source", "reason"), CHOICES)
def test_which_component_gives_the_headline(trend, engine, sc, source, reason):
    assert choose(trend, engine, sc) == (source, reason)
    v = decide("T01", trend, engine, sc, observed_pace=0.5, acceleration=0.6)
    assert v.source == source and v.reason == reason
    chosen = {TREND: trend, ENGINE: engine}.get(source)
    assert v.p_meet == (None if chosen is None else chosen.p_meet)
    assert v.components == {c.source: c for c in (trend, engine) if c is not None}  # both kept


@pytest.mark.parametrize(("p", "achieved", "pace", "acc", "status"), [
    (0.58, False, 0.5, 0.6, "on_track"),
    (0.30, False, 0.5, 2.0, "acceleration_needed"),
    (0.30, False, 0.5, 4.0, "off_track"),
    (0.30, False, -0.1, None, "off_track"),
    (0.01, True, 0.5, None, "achieved"),
])
def test_the_status_is_the_one_rule_applied_to_the_headline(p, achieved, pace, acc, status):
    assert progress_status(p, achieved=achieved, observed_pace=pace, acceleration=acc) == status
    trend = Component(TREND, p)
    assert decide("T01", trend, None, None, achieved=achieved, observed_pace=pace, acceleration=acc).status == status


def test_no_component_means_insufficient_data():
    assert decide("T01", None, None, None).status == "insufficient_data"


def test_scores_are_read_from_the_hindcast_document():
    doc = {"by_target": [
        {"model": "engine", "target": "T08", "n": 15, "mae": 1.1, "cover80": 0.8, "cover95": 0.93},
        {"model": "trend", "target": "T08", "n": 15, "mae": 2.2, "cover80": 0.7, "cover95": 0.9},
        {"model": "engine", "target": "T02", "n": 15, "mae": 1.0, "cover80": 0.8},   # no trend score
    ]}
    got = scores_from_hindcast(doc)
    assert set(got) == {"T08"}
    assert got["T08"].mae_ratio == pytest.approx(0.5) and got["T08"].n_scored == 15
    assert engine_passes(got["T08"]) == (True, "engine_passed")


# ---------------------------------------------------------------------------
# scenarios as changes
# ---------------------------------------------------------------------------
YEARS = np.arange(2026, 2031)


def fc(values, n=200, spread=0.0, seed=0, kind="share") -> Forecast:
    rng = np.random.default_rng(seed)
    draws = np.asarray(values, dtype=float)[None, :] + spread * rng.standard_normal((n, 1))
    return Forecast(YEARS, draws, method="test", kind=kind)


def test_an_engine_headline_takes_the_engine_scenario_as_it_is():
    t = get_target("T01")
    v = decide("T01", TREND_C, ENGINE_C, score())
    ch = scenario_change(v, t, "accelerated", trend=fc(np.full(5, 0.9)), engine_baseline=fc(np.full(5, 0.97)),
                         engine_scenario=fc(np.full(5, 0.98)), p_engine_scenario=1.0)
    assert (ch.p_from, ch.p_to, ch.method) == (0.99, 1.0, ENGINE)
    assert ch.median_to == pytest.approx(0.98)


@pytest.mark.parametrize(("effect", "p_to"), [(0.0, 0.5), (0.02, 1.0), (-0.02, 0.0)])
def test_a_trend_headline_moves_by_the_engine_effect(effect, p_to):
    t = get_target("T01")  # 95 %, exact
    trend = Forecast(YEARS, np.vstack([np.full((50, 5), 0.96), np.full((50, 5), 0.94)]), method="t", kind="share")
    v = decide("T01", Component(TREND, 0.5, 0.95), ENGINE_C, None)
    base = fc(np.full(5, 0.90))
    ch = scenario_change(v, t, "s", trend=trend, engine_baseline=base, engine_scenario=fc(np.full(5, 0.90 + effect)),
                         p_engine_scenario=None)
    assert ch.method == "shifted_trend" and ch.p_from == 0.5
    assert ch.p_to == pytest.approx(p_to)                     # no effect gives the headline back
    assert ch.median_to == pytest.approx(0.95 + effect)


@pytest.mark.parametrize(("cap", "p_to"), [(None, 1.0), (0.989, 0.0)])
def test_a_ceiling_left_by_unqualified_recruits_holds_in_every_scenario(cap, p_to):
    t = get_target("T04")  # 100 %, met at 99.5 %
    v = decide("T04", Component(TREND, 0.0, 0.97), None, None)
    ch = scenario_change(v, t, "s", trend=fc(np.full(5, 0.97)), engine_baseline=fc(np.full(5, 0.9)),
                         engine_scenario=fc(np.full(5, 0.94)), p_engine_scenario=None, cap=cap)
    assert ch.p_to == p_to
    assert ch.median_to == pytest.approx(1.0 if cap is None else cap)


def test_a_count_scenario_is_judged_by_rising_every_year():
    t = get_target("T11")
    trend = fc(np.array([250, 250, 250, 250, 250.0]), kind="count")   # flat: never rising
    v = decide("T11", Component(TREND, 0.0, 250.0), None, None)
    up = fc(np.array([10, 20, 30, 40, 50.0]), kind="count")
    ch = scenario_change(v, t, "s", trend=trend, engine_baseline=fc(np.zeros(5), kind="count"), engine_scenario=up,
                         p_engine_scenario=None, latest_value=253.0)
    assert ch.p_to == 1.0 and ch.kind == "count"


SENTENCES = [
    (ScenarioChange("a", 2030, "share", 0.58, 0.84, 0.957, 0.971, "engine"), "vi",
     "đào tạo tăng tốc: xác suất đạt từ 58% lên 84%; năm 2030: 95,7% → 97,1%"),
    (ScenarioChange("a", 2030, "share", 0.58, 0.84, 0.957, 0.971, "engine"), "en",
     "đào tạo tăng tốc: chance of meeting from 58% to 84%; 2030: 95.7% → 97.1%"),
    (ScenarioChange("a", 2030, "share", 0.58, 0.31, 0.957, 0.949, "engine"), "vi",
     "đào tạo tăng tốc: xác suất đạt từ 58% xuống 31%; năm 2030: 95,7% → 94,9%"),
    (ScenarioChange("a", 2030, "share", 0.001, 0.002, 0.5, 0.51, "engine"), "vi",
     "đào tạo tăng tốc: xác suất đạt giữ ở < 1%; năm 2030: 50,0% → 51,0%"),
    (ScenarioChange("a", 2030, "count", 0.21, 0.64, 305.2, 1369.7, "shifted_trend"), "vi",
     "đào tạo tăng tốc: xác suất đạt từ 21% lên 64%; năm 2030: 305 → 1.370"),
]


@pytest.mark.parametrize(("change", "lang", "expected"), SENTENCES)
def test_scenario_sentences(change, lang, expected):
    got = wording.scenario_sentence(change, "đào tạo tăng tốc", lang)
    assert got == unicodedata.normalize("NFC", expected)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("target", load_targets(), ids=lambda t: t.id)
def test_every_target_page_states_its_rule(target, lang):
    text = wording.meeting_rule(target, lang)
    assert text.startswith("Quy tắc đạt" if lang == "vi" else "Meeting rule")
    if target.meeting.rule == "rounded":
        assert ("99,5%" if lang == "vi" else "99.5%") in text
    if target.meeting.rule == "rising":
        assert "2030" in text


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("sc", "engine", "trend"), [(score(), ENGINE_C, TREND_C), (score(cov=0.4), ENGINE_C, TREND_C),
                                                     (None, ENGINE_C, TREND_C), (None, None, TREND_C),
                                                     (score(n=1), ENGINE_C, TREND_C), (None, None, None)])
def test_the_page_says_where_the_probability_comes_from(sc, engine, trend, lang):
    v = decide("T01", trend, engine, sc)
    text = wording.source(v, lang)
    model = {ENGINE: ("dòng nhân lực", "stock-flow"), TREND: ("xu hướng", "trend")}.get(v.source)
    if model:
        assert model[0 if lang == "vi" else 1] in text.split(":")[0]
    if sc is not None and v.reason != "no_hindcast":
        assert ("kiểm định" if lang == "vi" else "hindcast") in text


# ---------------------------------------------------------------------------
# a count that fell, a 100 % out of reach
# ---------------------------------------------------------------------------
def test_falls_are_read_from_the_series():
    s = pd.DataFrame({"year": [2022, 2023, 2024, 2025], "value": [247, 257, 274, 253]})
    assert falls.falls(s) == [falls.Fall(2024, 2025, 274.0, 253.0)]
    assert falls.falls(s.iloc[:3]) == []


def _flows(rows):
    return pd.DataFrame(rows, columns=["year", "category", "level", "flow", "count"])


def test_the_unusual_flows_of_the_fall_year_are_named():
    rows = [(y, "cong_chuc", "tinh", "exit_huu", 100) for y in range(2020, 2026)]
    rows += [(2025, "cong_chuc", "tinh", "exit_nd178", 40), (2025, "vien_chuc", "tinh", "exit_nd178", 20),
             (2025, "cong_chuc", "tinh", "exit_nghi_viec", 11), (2024, "x", "y", "masters", 300),
             (2025, "x", "y", "masters", 290)]
    rows += [(y, "cong_chuc", "tinh", "exit_nghi_viec", 10) for y in range(2020, 2025)]
    flows = _flows(rows)
    got = falls.unusual_flows(flows, 2025)
    assert got == [falls.UnusualFlow("exit_nd178", 60.0, 0.0)]   # retirements as usual, resignations +10 %
    assert falls.stock_change(flows, "masters", 2025) == (300.0, 290.0)
    text = wording.fall_sentence(falls.Fall(2024, 2025, 274, 253), got, (300.0, 290.0), "vi")
    assert "274 (2024) xuống 253 (2025)" in text and "Nghị định 178" in text and "300 → 290" in text
    assert falls.unusual_flows(None, 2025) == []


def _roster(hire_years, criteria, population=None):
    n = len(hire_years)
    r = pd.DataFrame({
        "person_id": [f"P{i}" for i in range(n)], "category": "can_bo", "level": "xa", "leader": "none",
        "key_cadre": 0, "in_pool": 0, "education": "dai_hoc", "field": "khac",
        "political_theory": ["trung_cap" if c else "none" for c in criteria], "state_mgmt": "cv",
        "foreign_language": 1, "it_skill": 1, "standard_training": 1, "standardised": 1,
        "hire_date": pd.to_datetime([f"{y}-01-01" for y in hire_years]), "exit_date": pd.NaT, "year": 2025})
    return r


@pytest.mark.parametrize(("hires", "criteria", "without", "ceiling"), [
    ([2010] * 97 + [2024] * 3, [True] * 97 + [False] * 3, 3, 0.99),       # 1 a year in 100: ≤ 99 %
    ([2010] * 97 + [2024] * 3, [True] * 100, 0, 1.0),
])
def test_recruits_without_the_criterion_cap_the_share(hires, criteria, without, ceiling):
    gap = falls.recruit_gap(_roster(hires, criteria), "T04")
    assert (gap.recruits, gap.without, gap.population) == (3, without, 100)
    assert gap.ceiling == pytest.approx(ceiling)
    t = get_target("T04")
    low = decide("T04", Component(TREND, 0.0), None, None)
    assert wording.is_unreachable(low, gap, t) is (without > 0)
    assert wording.is_unreachable(replace(low, p_meet=0.2), gap, t) is False
    if without:
        assert wording.headline_probability(low, "vi", True) == "không đạt được khi còn tuyển người chưa đạt chuẩn"
        assert "99,0%" in wording.unreachable(gap, t, "vi")


# ---------------------------------------------------------------------------
# the pages
# ---------------------------------------------------------------------------
@pytest.fixture
def verdict_results():
    """The hand-made results with a verdict per target; the engine passes its hindcast for T01 only."""
    res = make_results()
    for o in res.targets:
        t = get_target(o.id)
        runs = dict(o.scenarios)
        base = runs["baseline"]["forecast"]
        runs["faster"] = {"forecast": Forecast(base.years, base.draws + (0.02 if o.kind == "share" else 5),
                                               method="stockflow:faster", kind=o.kind), "p_meet": 0.9}
        sc = score() if o.id == "T01" else None
        o.scenarios = runs
        o.verdict = record.build(t, o.attainment, o.forecast, runs, sc, series=o.series)
    res.scenarios = [*res.scenarios, {"name": "faster", "label": {"vi": "Nhanh hơn", "en": "Faster"}}]
    return res


@pytest.fixture
def shown(monkeypatch):
    out: list[str] = []
    monkeypatch.setattr(nbk, "display", lambda obj: out.append(obj.data))
    monkeypatch.setattr(verdict_page, "display", lambda obj: out.append(obj.data))
    return out


@pytest.mark.parametrize(("lang", "word"), [("vi", "Xác suất"), ("en", "Chance")])
def test_the_summary_page_has_one_probability_column(verdict_results, shown, lang, word):
    nbk.summary_table(verdict_results, lang)
    page = "".join(shown)
    heads = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert sum(word.lower() in h.lower() or "probab" in h.lower() for h in heads) == 1
    t01 = re.search(r"<td[^>]*>T01</td>(.*?)</tr>", page).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", t01)
    v = verdict_results.target("T01").verdict.verdict
    assert v.source == ENGINE
    assert wording.probability(v.p_meet, lang).replace("<", "&lt;").replace(">", "&gt;") in cells
    assert wording.rule_statement(lang).split(".")[0] in page.replace("&#x27;", "'")


def test_summary_json_keeps_the_components(verdict_results):
    row = target_summary(verdict_results.target("T01"))
    assert row["p_meet"] == row["verdict"]["p_meet"] and row["p_meet_source"] == ENGINE
    assert set(row["verdict"]["components"]) == {TREND, ENGINE}
    assert row["p_meet_trend"] == verdict_results.target("T01").attainment["p_meet"]
    assert "faster" in row["verdict"]["scenario_changes"]
    row2 = target_summary(verdict_results.target("T02"))
    assert row2["p_meet_source"] == TREND and row2["verdict"]["reason"] == "no_hindcast"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_target_page_shows_rule_source_and_scenarios_as_changes(verdict_results, shown, lang):
    verdict_page.target_verdict(verdict_results, "T02", lang)
    page = "".join(shown)
    assert wording.meeting_rule(get_target("T02"), lang) in page
    assert ("chưa có kết quả kiểm định" if lang == "vi" else "no hindcast") in page
    assert ("Nhanh hơn: xác suất đạt" if lang == "vi" else "Faster: chance of meeting") in page


def test_the_record_of_a_count_that_fell_names_the_flows_and_is_json_ready():
    t = get_target("T11")
    series = pd.DataFrame({"year": [2022, 2023, 2024, 2025], "value": [247.0, 257.0, 274.0, 253.0]})
    flows = _flows([(y, "cong_chuc", "tinh", "exit_huu", 100) for y in range(2020, 2026)]
                   + [(2025, "cong_chuc", "tinh", "exit_nd178", 60)])
    att = {"p_meet": 0.2, "status": "acceleration_needed", "latest_value": 253.0, "median_2030": 300.0,
           "observed_pace_pp": 7.0}
    rec = record.build(t, att, fc(np.full(5, 300.0), kind="count"), {}, None, series=series, flows=flows)
    assert rec.verdict.source == TREND and rec.verdict.reason == "no_engine"
    assert rec.fall == falls.Fall(2024, 2025, 274.0, 253.0)
    assert [c.flow for c in rec.causes] == ["exit_nd178"]
    d = json.loads(json.dumps(rec.to_dict()))
    assert d["fall"]["causes"][0]["count"] == 60.0 and d["p_meet"] == 0.2
