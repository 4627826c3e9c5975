"""Partial pooling of units toward their province, checked on the Eurostat NUTS-2 panel (issue 16).

Regions are the units and their country (the code's first two letters) the province. From each
origin year ``T0`` (window of 8 years up to it) every region's share ``h`` years ahead is forecast
three ways, on the logit scale:

* ``no_pooling``: the region's own straight line;
* ``pooled``: the country's straight line (on the unweighted mean of its regions: the panel has no
  populations) plus the region's offset from it, whose level and slope are shrunk toward 0 by
  empirical Bayes (:func:`forecast.plan.units.shrink`, DerSimonian–Laird τ² across all regions);
* ``country_only``: the country's line plus the region's last offset (level kept, slope pooled fully).

MAE and RMSE in percentage points over every (region, origin). Read by path, never copied:
``shared/benchmarks/eurostat_tgs00109_nuts2_tertiary_25_64.csv``.

Run: ``.venv/bin/python benchmarks/units.py [--horizon 3] [--window 6]``
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from forecast import config
from forecast.plan.units import shrink

PANEL = "eurostat_tgs00109_nuts2_tertiary_25_64.csv"


def _logit(x):
    x = np.clip(np.asarray(x, float), 1e-4, 1 - 1e-4)
    return np.log(x / (1 - x))


def _expit(x):
    return 1 / (1 + np.exp(-np.asarray(x, float)))


def _line(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """OLS of y on t centred at the last t: (level at t[-1], slope, var(level), var(slope))."""
    x = t - t[-1]
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = max(float(resid @ resid) / max(len(y) - 2, 1), 1e-6)
    cov = s2 * np.linalg.inv(X.T @ X)
    return float(beta[0]), float(beta[1]), float(cov[0, 0]), float(cov[1, 1])


def forecasts(panel: pd.DataFrame, origin: int, horizon: int, window: int) -> pd.DataFrame:
    """Every region's three forecasts of ``origin + horizon`` and the actual value (shares in [0, 1])."""
    wide = panel.pivot_table(index="entity", columns="year", values="value") / 100.0
    years = list(range(origin - window + 1, origin + 1))
    if not set(years) <= set(wide.columns) or origin + horizon not in wide.columns:
        return pd.DataFrame()
    wide = wide[[*years, origin + horizon]].dropna()
    wide = wide[wide.index.str.len() == 4]  # NUTS-2 codes only (country + 2)
    wide["country"] = wide.index.str[:2]
    wide = wide[wide.groupby("country")["country"].transform("size") >= 3]
    t = np.array(years, float)
    rows = []
    for country, g in wide.groupby("country"):
        c = _logit(g[years].mean(axis=0).to_numpy())
        c_level, c_slope, _, _ = _line(t, c)
        c_fore = c_level + c_slope * horizon
        for region, r in g.iterrows():
            y = _logit(r[years].to_numpy(float))
            lvl, slope, _, _ = _line(t, y)
            d = y - c
            a, b, va, vb = _line(t, d)
            rows.append({"region": region, "country": country, "actual": r[origin + horizon],
                         "no_pooling": _expit(lvl + slope * horizon), "c_fore": c_fore, "a": a, "b": b,
                         "va": va, "vb": vb, "last_offset": d[-1]})
    out = pd.DataFrame(rows)
    a_s, _ = shrink(out["a"].to_numpy(), out["va"].to_numpy())
    b_s, _ = shrink(out["b"].to_numpy(), out["vb"].to_numpy())
    out["pooled"] = _expit(out["c_fore"] + a_s + b_s * horizon)
    out["country_only"] = _expit(out["c_fore"] + out["last_offset"])
    out["slope_weight"] = np.divide(b_s, out["b"], out=np.zeros(len(out)), where=np.abs(out["b"]) > 1e-12)
    out["origin"] = origin
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--horizon", type=int, default=3)
    ap.add_argument("--window", type=int, default=6)
    args = ap.parse_args(argv)
    panel = pd.read_csv(config.shared_dir() / "benchmarks" / PANEL)
    first, last = int(panel["year"].min()), int(panel["year"].max())
    origins = range(first + args.window - 1, last - args.horizon + 1)
    if not len(origins):
        raise SystemExit(f"{first}–{last}: no origin leaves {args.window} years before and {args.horizon} after")
    res = pd.concat([forecasts(panel, o, args.horizon, args.window) for o in origins], ignore_index=True)
    print(f"NUTS-2 tertiary attainment: {res['region'].nunique()} regions in {res['country'].nunique()} countries, "
          f"origins {min(origins)}–{max(origins)}, horizon {args.horizon}, window {args.window}: "
          f"{len(res)} forecasts")
    print("| method | MAE (pp) | RMSE (pp) |\n|---|---|---|")
    for m in ("no_pooling", "pooled", "country_only"):
        err = (res[m] - res["actual"]) * 100
        print(f"| {m} | {err.abs().mean():.2f} | {np.sqrt((err ** 2).mean()):.2f} |")
    print(f"median weight kept on a region's own slope offset: {res['slope_weight'].median():.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
