"""Saving the classical estimators in their libraries' own safe formats, never pickles.

An XGBoost ``Booster`` goes to ``model.ubj``; a scikit-learn estimator to
``model.skops``, loaded back trusting only the types listed here (what our
HistGradientBoosting and linear models contain).

Example:
    >>> save_estimator(booster, folder); load_estimator(folder)   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SKOPS_TRUSTED = (
    "functools.partial",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
    "numpy.float64",
    "numpy.int64",
)


def save_estimator(estimator: Any, folder: Path) -> None:
    import xgboost

    if isinstance(estimator, xgboost.Booster):
        estimator.save_model(str(folder / "model.ubj"))
    else:
        import skops.io

        skops.io.dump(estimator, folder / "model.skops")


def load_estimator(folder: Path) -> Any:
    if (folder / "model.ubj").is_file():
        import xgboost

        booster = xgboost.Booster()
        booster.load_model(str(folder / "model.ubj"))
        return booster
    import skops.io

    return skops.io.load(folder / "model.skops", trusted=list(SKOPS_TRUSTED))
