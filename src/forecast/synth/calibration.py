"""Parameters and calibration targets of the synthetic demonstration province.

Two tables live here, both as plain data so that ``forecast synth`` can print them
into ``data/demo/README.md`` and ``data/demo/calibration.csv``:

* :data:`PARAMETERS` — every number the generator (:mod:`forecast.synth`) uses, with
  either the published figure it rests on (a source URL from the shared table of
  public figures) or the word ``assumption``.
* :data:`CALIBRATION` — levels the generated province must reproduce, each with a
  tolerance and its basis (a published figure with its URL, or ``assumption``), and
  :func:`measure`, which computes a quantity from a generated dataset.

Nothing here is Lạng Sơn's real data: no series of the target indicators is public
for the province, so the levels are set to be plausible for a mountainous border
province and stated as assumptions where no figure exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.domain.targets import indicator_ids
from forecast.inputs.units import DEFAULT_SPLIT_SHARES

ASSUMPTION = "assumption"

# Source pages (from the shared table of public figures).
URL_ND178_LS = ("https://ja.laodong.vn/thoi-su/lang-son-chi-tra-hon-1250-ti-dong-cho-hon-2500-nguoi-"
                "nghi-viec-theo-nghi-dinh-178-1568684.ldo")
URL_CC_2021 = "https://trithucvn.org/tin-tuc-vn/viet-nam-co-gan-60-000-cong-chuc-co-trinh-do-thac-si-tien-si.html"
URL_XA_2024 = ("https://vietnamnet.vn./bo-noi-vu-hien-co-hon-200-nghin-can-bo-xa-92-4-tot-nghiep-dai-hoc-"
               "2388224.html")
URL_XA_2025 = ("https://dantri.com.vn/noi-vu/ca-nuoc-co-bao-nhieu-cong-chuc-xa-phuong-chua-dat-trinh-do-"
               "yeu-cau-20260130183005050.htm")
URL_LAMDONG_2021 = ("https://baolamdong.vn/toasoan-bandoc/202109/7256-cong-chuc-cap-xa-co-trinh-do-dai-hoc-"
                    "sau-dai-hoc-3077610/")
URL_NGHEAN_2021 = ("https://baonghean.vn/thong-nhat-ke-hoach-giao-so-nguoi-lam-viec-huong-luong-ngan-sach-"
                   "nam-2021-cua-nghe-an-270088.html")

#: The seven groups every per-group parameter is given for (category × level).
GROUPS = ("cbcc_tinh", "cbcc_huyen", "can_bo_xa", "cong_chuc_xa", "vc_tinh", "vc_huyen", "vc_xa")


@dataclass(frozen=True)
class Param:
    """One generator parameter.

    Attributes
    ----------
    name : str
        Key used by :mod:`forecast.synth`.
    value : object
        A number, or a dict keyed by group/level/code.
    meaning : str
        What it controls (English).
    source : str
        ``"assumption"`` or the URL of the published figure it matches.
    note : str
        How the value relates to the source (empty for plain assumptions).
    """

    name: str
    value: object
    meaning: str
    source: str = ASSUMPTION
    note: str = ""


def _g(**kw) -> dict:
    return {g: kw.get(g, 0.0) for g in GROUPS}


PARAMETERS: tuple[Param, ...] = (
    # --- size of the 2015 workforce ------------------------------------------------
    Param("headcount_2015", _g(cbcc_tinh=1570, cbcc_huyen=1250, vc_tinh=6200, vc_huyen=12300),
          "2015 headcount of the groups above commune level (about 25,000 people in all with the communes)"),
    Param("commune_posts", {19: 0.15, 21: 0.45, 23: 0.4},
          "cán bộ + công chức posts per commune before the merger (post count: probability)",
          note="a Lạng Sơn-sized commune level of about 4,200 people in 200 communes"),
    Param("commune_can_bo_share", 0.52, "share of a commune's posts held by cán bộ (elected) rather than công chức"),
    Param("can_bo_share", _g(cbcc_tinh=0.14, cbcc_huyen=0.21), "share of cán bộ among provincial/district cadres and civil servants"),
    Param("female_share", _g(cbcc_tinh=0.42, cbcc_huyen=0.40, can_bo_xa=0.25, cong_chuc_xa=0.40,
                             vc_tinh=0.68, vc_huyen=0.74, vc_xa=0.74), "share of women"),
    Param("age_beta", (1.35, 1.25), "2015 ages: Beta(a, b) between 22 and the statutory retirement age"),
    Param("hire_age", (22, 35), "age range of new hires (uniform, years)"),
    Param("initial_hire_age", (22, 30), "age at hiring of the 2015 staff (uniform, years; at most their 2015 age)"),
    Param("unit_weights", {"cbcc_dirichlet": 4.0, "vc_dirichlet": 1.0, "vc_big_departments": 12.0,
                           "district_offset": 8.0},
          "how staff spread over units: department shares ~ Dirichlet(a) (viên chức ×12 in the education, health "
          "and culture departments); a district's share ∝ its number of communes + offset"),
    # --- staff cuts -----------------------------------------------------------------
    Param("cut_2015_2021", 0.10, "headcount cut 2015→2021 (linear), every group",
          URL_NGHEAN_2021, "mirrors the 10% cut vs 2015 of budget-paid viên chức in Nghệ An's 2021 plan"),
    Param("cut_2022_2026", 0.05, "further headcount cut 2022→2026 (linear)"),
    Param("commune_cut_share", 0.5, "share of the cuts borne by the commune level (its posts are set by decree)"),
    # --- education ------------------------------------------------------------------
    Param("univ_share_2015", _g(cbcc_tinh=0.88, cbcc_huyen=0.82, can_bo_xa=0.50, cong_chuc_xa=0.58,
                                vc_tinh=0.60, vc_huyen=0.44),
          "2015 share with a university degree or higher"),
    Param("education_age_gradient", (0.5, 1.5),
          "2015 chance of being below university, times a factor rising linearly from the first value at age 22 "
          "to the second at 60 (older staff less often hold a degree)"),
    Param("below_university_mix", {"xa": (0.05, 0.10, 0.60, 0.25), "other": (0.0, 0.05, 0.60, 0.35)},
          "education of people below university (chưa đào tạo, sơ cấp, trung cấp, cao đẳng), commune level and other"),
    Param("doctorate_share_of_postgrad", {"cbcc_tinh": 0.04, "other": 0.01},
          "share of doctorates among post-graduates at entry"),
    Param("master_share_2015", _g(cbcc_tinh=0.17, cbcc_huyen=0.08, can_bo_xa=0.004, cong_chuc_xa=0.004,
                                  vc_tinh=0.07, vc_huyen=0.01),
          "2015 share with a master's or doctorate (among all)"),
    Param("hire_univ_share", {"from": _g(cbcc_tinh=0.90, cbcc_huyen=0.86, can_bo_xa=0.70, cong_chuc_xa=0.80,
                                         vc_tinh=0.70, vc_huyen=0.55, vc_xa=0.55),
                              "to": _g(cbcc_tinh=0.99, cbcc_huyen=0.98, can_bo_xa=0.96, cong_chuc_xa=0.98,
                                       vc_tinh=0.92, vc_huyen=0.88, vc_xa=0.88)},
          "share of new hires with university+, rising linearly 2016→2025"),
    Param("hire_master_share", _g(cbcc_tinh=0.10, cbcc_huyen=0.04, can_bo_xa=0.01, cong_chuc_xa=0.01,
                                  vc_tinh=0.06, vc_huyen=0.01, vc_xa=0.01),
          "share of university+ hires who hold a master's"),
    Param("upgrade_univ_rate", _g(cbcc_tinh=0.035, cbcc_huyen=0.035, can_bo_xa=0.075, cong_chuc_xa=0.08,
                                  vc_tinh=0.02, vc_huyen=0.02, vc_xa=0.02),
          "yearly probability that a person below university completes a degree in service"),
    Param("upgrade_univ_xa_2022", 1.9,
          "multiplier on the commune-level degree rate from 2022 (the push to standardise commune staff)"),
    Param("upgrade_univ_vc_2021", 1.5,
          "multiplier on the viên chức degree rate from 2021 (teachers' degree upgrading roadmap)"),
    Param("upgrade_master_rate", _g(cbcc_tinh=0.014, cbcc_huyen=0.010, can_bo_xa=0.003, cong_chuc_xa=0.003,
                                    vc_tinh=0.008, vc_huyen=0.003, vc_xa=0.003),
          "yearly probability that a university graduate completes a master's"),
    Param("upgrade_phd_rate", 0.004, "yearly probability that a master completes a doctorate"),
    Param("upgrade_univ_boost", 1.5, "multiplier on the degree rate for key commune cadres and the succession pool"),
    Param("rate_cap", 0.9, "no yearly upgrade probability exceeds this"),
    # --- political theory (none, sơ cấp, trung cấp, cao cấp) ------------------------
    Param("pt_2015", {"cbcc_tinh": (0.25, 0.20, 0.30, 0.25), "cbcc_huyen": (0.15, 0.20, 0.45, 0.20),
                      "can_bo_xa": (0.04, 0.24, 0.64, 0.08), "cong_chuc_xa": (0.20, 0.35, 0.42, 0.03),
                      "vc": (0.70, 0.20, 0.08, 0.02)},
          "2015 distribution of political theory (none, sơ cấp, trung cấp, cao cấp)"),
    Param("hire_pt_so_cap", 0.15,
          "share of new hires (other than commune cán bộ, drawn like the 2015 commune cán bộ) with sơ cấp political theory"),
    Param("leader_pt_2015", {"so_cao_cap": 0.85, "phong_trung_cap_plus": 0.9, "key_cadre_trung_cap_plus": 0.9},
          "2015: department leaders with cao cấp (else trung cấp); division leaders and key commune cadres with "
          "at least trung cấp (else at least sơ cấp)"),
    Param("pt_rates", {"cbcc": (0.08, 0.05, 0.02), "can_bo_xa": (0.25, 0.075, 0.01),
                       "cong_chuc_xa": (0.10, 0.05, 0.005), "vc": (0.02, 0.01, 0.002)},
          "yearly probability of the next political-theory level (none→sơ cấp, sơ cấp→trung cấp, trung cấp→cao cấp)"),
    Param("pt_boost", {"in_pool": 1.5, "leader": 2.0, "key_cadre": 2.0},
          "multipliers on the political-theory rates for the succession pool, leaders, key commune cadres"),
    # --- state-management programmes (none, chuyên viên, chuyên viên chính, cao cấp) ---
    Param("sm_2015", {"cbcc": (0.30, 0.50, 0.18, 0.02), "xa": (0.40, 0.56, 0.04, 0.0), "vc": (0.85, 0.13, 0.02, 0.0)},
          "2015 distribution of state-management training (none, cv, cvc, cvcc)"),
    Param("sm_rates", {"cbcc": (0.10, 0.02, 0.002), "xa": (0.15, 0.005, 0.0), "vc": (0.015, 0.003, 0.0)},
          "yearly probability of the next programme (none→cv, cv→cvc, cvc→cvcc)"),
    Param("leader_so_2015", (0.15, 0.70, 0.15),
          "2015 department-level leaders: share with cv, cvc, cvcc (T07 starts at the cvcc share)"),
    Param("leader_phong_cvc_2015", 0.56, "2015 division-level leaders with cvc or cvcc (T08)"),
    Param("leader_rates", {"so_cvcc": 0.03, "phong_cvc": 0.13, "leader_cv": 0.3, "pool_cvc": 0.04},
          "yearly probability: department leader completes cvcc; leader completes cvc; leader without any "
          "programme completes cv; pool member completes cvc"),
    # --- language, IT, standard training ---------------------------------------------
    Param("skills_2015", {"foreign_language": 0.42, "it_skill": 0.58, "standard_training": 0.52},
          "2015 share holding each skill"),
    Param("skills_age_gradient", (1.3, 0.7),
          "2015 skill shares times a factor falling linearly from the first value at age 22 to the second at 60"),
    Param("skills_rates", {"foreign_language": 0.035, "it_skill": 0.07, "standard_training": 0.075},
          "yearly probability of acquiring each skill"),
    Param("skills_hire", {"foreign_language": 0.55, "it_skill": 0.80, "standard_training": 0.0},
          "share of new hires holding each skill"),
    # --- posts ------------------------------------------------------------------------
    Param("leader_posts", {"so": _g(cbcc_tinh=170, cbcc_huyen=66, vc_tinh=45),
                           "phong": _g(cbcc_tinh=420, cbcc_huyen=330, vc_tinh=300, vc_huyen=150)},
          "department-level (sở) and division-level (phòng) leader posts before 2025 (about 280 and 1,200)"),
    Param("leader_posts_2025", {"so": _g(cbcc_tinh=150, vc_tinh=50), "phong": _g(cbcc_tinh=400, vc_tinh=330),
                                "phong_per_commune": 3},
          "leader posts after 1 July 2025 (surplus leaders keep their posts; no new appointment until below)"),
    Param("key_cadres_per_commune", {"before": 5, "after": 7}, "key commune cadres (chủ chốt) per commune"),
    Param("pool_share", 0.15, "share of cán bộ/công chức in the succession pool (quy hoạch)"),
    Param("pool_turnover", 0.2, "share of the pool reviewed out each year (the pool is revised yearly)"),
    Param("pool_max_age", 50, "oldest age at which a person enters the pool"),
    Param("appointment_ages", {"so_min": 38, "phong_min": 28, "max": 55},
          "youngest department / division leader appointed; oldest age at appointment or in the pool "
          "(the 2015 leaders are drawn with weight ∝ age)"),
    Param("selection_weights", {"so": {"cvc": 2.0, "cao_cap": 1.0}, "phong": {"cv": 1.0, "cvc": 2.0, "in_pool": 1.0},
                                "key_cadre": {"university": 1.0, "from_district": 4.0},
                                "pool": {"political_theory": 0.3, "phong_leader": 0.5}},
          "appointments are weighted draws among the eligible: weight 1 + the listed bonuses a candidate has "
          "(e.g. a division leader with cvc is 3× as likely to become a department leader)"),
    # --- exits --------------------------------------------------------------------------
    Param("exit_rates", {"nghi_viec": _g(cbcc_tinh=0.006, cbcc_huyen=0.006, can_bo_xa=0.010, cong_chuc_xa=0.012,
                                         vc_tinh=0.010, vc_huyen=0.010, vc_xa=0.010),
                         "chuyen_cong_tac": _g(cbcc_tinh=0.006, cbcc_huyen=0.006, can_bo_xa=0.004,
                                               cong_chuc_xa=0.004, vc_tinh=0.004, vc_huyen=0.004, vc_xa=0.004),
                         "khac": _g(cbcc_tinh=0.004, cbcc_huyen=0.004, can_bo_xa=0.004, cong_chuc_xa=0.004,
                                    vc_tinh=0.004, vc_huyen=0.004, vc_xa=0.004)},
          "yearly probability of leaving other than by retirement (quit, transfer out, other)"),
    Param("quit_age_multiplier", {"under_35": 1.5, "over_50": 0.6}, "quit rate multiplier by age"),
    Param("streamlining_rate", 0.008,
          "extra yearly early exits of staff aged 50+ during the streamlining years (counted as 'khac')"),
    Param("streamlining_years", (2016, 2021), "years of the streamlining early exits"),
    Param("election_turnover", 0.08, "extra exit of commune cán bộ in an election year (not re-elected)"),
    Param("election_years", (2016, 2021), "People's Council election years of the period"),
    # --- the 2025 restructuring -------------------------------------------------------------
    Param("nd178_exits", 1353, "cadres, civil servants and public employees leaving under Decree 178 in 2025",
          URL_ND178_LS, "Lạng Sơn's published count of 1,353"),
    Param("nd178_weights", {"cbcc_tinh": 2.5, "cbcc_huyen": 6.0, "can_bo_xa": 5.0, "cong_chuc_xa": 3.0,
                            "vc_tinh": 0.25, "vc_huyen": 0.25, "near_retirement": 4.0},
          "relative chance of a Decree 178 exit by group, times 'near_retirement' close to the statutory age"),
    Param("nd178_near_retirement_months", 60, "'close to the statutory age' for Decree 178 exits (months)"),
    Param("nd178_months", (1, 6), "Decree 178 exits are dated in these months of 2025"),
    Param("district_to_province", {"cbcc": 0.40, "vc": 0.15},
          "share of district-level staff moved to the province on 1 July 2025 (the rest to the new communes)"),
    Param("hire_ratio_2025", 0.3, "hiring in 2025 as a share of the usual replacement"),
    Param("hiring_stops_2025", 2, "last month of 2025 with recruitment (the department mergers start in March)"),
    Param("split_share", dict(DEFAULT_SPLIT_SHARES),
          "share of a split commune's staff going to the unit receiving the part, by old code "
          "(the registry's default, forecast.inputs.units.DEFAULT_SPLIT_SHARES)"),
    Param("field_shares", {"cbcc": {"kinh_te_cua_khau": 0.05, "thuong_mai": 0.05, "van_hoa": 0.05, "du_lich": 0.03,
                                    "dich_vu": 0.03, "ha_tang_kcn": 0.05, "nong_nghiep": 0.10, "khac": 0.64},
                           "vc": {"kinh_te_cua_khau": 0.0, "thuong_mai": 0.005, "van_hoa": 0.03, "du_lich": 0.01,
                                  "dich_vu": 0.01, "ha_tang_kcn": 0.005, "nong_nghiep": 0.03, "khac": 0.91}},
          "field of training (the key fields of T11, else 'khac')"),
)


def parameters() -> dict:
    """The generator's parameters as ``{name: value}``."""
    return {p.name: p.value for p in PARAMETERS}


