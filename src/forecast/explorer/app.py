"""The explorer as an app: :class:`Explorer` (the session with its screen, exports and comparisons) and :func:`launch`.

``notebooks/explore.ipynb`` is a launcher of two cells (parameters, then
``launch(...)``); ``forecast explore`` serves it with Voilà, which shows the widgets and
no code. The command passes its options to the kernel through environment variables
(:data:`ENV`), which :func:`launch` reads when the notebook's own parameters are left
at their defaults, so the same notebook opens in JupyterLab, under papermill and as an app.

May import domain … reports and the explorer's own modules.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import config
from forecast.domain.status import REQUIRED_P
from forecast.explorer import compare as comparing
from forecast.explorer.exports import export_view
from forecast.explorer.messages import text
from forecast.explorer.session import Session
from forecast.explorer.widgets import Widgets
from forecast.inputs.dataset import load_dataset
from forecast.verdict import runhindcast

#: Environment variables ``forecast explore`` sets for the kernel Voilà starts.
ENV = config.EXPLORE_ENV
#: The probability of meeting a target required when nothing else is said (issue 16).
DEFAULT_P = REQUIRED_P
#: Seed of the hindcast whose spread and scores the explorer reads: the annual run's, so the
#: explorer finds the run's cached hindcast and gives the reports' probabilities (as
#: ``forecast simulate --calibration run`` does).
RUN_HINDCAST_SEED = config.RUN_SEED


class Explorer(Session):
    """The scenario explorer: a :class:`~forecast.explorer.session.Session` with its screen and files.

    See :class:`~forecast.explorer.session.Session` for the parameters. Adds the widgets
    (:meth:`widget`, :meth:`show`), the exports (:meth:`export`) and the comparisons
    (:meth:`compare`, :meth:`sweep`).
    """

    _ui: Any

    def widget(self) -> Any:
        """The explorer's ipywidgets box (built once)."""
        if self._ui is None:
            self._ui = Widgets(self)
        return self._ui.box

    def show(self) -> None:
        """Build the widgets, draw the initial view and display them.

        Without a browser (papermill) the widgets render their initial state. Returns
        nothing, so a notebook cell ending in ``explorer.show()`` shows it once.
        """
        from IPython.display import display

        display(self.widget())

    def lever_percent(self) -> dict[str, bool]:
        """Lever key → whether it is a share (shown as a percentage)."""
        return {s.name: s.percent for s in self.specs}

    def lever_labels(self, lang: str) -> dict[str, str]:
        """Lever key → its label in ``lang``."""
        return {s.name: s.label(lang) for s in self.specs}

    def export(self, directory: Path | None = None) -> dict[str, Path]:
        """Write the current view as ``<stem>.png`` and ``<stem>.xlsx`` (see :mod:`forecast.explorer.exports`).

        The stem names the scenario (its display name, slugged, marked when levers were moved
        from it), the target, the unit and the time, so every export is kept.
        """
        state = self.current()
        paths = export_view(state, Path(directory or config.exports_dir()), scenario=state.scenario_name,
                            labels=self.lever_labels(state.lang), percent=self.lever_percent(),
                            synthetic=bool(getattr(self.dataset, "synthetic", False)))
        if self._figure is not None:
            self._figure.invalidate()  # the export rendered at another size
        return paths

    def compare(self, scenarios: Sequence[Any], *, include_current: bool = False,
                costs: Any = "default") -> pd.DataFrame:
        """Two to four scenarios side by side (:func:`forecast.explorer.compare.compare`)."""
        return comparing.compare(self, scenarios, include_current=include_current, costs=costs)

    def sweep(self, lever: str, values: Sequence[float]) -> pd.DataFrame:
        """One lever over ``values`` (:func:`forecast.explorer.compare.sweep`)."""
        return comparing.sweep(self, lever, values)


def settings(data_dir: str = "", scenario: str = "baseline", lang: str = "vi", n_draws: int = config.EXPLORE_DRAWS,
             environ: dict | None = None, p_required: float = DEFAULT_P) -> dict:
    """The explorer's settings: the notebook's parameters, overridden by ``forecast explore``'s variables.

    A variable wins only over a parameter left at its default, so papermill's injected
    parameters keep their meaning.
    """
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {"data_dir": data_dir, "scenario": scenario, "lang": lang, "n_draws": n_draws,
                           "p_required": p_required}
    defaults = {"data_dir": "", "scenario": "baseline", "lang": "vi", "n_draws": config.EXPLORE_DRAWS,
                "p_required": DEFAULT_P}
    convert = {"n_draws": int, "p_required": float}
    for key, var in ENV.items():
        if env.get(var) and out[key] == defaults[key]:
            out[key] = convert.get(key, str)(env[var])
    return out


def run_hindcast(dataset: Any, data_dir: str | Path | None, lang: str = "vi",
                 show: Any = None) -> runhindcast.RunHindcast:
    """The annual run's hindcast for the explorer's dataset: the engine's spread and its per-target scores.

    Read from the cache an annual run (or an earlier session) left; computed otherwise (about
    20 s on the demo province), with a status line in ``lang`` shown by ``show(message)``
    meanwhile and cleared by ``show("")`` after.
    """
    folder = Path(data_dir) if data_dir else config.demo_dir()
    show = show or (lambda message: None)
    show(text("hindcast_status", lang))
    try:
        return runhindcast.for_run(dataset, folder, seed=RUN_HINDCAST_SEED)
    finally:
        show("")


def _status_line() -> Any:
    """A status line in the notebook's output, updated in place (the hindcast's wait)."""
    from IPython.display import HTML, display

    handle = display(HTML(""), display_id=True)

    def show(message: str) -> None:
        if handle is not None:
            handle.update(HTML(f"<p class='fx-status'><i>{message}</i></p>" if message else ""))
    return show


def launch(data_dir: str = "", scenario: str = "baseline", target: str = "T06", unit: str = config.PROVINCE_CODE,
           p_required: float = DEFAULT_P, lang: str = "vi", n_draws: int = config.EXPLORE_DRAWS,
           seed: int = 0) -> Explorer:
    """Build the explorer and show it (the notebook's one call); returns it for the next cell."""
    s = settings(data_dir, scenario, lang, n_draws, p_required=p_required)
    folder = s["data_dir"] or None
    dataset = load_dataset(Path(folder) if folder else None)
    hc = run_hindcast(dataset, folder, s["lang"], _status_line())
    explorer = Explorer(dataset, scenario=s["scenario"], target=target, unit=unit, p_required=s["p_required"],
                        lang=s["lang"], n_draws=s["n_draws"], seed=seed, calibration=hc.calibration,
                        scores=hc.scores)
    explorer.show()
    return explorer
