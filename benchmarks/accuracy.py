"""Accuracy benchmark: the rolling-origin backtest on the three public panels.

Usage::

    python benchmarks/accuracy.py [PANELS_DIR] [--jobs 2] [--out benchmarks/results] [--cache DIR]

PANELS_DIR defaults to ``forecast.config.shared_dir() / "benchmarks"`` (the
workplace's ``shared/benchmarks``); the panels are read there, never copied.
Writes ``accuracy.md`` (the tables, also printed) and one JSON per panel, and
checks the project's bar: the default's ``mae_3_8`` ≤ 0.90 × the best peer's, its
80 % coverage in [75 %, 85 %], and its Brier score below every peer's. Peers are
the single-series methods (``forecast.models.backtest.PEERS``, AutoETS when
installed); the default's own components that are not peers (the local logit and
the global model) are scored and shown beside them, with the default's weights.

Because the default's settings could have been chosen on these panels, the run
also scores a few candidate settings (:data:`VARIANTS`) and reports a
leave-one-panel-out check: for each panel, the candidate that does best on the
other two (:func:`choose`) is scored on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from forecast import atomic, config
from forecast.models.backtest import read_panel, run_backtest, write_json
from forecast.models.calibration import HALF_LIFE
from forecast.models.default import LOCAL_COMPONENTS

#: The bar: the default's mae_3_8 at most this share of the best peer's.
MAE_BAR = 0.90
#: The bar: the default's 80 % interval coverage within these bounds.
COVERAGE_BAR = (0.75, 0.85)

PANELS = {
    "eurostat_tgs00109_nuts2_tertiary_25_64.csv": "Eurostat NUTS-2 tertiary attainment 25–64",
    "wdi_internet_users_pct_countries.csv": "WDI internet users",
    "owid_wb_electricity_access_pct.csv": "World Bank access to electricity",
}
#: World Bank regional and income aggregates in the OWID file (its README: keep countries only).
AGGREGATES = frozenset("""Arab World|Caribbean small states|Central Europe and the Baltics|Early-demographic dividend|\
East Asia & Pacific|East Asia & Pacific (IDA & IBRD countries)|East Asia & Pacific (excluding high income)|Euro area|\
Europe & Central Asia|Europe & Central Asia (IDA & IBRD countries)|Europe & Central Asia (excluding high income)|\
European Union|Fragile and conflict affected situations|Heavily indebted poor countries (HIPC)|High income|IBRD only|\
IDA & IBRD total|IDA blend|IDA only|IDA total|Late-demographic dividend|Latin America & Caribbean|\
Latin America & Caribbean (excluding high income)|Latin America & the Caribbean (IDA & IBRD countries)|\
Least developed countries: UN classification|Low & middle income|Low income|Lower middle income|\
Middle East & North Africa|Middle East & North Africa (IDA & IBRD countries)|\
Middle East & North Africa (excluding high income)|Middle income|North America|OECD members|Other small states|\
Pacific island small states|Post-demographic dividend|Pre-demographic dividend|Small states|South Asia|\
South Asia (IDA & IBRD)|Sub-Saharan Africa|Sub-Saharan Africa (IDA & IBRD countries)|\
Sub-Saharan Africa (excluding high income)|Upper middle income|World""".split("|"))


def _countries_only(panel):
    return panel[~panel["entity"].isin(AGGREGATES)]


def bar_check(result: dict) -> dict:
    """Whether the default meets the three parts of the bar on one panel (against the peers)."""
    methods = result["methods"]
    d = methods[result["default"]]
    names = result.get("peers") or [k for k in methods if k != result["default"]]
    peers = {k: methods[k] for k in names}
    best_name = min(peers, key=lambda k: peers[k]["mae_3_8"])
    ratio = d["mae_3_8"] / peers[best_name]["mae_3_8"]
    best_brier = min(v["brier"] for v in peers.values())
    ok = {"mae_ok": ratio <= MAE_BAR, "coverage_ok": COVERAGE_BAR[0] <= d["coverage80"] <= COVERAGE_BAR[1],
          "brier_ok": d["brier"] < best_brier}
    return {"best_peer": best_name, "mae_ratio": ratio, "best_peer_brier": best_brier, **ok, "met": all(ok.values())}


def brier_pair(default: float, best: float) -> tuple[str, str]:
    """The two Brier scores as text: 4 decimals, or 6 where 4 would show a tie."""
    digits = 4 if f"{default:.4f}" != f"{best:.4f}" else 6
    return f"{default:.{digits}f}", f"{best:.{digits}f}"


def table(results: dict) -> str:
    """The markdown table of every method's figures on every panel."""
    lines = []
    for label, res in results.items():
        chk = bar_check(res)
        lines += [f"### {label}", "",
                  f"{res['n_entities']} entities, {res['n_forecasts']} forecasts scored "
                  f"(window {res['settings']['window']}, horizons {res['settings']['horizons']}).", "",
                  "| method | MAE h1 | MAE h3 | MAE h5 | MAE h8 | mae_3_8 | cover 80 | cover 95 | CRPS | pinball | Brier |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        peers = set(res.get("peers", []))
        components = set(res.get("components", []))
        for name, m in res["methods"].items():
            mae = m["mae"]
            cells = [f"{mae[h]:.2f}" if h in mae else "–" for h in ("1", "3", "5", "8")]
            role = " (peer, component)" if name in peers and name in components else \
                " (component)" if name in components else ""
            star = " **(default)**" if name == res["default"] else role
            lines.append(f"| {name}{star} | " + " | ".join(cells) +
                         f" | {m['mae_3_8']:.3f} | {100 * m['coverage80']:.1f}% | {100 * m['coverage95']:.1f}% | "
                         f"{m['crps']:.3f} | {m['pinball']:.3f} | {m['brier']:.4f} |")
        lines += ["", weights_table(res), "",
                  f"Bar: default mae_3_8 / best peer ({chk['best_peer']}) = {chk['mae_ratio']:.3f} "
                  f"({'meets' if chk['mae_ok'] else 'misses'} ≤ {MAE_BAR:.2f}); 80% coverage "
                  f"{100 * res['methods'][res['default']]['coverage80']:.1f}% "
                  f"({'inside' if chk['coverage_ok'] else 'outside'} 75–85%); Brier "
                  "{} vs best peer {} ".format(*brier_pair(res['methods'][res['default']]['brier'],
                                                           chk['best_peer_brier'])) +
                  f"({'below' if chk['brier_ok'] else 'not below'}).", ""]
        for note in res["notes"]:
            lines.append(f"Note: {note}")
        lines.append("")
    return "\n".join(lines)


def weights_table(res: dict) -> str:
    """The default's pooled weights by horizon, averaged over the origins (each counted by its forecasts)."""
    weights = res.get("weights") or {}
    comps = res.get("components", [])
    if not weights:
        return "No weights: the default never had enough past forecasts to learn them."
    lines = ["Default's weights (pooled level bands, mean over origins):", "",
             "| h | " + " | ".join(comps) + " |", "|---|" + "---|" * len(comps)]
    for h in ("1", "3", "5", "8"):
        if h in weights:
            lines.append(f"| {h} | " + " | ".join(f"{weights[h][c]:.2f}" for c in comps) + " |")
    return "\n".join(lines)


def bar_table(results: dict) -> str:
    """One line per panel: the default against the best peer on the three parts of the bar."""
    lines = [f"| panel | forecasts | default mae_3_8 | best peer (mae_3_8) | ratio (≤ {MAE_BAR:.2f}) "
             "| default 80% coverage (75–85%) | Brier default / best peer | bar |",
             "|---|---|---|---|---|---|---|---|"]
    for label, res in results.items():
        chk = bar_check(res)
        d = res["methods"][res["default"]]
        ok = chk["met"]
        lines.append(
            f"| {label} | {res['n_forecasts']} | {d['mae_3_8']:.3f} | {chk['best_peer']} "
            f"({res['methods'][chk['best_peer']]['mae_3_8']:.3f}) | {chk['mae_ratio']:.3f} "
            f"| {100 * d['coverage80']:.1f}% | {' / '.join(brier_pair(d['brier'], chk['best_peer_brier']))} "
            f"| {'met' if ok else 'missed'} |")
    return "\n".join(lines) + "\n"


def headroom_table(results: dict) -> str:
    """The default against the components' best weights in hindsight, as ratios to the best peer.

    The hindsight weights see the outcomes (:mod:`forecast.models.hindsight`), so no forecaster can
    use them; a ratio above the bar there means no re-weighting of these components meets it.
    """
    lines = [f"| panel | best peer (mae_3_8) | default: ratio | best weights in hindsight, per horizon: ratio "
             f"| … per horizon and level band: ratio | hindsight weights reach ≤ {MAE_BAR:.2f} |",
             "|---|---|---|---|---|---|"]
    for label, res in results.items():
        ceiling = res.get("hindsight")
        if not ceiling or ceiling.get("mae_3_8") is None:
            continue
        chk = bar_check(res)
        best = res["methods"][chk["best_peer"]]["mae_3_8"]
        per_h, per_band = ceiling["mae_3_8"] / best, (ceiling["mae_3_8_by_band"] or ceiling["mae_3_8"]) / best
        lines.append(f"| {label} | {chk['best_peer']} ({best:.3f}) | {chk['mae_ratio']:.3f} | "
                     f"{per_h:.3f} ({ceiling['mae_3_8']:.3f}) | {per_band:.3f} | "
                     f"{'yes' if min(per_h, per_band) <= MAE_BAR else 'no'} |")
    return "\n".join(lines) + "\n" if len(lines) > 2 else ""


#: Candidate settings of the default, scored beside it on the same component forecasts and seed: how
#: much the bar depends on each choice, and the candidates of the leave-one-panel-out check.
VARIANTS = {
    "half-life 1 year": {"half_life": 1.0},
    "half-life 4 years": {"half_life": 4.0},
    "without the global model": {"components": LOCAL_COMPONENTS},
}
SHIPPED = f"as shipped (half-life {HALF_LIFE:g} years, every component)"


def candidate_figures(res: dict, name: str) -> dict | None:
    """The default's figures on one panel under candidate ``name`` (the shipped one or a variant)."""
    return res["methods"][res["default"]] if name == SHIPPED else res.get("variants", {}).get(name)


def candidate_check(res: dict, name: str) -> dict | None:
    """:func:`bar_check` of candidate ``name`` on one panel (None when it was not scored)."""
    figures = candidate_figures(res, name)
    if figures is None:
        return None
    return bar_check({**res, "methods": {**res["methods"], res["default"]: figures}})


def choose(results: dict, panels: list[str]) -> str:
    """The candidate that does best on ``panels``: most bars met, then the lowest mean mae_3_8 ratio."""
    def key(name):
        checks = [candidate_check(results[p], name) for p in panels]
        if any(c is None for c in checks):
            return (1, 0.0, float("inf"))
        return (0, -sum(c["met"] for c in checks), sum(c["mae_ratio"] for c in checks) / len(checks))
    return min([SHIPPED] + list(VARIANTS), key=key)


def lopo_table(results: dict) -> str:
    """Leave one panel out: settings chosen on the other two panels, scored on the one left out."""
    lines = [f"| panel left out | chosen on the other two | mae_3_8 ratio (≤ {MAE_BAR:.2f}) | 80% coverage "
             "| Brier / best peer | bar |", "|---|---|---|---|---|---|"]
    for label in results:
        chosen = choose(results, [p for p in results if p != label])
        chk = candidate_check(results[label], chosen)
        if chk is None:
            continue
        figures = candidate_figures(results[label], chosen)
        lines.append(f"| {label} | {chosen} | {chk['mae_ratio']:.3f} | {100 * figures['coverage80']:.1f}% | "
                     f"{' / '.join(brier_pair(figures['brier'], chk['best_peer_brier']))} | "
                     f"{'met' if chk['met'] else 'missed'} |")
    return "\n".join(lines) + "\n"


def sensitivity_table(results: dict) -> str:
    """The bar for the default and for each variant of it, panel by panel."""
    lines = [f"| default | panel | mae_3_8 ratio (≤ {MAE_BAR:.2f}) | 80% coverage (75–85%) | Brier / best peer "
             "| CRPS | bar |", "|---|---|---|---|---|---|---|"]
    for name in [SHIPPED] + list(VARIANTS):
        for label, res in results.items():
            chk = candidate_check(res, name)
            if chk is None:
                continue
            figures = candidate_figures(res, name)
            lines.append(f"| {name} | {label} | {chk['mae_ratio']:.4f} | {100 * figures['coverage80']:.1f}% | "
                         f"{' / '.join(brier_pair(figures['brier'], chk['best_peer_brier']))} | "
                         f"{figures['crps']:.3f} | {'met' if chk['met'] else 'missed'} |")
    return "\n".join(lines) + "\n"


README_START = "<!-- accuracy:start -->"
README_END = "<!-- accuracy:end -->"
SENSITIVITY_START = "<!-- sensitivity:start -->"
SENSITIVITY_END = "<!-- sensitivity:end -->"


_write_atomic = atomic.write_text


def update_readme(readme: Path, body: str, start: str = README_START, end: str = README_END) -> bool:
    """Put ``body`` between the ``start`` and ``end`` markers of a file (False when they are absent)."""
    if not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    _write_atomic(readme, f"{head}{start}\n{body}\n{end}{tail}")
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("panels_dir", nargs="?", type=Path, default=config.shared_dir() / "benchmarks")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=config.project_root() / "benchmarks" / "results")
    parser.add_argument("--no-sensitivity", action="store_true",
                        help="skip the variants of the default (VARIANTS) scored beside it")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="pickle each panel's component forecasts in DIR and reuse them on the next run "
                             "(same panel and settings), so that only the combinations are recomputed")
    parser.add_argument("--render-only", action="store_true",
                        help="re-render the tables from the JSON results of the last run (no backtest)")
    args = parser.parse_args(argv)
    if args.render_only:
        results = {label: json.loads((args.out / (Path(file).stem + ".json")).read_text(encoding="utf-8"))
                   for file, label in PANELS.items()}
        return _publish(results, args.out)
    missing = [f for f in PANELS if not (args.panels_dir / f).is_file()]
    if missing:
        print(f"accuracy.py: missing panel(s) in {args.panels_dir}: {', '.join(missing)}", file=sys.stderr)
        return 1
    results = {}
    start, load0 = time.time(), os.getloadavg()[0]
    for file, label in PANELS.items():
        t0 = time.time()
        panel = read_panel(args.panels_dir / file)
        if file.startswith("owid"):
            panel = _countries_only(panel)
        cache = None if args.cache is None else args.cache / (Path(file).stem + ".pkl")
        res = run_backtest(panel, jobs=args.jobs, variants=None if args.no_sensitivity else VARIANTS, cache=cache)
        res["panel"] = file
        res["seconds"] = round(time.time() - t0, 1)
        write_json(res, args.out / (Path(file).stem + ".json"))
        results[label] = res
        print(f"{label}: {res['seconds']} s", file=sys.stderr)
    code = _publish(results, args.out)
    # the machine is shared: the load and the CPU time say how much of its two cores the run had
    cpu = sum(os.times()[:4])
    print(f"\naccuracy.py: wall time {time.time() - start:.0f} s for the whole run (CPU {cpu:.0f} s over "
          f"{args.jobs} process(es)); load average (1 min) {load0:.1f} at the start, {os.getloadavg()[0]:.1f} "
          "at the end")
    return code


