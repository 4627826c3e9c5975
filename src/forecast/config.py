"""Every path the workbench uses, resolved in one place.

Paths derive from the project root, which is found from this file's location
(``src/forecast/config.py`` → two levels up) unless ``FORECAST_ROOT`` is set.
Each folder can also be moved on its own with an environment variable:

======================  =====================================  ==========================
variable                default                                what lives there
======================  =====================================  ==========================
``FORECAST_ROOT``       the checkout                           everything below
``FORECAST_DATA``       ``<root>/data``                        targets, units, scenarios
``FORECAST_DEMO``       ``<data>/demo``                        the synthetic demo province
``FORECAST_REPORTS``    ``<root>/reports``                     rendered report sets
``FORECAST_NOTEBOOKS``  ``<root>/notebooks``                   the parameterised notebooks
======================  =====================================  ==========================

Nothing else in the package builds a project path by hand: import the functions
below. Functions (not module constants) are used so that tests and the runner can
change the environment at run time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

#: Name of the Jupyter kernel registered at setup and used by every papermill run.
KERNEL_NAME = "forecast-workbench"
KERNEL_DISPLAY_NAME = "Python (forecast workbench)"

#: The plan's target year and the first year of the plan's history window.
TARGET_YEAR = 2030
BASE_YEAR = 2015
#: Province code of Lạng Sơn in the national list of administrative units.
PROVINCE_CODE = "20"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def project_root() -> Path:
    """The project root (the folder holding ``pyproject.toml``)."""
    return _env_path("FORECAST_ROOT", Path(__file__).resolve().parents[2])


def data_dir() -> Path:
    """Folder of the project's own tables (targets, units, scenarios, demo data)."""
    return _env_path("FORECAST_DATA", project_root() / "data")


def demo_dir() -> Path:
    """The embedded synthetic demonstration province: the default input of every command."""
    return _env_path("FORECAST_DEMO", data_dir() / "demo")


def reports_dir() -> Path:
    """Where report sets are written, one folder per as-of year."""
    return _env_path("FORECAST_REPORTS", project_root() / "reports")


def notebooks_dir() -> Path:
    """The parameterised notebooks executed by the annual run."""
    return _env_path("FORECAST_NOTEBOOKS", project_root() / "notebooks")


def targets_file() -> Path:
    """The plan's targets T01–T11 as data."""
    return data_dir() / "targets.yml"


def units_file() -> Path:
    """Registry of the province's units with their validity periods."""
    return data_dir() / "units.csv"


def provinces_file() -> Path:
    """The 34 provincial-level units from 1 July 2025 (code, names): labels for national runs."""
    return data_dir() / "provinces.csv"


def national_dir(base: Path | None = None) -> Path:
    """The national roll-up of a multi-province run: ``<reports>/national/``."""
    return (base or reports_dir()) / "national"


def crosswalk_file() -> Path:
    """The project's copy of the 1 July 2025 commune crosswalk (with sources)."""
    return data_dir() / "crosswalk_2025.csv"


def reference_file() -> Path:
    """Published reference figures (national and other provinces), with source URLs."""
    return data_dir() / "reference" / "public_figures.csv"


def scenarios_dir() -> Path:
    """Scenario files (YAML levers) for the stock-flow engine."""
    return data_dir() / "scenarios"


#: Environment variables through which ``forecast explore`` passes its options to the explorer's
#: kernel (Voilà starts the kernel; the notebook's launcher reads them): setting → variable.
EXPLORE_ENV = {"data_dir": "FORECAST_EXPLORE_DATA", "lang": "FORECAST_EXPLORE_LANG",
               "scenario": "FORECAST_EXPLORE_SCENARIO", "n_draws": "FORECAST_EXPLORE_DRAWS",
               "p_required": "FORECAST_EXPLORE_P"}
#: Simulation draws per projection in the explorer: an update takes about 0.3 s on a quiet machine
#: (docs/explorer.md); the probability's Monte-Carlo standard error is at most 0.5/√200 = 3.5 points
#: (shown on screen).
EXPLORE_DRAWS = 200
#: Seed of the annual run's scenario engine and of its hindcast (the plan's number: any fixed seed
#: makes two runs identical). Every command that wants the run's cached hindcast uses it.
RUN_SEED = 165


def explore_notebook() -> Path:
    """The explorer's launcher notebook, which ``forecast explore`` serves as an app."""
    return notebooks_dir() / "explore.ipynb"


def exports_dir() -> Path:
    """Where the scenario explorer exports views (PNG + CSV): ``reports/explorer/``."""
    return reports_dir() / "explorer"


def report_dir(as_of: int, base: Path | None = None) -> Path:
    """The report folder of one as-of year: ``reports/<year>/``."""
    return (base or reports_dir()) / str(int(as_of))


def shared_dir() -> Path:
    """The workplace's ``shared/`` folder beside the checkout (benchmarks read panels there)."""
    return _env_path("FORECAST_SHARED", project_root().parent / "shared")


def inside_project(path: Path) -> bool:
    """Whether ``path`` lies inside the project root (used to vet run parameters)."""
    try:
        Path(path).resolve().relative_to(project_root())
    except ValueError:
        return False
    return True


def methods_file() -> Path:
    """The method notes (Markdown) that every report links to, rendered as ``methods.html``."""
    return project_root() / "docs" / "methods.md"


def methods_file_for(lang: str) -> Path:
    """The method notes in a report language: ``docs/methods.md`` (en), ``docs/methods.vi.md`` (vi)."""
    return methods_file() if lang == "en" else methods_file().with_name(f"methods.{lang}.md")


def hindcast_file(dataset_dir: Path) -> Path:
    """A dataset's hindcast scores (``forecast hindcast --json``), read by the verdict when present.

    ``DATASET/hindcast.json`` unless ``FORECAST_HINDCAST`` names another file.
    """
    return _env_path("FORECAST_HINDCAST", Path(dataset_dir) / "hindcast.json")


def hindcast_cache_dir() -> Path:
    """Where the annual run caches its hindcast (keyed by the inputs' hashes).

    ``FORECAST_CACHE/hindcast`` when ``FORECAST_CACHE`` is set, else ``REPORTS/.cache/hindcast``
    (beside the report sets the runner writes).
    """
    return _env_path("FORECAST_CACHE", reports_dir() / ".cache") / "hindcast"


def plan_cache_dir() -> Path:
    """Where the annual run caches its training plan (keyed by the inputs' hashes and settings).

    ``FORECAST_CACHE/plan`` when ``FORECAST_CACHE`` is set, else ``REPORTS/.cache/plan``.
    """
    return _env_path("FORECAST_CACHE", reports_dir() / ".cache") / "plan"


def package_sources(package_name: str) -> list[Path]:
    """The ``*.py`` files of one subpackage of ``forecast`` (e.g. ``"plan"``), sorted by name.

    Used to key caches on the code that produced them.
    """
    return sorted((Path(__file__).resolve().parent / package_name).glob("*.py"))


def sources_digest(*package_names: str) -> str:
    """SHA-256 over the sources (file names and bytes) of subpackages of ``forecast``.

    A cache keyed on it is recomputed when the code that produced it changes.
    """
    h = hashlib.sha256()
    for package in package_names:
        for path in package_sources(package):
            h.update(f"{package}/{path.name}".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def chromium_executable() -> Path | None:
    """The headless Chromium that prints ``tom-tat.pdf``: ``FORECAST_CHROMIUM``, else Debian's.

    ``None`` when none is installed (``scripts/install-chromium.sh`` installs it).
    """
    for candidate in (os.environ.get("FORECAST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None
