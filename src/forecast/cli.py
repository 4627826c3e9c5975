"""The ``forecast`` command line.

Each sub-command lives in its own module of :mod:`forecast.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (called with the
parsed arguments, returning the exit code). New commands need no change here.

Exit codes: 0 success, 1 the work failed (e.g. invalid data, a failing notebook),
2 bad usage (argparse's own convention).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from forecast import __version__, commands


class UserError(Exception):
    """An error caused by the user's input; printed without a traceback (exit 1)."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with every sub-command of :mod:`forecast.commands`.

    With ``only`` (a command's module name), just that command is imported and added:
    importing every command (models, reports, the explorer) costs seconds that a
    ``forecast validate`` should not pay.
    """
    parser = argparse.ArgumentParser(
        prog="forecast",
        description="Forecasting workbench for the 2030 qualification targets of Lạng Sơn's Plan 165/KH-UBND.",
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if only is not None and info.name != only:
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``forecast`` console script."""
    args_in = sys.argv[1:] if argv is None else list(argv)
    # The command word picks its module alone (a module may register a parser of another
    # name: then, or for --help or a typo, every command is loaded as before).
    word = next((a for a in args_in if not a.startswith("-")), None)
    names = {m.name for m in pkgutil.iter_modules(commands.__path__)}
    parser = build_parser(word if word in names and not word.startswith("_") else None)
    args = parser.parse_args(args_in)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"forecast {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"forecast {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
