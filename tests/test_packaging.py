"""The project installs one way for pip and conda users, and its layout is as fixed by the user."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert m, requirement
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    spec = ",".join(sorted(s.strip() for s in m.group(2).split(",") if s.strip()))
    return name, spec


def pyproject_dependencies() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(_name_and_spec(r) for r in meta["project"]["dependencies"])


def conda_dependencies() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = _name_and_spec(dep)
            if name not in ("python", "pip"):
                out[name] = spec
    return out


def test_conda_and_pip_dependency_lists_agree():
    assert conda_dependencies() == pyproject_dependencies()


def test_environment_installs_this_package_with_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_sections and any(line.startswith("-e .") for line in pip_sections[0])
    assert env["channels"] == ["conda-forge"]


@pytest.mark.parametrize("name", ["pandas", "numpy", "statsmodels", "scikit-learn", "seaborn", "papermill",
                                  "jupyterlab", "ipykernel", "nbconvert", "openpyxl", "pyyaml"])
def test_every_dependency_has_an_upper_major_bound(name):
    spec = pyproject_dependencies()[name]
    assert "<" in spec, f"{name} must pin its major version, got {spec!r}"


def test_pandas_major_version_is_pinned_to_2():
    assert set(pyproject_dependencies()["pandas"].split(",")) == {">=2.2", "<3"}


@pytest.mark.parametrize("path", ["notebooks", "src/forecast", "data", "reports", "tests", "benchmarks",
                                  "environment.yml", "README.md", "pyproject.toml", ".ci/run"])
def test_layout(path):
    assert (ROOT / path).exists()


def test_console_script_is_declared():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["scripts"]["forecast"] == "forecast.cli:main"
    assert meta["project"]["requires-python"] == ">=3.11"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme
    assert re.search(r"^make test$", ci, flags=re.M)
