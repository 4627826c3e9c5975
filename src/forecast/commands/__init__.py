"""Sub-commands of the ``forecast`` CLI: one thin module per verb, each with ``register(subparsers)``
and ``run(args)``; :mod:`forecast.cli` discovers them.

May import every stage: commands sit at the top of the layering.
"""
