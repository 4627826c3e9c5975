"""The national run: many provinces' annual runs as Dask tasks, and the national roll-up.

``forecast run --provinces DIR`` (:func:`~forecast.national.runner.run_national`) treats every
sub-folder of ``DIR`` as one province's data folder. Each province is one *prepare* task
(validate, analyse, store the results), then one task per notebook, then one *finish* task
(index, summary, exports, publish) — :mod:`~forecast.national.tasks`. A province that fails
is reported and keeps its previous report set; the others publish. A province whose inputs
have the same hashes as at its last publication is not run again
(:mod:`~forecast.national.state`). :mod:`~forecast.national.rollup` builds
``national/index.html`` from the provinces' counts: sums of numerators and denominators.

Sits above :mod:`forecast.reports` (it reuses the annual run's steps) and below the commands.
"""

from __future__ import annotations

from forecast.national.rollup import aggregate, national_page, write_rollup
from forecast.national.runner import NationalOptions, run_national
from forecast.national.state import find_provinces, fingerprint

__all__ = ["NationalOptions", "aggregate", "find_provinces", "fingerprint", "national_page", "run_national",
           "write_rollup"]
