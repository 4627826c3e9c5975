"""One answer per target: attainment (probability of meeting, first year met, required pace),
the official progress measures (ESCAP, UNSD, Eurostat) and the analysis of every target's
series with the default model.

May import :mod:`forecast.domain`, :mod:`forecast.inputs`, :mod:`forecast.models` and
:mod:`forecast.stockflow`.
"""
