"""``forecast template OUT.xlsx``: write the annual-return workbook a unit fills in."""

from __future__ import annotations

import sys
from pathlib import Path

from forecast.cli import UserError
from forecast.inputs.observations import MIN_YEAR, max_year
from forecast.inputs.returns import write_template


def register(sub) -> None:
    p = sub.add_parser("template", help="write the Excel annual-return template (Vietnamese headings)")
    p.add_argument("out", type=Path, metavar="OUT.xlsx", help="the workbook to write")
    p.add_argument("--unit", help="prefill this unit code (checked against data/units.csv)")
    p.add_argument("--year", type=int, help="prefill the reporting year")
    p.add_argument("--force", action="store_true", help="overwrite OUT.xlsx if it exists")
    p.set_defaults(func=run)


def _usage(message: str) -> int:
    print(f"forecast template: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    """Write the template; exit 2 for a bad option, 1 when it cannot be written."""
    if args.year is not None and not MIN_YEAR <= args.year <= max_year() + 1:
        return _usage(f"--year {args.year} is outside {MIN_YEAR}–{max_year() + 1}")
    if args.out.is_dir():
        return _usage(f"{args.out} is a folder; give the workbook's file name (e.g. {args.out / 'bao_cao.xlsx'})")
    if args.out.suffix.lower() != ".xlsx":
        raise UserError(f"{args.out}: the template is an .xlsx workbook; give a name ending in .xlsx")
    if args.out.exists() and not args.force:
        raise UserError(f"{args.out} exists; use --force to overwrite it")
    try:
        path = write_template(args.out, unit_code=args.unit, year=args.year)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None
    except OSError as exc:  # a read-only folder, a full disk, a parent that is a file
        raise UserError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {path}")
    return 0
