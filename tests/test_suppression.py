"""Small-cell suppression: one rule (forecast.reports.suppression) and no output gives a hidden cell back.

The rule: a count under ``min_cell`` people is hidden, and so is a numerator whose complement
(people not meeting the criterion) is under ``min_cell``; then, within each year, enough further
cells are hidden that the province's total minus the shown cells recovers neither a single
hidden cell nor a total of hidden cells under ``min_cell``.

The end-to-end test plants small cells in the per-unit rows of a run (10 of 12 holding a degree,
3 of 20, a unit of 4 people), renders every output that carries per-unit cells — the commune
pages (HTML), ``so-lieu-don-vi.csv``, ``so-lieu.xlsx`` and ``bao-cao.docx`` — reads the figures
back from the files and plays the attacker: everything the outputs show together, the shares
times the totals, and the province's totals minus the shown cells.
"""

from __future__ import annotations

import html
import io
import re

import numpy as np
import pandas as pd
import pytest
from conftest import make_results
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.reports import csvout, docx, exports, review, xlsx
from forecast.reports.suppression import masked, primary, suppress

K = 5


def frame(rows, years=None):
    num, den = zip(*rows, strict=True) if rows else ((), ())
    return pd.DataFrame({"unit_code": [f"U{i}" for i in range(len(rows))],
                         "year": years or [2025] * len(rows),
                         "numerator": np.array(num, dtype=float), "denominator": np.array(den, dtype=float)})


@pytest.mark.parametrize("num, den, num_hidden, den_hidden", [
    (20, 40, False, False),     # both counts and the complement (20) are large
    (4, 40, True, False),       # a small numerator
    (6, 7, True, False),        # 6 of 7: the complement (1 person) is small
    (36, 40, True, False),      # complement 4
    (35, 40, False, False),     # complement exactly 5: shown
    (5, 10, False, False),      # every count exactly 5: shown
    (3, 4, True, True),         # a unit of 4 people: everything hidden
    (0, 30, True, False),       # nobody meets it: a count of 0 is a small count
    (np.nan, 30, False, False),  # a missing count is not hidden (there is nothing to hide)
])
def test_primary_rule(num, den, num_hidden, den_hidden):
    nh, dh = primary(frame([(num, den)]), K)
    assert (bool(nh.iloc[0]), bool(dh.iloc[0])) == (num_hidden, den_hidden)


@pytest.mark.parametrize("rows, hidden_nums, hidden_dens", [
    # nothing small: nothing hidden
    ([(20, 40), (30, 50), (25, 45)], set(), set()),
    # one small numerator: the smallest other numerator is hidden too
    ([(3, 40), (30, 50), (25, 45)], {0, 2}, set()),
    # 6 of 7 (complement 1): hidden with a partner
    ([(6, 7), (30, 50), (25, 45), (40, 60)], {0, 2}, set()),
    # two small numerators whose total (2) is under 5: a third is needed
    ([(1, 40), (1, 50), (25, 45), (30, 60)], {0, 1, 2}, set()),
    # a unit of 4 people: its total is hidden with another total, and both numerators
    ([(2, 4), (30, 50), (25, 45), (40, 60)], {0, 2}, {0, 2}),
    # two already hidden, totals large enough: nothing more
    ([(2, 40), (3, 50), (25, 45)], {0, 1}, set()),
])
def test_secondary_rule(rows, hidden_nums, hidden_dens):
    hide = suppress(frame(rows), K)
    assert set(np.flatnonzero(hide["num_hidden"])) == hidden_nums
    assert set(np.flatnonzero(hide["den_hidden"])) == hidden_dens


def test_a_lone_unit_is_hidden_entirely():
    """With nothing to hide alongside, the province total would give the cell back: hide the group."""
    hide = suppress(frame([(3, 40)]), K)
    assert bool(hide["num_hidden"].iloc[0]) and bool(hide["den_hidden"].iloc[0])


def test_groups_are_separate_years():
    f = frame([(3, 40), (30, 50), (3, 40), (30, 50), (25, 45)], years=[2024, 2024, 2025, 2025, 2025])
    hide = suppress(f, K)
    assert list(hide["num_hidden"]) == [True, True, True, False, True]


