"""What changed since last year (issue 16, item 4): the comparison of two report sets and its section.

The rule (:mod:`forecast.verdict.yearchange`) is tested on hand-made summary documents, one
table per question: did a target move, what is the main reason, which inputs are refused.
The run's side (:mod:`forecast.reports.yearchange`) is tested on files in a temporary output
folder, and the annual run's own report set (the session's :func:`annual_run`) shows the
section and records the block in ``summary.json``.
"""

import copy
import html
import json

import pytest
from conftest import make_results
from vietnamese_text import english_words, page_text

from forecast import i18n
from forecast.domain.targets import load_targets
from forecast.reports import html as report
from forecast.reports import notebook as nbk
from forecast.reports import yearchange as run_changes
from forecast.verdict import yearchange as yc

# --- hand-made summary documents ----------------------------------------------------------------

BASE_DEF = {"population": "cbcc_xa", "criterion": "dai_hoc_tro_len", "threshold": 95, "year": 2030,
            "kind": "share", "meeting_rule": {"rule": "exact", "decimals": None}, "break_year": None}


def _row(tid="T06", status="on_track", p=0.6, **extra):
    row = {"id": tid, "kind": "share", "threshold": 0.95, "target_year": 2030, "latest_year": 2024,
           "status": status, "p_meet": p, "p_meet_source": "trend", "method": "default"}
    row.update(extra)
    return row


def _doc(as_of, rows, definitions=None, data="aaa"):
    doc = {"as_of": as_of, "targets": rows, "provenance": {"inputs_sha256": {
        "dataset/observations.csv": data, "data/targets.yml": "t"}}}
    if definitions is not None:
        doc["target_definitions"] = definitions
    return doc


def _pair(prev_row=None, cur_row=None, *, prev_as_of=2024, as_of=2025, prev_def=None, cur_def=None,
          prev_data="aaa", cur_data="aaa"):
    """Two documents of one target T06 (definitions recorded in both unless given as False)."""
    prev_def = {"T06": dict(BASE_DEF)} if prev_def is None else prev_def
    cur_def = {"T06": dict(BASE_DEF)} if cur_def is None else cur_def
    return (_doc(prev_as_of, [prev_row or _row()], prev_def or None, prev_data),
            _doc(as_of, [cur_row or _row()], cur_def or None, cur_data))


# --- did a target move? -------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after", "change"), [
    (("on_track", 0.60), ("on_track", 0.62), "none"),            # 2 points: noise
    (("on_track", 0.60), ("on_track", 0.649), "none"),           # just under 5 points
    (("on_track", 0.60), ("on_track", 0.65), "probability"),     # exactly 5 points counts
    (("on_track", 0.80), ("on_track", 0.75), "probability"),     # down by 5 points (float rounding)
    (("on_track", 0.90), ("on_track", 0.20), "probability"),
    (("on_track", 0.52), ("acceleration_needed", 0.49), "status"),  # 3 points, but the status changed
    (("off_track", None), ("off_track", 0.30), "probability"),   # a probability appeared
    (("insufficient_data", None), ("insufficient_data", None), "none"),
])
def test_a_target_moves_when_its_status_changes_or_its_probability_moves_five_points(before, after, change):
    prev, cur = _pair(_row(status=before[0], p=before[1]), _row(status=after[0], p=after[1], latest_year=2025))
    (row,) = yc.compare(prev, cur).targets
    assert row.change == change
    assert row.moved is (change != "none")
    assert (row.reason is None) is (change == "none") and (row.causes == ()) is (change == "none")


def test_the_row_keeps_both_sets_numbers_and_the_difference():
    prev, cur = _pair(_row(status="off_track", p=0.25), _row(status="on_track", p=0.70))
    (row,) = yc.compare(prev, cur).targets
    assert (row.status_from, row.status_to, row.p_from, row.p_to) == ("off_track", "on_track", 0.25, 0.70)
    assert row.delta_p == pytest.approx(0.45)
    assert row.to_dict()["delta_p"] == pytest.approx(0.45)


