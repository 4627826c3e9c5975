"""``forecast validate PATH...``: check input files and print every problem, located."""

from __future__ import annotations

import sys

from forecast.inputs.validate import validate_paths


def register(sub) -> None:
    p = sub.add_parser(
        "validate",
        help="check observations/roster CSVs, annual-return workbooks or dataset folders",
        description="Check input files and print every problem as PATH[:SHEET]:ROW:COLUMN: message. "
                    "Exit status 0 when all inputs are valid, 1 otherwise.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="CSV (.csv, .csv.gz), .xlsx return, or dataset folder")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when everything is valid")
    p.set_defaults(func=run)


def run(args) -> int:

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
