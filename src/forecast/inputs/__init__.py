"""Reading and validating what units send: text tables and workbooks (:mod:`.tables`), annual
returns, the staff roster, flows, observations, the units registry with the 2025 crosswalk,
published reference figures, and whole data folders (:mod:`.dataset`, :mod:`.validate`).

May import :mod:`forecast.domain` and the foundation (config, atomic, results).
"""
