"""Sub-commands of the ``forecast`` CLI: one module per command, each with ``register(subparsers)``."""
