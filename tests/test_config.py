"""Every project path comes from forecast.config, and each can be moved by an environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast import config

ROOT = Path(__file__).resolve().parents[1]


def test_default_root_is_the_checkout(monkeypatch):
    monkeypatch.delenv("FORECAST_ROOT", raising=False)
    assert config.project_root() == ROOT
    assert (config.project_root() / "pyproject.toml").exists()


@pytest.mark.parametrize(
    "func, default",
    [
        (config.data_dir, "data"),
        (config.reports_dir, "reports"),
        (config.notebooks_dir, "notebooks"),
        (config.demo_dir, "data/demo"),
        (config.scenarios_dir, "data/scenarios"),
        (config.targets_file, "data/targets.yml"),
    ],
)
def test_paths_derive_from_the_root(monkeypatch, tmp_path, func, default):
    monkeypatch.setenv("FORECAST_ROOT", str(tmp_path))
    for var in ("FORECAST_DATA", "FORECAST_REPORTS", "FORECAST_NOTEBOOKS", "FORECAST_DEMO"):
        monkeypatch.delenv(var, raising=False)
    assert func() == tmp_path / default


@pytest.mark.parametrize(
    "var, func",
    [
        ("FORECAST_DATA", config.data_dir),
        ("FORECAST_REPORTS", config.reports_dir),
        ("FORECAST_NOTEBOOKS", config.notebooks_dir),
        ("FORECAST_DEMO", config.demo_dir),
    ],
)
def test_each_folder_has_its_own_override(monkeypatch, tmp_path, var, func):
    monkeypatch.setenv(var, str(tmp_path / "elsewhere"))
    assert func() == tmp_path / "elsewhere"


def test_report_dir_is_named_for_the_as_of_year(tmp_path):
    assert config.report_dir(2025, tmp_path) == tmp_path / "2025"


def test_inside_project():
    assert config.inside_project(ROOT / "reports" / "2025")
    assert not config.inside_project(Path("/etc"))


def test_no_module_builds_project_paths_by_hand():
    """Only config.py may anchor paths on the package's own location."""
    offenders = []
    for path in (ROOT / "src" / "forecast").rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "__file__" in text or ".parents[" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
