"""The domain layer: the vocabulary, yes/no, who is in post, each target's P and C, the status rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import config
from forecast.domain import definitions as defs
from forecast.domain import posts, status, vocabulary
from forecast.inputs.returns import EDUCATION as RETURN_EDUCATION
from forecast.inputs.returns import return_counts
from forecast.inputs.roster import read_roster, target_masks
from forecast.synth import people as synth_mod

TESTS = Path(__file__).parent
ROSTERS = {"demo": config.demo_dir() / "roster.csv.gz", "fixture": TESTS / "data" / "fixture_dataset" / "roster.csv"}
INDICATORS = ("T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T09a", "T09b", "T09c", "T10", "T11")


@pytest.fixture(scope="module", params=list(ROSTERS))
def roster(request) -> pd.DataFrame:
    return read_roster(ROSTERS[request.param])


# --- yes/no ---------------------------------------------------------------------------------
# The two readings the domain rule replaces, as they were: the roster check (a word list
# after slug; anything else rejected) and the engine (numbers > 0, else any text outside
# its "no" list is yes).
_OLD_ROSTER_YES = {"1", "true", "co", "x", "yes"}
_OLD_ROSTER_NO = {"0", "false", "khong", "no", ""}
_OLD_ENGINE_NO = {"", "0", "0.0", "none", "nan", "khong", "không", "false", "no"}


def old_roster(value: str) -> bool | None:
    """The roster check's answer (None: rejected)."""
    w = vocabulary.slug(value)
    return True if w in _OLD_ROSTER_YES else (False if w in _OLD_ROSTER_NO else None)


def old_engine(value) -> bool:
    num = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return bool(num > 0) if pd.notna(num) else str(value).strip().lower() not in _OLD_ENGINE_NO


# value, yes, recognised (the roster accepts it)
YES_NO = [
    ("1", True, True), ("0", False, True), ("", False, True), ("  ", False, True),
    ("x", True, True), ("X", True, True), ("Có", True, True), ("co", True, True), ("yes", True, True),
    ("TRUE", True, True), ("Không", False, True), ("KHÔNG", False, True), ("khong", False, True),
    ("No", False, True), ("false", False, True), ("+1", True, True), ("-0", False, True),
    (1, True, True), (0, False, True), (1.0, True, True), (0.0, False, True), (True, True, True),
    (False, False, True), (None, False, True), (np.nan, False, True),
    # numbers read as numbers: 0/1 spellings accepted, others rejected but counted by sign
    ("1.0", True, True), ("0.0", False, True), ("2", True, False), ("-1", False, False), (2, True, False),
    # words the engine knew as "no", now recognised by the roster too
    ("none", False, True), ("nan", False, True),
    # anything else: rejected by the roster, counted as yes by the engine
    ("đạt", True, False), ("v", True, False), ("?", False, True),
]


@pytest.mark.parametrize("value, yes, recognised", YES_NO, ids=[repr(v[0]) for v in YES_NO])
def test_one_yes_no_rule(value, yes, recognised):
    assert vocabulary.read_yes_no(value) == (yes, recognised)


#: Inputs on which the two old readings disagreed with each other; the rule sides with one.
CONFLICTS = [("-1", "roster read 1 (sign dropped by slug), engine 0: now 0 and rejected", False),
             ("Không.", "engine read yes (punctuation), roster no: now no", False),
             ("(0)", "engine read yes, roster no: now no", False)]


@pytest.mark.parametrize("value, why, yes", CONFLICTS, ids=[c[0] for c in CONFLICTS])
def test_conflicts_of_the_old_readings_are_settled(value, why, yes):
    assert old_roster(value) is not None and old_roster(value) != old_engine(value), why
    assert vocabulary.read_yes_no(value)[0] is yes


_MARKS = st.text(alphabet="01x Xyesno,.-+_()Có KhôngtruefalsNnaE", max_size=8)


