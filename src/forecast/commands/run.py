"""``forecast run``: the annual run (all notebooks → reports/<year>/).

Exit codes: 0 the report set was published; 1 invalid input data, an invalid run
specification, a failing notebook or a failed write (the previous report set is left
as it was); 2 bad command-line usage (an option out of range, ``--as-of`` outside the
data's years) or another run holding the output folder; 130 interrupted.
See docs/reports.md for scheduling.
"""

from __future__ import annotations

import os
import sys

from forecast.cli import UserError
from forecast.reports.execute import OutputBusy
from forecast.reports.pipeline import OptionsError, RunSpecError, run_annual, validate_options


def register(sub) -> None:
    p = sub.add_parser("run", help="execute the annual run and write reports/<year>/index.html")
    p.add_argument("--data", metavar="DIR", help="data folder (default: the embedded demo province)")
    p.add_argument("--as-of", metavar="YEAR", help="as-of year (default: the latest year in the data)")
    p.add_argument("--out", metavar="DIR", help="base folder of report sets (default: reports/)")
    p.add_argument("--lang", default="vi", choices=("vi", "en"), help="report language: vi (default) or en")
    p.add_argument("--spec", metavar="YAML", help="run specification (default: notebooks/run.yml)")
    p.add_argument("--scenarios", nargs="*", default=None, metavar="NAME",
                   help="scenarios to compare (default: every file in data/scenarios; none after the flag: skip)")
    p.add_argument("--jobs", help="notebooks executed at once (default: number of cores)")
    p.add_argument("--quiet", action="store_true", default=bool(os.environ.get("CI")),
                   help="print only failures (default when CI is set)")
    p.set_defaults(func=run)


def run(args) -> int:

    try:
        opts = validate_options(data_dir=args.data, as_of=args.as_of, out=args.out, lang=args.lang,
                                spec=args.spec, jobs=args.jobs, quiet=args.quiet, scenarios=args.scenarios)
        return run_annual(opts)
    except (OptionsError, OutputBusy) as exc:
        print(f"forecast run: {exc}", file=sys.stderr)
        return 2
    except RunSpecError as exc:
        raise UserError(str(exc)) from exc
