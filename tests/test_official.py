"""Official progress rules (ESCAP, UNSD, Eurostat), reproducible to the decimal."""

from __future__ import annotations

import pytest

from forecast.verdict import official as o


def test_worked_example_of_the_method_notes():
    """METHODS §1.6: 70 % in 2015, 80 % in 2022, target 95 % in 2030."""
    assert 100 * o.cagr(70, 80, 2015, 2022) == pytest.approx(1.926, abs=5e-4)
    assert 100 * o.required_cagr(70, 95, 2015, 2030) == pytest.approx(2.057, abs=5e-4)
    assert o.anticipated_value(70, 80, 2015, 2022, 2030) == pytest.approx(93.19, abs=5e-3)
    unsd = o.unsd_ratio(70, 80, 95, 2015, 2022)
    euro = o.eurostat_ratio(70, 80, 95, 2015, 2022)
    esc = o.escap_gap(70, 80, 95, 2015, 2022)
    assert unsd.value == 0.9364 and unsd.label == "acceleration_needed"
    assert euro.value == 0.9364 and euro.label == "acceleration_needed"
    assert esc.value == 0.0724 and esc.label == "acceleration_needed"
    note = o.ceiling_note(70, 80, 2015, 2022)
    assert "93.2%" in note and "88.1%" in note


@pytest.mark.parametrize("latest,unsd_label,euro_label", [
    (85.0, "on_track", "on_track"),            # faster than required
    (78.0, "acceleration_needed", "acceleration_needed"),
    (73.0, "limited", "insufficient"),           # ratio about 0.3
    (70.5, "limited", "insufficient"),
    (68.0, "deterioration", "moving_away"),      # ratio about −0.2: below both lower cut-offs
])
def test_ratio_classes(latest, unsd_label, euro_label):
    assert o.unsd_ratio(70, latest, 95, 2015, 2022).label == unsd_label
    assert o.eurostat_ratio(70, latest, 95, 2015, 2022).label == euro_label


@pytest.mark.parametrize("ratio,unsd,euro", [
    (0.95, "on_track", "on_track"), (0.94, "acceleration_needed", "acceleration_needed"),
    (0.60, "acceleration_needed", "acceleration_needed"), (0.59, "acceleration_needed", "insufficient"),
    (0.50, "acceleration_needed", "insufficient"), (0.49, "limited", "insufficient"),
    (0.0, "limited", "insufficient"), (-0.05, "limited", "moving_away"), (-0.11, "deterioration", "moving_away"),
])
def test_cut_offs_at_their_edges(ratio, unsd, euro):
    """Construct a latest value whose actual/required CAGR ratio is exactly ``ratio``."""
    required = o.required_cagr(50, 90, 2015, 2030)
    latest = 50 * (1 + ratio * required) ** (2022 - 2015)
    # a point ratio of exactly the cut-off must land in the upper class
    lab_u = o.unsd_ratio(50, latest * (1 + 1e-12), 90, 2015, 2022).label
    lab_e = o.eurostat_ratio(50, latest * (1 + 1e-12), 90, 2015, 2022).label
    assert (lab_u, lab_e) == (unsd, euro)


@pytest.mark.parametrize("latest,label", [(96, "on_track"), (78, "acceleration_needed"), (60, "regressing")])
def test_escap_classes(latest, label):
    assert o.escap_gap(70, latest, 95, 2015, 2022).label == label


def test_target_already_met_is_achieved_and_labels_name_their_rule():
    for fn in (o.unsd_ratio, o.eurostat_ratio):
        lab = fn(80, 96, 95, 2015, 2022)
        assert lab.label == "achieved" and lab.value is None
        assert lab.rule and lab.version
    assert "ESCAP" in o.escap_gap(80, 96, 95, 2015, 2022).rule


def test_one_year_of_data_is_insufficient():
    assert o.unsd_ratio(70, 70, 95, 2022, 2022).label == "insufficient_data"
    assert o.escap_gap(70, 70, 95, 2022, 2022).label == "insufficient_data"
    with pytest.raises(ValueError, match="after the base year"):
        o.cagr(1, 2, 2020, 2020)


def test_zero_values_use_the_open_sdg_floor():
    assert o.cagr(0, 10, 2015, 2020) == pytest.approx((10 / 0.001) ** (1 / 5) - 1)


@pytest.mark.parametrize("g,unsd,euro", [(0.02, "substantial", "significant_progress"),
                                         (0.007, "fair", "moderate_progress"),
                                         (-0.005, "limited", "moderate_movement_away"),
                                         (-0.02, "deterioration", "significant_movement_away")])
def test_growth_classes_without_a_target(g, unsd, euro):
    latest = 100 * (1 + g) ** 5
    assert o.growth_class(100, latest, 2020, 2025, "unsd").label == unsd
    assert o.growth_class(100, latest, 2020, 2025, "eurostat").label == euro
    with pytest.raises(ValueError):
        o.growth_class(100, latest, 2020, 2025, "escap")


def test_no_ceiling_note_far_from_the_ceiling():
    assert o.ceiling_note(20, 22, 2015, 2020) is None
    assert "beyond 100%" in o.ceiling_note(80, 95, 2015, 2020)
