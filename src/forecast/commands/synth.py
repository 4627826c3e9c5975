"""``forecast synth``: generate the synthetic demonstration province (default: into data/demo/)."""

from __future__ import annotations

import argparse

from forecast import config
from forecast.cli import UserError
from forecast.inputs.provinces import Province, province
from forecast.synth import DEFAULT_SEED, generate, write_dataset
from forecast.synth.registry import ProvinceRegistry, province_registry


def register(sub) -> None:

    p = sub.add_parser(
        "synth",
        help="generate the SYNTHETIC demonstration province (not Lạng Sơn's real data)",
        description="Generate a pseudonymous Lạng Sơn-sized workforce 2015–2025, its roster history and its "
                    "annual returns. The output is a synthetic demonstration, not Lạng Sơn's real data. "
                    "--staff/--communes make a test province of another size; --province-code one of another province.",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED}, the shipped demo)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the embedded demo folder data/demo/)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="size relative to a Lạng Sơn-sized province (default 1.0 ≈ 25,000 people)")
    p.add_argument("--staff", type=int, metavar="N",
                   help="a province of about N people in 2015 (instead of --scale)")
    p.add_argument("--communes", type=int, metavar="K",
                   help="a province with K of the registry's 200 communes (drawn with the seed), each fully "
                        "staffed; the levels above make up --staff (or are in proportion to K)")
    p.add_argument("--province-code", metavar="CODE",
                   help="label the synthetic province after a unit of the national list (data/provinces.csv) and give it "
                        "a unit registry of its own (units.csv, crosswalk.csv: communes coded <CODE>nnn), "
                        "e.g. 20; for test provinces of a national run (forecast run --provinces)")
    p.add_argument("--snapshots", action="store_true",
                   help="also write every yearly roster 2015–2025 to DIR/snapshots/ (large; not shipped)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:

    if not 0 < args.scale <= 4:
        raise UserError(f"--scale must be in (0, 4], got {args.scale}")
    sized = args.staff is not None or args.communes is not None
    if sized and args.scale != 1.0:
        raise UserError("give --scale or --staff/--communes, not both")
    if sized and args.out is None:
        raise UserError("a province of another size needs --out DIR (data/demo/ is the shipped demo)")
    if args.province_code is not None and args.out is None:
        raise UserError("--province-code needs --out DIR (data/demo/ is the shipped demo)")
    try:
        unit = province(args.province_code) if args.province_code is not None else None
    except KeyError as exc:
        raise UserError(f"--province-code: {exc.args[0]}") from None
    out = config.demo_dir() if args.out is None else args.out
    try:
        result = generate(args.seed, args.scale, staff=args.staff, communes=args.communes)
    except ValueError as exc:  # a size that cannot be made
        raise UserError(f"--staff/--communes: {exc}") from None
    registry = own_registry(unit)
    if unit is not None:
        result.meta = labelled(result.meta, unit, args.province_code)
    written = write_dataset(result, out, snapshots=args.snapshots, registry=registry)
    people = len(result.rosters[max(result.rosters)])
    en, vi = (unit.name_en, unit.name_vi) if unit is not None else ("Lạng Sơn", "Tỉnh Lạng Sơn")
    print(f"forecast synth: SYNTHETIC demonstration data (seed {args.seed}), not {en}'s real data / "
          f"dữ liệu mô phỏng, không phải số liệu thật của {vi[:1].lower()}{vi[1:]}")
    print(f"  {len(result.rosters[min(result.rosters)])} people in the 2015 roster, {people} in the 2025 roster, "
          f"{len(result.history)} roster-history rows, {len(result.observations)} observation rows")
    for path in written:
        print(f"  wrote {path}")
    return 0


def own_registry(unit: Province | None) -> ProvinceRegistry | None:
    """The unit registry a synthetic province of ``unit``'s code carries (none for Lạng Sơn's own code)."""
    if unit is None or unit.code == config.PROVINCE_CODE:
        return None
    return province_registry(unit.code, unit.name_vi)


def labelled(meta: dict, unit: Province, given: str) -> dict:
    """``dataset.yml`` of a synthetic province named after a unit of the national list.

    The name keeps the word *synthetic* in both languages, and ``synthetic: true`` stays:
    the figures are generated, only the label is the province's, and so is the disclaimer
    (not *this* province's real data).
    """
    out = dict(meta)
    vi = f"{unit.name_vi[:1].lower()}{unit.name_vi[1:]}"
    out.update({
        "name": f"{unit.name_vi} (mô phỏng) / {unit.name_en} (synthetic)",
        "description_vi": f"Dữ liệu MÔ PHỎNG (tổng hợp) để trình diễn, KHÔNG phải số liệu thật của {vi}. "
                          "Các con số do lệnh `forecast synth` sinh ra từ các giả định được ghi trong README.",
        "description_en": f"SYNTHETIC demonstration data, NOT {unit.name_en}'s real data. The figures are "
                          "generated by `forecast synth` from the assumptions listed in the README.",
        "province_code": unit.code,
        "province_name": {"vi": unit.name_vi, "en": unit.name_en},
        "synthetic": True,
        "source": f"{meta.get('source', 'forecast synth')} --province-code {given}",
    })
    return out