@settings(max_examples=400, deadline=None)
@given(_MARKS)
def test_the_rule_keeps_the_roster_answers(value):
    """Every non-numeric mark the roster accepted keeps its answer."""
    before = old_roster(value)
    if before is None or vocabulary._number(value) is not None:
        return
    assert vocabulary.read_yes_no(value) == (before, True)


@settings(max_examples=400, deadline=None)
@given(_MARKS)
def test_the_rule_keeps_the_engine_answers(value):
    """The engine's answer is kept except for "no" words dressed in punctuation or case it missed."""
    dressed_no = vocabulary.slug(value) in vocabulary.NO_WORDS and value.strip().lower() not in _OLD_ENGINE_NO
    if dressed_no:
        assert vocabulary.read_yes_no(value)[0] is False
    else:
        assert vocabulary.read_yes_no(value)[0] == old_engine(value)


def test_flag_reads_a_column_once_per_value():
    col = pd.Series(["1", "0", None, "Có", "khong", "x", "2", "1"])
    assert vocabulary.flag(col).tolist() == [1, 0, 0, 1, 0, 1, 1, 1]
    yes, ok = vocabulary.yes_no(col)
    assert ok.tolist() == [True, True, True, True, True, True, False, True]


# --- vocabulary -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, synth_name", [
    ("CATEGORIES", "CATEGORIES"), ("LEVELS", "LEVELS"), ("LEADERS", "LEADERS"), ("EDUCATION", "EDUCATION"),
    ("POLITICAL_THEORY", "POLITICAL_THEORY"), ("STATE_MGMT", "STATE_MGMT"), ("FIELDS", "FIELDS"),
])
def test_synth_draws_from_the_vocabulary(name, synth_name):
    """The generator orders codes its own way (positions are its codes) but uses the same set."""
    assert set(getattr(synth_mod, synth_name)) == set(getattr(vocabulary, name))


def test_synth_exit_reasons_are_the_vocabulary_and_blank():
    assert set(synth_mod.EXIT_REASONS) == {"", *vocabulary.EXIT_REASONS}


def test_return_columns_list_the_education_levels_highest_first():
    assert tuple(RETURN_EDUCATION) == vocabulary.EDUCATION


@pytest.mark.parametrize("subset, of", [("UNIVERSITY_PLUS", "EDUCATION"), ("POSTGRAD", "UNIVERSITY_PLUS"),
                                        ("KEY_FIELDS", "FIELDS"), ("LEADER_POSTS", "LEADERS"),
                                        ("CBCC", "CATEGORIES"), ("SCHEDULED_EXITS", "EXIT_REASONS")])
def test_groups_of_codes_are_made_of_codes(subset, of):
    assert set(getattr(vocabulary, subset)) < set(getattr(vocabulary, of))


@pytest.mark.parametrize("column, aliases", list(vocabulary.ALIASES.items()))
def test_aliases_map_onto_codes(column, aliases):
    assert set(aliases.values()) <= set(vocabulary.ENUMS[column])


# --- in post --------------------------------------------------------------------------------

# hire, exit, reason, year -> in post on 31 October of the year
IN_POST = [
    ("no dates", None, None, "", 2024, True),
    ("hired before", "2010-01-01", None, "", 2024, True),
    ("hired on the day", "2024-10-31", None, "", 2024, True),
    ("hired after the day", "2024-11-01", None, "", 2024, False),
    ("left before", "2010-01-01", "2024-03-01", "nghi_viec", 2024, False),
    ("left on the day", "2010-01-01", "2024-10-31", "huu", 2024, False),
    ("leaves after the day", "2010-01-01", "2024-12-31", "huu", 2024, True),
    ("reason without a date", "2010-01-01", None, "huu", 2024, False),
    ("reason 'nan' from a text export", "2010-01-01", None, "nan", 2024, True),
]


