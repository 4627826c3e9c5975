"""The annual run and its outputs: the run spec and preparation (:mod:`.pipeline`), the papermill
kernel (:mod:`.kernel`), notebook helpers (:mod:`.notebook`) over the page sections
(:mod:`.sections`, :mod:`.review`, :mod:`.verdict_page`) and their building blocks (:mod:`.blocks`),
charts (:mod:`.plots`) and their colours and status symbols (:mod:`.palette`), number formatting
(:mod:`.fmt`) and the HTML report set (:mod:`.html`). Every text comes from the message catalogue
:mod:`forecast.i18n`.

May import every stage below it (domain, inputs, models, stockflow, verdict, plan, synth) and i18n.
"""
