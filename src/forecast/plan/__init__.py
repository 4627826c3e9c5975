"""What it would take: the training effort each target needs (places per programme, cost) and,
later, the joint least-cost plan and its allocation to units.

May import :mod:`forecast.domain`, :mod:`forecast.inputs`, :mod:`forecast.models`,
:mod:`forecast.stockflow` and :mod:`forecast.verdict`.
"""