@pytest.mark.parametrize("hire, exit_, reason, year, expected", [r[1:] for r in IN_POST],
                         ids=[r[0] for r in IN_POST])
def test_in_post_on_the_snapshot_day(hire, exit_, reason, year, expected):
    frame = pd.DataFrame({"hire_date": [pd.Timestamp(hire) if hire else pd.NaT],
                          "exit_date": [pd.Timestamp(exit_) if exit_ else pd.NaT],
                          "exit_reason": [reason], "year": [year]})
    assert posts.in_post(frame).tolist() == [expected]


def test_in_post_on_a_given_day_and_from_text_dates():
    frame = pd.DataFrame({"hire_date": ["2010-01-01", "2020-01-01"], "exit_date": ["2022-06-30", ""],
                          "exit_reason": ["huu", ""], "year": [2024, 2024]})
    assert posts.in_post(frame, on="2015-01-01").tolist() == [True, False]
    assert posts.in_post(frame).tolist() == [False, True]


def test_without_dates_the_exit_reason_decides():
    frame = pd.DataFrame({"exit_reason": ["", "huu", None, "None"]})
    assert posts.in_post(frame).tolist() == [True, False, True, True]
    assert posts.in_post(pd.DataFrame({"x": [1, 2]})).tolist() == [True, True]


def test_in_post_agrees_with_the_old_rules(roster):
    """The date rule of the observations and the exit-reason rule of the explorer and the
    scenarios gave the same people on the shipped rosters; the one rule gives them too."""
    snap = pd.to_datetime(roster["year"].astype(str) + "-10-31")
    by_dates = (roster["hire_date"].isna() | (roster["hire_date"] <= snap)) & \
        (roster["exit_date"].isna() | (roster["exit_date"] > snap))
    by_reason = roster["exit_reason"].fillna("").astype(str).str.strip().isin(["", "nan", "None"])
    got = posts.in_post(roster)
    assert got.equals(by_dates)
    assert got.equals(by_reason)


def test_the_snapshot_day_is_31_october():
    assert posts.snapshot_day(2025) == pd.Timestamp("2025-10-31")


# --- definitions --------------------------------------------------------------------------------
# The target table of docs/architecture.md, written out as masks on a checked roster.

def _spec(r: pd.DataFrame) -> dict:
    cbcc = r["category"].isin(["can_bo", "cong_chuc"])
    xa = r["level"] == "xa"
    uni = r["education"].isin(["dai_hoc", "thac_si", "tien_si"])
    everyone = pd.Series(True, index=r.index)
    lang, it_, std = r["foreign_language"] == 1, r["it_skill"] == 1, r["standard_training"] == 1
    return {
        "T01": (cbcc & r["level"].isin(["tinh", "huyen"]), uni),
        "T02": (r["category"] == "vien_chuc", uni),
        "T03": (cbcc & (r["in_pool"] == 1), r["political_theory"] != "none"),
        "T04": ((r["category"] == "can_bo") & xa, r["political_theory"].isin(["trung_cap", "cao_cap"])),
        "T05": ((r["key_cadre"] == 1) & xa, uni),
        "T06": (cbcc & xa, uni),
        "T07": (r["leader"] == "so", r["state_mgmt"] == "cvcc"),
        "T08": (r["leader"] == "phong", r["state_mgmt"].isin(["cvc", "cvcc"])),
        "T09": (everyone, lang & it_ & std),
        "T09a": (everyone, lang),
        "T09b": (everyone, it_),
        "T09c": (everyone, std),
        "T10": ((r["category"] == "can_bo") & xa, r["standardised"] == 1),
        "T11": (everyone, r["education"].isin(["thac_si", "tien_si"]) & (r["field"] != "khac")),
    }


def test_every_indicator_has_a_definition_in_order():
    assert tuple(defs.definitions()) == INDICATORS