@pytest.mark.parametrize(("prev_ids", "cur_ids", "expected"), [
    (["T06"], ["T06", "T12"], {"T06": "none", "T12": "added"}),
    (["T06", "T11"], ["T06"], {"T06": "none", "T11": "removed"}),
])
def test_a_target_in_one_set_only_moved_by_a_definition_change(prev_ids, cur_ids, expected):
    prev = _doc(2024, [_row(t) for t in prev_ids])
    cur = _doc(2025, [_row(t) for t in cur_ids])
    comparison = yc.compare(prev, cur)
    assert {c.target_id: c.change for c in comparison.targets} == expected
    one_side = [c for c in comparison.targets if c.change in ("added", "removed")]
    assert [(c.moved, c.reason) for c in one_side] == [(True, "definition_change")]
    assert comparison.moved == one_side


def test_the_current_order_comes_first_then_what_only_the_previous_set_had():
    prev = _doc(2024, [_row("T02"), _row("T01"), _row("T03")])
    cur = _doc(2025, [_row("T01"), _row("T02"), _row("T04")])
    assert [c.target_id for c in yc.compare(prev, cur).targets] == ["T01", "T02", "T04", "T03"]


# --- the main reason ----------------------------------------------------------------------------

MOVE = {"prev_row": _row(status="off_track", p=0.20), "cur_row": _row(status="on_track", p=0.70)}


def _moved_rows(**changes):
    """The moving T06 rows with ``changes`` applied to the current row."""
    return {"prev_row": dict(MOVE["prev_row"]), "cur_row": {**MOVE["cur_row"], **changes}}


@pytest.mark.parametrize(("case", "reason", "causes"), [
    ({**MOVE}, "method_change", ("method_change",)),                         # same data, same definition
    ({**_moved_rows(latest_year=2025)}, "new_data", ("new_data",)),
    ({**MOVE, "cur_data": "bbb"}, "new_data", ("new_data",)),                 # revised returns, same years
    ({**_moved_rows(p_meet_source="engine")}, "method_change", ("method_change",)),
    ({**_moved_rows(method="stockflow:baseline", latest_year=2025)}, "method_change",
     ("method_change", "new_data")),
    ({**MOVE, "cur_def": {"T06": {**BASE_DEF, "population": "cbcc_xa_moi"}}}, "definition_change",
     ("definition_change",)),
    ({**MOVE, "cur_def": {"T06": {**BASE_DEF, "meeting_rule": {"rule": "rounded", "decimals": 0}}}},
     "definition_change", ("definition_change",)),
    ({**_moved_rows(threshold=0.9), "prev_def": False, "cur_def": False}, "definition_change",
     ("definition_change",)),                                                # old sets: the rows' threshold
    ({**MOVE, "prev_def": False}, "method_change", ("method_change",)),      # one side unrecorded: rows agree
    ({**_moved_rows(latest_year=2025), "cur_def": {"T06": {**BASE_DEF, "break_year": 2025}},
      "prev_def": {"T06": {**BASE_DEF, "break_year": 2025}}}, "reorganisation", ("reorganisation", "new_data")),
    ({**MOVE, "cur_def": {"T06": {**BASE_DEF, "break_year": 2025}}, "prev_def": False}, "reorganisation",
     ("reorganisation",)),                                                   # a set from before the records
    ({**_moved_rows(latest_year=2026), "prev_as_of": 2025, "as_of": 2026,   # the break is behind both sets
      "cur_def": {"T06": {**BASE_DEF, "break_year": 2025}}, "prev_def": {"T06": {**BASE_DEF, "break_year": 2025}}},
     "new_data", ("new_data",)),
    ({**MOVE, "prev_as_of": 2023, "as_of": 2025,                            # two years apart, the break between
      "cur_def": {"T06": {**BASE_DEF, "break_year": 2025}}, "prev_def": {"T06": {**BASE_DEF, "break_year": 2025}}},
     "reorganisation", ("reorganisation",)),
    ({**MOVE, "cur_def": {"T06": {**BASE_DEF, "criterion": "thac_si", "break_year": 2025}},
      "prev_def": {"T06": {**BASE_DEF, "break_year": 2025}}}, "definition_change",
     ("definition_change", "reorganisation")),                               # both: the definition first
])
def test_the_main_reason_is_the_first_rule_that_holds(case, reason, causes):
    prev, cur = _pair(**case)
    (row,) = yc.compare(prev, cur).targets
    assert row.moved
    assert (row.reason, row.causes) == (reason, causes)


