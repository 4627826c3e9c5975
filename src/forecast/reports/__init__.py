"""The annual run and its outputs: the run spec and preparation (:mod:`.pipeline`), the papermill
kernel (:mod:`.kernel`), notebook helpers (:mod:`.notebook`), charts (:mod:`.plots`), number
formatting (:mod:`.fmt`) and the HTML report set (:mod:`.html`).

May import every stage below it (domain, inputs, models, stockflow, verdict, plan, synth).
"""
