"""Validate files and data folders: the entry points of ``forecast validate``."""

from __future__ import annotations

from pathlib import Path

from forecast.inputs.dataset import check_dataset
from forecast.inputs.flows import check_flows
from forecast.inputs.observations import check_observations
from forecast.inputs.returns import read_return
from forecast.inputs.roster import check_roster
from forecast.inputs.roster_history import check_roster_history
from forecast.inputs.tables import (
    Problem,
    file_kind,
    read_text_table,
    sort_problems,
)


def check_text_file(path: Path, shown: str | None = None) -> list[Problem]:
    """Problems of a CSV file: a roster history if it has ``person_id`` and ``from_year`` or
    ``to_year`` columns, a roster if it has ``person_id``, else observations."""

    table, problems = read_text_table(path, shown)
    if table is None:
        return problems
    if {"flow", "count"} <= set(table.frame.columns) and "person_id" not in table.frame.columns:
        _frame, more = check_flows(table)  # flows.csv (without its roster: checked alone)
    elif "person_id" in table.frame.columns and {"from_year", "to_year"} & set(table.frame.columns):
        _frame, more = check_roster_history(table)
    elif "person_id" in table.frame.columns:
        _frame, more = check_roster(table, frame=False)  # the problems only: no copy of a big roster
    else:
        _frame, more = check_observations(table)
    return problems + more


def validate_path(path: Path | str) -> list[Problem]:
    """Every problem of one input (an observations or roster CSV, a return workbook, or a
    dataset folder), in reading order. Never raises: an unexpected failure becomes a
    problem naming the file."""
    return sort_problems(_validate_path(path))


def _validate_path(path: Path | str) -> list[Problem]:
    shown = str(path)
    path = Path(path)
    try:
        if not path.exists():
            return [Problem(shown, None, None, None, "no such file or folder")]
        kind = file_kind(path)
        if kind == "folder":

            return check_dataset(path)
        if kind == "excel":

            return read_return(path, display=shown)[1]
        if kind == "text":
            return check_text_file(path, shown)
        return [Problem(shown, None, None, None, "unsupported file type: expected .csv, .csv.gz, .xlsx or a "
                        "dataset folder")]
    except Exception as exc:  # the command promises located messages, never a traceback
        return [Problem(shown, None, None, None, f"could not be checked ({type(exc).__name__}: {exc})")]


def validate_paths(paths) -> list[Problem]:
    """Every problem of every input, in reading order."""
    problems: list[Problem] = []
    for p in paths:
        problems += validate_path(p)
    return sort_problems(problems)
