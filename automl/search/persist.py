"""Saving the classical estimators in their libraries' own safe formats, never pickles.

An XGBoost ``Booster`` goes to ``model.ubj``; a CatBoost model to
``model.cbm`` (CatBoost's binary format, read back as the generic
``catboost.CatBoost``); a scikit-learn estimator to ``model.skops`` (deflated), loaded
back trusting only the types listed here (what our HistGradientBoosting,
ExtraTrees and linear models contain).

Example:
    >>> save_estimator(booster, folder); load_estimator(folder)   # doctest: +SKIP
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..errors import ModelFileError
from ..run.integrity import reading, summary

SKOPS_TRUSTED = (
    "functools.partial",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
    "sklearn.utils.validation.check_array",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",  # the one-hot encoder's output type, in the ridge family's pipeline
)


def load_saver(estimator: Any) -> None:
    """Import what ``save_estimator`` needs for ``estimator``, so that timing a save measures the save.

    The first save of a scikit-learn estimator in a process also imports skops (1.4-1.9 s measured here),
    which no later save pays: a search that times its first hand-over to plan the time its last save needs
    calls this first.

    >>> load_saver(object())  # a scikit-learn estimator, or anything not XGBoost's or CatBoost's: skops
    """
    import xgboost

    if not isinstance(estimator, xgboost.Booster) and not type(estimator).__module__.startswith("catboost"):
        import skops.io  # noqa: F401


def save_estimator(estimator: Any, folder: Path) -> None:
    import xgboost

    if isinstance(estimator, xgboost.Booster):
        estimator.save_model(str(folder / "model.ubj"))
    elif type(estimator).__module__.startswith("catboost"):  # not imported unless a CatBoost model is there
        estimator.save_model(str(folder / "model.cbm"), format="cbm")
    else:
        import zipfile

        import skops.io

        # Deflated at level 1: tree arrays shrink about tenfold (an ExtraTrees model on letter: 294 MB stored,
        # 29 MB deflated) and saving gets no slower, since less is written.
        skops.io.dump(estimator, folder / "model.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=1)


def estimator_path(folder: Path) -> Path:
    """The file ``load_estimator`` reads in ``folder``: ``model.ubj`` or ``model.cbm`` when there, else
    ``model.skops``."""
    for name in ("model.ubj", "model.cbm"):
        if (folder / name).is_file():
            return folder / name
    return folder / "model.skops"


def load_estimator(folder: Path) -> Any:
    """The estimator saved in ``folder``: a ``Booster`` from ``model.ubj``, a ``catboost.CatBoost`` from
    ``model.cbm``, else what ``model.skops`` holds,
    trusting only ``SKOPS_TRUSTED`` besides skops' own safe types. ``ModelFileError`` names the file when it is
    missing or not what was saved (a pickle in its place is refused, never opened); the caller checks the type.

    >>> load_estimator(Path("/no/such/folder"))
    Traceback (most recent call last):
    automl.errors.ModelFileError: /no/such/folder/model.skops is missing
    """
    path = estimator_path(folder)
    if path.name == "model.ubj":
        return _booster(path)
    if path.name == "model.cbm":
        return _catboost(path)
    if not zipfile.is_zipfile(path):
        raise ModelFileError(path, "is not a skops archive" if path.exists() else "is missing")
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    with reading(path):
        try:
            return skops.io.load(path, trusted=list(SKOPS_TRUSTED))
        except UntrustedTypesFoundException as exc:
            raise ModelFileError(path, f"holds types automl never saves there ({summary(exc)})") from None


def _booster(path: Path) -> Any:
    """The XGBoost model in ``path`` (UBJSON); ``ModelFileError`` when it does not parse as one."""
    import xgboost

    booster = xgboost.Booster()
    try:
        booster.load_model(str(path))
    except Exception:  # XGBoostError, or a decoding error on bytes that are not UBJSON
        raise ModelFileError(path, "is not an XGBoost model file (it does not parse)") from None
    return booster


def _catboost(path: Path) -> Any:
    """The CatBoost model in ``path`` (cbm); ``ModelFileError`` when it does not parse as one."""
    import catboost

    model = catboost.CatBoost()
    try:
        model.load_model(str(path), format="cbm")
    except Exception:  # CatBoostError on bytes that are not a model
        raise ModelFileError(path, "is not a CatBoost model file (it does not parse)") from None
    return model
