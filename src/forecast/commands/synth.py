"""``forecast synth``: generate the synthetic demonstration province (default: into data/demo/)."""

from __future__ import annotations

from forecast import config
from forecast.cli import UserError
from forecast.synth import DEFAULT_SEED, generate, write_dataset


def register(sub) -> None:

    p = sub.add_parser(
        "synth",
        help="generate the SYNTHETIC demonstration province (not Lạng Sơn's real data)",
        description="Generate a pseudonymous Lạng Sơn-sized workforce 2015–2025 and its annual returns. "
                    "The output is a synthetic demonstration, not Lạng Sơn's real data.",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED}, the shipped demo)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the embedded demo folder data/demo/)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="size relative to a Lạng Sơn-sized province (default 1.0 ≈ 25,000 people)")
    p.add_argument("--snapshots", action="store_true",
                   help="also write every yearly roster 2015–2025 to DIR/snapshots/ (large; not shipped)")
    p.set_defaults(func=run)


def run(args) -> int:

    if not 0 < args.scale <= 4:
        raise UserError(f"--scale must be in (0, 4], got {args.scale}")
    out = config.demo_dir() if args.out is None else args.out
    result = generate(args.seed, args.scale)
    written = write_dataset(result, out, snapshots=args.snapshots)
    people = len(result.rosters[max(result.rosters)])
    print(f"forecast synth: SYNTHETIC demonstration data (seed {args.seed}), not Lạng Sơn's real data / "
          "dữ liệu mô phỏng, không phải số liệu thật của tỉnh Lạng Sơn")
    print(f"  {people} people in the 2025 roster, {len(result.observations)} observation rows")
    for path in written:
        print(f"  wrote {path}")
    return 0
