"""The options of ``forecast run``, checked before anything executes.

Types and ranges of ``--as-of``, ``--jobs`` and ``--lang``; ``--data`` a folder; ``--out``
a folder that can be written and is not inside the data; ``--scenarios`` known. Every
problem is reported at once (:class:`OptionsError`, exit code 2).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from forecast import config
from forecast.inputs.observations import MIN_YEAR, max_year
from forecast.reports.runspec import RunSpecError
from forecast.stockflow.scenarios import list_scenarios


class OptionsError(RunSpecError):
    """A command-line option is invalid or outside what the data allow (exit code 2)."""


@dataclass
class RunOptions:
    """Validated parameters of one annual run."""

    data_dir: Path
    as_of: int | None
    out_base: Path
    lang: str = "vi"
    spec_file: Path | None = None
    jobs_at_once: int | None = None
    quiet: bool = False
    scenarios: tuple[str, ...] | None = None

    @property
    def dest(self) -> Path:
        """``OUT/<as-of>``: known once the as-of year is (given, or the data's latest)."""
        if self.as_of is None:
            raise ValueError("the as-of year is not known yet")
        return config.report_dir(self.as_of, self.out_base)


def _whole_number(value, name: str, lowest: int, problems: list[str]) -> int | None:
    """``value`` as an int ≥ ``lowest`` (no bools, no fractions), or None with a problem noted."""
    if isinstance(value, bool):
        problems.append(f"{name}: must be a whole number, got {value!r}")
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        problems.append(f"{name}: must be a whole number, got {value!r}")
        return None
    if number < lowest:
        problems.append(f"{name}: must be at least {lowest}, got {number}")
        return None
    return number


#: The earliest as-of year a run accepts before the data are read (then: only years the data cover).
MIN_AS_OF = MIN_YEAR


def _out_problems(out_base: Path) -> list[str]:
    """Why reports cannot be written under ``out_base`` (checked before any work), or nothing."""
    existing = out_base
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == out_base and not out_base.is_dir():
        return [f"--out: {out_base} is a file, not a folder"]
    if existing != out_base and not existing.is_dir():
        return [f"--out: {out_base} would be inside the file {existing}"]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [f"--out: {existing} is not writable"]
    return []


def validate_options(*, data_dir=None, as_of=None, out=None, lang="vi", spec=None, jobs=None,
                     quiet=False, scenarios=None) -> RunOptions:
    """Check run parameters before anything executes; raise :class:`RunSpecError` listing all problems.

    Paths are resolved here, once (a later change of working folder changes nothing).
    ``as_of`` stays ``None`` when not given: the prepare step takes the latest year of
    the validated observations.
    """
    problems: list[str] = []
    data = (Path(data_dir) if data_dir else config.demo_dir()).expanduser().resolve()
    if not data.is_dir():
        problems.append(f"--data: {data} is not a folder")
    out_base = Path(out).expanduser().resolve() if out else config.reports_dir()
    problems += _out_problems(out_base)
    if out_base == data or data in out_base.parents:
        problems.append(f"--out: {out_base} is inside the data folder {data}; reports never go there")
    if lang not in ("vi", "en"):
        problems.append(f"--lang: must be 'vi' or 'en', got {lang!r}")
    year = None
    if as_of is not None:
        year = _whole_number(as_of, "--as-of", 0, problems)
        if year is not None and not MIN_AS_OF <= year <= max_year():
            problems.append(f"--as-of: {year} is outside {MIN_AS_OF}–{max_year()}")
            year = None
    n_jobs = _whole_number(jobs, "--jobs", 1, problems) if jobs is not None else None
    if spec is not None and not Path(spec).is_file():
        problems.append(f"--spec: {spec} is not a file")
    if scenarios:

        known = set(list_scenarios())
        for name in scenarios:
            if name not in known:
                problems.append(f"--scenarios: unknown scenario {name!r} (known: {', '.join(sorted(known))})")
    if problems:
        raise OptionsError("\n".join(problems))
    return RunOptions(
        data_dir=data,
        as_of=year,
        out_base=out_base,
        lang=lang,
        spec_file=Path(spec).resolve() if spec else None,
        jobs_at_once=n_jobs,
        quiet=quiet,
        scenarios=tuple(scenarios) if scenarios is not None else None,
    )