def test_masked_empties_hidden_cells_and_bad_min_cell():
    m = masked(frame([(6, 7), (30, 50), (25, 45)]).assign(value=[6 / 7, 0.6, 25 / 45]), K)
    assert m["numerator"].isna().tolist() == [True, False, True]
    assert m["value"].isna().tolist() == [True, False, True]
    assert m["denominator"].notna().all()
    with pytest.raises(ValueError, match="min_cell"):
        suppress(frame([(1, 2)]), 0)


def assert_protected(f: pd.DataFrame, hide: pd.DataFrame, k: int = K) -> None:
    """What the rule promises, checked on one group (one year)."""
    num, den = f["numerator"].to_numpy(float), f["denominator"].to_numpy(float)
    nh, dh = hide["num_hidden"].to_numpy(), hide["den_hidden"].to_numpy()
    assert not (dh & ~nh).any(), "a hidden total with its numerator shown"
    shown = ~nh & ~np.isnan(num)
    assert (num[shown] >= k).all() and (den[shown] - num[shown] >= k).all()
    assert (den[~dh & ~np.isnan(den)] >= k).all()
    for mask, counts in ((nh, num), (nh, den - num), (dh, den)):
        if mask.any() and not mask[~np.isnan(counts)].all():
            assert mask.sum() >= 2 and np.nansum(counts[mask]) >= k


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=12))
def test_no_table_leaks_a_hidden_cell(pairs):
    rows = [(min(a, b), max(a, b)) for a, b in pairs]
    f = frame(rows)
    assert_protected(f, suppress(f, K))


# ---------------------------------------------------------------------------
# end to end: planted small cells, every output, the attacker
# ---------------------------------------------------------------------------
#: Planted per-unit rows of the as-of year: (numerator, denominator) per commune.
PLANTED = {"C1": (10, 12), "C2": (3, 20), "C3": (40, 60), "C4": (2, 4), "C5": (33, 50), "C6": (45, 55),
           "C7": (5, 10)}
SMALL = {"C1", "C2", "C4"}


@pytest.fixture(scope="module")
def planted():
    names = {code: f"Xã Thử {code}" for code in PLANTED}
    res = make_results(commune_names=names)
    rows = [{"unit_code": c, "year": y, "numerator": n, "denominator": d, "value": n / d}
            for y in (2024, 2025) for c, (n, d) in PLANTED.items()]
    units = pd.DataFrame(rows)
    for o in res.targets:
        if o.units is not None:
            o.units = units.copy()
    from forecast.reports import html as report

    data = report.summary(res, {})
    return res, data


def _number(text: str) -> float | None:
    """A figure as the outputs print it (``1.234``, ``81,8%``); None for a hidden or empty cell."""
    text = html.unescape(str(text)).strip()
    if not text or text in ("ẩn", "hidden", "–"):
        return None
    share = text.endswith("%")
    x = float(text.rstrip("%").replace(".", "").replace(",", "."))
    return x / 100 if share else x


def _html_rows(res) -> list[dict]:
    rows = []
    for code in PLANTED:
        page = review.commune_table_html(res, code, "vi", K)
        for tr in re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1]):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", tr)
            rows.append({"id": cells[0], "unit": code, "num": _number(cells[1]), "den": _number(cells[2]),
                         "share": _number(cells[3])})
    return rows


def _csv_rows(res) -> list[dict]:
    f = csvout.read_csv(io.StringIO(exports.units_csv_text(res, "vi", K).lstrip("\ufeff")), "vi")
    return [{"id": r["Mã chỉ tiêu"], "unit": r["Mã đơn vị"], "num": r["Số người đạt"], "den": r["Tổng số người"],
             "share": r["Tỷ lệ"]} for r in f.to_dict("records")]


def _xlsx_rows(res, data) -> list[dict]:
    wb = xlsx.workbook(data, res, "vi", K)
    ws = wb["Đơn vị (tổng hợp)"]
    values = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(values) if r and r[0] == "Mã chỉ tiêu")
    return [{"id": r[0], "unit": r[1], "num": r[4], "den": r[5], "share": r[6]}
            for r in values[start + 1:] if r and r[0] and str(r[0]).startswith("T")]


def _docx_rows(res, data) -> list[dict]:
    doc = docx.document(data, res, "vi", K)
    table = doc.tables[-1]
    names = {f"Xã Thử {c}": c for c in PLANTED}
    return [{"id": r.cells[0].text, "unit": names[r.cells[1].text], "num": _number(r.cells[2].text),
             "den": _number(r.cells[3].text), "share": _number(r.cells[4].text)} for r in table.rows[1:]]