def test_a_target_that_did_not_move_has_no_reason_even_when_its_inputs_changed():
    prev, cur = _pair(_row(p=0.60), _row(p=0.61, latest_year=2025), cur_data="bbb")
    (row,) = yc.compare(prev, cur).targets
    assert (row.moved, row.reason, row.causes) == (False, None, ())


# --- what the comparison refuses ----------------------------------------------------------------

@pytest.mark.parametrize(("prev", "cur", "messages"), [
    ([], _doc(2025, [_row()]), ["previous summary: not a JSON object"]),
    ({"targets": [_row()]}, _doc(2025, [_row()]), ["previous summary: 'as_of' must be a whole year"]),
    (_doc("2024", [_row()]), _doc(2025, [_row()]), ["'as_of' must be a whole year, got '2024'"]),
    (_doc(2024, [_row()]), {"as_of": 2025, "targets": {"T06": {}}}, ["current summary: 'targets' must be a list"]),
    (_doc(2024, [_row(), {"status": "on_track"}]), _doc(2025, [_row()]),
     ["previous summary: targets[1] has no target id"]),
    ({"targets": "x"}, {"as_of": True, "targets": [{"id": 6}]},             # every problem at once
     ["previous summary: 'as_of'", "previous summary: 'targets'", "current summary: 'as_of'",
      "current summary: targets[0] has no target id"]),
])
def test_a_document_that_cannot_be_compared_is_refused_with_every_problem(prev, cur, messages):
    with pytest.raises(yc.YearChangeError) as err:
        yc.compare(prev, cur)
    for message in messages:
        assert message in str(err.value)


def test_the_definitions_record_what_each_target_counts():
    defs = yc.target_definitions(load_targets())
    assert list(defs) == [t.id for t in load_targets()]
    assert defs["T01"]["break_year"] == 2025 and defs["T02"]["break_year"] is None
    assert defs["T11"]["meeting_rule"]["rule"] == "rising" and defs["T11"]["threshold"] is None
    assert set(defs["T06"]) == set(yc.DEFINITION_FIELDS)


# --- the run's side: the previous set in the output folder ---------------------------------------

def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(("folders", "as_of", "expected"), [
    (["2023", "2024"], 2025, "2024"),
    (["2023", "2024", "2025"], 2025, "2024"),             # the set this run replaces is not compared with
    (["2022", "2024/no-summary", "failed-2024", ".tmp-2024-7"], 2025, "2022"),
    (["2026"], 2025, None),
    ([], 2025, None),
])
def test_the_previous_set_is_the_newest_earlier_year_with_a_summary(tmp_path, folders, as_of, expected):
    for name in folders:
        if name.endswith("/no-summary"):
            (tmp_path / name.split("/")[0]).mkdir()
        else:
            _write(tmp_path / name / "summary.json", {"as_of": 0, "targets": []})
    found = run_changes.previous_summary_file(tmp_path, as_of)
    assert found == (None if expected is None else tmp_path / expected / "summary.json")


def test_no_output_folder_yet_means_no_previous_set(tmp_path):
    assert run_changes.previous_summary_file(tmp_path / "not-yet", 2025) is None


@pytest.fixture(scope="module")
def results_2025():
    return make_results(as_of=2025)


