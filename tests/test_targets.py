"""The plan's targets as data agree with ../shared/plan/TARGETS.md (as transcribed here) and with the CLI."""

from __future__ import annotations

import json

import pytest
import yaml

from forecast import cli, config
from forecast.domain.targets import (
    TargetsFileError,
    get_target,
    indicator_ids,
    load_targets,
    read_targets,
)

# From TARGETS.md: id -> (threshold in percent or None, kind)
EXPECTED = {
    "T01": (95, "share"), "T02": (70, "share"), "T03": (100, "share"), "T04": (100, "share"),
    "T05": (100, "share"), "T06": (95, "share"), "T07": (40, "share"), "T08": (90, "share"),
    "T09": (100, "share"), "T10": (100, "share"), "T11": (None, "count_direction"),
}
BREAKS = {"T01", "T04", "T05", "T06", "T10"}


def test_eleven_targets_in_order():
    assert [t.id for t in load_targets()] == list(EXPECTED)


@pytest.mark.parametrize("tid, expected", EXPECTED.items())
def test_thresholds_and_kinds(tid, expected):
    t = get_target(tid)
    assert (t.threshold, t.kind) == expected
    assert t.year == 2030
    assert t.comparator == ("rising" if t.kind == "count_direction" else ">=")
    assert t.text_vi and t.text_en and t.clause and t.notes_vi and t.notes_en
    assert {"code", "vi", "en"} <= set(t.population) and {"code", "vi", "en"} <= set(t.criterion)


@pytest.mark.parametrize("tid", EXPECTED)
def test_series_breaks_are_declared_for_redefined_populations(tid):
    assert (get_target(tid).break_year == 2025) == (tid in BREAKS)


def test_t09_parts_are_indicators_too():
    assert [p["id"] for p in get_target("T09").parts] == ["T09a", "T09b", "T09c"]
    assert {"T09a", "T09b", "T09c"} <= set(indicator_ids())


def test_unknown_target_names_the_known_ones():
    with pytest.raises(KeyError, match="T01"):
        get_target("T99")


def test_cli_targets_json(capsys):
    assert cli.main(["targets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    got = {r["id"]: (r["threshold"], r["kind"], r["year"]) for r in rows}
    assert got == {k: (v[0], v[1], 2030) for k, v in EXPECTED.items()}


BAD_TARGETS = [
    ({"kind": "ratio"}, "kind must be one of"),
    ({"threshold": 120}, "threshold in"),
    ({"threshold": None}, "threshold in"),
    ({"comparator": ">"}, "comparator must be"),
]


@pytest.mark.parametrize("change, message", BAD_TARGETS)
def test_malformed_targets_file_is_refused_with_the_entry_named(tmp_path, change, message):
    doc = yaml.safe_load(open(config.targets_file(), encoding="utf-8"))
    doc["targets"][0].update(change)
    path = tmp_path / "targets.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TargetsFileError, match=message) as err:
        read_targets(path)
    assert "T01" in str(err.value) and str(path) in str(err.value)


def test_missing_field_is_named(tmp_path):
    path = tmp_path / "targets.yml"
    path.write_text("targets:\n  - id: T01\n    text_vi: x\n", encoding="utf-8")
    with pytest.raises(TargetsFileError, match="missing field 'threshold'"):
        read_targets(path)
