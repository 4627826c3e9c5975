"""The synthetic demonstration province: a pseudonymous Lạng Sơn-sized workforce, 2015–2025.

No series of the plan's target indicators is public for Lạng Sơn, so the workbench ships
a generated province that behaves like the real one: the same unit registry (11
district-level units and 200 communes until 30 June 2025, 65 communes after, the
provincial departments), and a history produced by mechanisms rather than curves. Each
year (the state on 31 October; flows from 1 November of the year before):

1. Decree 178 early exits (2025 only, calibrated to Lạng Sơn's published count);
2. statutory retirement by birth date and sex (:mod:`forecast.domain.retirement`, Decree
   135/2020), then other exits (quits, transfers out, other; extra early exits during the
   2016–2021 streamlining; commune cán bộ not re-elected in 2016 and 2021);
3. recruitment to each group's headcount path (staff cuts), new hires mostly with a
   university degree at a share rising over time;
4. territorial changes: the December 2024 commune mergers, the March 2025 department
   mergers, and on 1 July 2025 the end of the district level (staff to the province or to
   the 65 new communes) and the commune crosswalk;
5. in-service upgrading (degrees, political theory, state-management programmes,
   language, IT, standard training);
6. appointments to vacant leader posts, key commune-cadre posts and the succession pool.

Every parameter, with its source or the word "assumption", is in
:mod:`forecast.synth.calibration`. The dataset written by :func:`write_dataset` follows
the dataset-folder contract of ``docs/architecture.md`` and is flagged ``synthetic``
everywhere. Same seed, same bytes.

Modules: :mod:`~forecast.synth.calibration` (parameters and calibration targets),
:mod:`~forecast.synth.people` (codes, registry, people as arrays),
:mod:`~forecast.synth.generator` (the yearly mechanisms), :mod:`~forecast.synth.history`
(rosters, roster history, observations, flows; :func:`generate`) and
:mod:`~forecast.synth.output` (the dataset folder). May import :mod:`forecast.domain` and
:mod:`forecast.inputs` (the roster's shape and aggregation).
"""

from __future__ import annotations

from forecast.synth.history import SynthResult, dataset_meta, generate, roster_history
from forecast.synth.output import calibration_report, readme_text, write_dataset
from forecast.synth.people import (
    DEFAULT_SEED,
    DISCLAIMER_EN,
    DISCLAIMER_VI,
    FIRST_YEAR,
    GENERATOR_VERSION,
    LAST_YEAR,
)

__all__ = ["DEFAULT_SEED", "DISCLAIMER_EN", "DISCLAIMER_VI", "FIRST_YEAR", "GENERATOR_VERSION", "LAST_YEAR",
           "SynthResult", "calibration_report", "dataset_meta", "generate", "readme_text", "roster_history",
           "write_dataset"]