@dataclass(frozen=True)
class Calibration:
    """One level the generated province must reproduce.

    ``quantity`` is ``"<indicator>@<year>"`` (a province-wide share in percent, or T11's
    count), or one of the named quantities of :func:`measure`.
    """

    quantity: str
    value: float
    tolerance: float
    source: str
    note: str


CALIBRATION: tuple[Calibration, ...] = (
    Calibration("T01@2021", 94.68, 6.0, URL_CC_2021,
                "national civil servants at district level and above, end 2021: 0.63% doctorate + 25.06% master's "
                "+ 68.99% university; a mountainous province assumed a few points lower"),
    Calibration("masters_tinh_huyen@2021", 25.69, 10.0, URL_CC_2021,
                "same national figure: 25.06% master's + 0.63% doctorate; a border province assumed lower"),
    Calibration("T06@2021", 72.56, 5.0, URL_LAMDONG_2021,
                "Lâm Đồng 2021: 72.56% of commune civil servants university+ (a peer highland province)"),
    Calibration("T06@2024", 92.4, 8.0, URL_XA_2024,
                "national commune level, end 2024: 92.4% university+; a mountainous province assumed lower"),
    Calibration("commune_staff_per_unit@2025", 58.0, 15.0, URL_XA_2025,
                "national, after the two-tier reform: 192,718 commune cadres and civil servants in 3,321 units"),
    Calibration("nd178@2025", 1353, 1.0, URL_ND178_LS, "Lạng Sơn's published Decree 178 count"),
    Calibration("headcount@2015", 25500, 1500, ASSUMPTION, "a Lạng Sơn-sized public workforce (about 25,000)"),
    Calibration("commune_staff@2024", 4100, 300, ASSUMPTION, "about 21 cadres and civil servants per commune"),
    Calibration("leaders_so@2024", 280, 60, ASSUMPTION, "department-level leaders: a few hundred"),
    Calibration("leaders_phong@2024", 1200, 300, ASSUMPTION, "division-level leaders: about 1,000–1,500"),
    Calibration("T02@2025", 66.0, 4.0, ASSUMPTION, "viên chức university+: 70% in 2030 within reach"),
    Calibration("T03@2025", 88.0, 7.0, ASSUMPTION, "succession pool with political theory: high, short of 100%"),
    Calibration("T04@2024", 86.0, 6.0, ASSUMPTION, "commune cán bộ with trung cấp+: short of 100%"),
    Calibration("T05@2024", 90.0, 6.0, ASSUMPTION, "key commune cadres university+: short of 100%"),
    Calibration("T07@2025", 25.0, 6.0, ASSUMPTION, "department leaders with cvcc: 20–30%, 40% hard"),
    Calibration("T08@2025", 68.0, 8.0, ASSUMPTION, "division leaders with cvc+: 60–75%, 90% hard"),
    Calibration("T09@2025", 38.0, 10.0, ASSUMPTION, "language, IT and standard training together: far from 100%"),
    Calibration("T10@2024", 65.0, 10.0, ASSUMPTION, "commune cán bộ standardised: short of 100%"),
)