@pytest.mark.parametrize("tid", INDICATORS)
def test_roster_masks_follow_the_target_table(roster, tid):
    pop, crit = defs.definition(tid).masks(roster)
    want_pop, want_crit = _spec(roster)[tid]
    assert pop.equals(want_pop)
    assert crit.equals(want_crit)
    assert pop.any()


@pytest.mark.parametrize("tid", INDICATORS)
def test_roster_masks_match_the_roster_module(roster, tid):
    pop, crit = target_masks(roster)[tid]
    assert pop.equals(defs.roster_masks(roster)[tid][0]) and crit.equals(defs.roster_masks(roster)[tid][1])


@pytest.mark.parametrize("tid, code", [("T01", "cbcc_tinh_huyen"), ("T05", "can_bo_chu_chot_cap_xa"),
                                       ("T09b", "cbccvc"), ("T11", "cbccvc")])
def test_parts_and_targets_name_their_population(tid, code):
    assert defs.definition(tid).population.code == code


@pytest.mark.parametrize("tid, kind", [("T01", "share"), ("T09c", "share"), ("T11", "count")])
def test_kind(tid, kind):
    assert defs.definition(tid).kind == kind


def test_population_filter_reads_the_engine_groups():
    groups = pd.DataFrame({"category": ["can_bo", "cong_chuc", "can_bo", "vien_chuc"],
                           "level": ["xa", "xa", "tinh", "xa"], "leader": ["none", "phong", "so", "none"],
                           "key_cadre": [1, 0, 0, 0], "in_pool": [0, 1, 1, 0]})
    assert defs.group_mask(groups, "T05").tolist() == [True, False, False, False]
    assert defs.group_mask(groups, "T06").tolist() == [True, True, False, False]
    assert defs.group_mask(groups, "T03").tolist() == [False, True, True, False]
    assert defs.group_mask(groups, "T11").tolist() == [True] * 4
    assert defs.definition("T07").population.where == {"leader": ("so",)}


def test_unknown_indicator_is_a_clear_error():
    with pytest.raises(defs.DefinitionError, match="unknown indicator 'T12'.*T09a"):
        defs.definition("T12")


