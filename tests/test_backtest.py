"""Rolling-origin backtest on small synthetic panels, its JSON and the CLI command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecast.cli import main
from forecast.models import backtest as bt
from forecast.models.backtest import PanelError, read_panel, run_backtest, score

PEERS = ("last_value", "straight_line", "cagr", "logit_linear", "damped_logit", "ets_damped_logit", "theta")
METHODS = PEERS + ("local_logit", "global_boost", "default")


def synthetic_panel(n_entities=12, years=range(2000, 2014), seed=0, with_break=True):
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(n_entities):
        a, b = rng.normal(-1.0, 0.8), rng.uniform(0.05, 0.25)
        for k, y in enumerate(years):
            v = 100 / (1 + np.exp(-(a + b * k + rng.normal(0, 0.05))))
            flag = "b" if (with_break and e == 0 and y == 2008) else ""
            rows.append({"entity": f"E{e:02d}", "year": y, "value": round(v, 2), "flag": flag})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def panel_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    synthetic_panel().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def result(panel_file):
    return run_backtest(read_panel(panel_file), window=6, horizons=4, n_draws=200, auto_ets=False)


def test_every_method_has_every_figure(result):
    assert result["default"] == "default"
    assert set(result["methods"]) == set(METHODS)
    for name, m in result["methods"].items():
        assert set(m["mae"]) == {"1", "2", "3", "4"}, name
        assert m["mae_3_8"] == pytest.approx(np.mean([m["mae"]["3"], m["mae"]["4"]]))
        assert 0 <= m["coverage80"] <= m["coverage95"] <= 1
        assert m["crps"] > 0 and m["pinball"] > 0
        assert 0 <= m["brier"] <= 1 and set(m["brier_by_delta"]) == {"1", "3", "5", "10"}
        assert m["n_forecasts"] == result["n_forecasts"]
    assert result["n_forecasts"] > 0
    json.dumps(result)


def test_peers_and_components_are_named_and_the_weights_sum_to_one(result):
    assert result["peers"] == list(PEERS)
    assert "global_boost" in result["components"] and "global_boost" not in result["peers"]
    assert result["weights"], "the default never learned weights"
    for h, w in result["weights"].items():
        assert set(w) == set(result["components"]), h
        assert sum(w.values()) == pytest.approx(1.0)


def test_forecasts_counted_as_entity_origin_pairs(result):
    # 12 entities × origins 2002…2012 (at least 3 points, at least one outcome)
    assert result["n_forecasts"] == 12 * 11


def test_series_at_the_ceiling_are_skipped():
    panel = synthetic_panel(n_entities=3, with_break=False)
    high = panel.copy()
    high.loc[high["entity"] == "E00", "value"] = 99.7
    a = run_backtest(bt_frame(panel), window=6, horizons=3, n_draws=50, auto_ets=False)
    b = run_backtest(bt_frame(high), window=6, horizons=3, n_draws=50, auto_ets=False)
    assert b["n_forecasts"] == a["n_forecasts"] - 11


def bt_frame(panel):
    return panel.assign(brk=panel["flag"].eq("b")).drop(columns="flag")


def test_score_of_a_perfect_sharp_forecast():
    draws = np.full((100, 2), 50.0)
    sc = score(draws, np.array([50.0, 50.0]), np.array([50.0, np.nan]), origin_value=45.0)
    assert sc[0, 0] == 0 and sc[0, 1] == 1 and sc[0, 2] == 1 and sc[0, 3] == pytest.approx(0)
    # events "≥ 45 + δ": 46 and 48 happen and are forecast with certainty, 50 happens too, 55 does not
    assert np.allclose(sc[0, 5:], 0)
    assert np.isnan(sc[1]).all()


def test_crps_matches_its_definition():
    rng = np.random.default_rng(1)
    draws = rng.normal(10, 2, size=(400, 1))
    y = 11.0
    x = draws[:, 0]
    direct = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    assert score(draws, np.array([10.0]), np.array([y]), 9.0)[0, 3] == pytest.approx(direct)


@pytest.mark.parametrize("text,message", [
    ("entity,year\nA,2000\n", "missing column"),
    ("entity,year,value\nA,2000,10\nA,2000,11\n", ":3:year: duplicate"),
    ("entity,year,value\nA,2000,abc\n", ":2:value: not a number"),
    ("entity,year,value\nA,2000,140\nA,20x1,1\n", ":2:value: 140 is outside"),
])
def test_bad_panels_are_refused_with_located_messages(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(PanelError, match=message):
        read_panel(path)


def test_bad_panel_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("entity,year,value\nA,2000,140\nA,20x1,1\n")
    with pytest.raises(PanelError) as err:
        read_panel(path)
    assert ":2:value" in str(err.value) and ":3:year" in str(err.value)


@pytest.mark.parametrize("kwargs,message", [({"window": 1}, "window"), ({"horizons": 0}, "horizons"),
                                            ({"min_points": 9, "window": 8}, "cannot exceed")])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_backtest(bt_frame(synthetic_panel(2)), **kwargs)


def test_autoets_is_skipped_with_a_note_when_statsforecast_is_absent(monkeypatch):
    monkeypatch.setattr(bt, "auto_ets_available", lambda: False)
    res = run_backtest(bt_frame(synthetic_panel(3)), window=5, horizons=2, n_draws=50)
    assert "auto_ets" not in res["methods"]
    assert any("statsforecast is not installed" in n for n in res["notes"])


def test_cli_writes_the_json(panel_file, tmp_path, capsys):
    out = tmp_path / "out" / "bt.json"
    code = main(["backtest", str(panel_file), "--window", "5", "--horizons", "3", "--draws", "100",
                 "--no-auto-ets", "--json", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["default"] == "default" and "mae_3_8" in doc["methods"]["straight_line"]
    for name in ("ets_damped_logit", "theta", "global_boost", "default"):
        assert {"mae", "mae_3_8", "coverage80", "coverage95", "crps", "brier"} <= set(doc["methods"][name]), name
    assert "forecasts scored" in capsys.readouterr().out


def test_cli_reports_a_bad_panel_without_traceback(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("entity,year,value\nA,2000,abc\n")
    assert main(["backtest", str(path), "--json", str(tmp_path / "x.json")]) == 1
    assert "not a number" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_the_default_learns_only_from_outcomes_known_at_the_origin(monkeypatch):
    """At origin T the default's calibration sees only forecasts whose outcome year is ≤ T (and > T − MAX_AGE),
    each with the age T − outcome year."""
    seen = {}
    real = bt.learn_calibration

    def spy(points, outcomes, scales, horizons, **kw):
        T = int(kw["source"].rsplit(" ", 1)[-1])
        seen[T] = (outcomes.copy(), kw["ages"].copy())
        return real(points, outcomes, scales, horizons, **kw)

    monkeypatch.setattr(bt, "learn_calibration", spy)
    # 26 years: longer than MAX_AGE, so its lower bound matters
    panel = bt_frame(synthetic_panel(6, years=range(1995, 2021), with_break=False))
    run_backtest(panel, window=6, horizons=3, n_draws=50, auto_ets=False)
    wide = panel.pivot(index="entity", columns="year", values="value")
    assert seen, "the calibration was never learned"
    assert max(T - wide.columns.min() for T in seen) >= bt.MAX_AGE
    for T, (outcomes, ages) in seen.items():
        assert (ages >= 0).all() and (ages < bt.MAX_AGE).all()
        for value, age in zip(np.round(outcomes * 100, 6), ages, strict=True):
            # the outcome is a published value of the year T − age
            assert value in set(np.round(wide[T - age].to_numpy(), 6))


def test_variants_of_the_default_are_scored_on_the_same_forecasts(monkeypatch):
    settings = []
    real = bt.learn_calibration

    def spy(*args, **kw):
        settings.append((kw.get("era", True), kw.get("half_life")))
        return real(*args, **kw)

    monkeypatch.setattr(bt, "learn_calibration", spy)
    panel = bt_frame(synthetic_panel(8, with_break=False))
    res = run_backtest(panel, window=6, horizons=3, n_draws=100, auto_ets=False,
                       variants={"as shipped": {}, "no era rescaling": {"era": False},
                                 "four components": {"components": ("last_value", "straight_line",
                                                                    "logit_linear", "damped_logit")}})
    assert set(res["variants"]) == {"as shipped", "no era rescaling", "four components"}
    assert res["variants"]["as shipped"] == res["methods"]["default"]
    assert res["variants"]["four components"]["n_forecasts"] == res["methods"]["default"]["n_forecasts"]
    assert {(False, None), (True, None)} <= set(settings)
    settings.clear()
    res = run_backtest(panel, window=6, horizons=3, n_draws=50, auto_ets=False, variants={"slow": {"half_life": 9.0}})
    assert {s for s in settings if s[1] is not None} == {(True, 9.0)}
    assert "variants" not in run_backtest(panel, window=6, horizons=3, n_draws=50, auto_ets=False)


def test_the_component_forecasts_are_cached_for_the_same_panel_and_settings(monkeypatch, tmp_path):
    calls = []
    real = bt._component_forecasts

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(bt, "_component_forecasts", spy)
    panel = bt_frame(synthetic_panel(6, with_break=False))
    cache = tmp_path / "cache" / "panel.pkl"
    kw = {"window": 6, "horizons": 3, "n_draws": 50, "auto_ets": False, "cache": cache}
    first = run_backtest(panel, **kw)
    again = run_backtest(panel, **kw, variants={"slow": {"half_life": 9.0}})
    assert len(calls) == 1 and cache.is_file()
    assert again["methods"] == first["methods"]
    other = panel.assign(value=panel["value"] * 0.9)
    run_backtest(other, **kw)                     # another panel: computed afresh, the cache rewritten
    run_backtest(panel, **{**kw, "horizons": 2})  # other settings: likewise
    assert len(calls) == 3
    run_backtest(panel, **{**kw, "horizons": 2})  # the same again: from the cache
    assert len(calls) == 3
    # a change to the models' code: computed afresh (the key holds a digest of forecast/models)
    monkeypatch.setattr(bt.config, "sources_digest", lambda *packages: "another version")
    run_backtest(panel, **{**kw, "horizons": 2})
    assert len(calls) == 4


def test_the_result_carries_the_components_best_weights_in_hindsight(result):
    ceiling = result["hindsight"]
    assert set(ceiling["weights"]) == {"3", "4"}  # horizons 3 … 8 that the run has (horizons=4)
    for weights in ceiling["weights"].values():
        assert set(weights) == set(result["components"])
        assert sum(weights.values()) == pytest.approx(1)
    assert 0 < ceiling["mae_3_8_by_band"] <= ceiling["mae_3_8"] + 1e-9