def calibration_frame() -> pd.DataFrame:
    """:data:`CALIBRATION` as a table (``quantity, value, tolerance, source, note``)."""
    return pd.DataFrame([c.__dict__ for c in CALIBRATION])


def measure(quantity: str, obs: pd.DataFrame, flows: pd.DataFrame) -> float:
    """Compute a calibration quantity from a generated dataset.

    Parameters
    ----------
    quantity : str
        ``"Txx@YEAR"`` (province-wide share in percent; T11 the count) or a named
        quantity: ``masters_tinh_huyen``, ``commune_staff``, ``commune_staff_per_unit``,
        ``headcount``, ``nd178``, ``leaders_so``, ``leaders_phong`` (each ``@YEAR``).
    obs, flows : DataFrame
        ``observations.csv`` and ``flows.csv`` of the dataset.

    Returns
    -------
    float
    """
    name, year_text = quantity.split("@")
    year = int(year_text)
    if name.startswith("T"):
        rows = obs[(obs["indicator"] == name) & (obs["year"] == year) & (obs["unit_code"] != "20")]
        if name == "T11":
            return float(rows["numerator"].sum())
        return 100.0 * rows["numerator"].sum() / rows["denominator"].sum()
    f = flows[flows["year"] == year]

    def total(flow: str, **where) -> float:
        sel = f[f["flow"] == flow]
        for col, allowed in where.items():
            sel = sel[sel[col].isin(allowed)]
        return float(sel["count"].sum())

    if name == "masters_tinh_huyen":
        return 100.0 * total("masters", category=["can_bo", "cong_chuc"], level=["tinh", "huyen"]) / total(
            "headcount", category=["can_bo", "cong_chuc"], level=["tinh", "huyen"])
    if name == "commune_staff":
        return total("headcount", category=["can_bo", "cong_chuc"], level=["xa"])
    if name == "commune_staff_per_unit":
        units = obs[(obs["indicator"] == "T06") & (obs["year"] == year) & (obs["unit_code"].str.len() == 5)]
        return total("headcount", category=["can_bo", "cong_chuc"], level=["xa"]) / units["unit_code"].nunique()
    if name == "headcount":
        return total("headcount")
    if name == "nd178":
        return total("exit_nd178")
    if name in ("leaders_so", "leaders_phong"):
        return total(name)
    raise KeyError(f"unknown calibration quantity {quantity!r}")