def _clean(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def attack(rows: list[dict]) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """Everything the rows give away, per (target, unit): (numerator, denominator) or None when unknown."""
    known: dict[tuple[str, str], list] = {}
    for r in rows:
        num, den, share = _clean(r["num"]), _clean(r["den"]), _clean(r["share"])
        if num is None and share is not None and den is not None:
            num = round(share * den)
        if den is None and share and num is not None:
            den = round(num / share)
        k = known.setdefault((r["id"], r["unit"]), [None, None])
        k[0] = k[0] if num is None else num
        k[1] = k[1] if den is None else den
    for tid in {t for t, _ in known}:  # the province's totals minus the shown cells
        cells = [key for key in known if key[0] == tid]
        for i, total in ((0, sum(n for n, _ in PLANTED.values())), (1, sum(d for _, d in PLANTED.values()))):
            unknown = [key for key in cells if known[key][i] is None]
            if len(unknown) == 1:
                known[unknown[0]][i] = total - sum(known[key][i] for key in cells if key != unknown[0])
        unknown = [key for key in cells if None in known[key]]  # complements: total non-holders minus shown
        if len(unknown) == 1:
            comp_total = sum(d - n for n, d in PLANTED.values())
            rest = sum(known[key][1] - known[key][0] for key in cells if key != unknown[0])
            d = known[unknown[0]][1]
            if d is not None:
                known[unknown[0]][0] = d - (comp_total - rest)
    return {key: (v[0], v[1]) for key, v in known.items()}


def test_planted_small_cells_cannot_be_recovered_from_any_output(planted):
    res, data = planted
    outputs = {"html": _html_rows(res), "csv": _csv_rows(res), "xlsx": _xlsx_rows(res, data),
               "docx": _docx_rows(res, data)}
    for name, rows in outputs.items():
        assert {r["unit"] for r in rows} == set(PLANTED), name
        assert {r["id"] for r in rows} == {"T04", "T06", "T10"}, name
    together = attack([r for rows in outputs.values() for r in rows])
    for name, rows in [*outputs.items(), ("all outputs together", [])]:
        known = attack(rows) if rows else together
        for (tid, unit), (num, den) in known.items():
            true_num, true_den = PLANTED[unit]
            if num is not None:
                assert num == true_num, (name, tid, unit)  # the attacker is sound
                assert num >= K, (name, tid, unit, "small numerator recovered")
            if den is not None:
                assert den >= K, (name, tid, unit, "small total recovered")
            if num is not None and den is not None:
                assert den - num >= K, (name, tid, unit, "small complement recovered")
        for unit in SMALL:
            for tid in ("T04", "T06", "T10"):
                num, den = known[(tid, unit)]
                assert num is None, (name, tid, unit)


def test_every_output_hides_the_same_cells(planted):
    res, data = planted
    hidden = {name: {(r["id"], r["unit"]) for r in rows if _clean(r["num"]) is None}
              for name, rows in {"html": _html_rows(res), "csv": _csv_rows(res), "xlsx": _xlsx_rows(res, data),
                                 "docx": _docx_rows(res, data)}.items()}
    assert len({frozenset(v) for v in hidden.values()}) == 1, hidden
    assert {u for _, u in hidden["csv"]} >= SMALL


def test_charts_draw_no_hidden_share(planted, monkeypatch):
    """The commune charts and the small multiples get the shares with the same cells hidden."""
    res, _ = planted
    drawn = []
    monkeypatch.setattr(review.plots, "small_multiples", lambda data, **kw: drawn.append(data) or None)
    monkeypatch.setattr(review.plots, "figure_html", lambda *a, **kw: "")
    review.commune_multiples_html(res, "T06", "vi", K)
    for code in PLANTED:
        review.commune_chart_html(res, code, "vi", K)
    shown = pd.concat(drawn).dropna(subset=["value"])
    hidden_units = {u for (_, u) in {(r["id"], r["unit"]) for r in _csv_rows(res) if _clean(r["num"]) is None}}
    assert hidden_units >= SMALL
    assert not shown["unit_code"].isin(hidden_units).any()
