"""A random roster for tests and benchmarks (not the demo province: see :mod:`forecast.synth`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------
# A random roster for tests and benchmarks (not the demo province: see forecast.synth)
# ---------------------------------------------------------------------------------------


def random_roster(n: int, year: int = 2025, seed: int = 0) -> pd.DataFrame:
    """A random roster of ``n`` people in the roster format, for tests and benchmarks.

    Proportions are rough (60 % viên chức, 1 % department and 8 % division leaders, 80 %
    graduates); it has no units' structure and no history. The demonstration province of
    :mod:`forecast.synth` is the realistic synthetic dataset.
    """
    rng = np.random.default_rng(seed)
    cat = rng.choice(["can_bo", "cong_chuc", "vien_chuc"], n, p=[0.15, 0.25, 0.60])
    level = np.where(rng.random(n) < 0.4, "tinh", "xa")
    leader = rng.choice(["so", "phong", "none"], n, p=[0.01, 0.08, 0.91])
    leader = np.where((cat == "vien_chuc") & (leader == "so"), "phong", leader)
    key = ((cat == "can_bo") & (level == "xa") & (rng.random(n) < 0.3)).astype(int)
    pool = ((cat != "vien_chuc") & (rng.random(n) < 0.15)).astype(int)
    age = rng.integers(23, 62, n)
    edu = rng.choice(["thac_si", "dai_hoc", "cao_dang", "trung_cap", "tien_si"], n,
                     p=[0.08, 0.72, 0.08, 0.115, 0.005])
    sm = np.where(leader == "so", rng.choice(["cvc", "cvcc"], n, p=[0.7, 0.3]),
                  np.where(leader == "phong", rng.choice(["none", "cvc", "cvcc"], n, p=[0.3, 0.65, 0.05]),
                           rng.choice(["none", "cv", "cvc"], n, p=[0.5, 0.4, 0.1])))
    pt = np.where(cat == "vien_chuc", rng.choice(["none", "so_cap", "trung_cap"], n, p=[0.6, 0.3, 0.1]),
                  rng.choice(["none", "so_cap", "trung_cap", "cao_cap"], n, p=[0.2, 0.3, 0.4, 0.1]))
    hire_year = np.maximum(year - rng.integers(0, 35, n), year - age + 22)
    return pd.DataFrame({
        "person_id": [f"R{i:07d}" for i in range(n)],
        "birth_year": year - age, "birth_month": rng.integers(1, 13, n),
        "sex": rng.choice(["nam", "nu"], n), "category": cat, "level": level,
        "unit_code": np.where(level == "tinh", "P01", "06001"), "leader": leader, "key_cadre": key,
        "in_pool": pool, "education": edu,
        "field": rng.choice(["kinh_te_cua_khau", "thuong_mai", "khac"], n, p=[0.2, 0.2, 0.6]),
        "political_theory": pt, "state_mgmt": sm,
        "foreign_language": (rng.random(n) < 0.6).astype(int), "it_skill": (rng.random(n) < 0.8).astype(int),
        "standard_training": (rng.random(n) < 0.7).astype(int),
        "standardised": (rng.random(n) < 0.8).astype(int),
        "hire_date": pd.to_datetime(pd.DataFrame({"year": hire_year, "month": 3, "day": 1})),
        "exit_date": pd.NaT, "exit_reason": "", "year": year,
    })