@pytest.fixture(scope="module")
def last_year(results_2025):
    """The previous set's summary: this run's, as of 2024, with T01 off track, T02 lower, T07 new data."""
    doc = json.loads(json.dumps(run_changes.current_document(results_2025)))
    doc["as_of"] = 2024
    rows = {r["id"]: r for r in doc["targets"]}
    rows["T01"].update(status="off_track", p_meet=0.05)         # T01's population was redrawn in 2025
    rows["T02"].update(p_meet=max(0.0, (rows["T02"]["p_meet"] or 0) - 0.2), latest_year=2024)
    rows["T07"].update(p_meet=min(1.0, (rows["T07"]["p_meet"] or 0) + 0.1), latest_year=2024)
    return doc


def test_the_run_compares_with_the_previous_set_and_summary_json_keeps_it(tmp_path, results_2025, last_year):
    _write(tmp_path / "2024" / "summary.json", last_year)
    changes = run_changes.for_run(results_2025, tmp_path)
    moved = {r["target_id"]: r["reason"] for r in changes["targets"] if r["moved"]}
    assert moved == {"T01": "reorganisation", "T02": "new_data", "T07": "new_data"}
    assert changes["previous_as_of"] == 2024 and changes["as_of"] == 2025 and changes["moved"] == list(moved)
    results = copy.copy(results_2025)
    results.year_changes = changes
    data = report.summary(results, report.provenance(results, started="", finished="", commit=None))
    assert data["changes_since_previous"]["moved"] == ["T01", "T02", "T07"]
    assert json.loads(json.dumps(data))["changes_since_previous"]["targets"][0]["target_id"] == "T01"
    assert report.summary(results_2025, {})["changes_since_previous"] is None


@pytest.mark.parametrize(("content", "words"), [
    ("{not json", "cannot be read as JSON"),
    ("[1, 2]", "holds list, not a summary object"),
    ('{"as_of": 2024}', "'targets' must be a list"),
])
def test_a_previous_summary_that_cannot_be_compared_is_said_and_skipped(tmp_path, results_2025, content, words):
    _write(tmp_path / "2024" / "summary.json", content)
    said = []
    assert run_changes.for_run(results_2025, tmp_path, said.append) is None
    assert len(said) == 1 and str(tmp_path / "2024" / "summary.json") in said[0] and words in said[0]


# --- the summary page's section ------------------------------------------------------------------

@pytest.fixture
def shown(monkeypatch):
    out: list[str] = []
    monkeypatch.setattr(nbk, "display", lambda obj: out.append(obj.data))
    return out


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ["Những thay đổi so với năm trước", "Năm 2024", "Năm 2025", "Sắp xếp lại đơn vị hành chính từ 1/7/2025",
            "Số liệu mới", "5 điểm phần trăm"]),
    ("en", ["What changed since last year", "As of 2024", "Reorganisation of 1 July 2025", "New data",
            "5 percentage points"]),
])
def test_the_section_lists_the_moves_with_their_reason(tmp_path, results_2025, last_year, shown, lang, words):
    _write(tmp_path / "2024" / "summary.json", last_year)
    results = copy.copy(results_2025)
    results.year_changes = run_changes.for_run(results_2025, tmp_path)
    nbk.year_changes(results, lang)
    text = page_text("".join(shown))
    for word in words:
        assert word in text
    assert "T01" in text and "T03" in text                 # T03 among "the other targets"
    if lang == "vi":
        assert english_words(text) == []


@pytest.mark.parametrize(("lang", "note"), [
    ("vi", "chưa có bộ báo cáo của năm trước"), ("en", "no previous report set in this folder")])
def test_without_a_previous_set_the_section_is_one_note(results_2025, shown, lang, note):
    nbk.year_changes(results_2025, lang)
    html = "".join(shown)
    assert note in page_text(html) and "<table" not in html


