"""One answer per target: attainment (probability of meeting, first year met, required pace),
the official progress measures (ESCAP, UNSD, Eurostat) and the analysis of every target's
series with the default model; the one verdict (:mod:`.verdict`: trend or engine, chosen by
the engine's hindcast), scenarios as changes from it (:mod:`.changes`), what explains it
(:mod:`.falls`), its record per target (:mod:`.record`) and its words (:mod:`.wording`); what
changed since the previous year's report set, and why (:mod:`.yearchange`).

May import :mod:`forecast.domain`, :mod:`forecast.inputs`, :mod:`forecast.models` and
:mod:`forecast.stockflow`.
"""
