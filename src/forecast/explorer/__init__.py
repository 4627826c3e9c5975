"""The interactive scenario explorer: "what if" questions answered while the controls move.

A planner moves the levers of a scenario (training places, hiring, the degree
requirement for new hires …), picks a target, a unit and the probability the Department
requires, and sees at once the fan chart, the projected 2030 level and the gap to the
target, the probability of meeting every target and a one-line verdict; on buttons, the
required effort, saving, loading and comparing scenarios, a one-lever sweep and exports.

Modules (each one idea):

* :mod:`.session` — :class:`Session`, the state and the update callback (cached);
* :mod:`.headline` — the one probability per target, by the reports' verdict rule;
* :mod:`.actions` — effort, saving, listing, loading and resetting scenarios;
* :mod:`.levers` — which levers are sliders and how slider values fold back;
* :mod:`.parsing` — numbers typed the Vietnamese way, scenario names and their files;
* :mod:`.messages` — every phrase in Vietnamese and English;
* :mod:`.figure` — the fan chart updated in place;
* :mod:`.compare` — scenarios side by side and the one-lever sweep;
* :mod:`.exports` — PNG and Excel exports;
* :mod:`.widgets`, :mod:`.panels` — the screen;
* :mod:`.app` — :class:`Explorer` and :func:`launch`, what the notebook and ``forecast explore`` call.

May import every stage below it (domain … reports).
"""

from forecast.explorer.app import ENV, Explorer, launch, settings
from forecast.explorer.compare import TrainingCost, compare, sweep, sweep_values, training_costs
from forecast.explorer.figure import FanFigure
from forecast.explorer.levers import (
    CAPACITY_FACTOR,
    CATEGORY_LABELS,
    PROGRAMME_VI,
    SLIDER_LEVERS,
    LeverSpec,
    _flat_levers,
    _nice_ceiling,
    _split_key,
    flat_levers,
    is_percent,
    lever_changes,
    lever_groups,
    lever_specs,
    lever_values,
    vietnamese_labels,
    with_fixed_levers,
)
from forecast.explorer.messages import probability, text
from forecast.explorer.parsing import (
    P_REQUIRED_RANGE,
    InputError,
    check_required,
    display_name,
    parse_number,
    scenario_path,
    show_number,
    slug,
)
from forecast.explorer.session import CACHE_SIZE, PROVINCE, VIEW_KEYS, Session, check_probability, level_at
from forecast.explorer.state import ViewState
from forecast.explorer.widgets import Widgets, probability_table_html

__all__ = [
    "CACHE_SIZE", "CAPACITY_FACTOR", "CATEGORY_LABELS", "ENV", "PROGRAMME_VI", "PROVINCE", "P_REQUIRED_RANGE",
    "SLIDER_LEVERS", "VIEW_KEYS", "Explorer", "FanFigure", "InputError", "LeverSpec", "Session", "TrainingCost", "ViewState", "Widgets",
    "_flat_levers", "_nice_ceiling", "_split_key", "check_probability", "check_required", "compare", "display_name", "flat_levers",
    "is_percent", "launch", "level_at", "lever_changes", "lever_groups", "lever_specs", "lever_values",
    "parse_number", "probability", "probability_table_html", "scenario_path", "settings",
    "show_number", "slug", "sweep", "sweep_values", "text", "training_costs", "vietnamese_labels", "with_fixed_levers",
]
