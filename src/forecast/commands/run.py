"""``forecast run``: the annual run (all notebooks → reports/<year>/).

Exit codes: 0 the report set was published; 1 invalid input data, an invalid run
specification, a failing notebook or a failed write (the previous report set is left
as it was); 2 bad command-line usage (an option out of range, ``--as-of`` outside the
data's years) or another run holding the output folder; 130 interrupted.
See docs/reports.md for scheduling. ``--provinces DIR`` runs every province of DIR on Dask and
writes the national roll-up (exit 1 if any province failed): docs/national.md.
"""

from __future__ import annotations

import os
import sys

from forecast.cli import UserError
from forecast.national import NationalOptions, run_national
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
    p.add_argument("--provinces", metavar="DIR",
                   help="national run: one data folder per province in DIR, run as Dask tasks; report sets in "
                        "OUT/<province>/<year>/ and the roll-up in OUT/national/index.html (docs/national.md)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --provinces: a running Dask scheduler (tcp://host:8786); default a local cluster")
    p.add_argument("--workers", metavar="N", help="with --provinces: local cluster workers (default: cores)")
    p.add_argument("--quiet", action="store_true", default=bool(os.environ.get("CI")),
                   help="print only failures (default when CI is set)")
    p.set_defaults(func=run)


def run(args) -> int:

    if getattr(args, "provinces", None) is not None:
        return run_provinces(args)
    if getattr(args, "scheduler", None) is not None or getattr(args, "workers", None) is not None:
        print("forecast run: --scheduler and --workers go with --provinces", file=sys.stderr)
        return 2
    try:
        opts = validate_options(data_dir=args.data, as_of=args.as_of, out=args.out, lang=args.lang,
                                spec=args.spec, jobs=args.jobs, quiet=args.quiet, scenarios=args.scenarios)
        return run_annual(opts)
    except (OptionsError, OutputBusy) as exc:
        print(f"forecast run: {exc}", file=sys.stderr)
        return 2
    except RunSpecError as exc:
        raise UserError(str(exc)) from exc


def _national_options(args) -> NationalOptions:
    """Check the options of a national run (every problem at once, OptionsError)."""
    problems = []
    if args.data is not None:
        problems.append("--data and --provinces exclude each other (a national run reads one folder per province)")
    if args.jobs is not None:
        problems.append("--jobs does not apply to --provinces (Dask runs the notebooks: --workers N)")
    workers = None
    if args.workers is not None:
        if args.scheduler is not None:
            problems.append("--workers sizes the local cluster; with --scheduler the cluster has its own workers")
        try:
            workers = int(str(args.workers).strip())
        except ValueError:
            workers = 0
        if workers < 1:
            problems.append(f"--workers: must be a whole number of at least 1, got {args.workers!r}")
    try:
        opts = validate_options(data_dir=args.provinces, as_of=args.as_of, out=args.out, lang=args.lang,
                                spec=args.spec, quiet=args.quiet, scenarios=args.scenarios)
    except OptionsError as exc:
        problems.append(str(exc).replace("--data:", "--provinces:"))
        opts = None
    if problems or opts is None:
        raise OptionsError("\n".join(problems))
    return NationalOptions(provinces_dir=opts.data_dir, out_base=opts.out_base, spec_file=opts.spec_file,
                           lang=opts.lang, as_of=opts.as_of, scenarios=opts.scenarios, scheduler=args.scheduler,
                           workers=workers, quiet=opts.quiet)


def run_provinces(args) -> int:
    """``forecast run --provinces DIR``: 0 every province published or unchanged, 1 any failed, 2 usage."""
    def say(msg: str) -> None:
        if not args.quiet:
            print(f"forecast run: {msg}", file=sys.stderr, flush=True)

    try:
        outcome = run_national(_national_options(args), say)
    except (OptionsError, OutputBusy) as exc:
        print(f"forecast run: {exc}", file=sys.stderr)
        return 2
    except RunSpecError as exc:
        raise UserError(str(exc)) from exc
    counts = {k: sum(1 for v in outcome.status.values() if v == k) for k in ("published", "unchanged", "failed")}
    say(f"{counts['published']} published, {counts['unchanged']} unchanged, {counts['failed']} failed "
        f"({outcome.seconds:.1f} s)")
    if not outcome.failed:
        return 0
    print(f"forecast run: {len(outcome.failed)} province(s) failed; their previous report sets are left as they "
          f"were: {', '.join(outcome.failed)}", file=sys.stderr)
    for name in outcome.failed:
        for line in outcome.errors.get(name, []):
            for part in str(line).splitlines():
                print(f"  {name}: {part}", file=sys.stderr)
    return 1