def _publish(results: dict, out: Path) -> int:
    """Write accuracy.md and refresh the tables in benchmarks/README.md and the project README."""
    text = ("# Accuracy benchmark (rolling-origin backtest)\n\n"
            "Written by `python benchmarks/accuracy.py`; MAE, CRPS and pinball in percentage points; "
            "Brier over the events value(T+h) ≥ value(T) + δ, δ ∈ {1, 3, 5, 10}.\n\n" + table(results))
    text += "\n## The bar, panel by panel\n\n" + bar_table(results)
    has_variants = any(res.get("variants") for res in results.values())
    if has_variants:
        text += ("\n## Sensitivity of the bar to the default's settings\n\n"
                 "The default as shipped and variants of it, scored on the same component forecasts with the "
                 "same seed; peers as in the tables above.\n\n" + sensitivity_table(results) +
                 "\n## Leave one panel out\n\n"
                 "For each panel, the setting (among the shipped one and the variants) that meets the bar on "
                 "more of the other two panels, then has the lower mean mae_3_8 ratio there, scored on the "
                 "panel left out.\n\n" + lopo_table(results))
    headroom = headroom_table(results)
    if headroom:
        text += ("\n## Headroom: the components' best weights in hindsight\n\n"
                 "For each horizon (and each level band), the convex weights of the default's components that "
                 "minimise the panel's mean absolute error, chosen knowing the outcomes (a ceiling no forecaster "
                 "can reach; `forecast.models.hindsight`), scored on the default's own forecasts.\n\n" + headroom)
    _write_atomic(out / "accuracy.md", text)
    if out.resolve() == (config.project_root() / "benchmarks" / "results").resolve():
        update_readme(config.project_root() / "benchmarks" / "README.md", table(results))
        update_readme(config.project_root() / "README.md", bar_table(results) + (
            "\nLeave one panel out (setting chosen on the other two panels):\n\n" + lopo_table(results)
            if has_variants else "") + (
            "\nThe components' best weights in hindsight (outcomes known; a ceiling, not a forecaster):\n\n"
            + headroom if headroom else ""))
        if has_variants:
            update_readme(config.project_root() / "docs" / "methods.md", sensitivity_table(results),
                          SENSITIVITY_START, SENSITIVITY_END)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