def test_a_comparison_where_nothing_moved_says_so(results_2025):
    doc = run_changes.current_document(results_2025)
    prev = {**json.loads(json.dumps(doc)), "as_of": 2024}
    changes = yc.compare(prev, doc).to_dict()
    assert changes["moved"] == []
    text = page_text(run_changes.section_html(changes, "vi"))
    assert "không mục tiêu nào thay đổi trạng thái" in text and english_words(text) == []


# --- the annual run ------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_annual_run_records_no_previous_set_and_says_so(annual_run, tmp_path):
    folder, code, err = annual_run
    assert code == 0, err
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert data["changes_since_previous"] is None               # the run's output folder was empty
    assert set(data["target_definitions"]) == {r["id"] for r in data["targets"]}
    summary_page = page_text((folder / "summary.html").read_text(encoding="utf-8"))
    assert "Những thay đổi so với năm trước" in summary_page
    assert "chưa có bộ báo cáo của năm trước" in summary_page
    # the published summary.json compared with itself a year earlier: nothing moved
    previous = {**data, "as_of": data["as_of"] - 1}
    _write(tmp_path / str(data["as_of"] - 1) / "summary.json", previous)
    found = run_changes.previous_summary_file(tmp_path, data["as_of"])
    assert run_changes.compare_with_file(data, found)["moved"] == []


# --- the Word report a Department submits -------------------------------------------------------

def _docx_text(document) -> str:
    from conftest import docx_cells, docx_paragraphs

    return "\n".join([docx_paragraphs(document), *docx_cells(document)])


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ["3. Những thay đổi so với năm trước", "Năm 2024", "Sắp xếp lại đơn vị hành chính từ 1/7/2025",
            "Số liệu mới"]),
    ("en", ["3. What changed since last year", "As of 2024", "Reorganisation of 1 July 2025", "New data"]),
])
def test_the_word_report_carries_the_changes_since_last_year(tmp_path, results_2025, last_year, lang, words):
    from conftest import written_exports

    _write(tmp_path / "2024" / "summary.json", last_year)
    results = copy.copy(results_2025)
    results.year_changes = run_changes.for_run(results_2025, tmp_path)
    text = _docx_text(written_exports(tmp_path, results, lang)[2])
    for word in words:
        assert word in text
    assert {"T01", "T02", "T07"} <= set(text.split())


@pytest.mark.parametrize(("lang", "note"), [
    ("vi", "chưa có bộ báo cáo của năm trước"), ("en", "no previous report set in this folder")])
def test_a_word_report_without_a_previous_set_says_so(tmp_path, results_2025, lang, note):
    from conftest import written_exports

    assert note in _docx_text(written_exports(tmp_path, results_2025, lang)[2])


# --- the workbook: every target, both years, numbers Excel computes with ------------------------

