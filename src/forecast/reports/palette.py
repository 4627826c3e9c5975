"""The visual language shared by charts and pages: colours and the symbol of each status.

Colours are from the Okabe–Ito palette, distinguishable with the common colour-vision
deficiencies; a status never relies on its colour alone: it always carries its symbol
and its word (:func:`forecast.i18n.t` ``status.<code>``), so a black-and-white print reads.
"""

from __future__ import annotations

#: Colours of the chart elements.
COLOURS = {
    "history": "#000000",
    "forecast": "#0072B2",
    "target": "#D55E00",
    "break": "#7f7f7f",
    "required": "#D55E00",
    "observed": "#0072B2",
    "synthetic": "#B45F06",
}
#: Line colours of scenarios, in order.
SCENARIO_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

#: Status code → (symbol, colour). Unknown codes use :data:`UNKNOWN_STATUS`.
STATUS_STYLE = {
    "achieved": ("✔", "#009E73"),             # bluish green
    "met": ("✔", "#009E73"),
    "on_track": ("✓", "#0072B2"),              # blue
    "acceleration_needed": ("▲", "#E69F00"),   # orange
    "off_track": ("✖", "#D55E00"),             # vermillion
    "insufficient_data": ("?", "#7f7f7f"),     # grey
}
UNKNOWN_STATUS = ("·", "#7f7f7f")

def status_symbol(code: str | None) -> str:
    """The symbol printed beside a status word."""
    return STATUS_STYLE.get(str(code), UNKNOWN_STATUS)[0]


def status_colour(code: str | None) -> str:
    """The colour of a status (always shown with its symbol and word)."""
    return STATUS_STYLE.get(str(code), UNKNOWN_STATUS)[1]
