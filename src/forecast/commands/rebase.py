"""``forecast rebase OBS.csv --to 2025-07-01 --out OUT.csv``: history onto today's communes."""

from __future__ import annotations

import sys
from pathlib import Path

from forecast.cli import UserError
from forecast.inputs.observations import MIN_YEAR, max_year, read_observations, rebase, write_observations
from forecast.inputs.tables import ValidationError


def register(sub) -> None:
    p = sub.add_parser(
        "rebase",
        help="map commune-level observations onto the units of a later date by summing counts",
        description="Map commune-level observations dated before --to onto the units valid on --to "
                    "(through the 1/12/2024 change and the 1/7/2025 rearrangement), summing counts. "
                    "Split communes are shared out by --split shares (default 0.5).",
    )
    p.add_argument("obs", type=Path, metavar="OBS.csv", help="an observations CSV")
    p.add_argument("--to", default="2025-07-01", help="date whose units are the target (default 2025-07-01)")
    p.add_argument("--out", type=Path, required=True, metavar="OUT.csv", help="where to write the result")
    p.add_argument("--split", action="append", default=[], metavar="CODE=SHARE",
                   help="share (0-1) of split commune CODE's counts going to the unit that received its part; "
                        "defaults: 06622 (Bính Xá), 06625 (Kiên Mộc), 06040 (xã Đại Đồng before 1/12/2024) = 0.5")
    p.set_defaults(func=run)


def _splits(items: list[str]) -> dict[str, float]:

    out = {}
    for item in items:
        code, sep, share = item.partition("=")
        try:
            value = float(share)
        except ValueError:
            value = -1.0
        if not sep or not 0.0 <= value <= 1.0:
            raise UserError(f"--split {item!r}: expected CODE=SHARE with SHARE between 0 and 1")
        out[code.strip()] = value
    return out


def _usage(message: str) -> int:
    print(f"forecast rebase: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    """Re-base and write; exit 2 for a bad option, 1 for invalid observations."""
    import pandas as pd

    splits = _splits(args.split)
    try:
        to = pd.Timestamp(args.to)
    except (ValueError, TypeError):
        return _usage(f"--to {args.to!r} is not a date (use YYYY-MM-DD)")
    if not MIN_YEAR <= to.year <= max_year():
        return _usage(f"--to {args.to}: the units are known from {MIN_YEAR} to {max_year()}")
    if args.out.resolve() == args.obs.resolve():
        return _usage(f"--out {args.out} is the file being re-based: write the result beside its own input, "
                      "never over it")
    if args.out.is_dir():
        return _usage(f"--out {args.out} is a folder; give a file name")
    try:
        obs = read_observations(args.obs)
    except ValidationError as exc:
        raise UserError(f"{args.obs} is not valid; nothing written:\n{exc}") from None
    try:
        out, notes = rebase(obs, to=to, splits=splits)
    except ValueError as exc:
        raise UserError(f"{args.obs}: cannot re-base: {exc}") from None
    try:
        write_observations(out, args.out)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    n_rebased = int(out["flags"].str.contains("rebased", regex=False).sum())
    print(f"wrote {args.out}: {len(out)} rows, {n_rebased} re-based onto the units of {to.date()}")
    for note in notes:
        print(f"note: {note}")
    return 0
