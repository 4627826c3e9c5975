"""The official progress labels, each rule kept separate and reproducible to the decimal.

These rules are what statistical offices publish; the workbench shows them for
comparability, next to (never instead of) its own probability of meeting a
target. Every function takes values **in percent** as published, and returns an
:class:`OfficialLabel` that names the rule and its version. Formulas and sources
are in ``docs/methods.md`` ("Official progress rules") and METHODS §1.

All of them rest on the level compound annual growth rate (CAGR):

    CAGR_a = (v_t / v_b)^(1/(t − b)) − 1          observed, base year b to latest year t
    CAGR_r = (T / v_b)^(1/(Y − b)) − 1            required, base year b to target year Y
    v̂_Y   = v_t (1 + CAGR_a)^(Y − t)             "current pace maintained"

Zero values are replaced by 0.001 (Open SDG's convention). Compounding the
level keeps accelerating in percentage points just where a share bounded by
100 % must slow down, so near the ceiling these rules are biased towards "on
track": :func:`ceiling_note` says so when it matters.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

#: Zero values are replaced by this before taking growth rates (Open SDG convention).
ZERO_FLOOR = 0.001

ESCAP_RULE = "ESCAP Anticipated Progress Index gap"
ESCAP_VERSION = ("ESCAP Asia-Pacific SDG Progress Report methodology (2017 onwards), gap as worded in the "
                 "UNECE technical notes 2022–2026; level-CAGR projection")
UNSD_RULE = "UNSD SDG Progress Chart, current ratio of actual to required CAGR"
UNSD_VERSION = "Progress Chart technical notes 2020–2022 (generation A): cut-offs 0.95 / 0.50 / −0.10"
EUROSTAT_RULE = "Eurostat SDG monitoring, ratio of actual to required growth"
EUROSTAT_VERSION = ("Eurostat SDG monitoring report rule for quantified targets, cut-offs 95 % / 60 % / 0 % "
                    "as published in Statistics Canada's Open SDG method (Eurostat annex not retrieved)")


@dataclass
class OfficialLabel:
    """One official rule's verdict.

    Attributes
    ----------
    rule, version : str
        Which rule and which version of it produced the label.
    value : float or None
        The gap (ESCAP) or ratio (UNSD, Eurostat), rounded to 4 decimals; None
        when the rule cannot be computed.
    label : str
        The class, as a code (e.g. ``on_track``, ``acceleration_needed``).
    notes : list of str
    """

    rule: str
    version: str
    value: float | None
    label: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _pos(v: float) -> float:
    return ZERO_FLOOR if v <= 0 else float(v)


def cagr(v_base: float, v_latest: float, base_year: int, latest_year: int) -> float:
    """Compound annual growth rate between two points (zeros replaced by 0.001)."""
    if latest_year <= base_year:
        raise ValueError(f"the latest year ({latest_year}) must come after the base year ({base_year})")
    return (_pos(v_latest) / _pos(v_base)) ** (1.0 / (latest_year - base_year)) - 1.0


def required_cagr(v_base: float, target: float, base_year: int, target_year: int) -> float:
    """CAGR needed from the base year to reach ``target`` in ``target_year``."""
    return cagr(v_base, target, base_year, target_year)


def anticipated_value(v_base: float, v_latest: float, base_year: int, latest_year: int, target_year: int) -> float:
    """The level-CAGR projection ``v_t (1 + CAGR_a)^(Y − t)`` (may exceed 100)."""
    return _pos(v_latest) * (1 + cagr(v_base, v_latest, base_year, latest_year)) ** (target_year - latest_year)


def _check(v_base, v_latest, base_year, latest_year):
    if latest_year <= base_year:
        return f"needs two years of data (base {base_year}, latest {latest_year})"
    if not (math.isfinite(v_base) and math.isfinite(v_latest)):
        return "missing base or latest value"
    return None


def escap_gap(v_base: float, v_latest: float, target: float, base_year: int, latest_year: int,
              target_year: int = 2030) -> OfficialLabel:
    """ESCAP anticipated-progress gap and class.

    ``Gap = (T − v̂_Y) / (T − v_b)``: ≤ 0 on track ("maintain progress"),
    (0, 1] ``acceleration_needed`` ("accelerate progress"), > 1
    ``regressing`` ("reverse trend": the projection ends below the base value).
    """
    problem = _check(v_base, v_latest, base_year, latest_year)
    if problem:
        return OfficialLabel(ESCAP_RULE, ESCAP_VERSION, None, "insufficient_data", [problem])
    proj = anticipated_value(v_base, v_latest, base_year, latest_year, target_year)
    notes = [f"Level-CAGR projection for {target_year}: {proj:.2f}%."]
    if target == v_base:
        label = "on_track" if proj >= target else "regressing"
        return OfficialLabel(ESCAP_RULE, ESCAP_VERSION, None, label,
                             notes + ["Base value equals the target: the gap is undefined."])
    gap = (target - proj) / (target - v_base)
    label = "on_track" if gap <= 0 else ("acceleration_needed" if gap <= 1 else "regressing")
    return OfficialLabel(ESCAP_RULE, ESCAP_VERSION, round(gap, 4), label, notes)


def _ratio_rule(rule, version, cuts, labels, v_base, v_latest, target, base_year, latest_year, target_year,
                achieved_tol):
    problem = _check(v_base, v_latest, base_year, latest_year)
    if problem:
        return OfficialLabel(rule, version, None, "insufficient_data", [problem])
    if v_latest / target > achieved_tol:
        return OfficialLabel(rule, version, None, "achieved", ["The latest value already meets the target."])
    actual = cagr(v_base, v_latest, base_year, latest_year)
    required = required_cagr(v_base, target, base_year, target_year)
    notes = [f"CAGR actual {100 * actual:.3f}%/yr, required {100 * required:.3f}%/yr "
             f"(base {base_year}, target {target_year})."]
    if required <= 0:
        label = "on_track" if actual >= 0 else labels[-1]
        return OfficialLabel(rule, version, None, label, notes + ["The base value already met the target."])
    ratio = actual / required
    label = labels[-1]
    for cut, name in zip(cuts, labels, strict=False):
        if ratio >= cut:
            label = name
            break
    return OfficialLabel(rule, version, round(ratio, 4), label, notes)


def unsd_ratio(v_base: float, v_latest: float, target: float, base_year: int, latest_year: int,
               target_year: int = 2030) -> OfficialLabel:
    """UNSD Progress Chart current ratio ``CR = CAGR_a / CAGR_r``.

    ``CR ≥ 0.95`` on_track (substantial progress), ``0.50–0.95``
    acceleration_needed (fair progress), ``−0.10–0.50`` limited (limited or no
    progress), ``< −0.10`` deterioration; ``achieved`` when ``v_t / T > 0.9995``
    (UNDP's implementation).
    """
    return _ratio_rule(UNSD_RULE, UNSD_VERSION, (0.95, 0.50, -0.10),
                       ("on_track", "acceleration_needed", "limited", "deterioration"),
                       v_base, v_latest, target, base_year, latest_year, target_year, 0.9995)


def eurostat_ratio(v_base: float, v_latest: float, target: float, base_year: int, latest_year: int,
                   target_year: int = 2030) -> OfficialLabel:
    """Eurostat ratio of actual to required growth.

    ``RoG ≥ 95 %`` significant progress (``on_track``), ``60–95 %`` moderate
    progress (``acceleration_needed``), ``0–60 %`` insufficient progress
    (``insufficient``), ``< 0`` movement away (``moving_away``); ``achieved`` when
    the latest value meets the target.
    """
    return _ratio_rule(EUROSTAT_RULE, EUROSTAT_VERSION, (0.95, 0.60, 0.0),
                       ("on_track", "acceleration_needed", "insufficient", "moving_away"),
                       v_base, v_latest, target, base_year, latest_year, target_year, 1.0 - 1e-12)


def growth_class(v_base: float, v_latest: float, base_year: int, latest_year: int, rule: str) -> OfficialLabel:
    """Classes for an indicator without a numeric target (T11), by the observed CAGR.

    UNSD: > 1 % substantial, 0.5–1 % fair, −1–0.5 % limited, < −1 % deterioration.
    Eurostat: > 1 % significant, 0–1 % moderate, −1–0 % moderate movement away,
    < −1 % significant movement away.
    """
    if rule not in ("unsd", "eurostat"):
        raise ValueError(f"rule must be 'unsd' or 'eurostat', got {rule!r}")
    name, version = (UNSD_RULE, UNSD_VERSION) if rule == "unsd" else (EUROSTAT_RULE, EUROSTAT_VERSION)
    name += " (no numeric target: observed CAGR classes)"
    problem = _check(v_base, v_latest, base_year, latest_year)
    if problem:
        return OfficialLabel(name, version, None, "insufficient_data", [problem])
    g = cagr(v_base, v_latest, base_year, latest_year)
    if rule == "unsd":
        label = ("substantial" if g > 0.01 else "fair" if g >= 0.005 else "limited" if g >= -0.01
                 else "deterioration")
    else:
        label = ("significant_progress" if g > 0.01 else "moderate_progress" if g >= 0 else
                 "moderate_movement_away" if g >= -0.01 else "significant_movement_away")
    return OfficialLabel(name, version, round(g, 6), label, [f"Observed CAGR {100 * g:.3f}%/yr."])


def ceiling_note(v_base: float, v_latest: float, base_year: int, latest_year: int, target_year: int = 2030,
                 tolerance_pp: float = 1.0) -> str | None:
    """A warning when the level-CAGR projection is biased by the 100 % ceiling.

    Compares the level-CAGR projection with the two-point logit projection
    through the same points; returns a note when they differ by more than
    ``tolerance_pp`` percentage points in ``target_year`` (None otherwise).
    """
    if _check(v_base, v_latest, base_year, latest_year):
        return None
    proj = anticipated_value(v_base, v_latest, base_year, latest_year, target_year)

    def logit(p):
        p = min(max(p / 100, 1e-4), 1 - 1e-4)
        return math.log(p / (1 - p))

    slope = (logit(v_latest) - logit(v_base)) / (latest_year - base_year)
    z = logit(v_latest) + slope * (target_year - latest_year)
    bounded = 100 / (1 + math.exp(-z))
    if abs(proj - bounded) <= tolerance_pp:
        return None
    beyond = " (beyond 100%, impossible for a share)" if proj > 100 else ""
    return (f"Near the 100% ceiling the level-CAGR rules overstate progress: compounding the level gives "
            f"{proj:.1f}% in {target_year}{beyond}, a bounded (logit) projection through the same two points "
            f"gives {bounded:.1f}%.")
