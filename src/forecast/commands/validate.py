"""``forecast validate PATH...``: check input files and print every problem, located."""

from __future__ import annotations

import argparse
import sys

from forecast.inputs.tables import max_problems_per_kind
from forecast.inputs.validate import validate_paths

#: Problems of one kind listed per file by default (the rest are counted).
DEFAULT_MAX_ERRORS = 20


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {text!r}")
    return n


def register(sub) -> None:
    p = sub.add_parser(
        "validate",
        help="check observations/roster CSVs, annual-return workbooks or dataset folders",
        description="Check input files and print every problem as PATH[:SHEET]:ROW:COLUMN: message. "
                    "Exit status 0 when all inputs are valid, 1 otherwise.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="CSV (.csv, .csv.gz), .xlsx return, or dataset folder")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when everything is valid")
    p.add_argument("--max-errors", type=_positive, default=DEFAULT_MAX_ERRORS, metavar="N",
                   help=f"list at most N problems of each kind per file and count the rest, which also "
                        f"bounds memory on files with millions of bad cells (default {DEFAULT_MAX_ERRORS}; "
                        "0 lists all)")
    p.set_defaults(func=run)


def run(args) -> int:

    with max_problems_per_kind(args.max_errors or None):
        problems = validate_paths(args.paths)
    for prob in problems:
        print(prob)
    n = len(args.paths)
    if problems:
        files = len({p.path for p in problems})
        print(f"{len(problems)} problem(s) in {files} of {n} input(s)", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"OK: {n} input(s) valid", file=sys.stderr)
    return 0
