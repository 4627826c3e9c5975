"""What the plan counts, written once: the roster vocabulary (categories, levels, qualification
states, yes/no), who is in post on a date, each target's population P and criterion C as
predicates built from ``data/targets.yml``, the statutory retirement schedule (Decree 135/2020),
the meeting rules and the one status rule of reports and explorer.

Imports nothing of ours but :mod:`forecast.config`; every other stage imports it.
"""