def _fmt(value) -> str:
    """A parameter value as compact table text."""
    if isinstance(value, dict):
        inner = "; ".join(f"{k}: {_fmt(v)}" for k, v in value.items() if not (isinstance(v, float) and v == 0.0))
        return "{" + inner + "}"
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_fmt(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _levels_table(obs: pd.DataFrame, years=(2015, 2020, 2024, 2025)) -> list[str]:

    lines = ["| indicator | " + " | ".join(str(y) for y in years) + " |", "|---|" + "---:|" * len(years)]
    for ind in indicator_ids():
        row = []
        for y in years:
            r = obs[(obs["indicator"] == ind) & (obs["year"] == y)]
            if r.empty:
                row.append("–")
            elif r["denominator"].isna().all():
                row.append(f"{r['numerator'].sum():.0f}")
            else:
                row.append(f"{100 * r['numerator'].sum() / r['denominator'].sum():.1f}%")
        lines.append(f"| {ind} | " + " | ".join(row) + " |")
    return lines


def render_readme(result, calibration: pd.DataFrame, params) -> str:
    """The dataset folder's ``README.md``: the warning, the files, every parameter, the calibration.

    Every number in it comes from the parameters or from the generated data.
    """
    meta = result.meta
    obs, flows = result.observations, result.flows
    hc = flows[flows["flow"] == "headcount"].pivot_table(index=["category", "level"], columns="year",
                                                         values="count", aggfunc="sum")
    years = [y for y in (2015, 2020, 2024, 2025) if y in hc.columns]
    out = [
        "# Synthetic demonstration province / Tỉnh mô phỏng để trình diễn",
        "",
        f"> **{meta['description_vi']}**",
        ">",
        f"> **{meta['description_en']}**",
        "",
        f"Generated by `{meta['source']}` (generator `{meta['generator']}` version {meta['generator_version']}). "
        "Regenerate with the same command: the same seed gives byte-identical files. Do not edit these files "
        "by hand; `tests/test_synth.py` checks that they are exactly what the generator produces.",
        "",
        "## Files",
        "",
        "| file | content |",
        "|---|---|",
        "| `dataset.yml` | name, `synthetic: true`, descriptions (vi/en), source, generator version, seed |",
        "| `observations.csv` | the annual returns aggregated from the roster by `forecast.inputs.roster.aggregate`: "
        "T01–T11 and T09a/b/c, every unit and year 2015–2025; flags `synthetic` (every row) and `break` "
        "(2025 rows of T01, T04, T05, T06, T10, whose population changed definition) |",
        "| `roster.csv.gz` | the 31 October 2025 snapshot, one row per person (pseudonymous ids `P000001`…, "
        "no names): the stock-flow engine's starting point |",
        "| `roster_history.csv.gz` | every 31 October roster 2015–2025 as a roster history (docs/architecture.md, "
        "\"Roster history\"): one row per person and run of consecutive years with an unchanged record, the "
        "roster's columns with `from_year` and `to_year` (both included) in place of `year`, and the person's "
        "`exit_date` and `exit_reason` when they left by October 2025. `forecast.inputs.roster.snapshot(history, "
        "year)` gives back each year's roster, and the observations above are exactly those rosters "
        "aggregated (tested) |",
        "| `flows.csv` | per year, category and level: `headcount`, `hires`, exits by reason (`exit_huu`, "
        "`exit_nghi_viec`, `exit_nd178`, `exit_chuyen_cong_tac`, `exit_khac`), upgrades by programme "
        "(`upgrade_trung_cap`, `upgrade_dai_hoc`, `upgrade_thac_si`, `upgrade_tien_si`, `upgrade_llct_so_cap`, "
        "`upgrade_llct_trung_cap`, `upgrade_llct_cao_cap`, `upgrade_cv`, `upgrade_cvc`, `upgrade_cvcc`, "
        "`upgrade_foreign_language`, `upgrade_it_skill`, `upgrade_standard_training`, `upgrade_standardised`), "
        "promotions (`promoted_so`, `promoted_phong`), the 2025 moves (`transfer_out`, "
        "`transfer_in`) and stocks (`university`, `masters`, `leaders_so`, `leaders_phong`) |",
        "| `calibration.csv` | the calibration targets below with the generated value |",
        "",
        "`forecast synth --snapshots --out DIR` also writes every yearly roster to `DIR/snapshots/` "
        "(not shipped; the roster history holds the same). `forecast synth --staff N --communes K --seed S "
        "--out DIR` makes a test province of another size on the same unit registry (K of its communes, "
        "drawn with the seed and fully staffed; the levels above sized to make about N people in 2015), "
        "labelled synthetic in the same way.",
        "",
        "## How the history is made",
        "",
        "Each year (state on 31 October; flows from 1 November of the year before): Decree 178 early exits "
        "(2025); statutory retirement by birth month and sex (Decree 135/2020 schedule, "
        "`forecast.domain.retirement`); quits, transfers out and other exits (with extra early exits in the "
        "2016–2021 streamlining and commune cadres not re-elected in 2016 and 2021); recruitment to each "
        "group's headcount path; the territorial changes of the unit registry (December 2024 commune "
        "mergers, March 2025 department mergers, and on 1 July 2025 the end of the district level — its "
        "staff moved to the province or to the 65 new communes of their district — and the commune "
        "crosswalk); in-service upgrading; appointments to vacant leader posts, key commune-cadre posts and "
        "the succession pool. A person's `standardised` flag is derived: university+, trung cấp+ political "
        "theory and a state-management programme (assumption).",
        "",
        "## Parameters",
        "",
        "`source` is the published figure a value rests on (from the project's table of public figures) "
        "or `assumption`.",
        "",
        "| parameter | value | meaning | source | note |",
        "|---|---|---|---|---|",
    ]
    for p in params:
        out.append(f"| `{p.name}` | {_cell(_fmt(p.value))} | {_cell(p.meaning)} | {_cell(p.source)} | "
                   f"{_cell(p.note)} |")
    out += [
        "",
        "## Calibration",
        "",
        "Quantities are province-wide shares in percent (`Txx@YEAR`) or counts. `tests/test_synth.py` "
        "checks that every generated value lies within the tolerance"
        + (" for the demo province; this one was generated at another size (`staff`, `communes` in "
           "`dataset.yml`), so its counts are not expected to meet the Lạng Sơn-sized targets." if "communes" in meta
           or "staff" in meta else "."),
        "",
        "| quantity | target | tolerance | generated | within | source | note |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for _, c in calibration.iterrows():
        out.append(f"| `{c['quantity']}` | {c['value']:g} | ±{c['tolerance']:g} | {c['generated']:g} | "
                   f"{'yes' if c['within'] else 'NO'} | {_cell(c['source'])} | {_cell(c['note'])} |")
    out += ["", "## Generated levels (province, synthetic)", ""] + _levels_table(obs) + [
        "",
        "## Headcount by group (synthetic)",
        "",
        "| category | level | " + " | ".join(str(y) for y in years) + " |",
        "|---|---|" + "---:|" * len(years),
    ]
    for (cat, lvl), row in hc.iterrows():
        cells = ["–" if pd.isna(row.get(y)) or row.get(y) == 0 else f"{row[y]:.0f}" for y in years]
        out.append(f"| {cat} | {lvl} | " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)
