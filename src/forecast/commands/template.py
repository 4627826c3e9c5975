"""``forecast template OUT.xlsx``: write the annual-return workbook a unit fills in."""

from __future__ import annotations

from pathlib import Path

from forecast.cli import UserError
from forecast.inputs.returns import write_template


def register(sub) -> None:
    p = sub.add_parser("template", help="write the Excel annual-return template (Vietnamese headings)")
    p.add_argument("out", type=Path, metavar="OUT.xlsx", help="the workbook to write")
    p.add_argument("--unit", help="prefill this unit code (checked against data/units.csv)")
    p.add_argument("--year", type=int, help="prefill the reporting year")
    p.add_argument("--force", action="store_true", help="overwrite OUT.xlsx if it exists")
    p.set_defaults(func=run)


def run(args) -> int:

    if args.out.suffix.lower() != ".xlsx":
        raise UserError(f"{args.out}: the template is an .xlsx workbook; give a name ending in .xlsx")
    if args.out.exists() and not args.force:
        raise UserError(f"{args.out} exists; use --force to overwrite it")
    try:
        path = write_template(args.out, unit_code=args.unit, year=args.year)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None
    print(f"wrote {path}")
    return 0