@pytest.mark.parametrize("where, value, fragment", [
    ("population", "cbcc_toan_tinh", "target T02: unknown population code 'cbcc_toan_tinh'"),
    ("criterion", "thac_si", "target T02: unknown criterion code 'thac_si'"),
])
def test_unknown_code_in_the_targets_file_names_file_and_target(tmp_path, where, value, fragment):
    doc = yaml.safe_load(config.targets_file().read_text(encoding="utf-8"))
    doc["targets"][1][where]["code"] = value
    path = tmp_path / "targets.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(defs.DefinitionError) as err:
        defs.definitions(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_unknown_part_is_a_clear_error(tmp_path):
    doc = yaml.safe_load(config.targets_file().read_text(encoding="utf-8"))
    t09 = next(t for t in doc["targets"] if t["id"] == "T09")
    t09["parts"].append({"id": "T09d", "vi": "x", "en": "x"})
    path = tmp_path / "targets.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(defs.DefinitionError, match="target T09: unknown part 'T09d'"):
        defs.definitions(path)


# The engine's education states: below university, university, post-graduate in a key field,
# post-graduate in another field.
_EDU_STATES = (
    {"education": ("chua_dao_tao", "so_cap", "trung_cap", "cao_dang"), "field": vocabulary.FIELDS},
    {"education": ("dai_hoc",), "field": vocabulary.FIELDS},
    {"education": vocabulary.POSTGRAD, "field": vocabulary.KEY_FIELDS},
    {"education": vocabulary.POSTGRAD, "field": ("khac",)},
)


@pytest.mark.parametrize("code, states", [("dai_hoc_tro_len", (1, 2, 3)),
                                          ("sau_dai_hoc_linh_vuc_trong_diem", (2,))])
def test_criteria_read_on_engine_states(code, states):
    assert defs.CRITERIA[code].states_within(_EDU_STATES) == states


def test_a_state_the_criterion_splits_is_an_error():
    merged = ({"education": vocabulary.EDUCATION, "field": vocabulary.FIELDS},)
    with pytest.raises(defs.DefinitionError, match="splits state 0"):
        defs.CRITERIA["dai_hoc_tro_len"].states_within(merged)
    with pytest.raises(defs.DefinitionError, match="does not describe"):
        defs.CRITERIA["cvcc"].states_within(_EDU_STATES)


@pytest.mark.parametrize("tid, levers", [
    ("T01", ("programmes.university.capacity",)),
    ("T07", ("programmes.senior_specialist.capacity",)),
    ("T09", ("programmes.language.capacity", "programmes.it.capacity", "programmes.standard_training.capacity")),
    ("T09b", ("programmes.it.capacity",)),
    ("T11", ("programmes.postgraduate.capacity",)),
])
def test_default_levers(tid, levers):
    assert defs.definition(tid).levers == levers


def test_return_rows_and_fields_count_what_the_roster_masks_count():
    """For every unit of the demo roster, the return rows of each population and the
    numerator fields of each criterion give the roster's counts."""
    r = read_roster(ROSTERS["demo"])
    year = int(r["year"].max())
    units = r.groupby("level")["unit_code"].agg(lambda s: s.value_counts().index[0])  # the largest per level
    for unit in units:
        ru = r[(r["unit_code"] == unit) & (r["year"] == year)]
        counts = return_counts(r, unit, year)
        for tid, d in defs.definitions().items():
            den = num = 0
            for sheet, rows in d.population.return_rows:
                for code, c in counts.get(sheet, {}).items():
                    if rows is None or code in rows:
                        den += c["total"]
                        num += sum(c[f] for f in d.criterion.return_fields)
            pop, crit = d.masks(ru)
            assert (den, num) == (int(pop.sum()), int((pop & crit).sum())), (unit, tid)


# --- status ------------------------------------------------------------------------------------

# p_meet, achieved, pace, acceleration, p_required -> code
STATUS = [
    ("achieved wins", 0.1, True, None, None, 0.5, "achieved"),
    ("at the bar", 0.5, False, None, None, 0.5, "on_track"),
    ("below, moving, feasible", 0.49, False, 1.0, 2.0, 0.5, "acceleration_needed"),
    ("below, moving, at the multiple", 0.2, False, 1.0, 3.0, 0.5, "acceleration_needed"),
    ("below, moving too slowly", 0.2, False, 1.0, 3.01, 0.5, "off_track"),
    ("below, not moving", 0.2, False, 0.0, None, 0.5, "off_track"),
    ("below, moving, no ratio (T11)", 0.2, False, 2.0, None, 0.5, "acceleration_needed"),
    ("no probability", None, False, None, None, 0.5, "off_track"),
    ("explorer's bar above", 0.7, False, None, None, 0.8, "off_track"),
    ("explorer's bar met", 0.8, False, None, None, 0.8, "on_track"),
]


@pytest.mark.parametrize("p, achieved, pace, accel, req, code", [s[1:] for s in STATUS], ids=[s[0] for s in STATUS])
def test_one_status_rule(p, achieved, pace, accel, req, code):
    got = status.status(p, achieved=achieved, observed_pace=pace, acceleration=accel, p_required=req)
    assert got.code == code and got.code in status.STATUSES


@pytest.mark.parametrize("req, vi, en", [(0.5, "50%", "50%"), (0.8, "80%", "80%"), (0.825, "82,5%", "82.5%")])
def test_the_rule_states_the_probability_required(req, vi, en):
    got = status.status(0.1, p_required=req)
    assert vi in got.rule("vi") and en in got.rule("en") and "3 times" in got.rule_en


def test_reports_keep_their_threshold():
    assert status.ON_TRACK_P == 0.5 and status.OFF_TRACK_MULTIPLE == 3.0