def _changes_rows(workbook, lang):
    from forecast.reports.xlsx import sheet_name

    ws = workbook[sheet_name("changes", lang, synthetic=True)]
    return [r for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize(("lang", "yes", "reason"), [
    ("vi", "Có", "Sắp xếp lại đơn vị hành chính từ 1/7/2025"), ("en", "Yes", "Reorganisation of 1 July 2025")])
def test_the_workbook_carries_every_target_of_both_years(tmp_path, results_2025, last_year, lang, yes, reason):
    from conftest import written_exports

    _write(tmp_path / "2024" / "summary.json", last_year)
    results = copy.copy(results_2025)
    results.year_changes = run_changes.for_run(results_2025, tmp_path)
    data, workbook, _ = written_exports(tmp_path, results, lang)
    rows = _changes_rows(workbook, lang)
    start = next(i for i, r in enumerate(rows) if r[0] == i18n.t("yearchange.col_target", lang))
    expected = {t["target_id"]: t for t in data["changes_since_previous"]["targets"]}
    table = {r[0]: r for r in rows[start + 1:] if r[0] in expected}
    assert set(table) == set(expected) and len(table) == len(expected)
    moved = {tid for tid, r in table.items() if r[6] == yes}
    assert moved == {tid for tid, t in expected.items() if t["moved"]} and {"T01", "T02", "T07"} <= moved
    for tid, t in expected.items():  # the fractions of summary.json, the change in points
        row = table[tid]
        assert row[2] == (pytest.approx(t["p_from"]) if t["p_from"] is not None else None)
        assert row[4] == (pytest.approx(t["p_to"]) if t["p_to"] is not None else None)
        assert row[5] == (None if t["delta_p"] is None else pytest.approx(100 * t["delta_p"], abs=0.05))
    assert any(reason in (r[7] or "") for r in table.values())
    assert rows[-1][0] == run_changes.section_parts(data["changes_since_previous"], lang)[-1][1]  # the rule


@pytest.mark.parametrize(("lang", "note"), [
    ("vi", "chưa có bộ báo cáo của năm trước"), ("en", "no previous report set in this folder")])
def test_a_workbook_without_a_previous_set_says_so(tmp_path, results_2025, lang, note):
    from conftest import written_exports

    rows = _changes_rows(written_exports(tmp_path, results_2025, lang)[1], lang)
    assert note in rows[-1][0] and len(rows) == 4  # flag, heading, blank, the sentence


# --- the one-page brief: one sentence ------------------------------------------------------------

@pytest.mark.parametrize(("lang", "opening", "reason"), [
    ("vi", "So với bộ báo cáo năm 2024, 3 mục tiêu thay đổi: ", "sắp xếp lại đơn vị hành chính từ 1/7/2025"),
    ("en", "Since the 2024 report set, 3 targets moved: ", "reorganisation of 1 July 2025")])
def test_the_brief_says_in_one_sentence_which_targets_moved_and_why(tmp_path, results_2025, last_year, lang,
                                                                   opening, reason):
    from forecast.reports import brief
    from forecast.reports import html as report_html

    _write(tmp_path / "2024" / "summary.json", last_year)
    results = copy.copy(results_2025)
    results.year_changes = run_changes.for_run(results_2025, tmp_path)
    sentence = run_changes.brief_sentence(results.year_changes, lang)
    assert sentence.startswith(opening)
    items = sentence[len(opening):].rstrip(".").split("; ")
    assert [i.split(" ")[0] for i in items] == ["T01", "T02", "T07"]
    assert all("→" in i for i in items) and reason in items[0]
    data = json.loads(json.dumps(report_html.summary(results, {})))
    assert html.escape(sentence) in brief.brief_html(data, results, lang)


@pytest.mark.parametrize(("lang", "sentence"), [
    ("vi", "Chưa có bộ báo cáo năm trước để so sánh."), ("en", "There is no previous report set to compare with.")])
def test_a_brief_without_a_previous_set_says_so(lang, sentence):
    assert run_changes.brief_sentence(None, lang) == sentence


def test_a_brief_where_every_target_moved_for_every_reason_still_fits_one_page(tmp_path, results_2025):
    from forecast.reports import brief
    from forecast.reports import html as report_html

    data = json.loads(json.dumps(report_html.summary(results_2025, {})))
    causes = ["definition_change", "reorganisation", "method_change", "new_data"]
    data["changes_since_previous"] = {"previous_as_of": 2024, "as_of": 2025, "targets": [
        {"target_id": r["id"], "moved": True, "change": "status", "status_from": "off_track", "p_from": 0.123,
         "status_to": "on_track", "p_to": 0.876, "delta_p": 0.753, "reason": causes[0], "causes": causes}
        for r in data["targets"]]}
    path = brief.write_brief(tmp_path / "tom-tat.pdf", data, results_2025, "vi")  # raises on a second page
    assert brief.pdf_pages(path.read_bytes()) == 1
    assert f"{len(data['targets'])} mục tiêu thay đổi" in brief.brief_html(data, results_2025, "vi")
