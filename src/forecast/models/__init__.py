"""Trend models for indicator series, one module per family, plus the default.

Every model follows one protocol (statsforecast / scikit-learn style):
``__init__``        stores arguments, ``fit(series)`` returns ``self``, and
``predict(years, levels=(80, 95), n_draws=2000, seed=0)`` returns a
:class:`forecast.results.Forecast` whose draws include parameter uncertainty.

==================  ========================================================
name                model
==================  ========================================================
``last_value``      the last observed value (random-walk intervals)
``straight_line``   OLS on the year, a spreadsheet's ``TREND``
``cagr``            the official compound-annual-growth extrapolation
``logit_linear``    logit-linear quasi-binomial GLM on counts
``damped_logit``    damped-trend ETS(A,Ad,N) on the logit scale
``local_logit``     logit-linear on the last 4 points (a local slope)
``pooled_logit``    logit-linear with levels and slopes pooled across units
``global_boost``    gradient-boosted trees learned across series (a global model)
``ets_damped_logit`` statsmodels' ETS(A,Ad,N) on the logit scale
``theta``           statsmodels' Theta method on the logit scale
``default``         combination learned by rolling-origin backtest
==================  ========================================================

May import :mod:`forecast.domain` and the foundation (config, atomic, results); the backtest
(:mod:`.backtest`) scores them through their public interface: the registry below, the
default's :func:`~forecast.models.default.calibrate` and components, and
:mod:`forecast.models.calibration` (weights and calibrated errors).
"""

from __future__ import annotations

from forecast.models.base import SeriesData, SeriesError, TrendModel, check_series
from forecast.models.baselines import CAGR, LastValue, StraightLine
from forecast.models.calibration import Calibration
from forecast.models.default import DefaultModel, calibrate
from forecast.models.global_model import GlobalBoost, GlobalPanel
from forecast.models.logit import DampedLogit, LocalLogit, LogitLinear
from forecast.models.pooled import PooledLogit
from forecast.models.statsmodels_peers import ETSDampedLogit, ThetaLogit

#: Every model class by its registry name.
MODELS: dict[str, type[TrendModel]] = {
    cls.name: cls for cls in (LastValue, StraightLine, CAGR, LogitLinear, DampedLogit, LocalLogit, PooledLogit,
                             GlobalBoost, ETSDampedLogit, ThetaLogit, DefaultModel)
}

#: Name of the workbench's default method.
DEFAULT = DefaultModel.name


def get_model(name: str, **kwargs) -> TrendModel:
    """A new, unfitted model by registry name (``kwargs`` go to its constructor).

    Raises
    ------
    KeyError
        Naming the known models when ``name`` is not one of them.
    """
    try:
        cls = MODELS[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(MODELS)}") from None
    return cls(**kwargs)


def default_model(**kwargs) -> DefaultModel:
    """The workbench's default model (see :mod:`forecast.models.default`)."""
    return DefaultModel(**kwargs)


__all__ = ["MODELS", "DEFAULT", "get_model", "default_model", "Calibration", "SeriesData", "SeriesError",
           "TrendModel", "check_series", "CAGR", "LastValue", "StraightLine", "LogitLinear", "DampedLogit",
           "LocalLogit", "PooledLogit", "GlobalBoost", "GlobalPanel", "ETSDampedLogit", "ThetaLogit", "DefaultModel",
           "calibrate"]
