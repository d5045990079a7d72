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
    # the estimators the classical routes save (tables: HistGradientBoosting, ExtraTrees and its trees, the ridge
    # family's pipeline; texts: the linear families), and what they hold
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
    "sklearn.ensemble._forest.ExtraTreesClassifier",
    "sklearn.ensemble._forest.ExtraTreesRegressor",
    "sklearn.tree._classes.ExtraTreeClassifier",
    "sklearn.tree._classes.ExtraTreeRegressor",
    "sklearn.pipeline.Pipeline",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.linear_model._ridge.RidgeCV",
    "sklearn.linear_model._ridge.Ridge",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.naive_bayes.ComplementNB",
)


def load_saver(estimator: Any) -> None:
    """Import what ``save_estimator`` needs for ``estimator``, so that timing a save measures the save.

    The first save of a scikit-learn estimator in a process also imports skops (0.25 s here through
    ``skops_io``; 1.4-2.4 s as skops imports itself), which no later save pays: a search that times its first
    hand-over to plan the time its last save needs calls this first.

    >>> load_saver(object())  # a scikit-learn estimator, or anything not XGBoost's or CatBoost's: skops
    """
    import xgboost

    if not isinstance(estimator, xgboost.Booster) and not type(estimator).__module__.startswith("catboost"):
        skops_io()


def skops_io() -> Any:
    """``skops.io``, imported without the list of every scikit-learn estimator that it makes on import.

    skops trusts scikit-learn's estimators by default, and lists them when ``skops.io`` is first imported by
    walking all of scikit-learn's modules (``sklearn.utils.all_estimators``): 3.7 s of the 5 s that ``automl
    predict`` took on a small table, and with PyTorch installed scikit-learn's array-API support imports it
    too. The estimators our models hold are in ``SKOPS_TRUSTED`` instead; a file with another scikit-learn
    estimator (a run saved by a later version) still loads, as before, through the full list
    (``_every_estimator``), made only then.

    >>> skops_io().__name__
    'skops.io'
    """
    import sys

    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    import sklearn.utils

    every = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = lambda type_filter=None: []  # read once, by skops.io._trusted_types
    try:
        import skops.io
    finally:
        sklearn.utils.all_estimators = every
    return skops.io


def _every_estimator() -> set[str]:
    """Every scikit-learn estimator's type name, as skops trusts them by default (seconds to make)."""
    from sklearn.utils import all_estimators
    from skops.io._utils import get_type_name

    return {name for name in (get_type_name(cls) for _, cls in all_estimators()) if name.startswith("sklearn.")}


def save_estimator(estimator: Any, folder: Path) -> None:
    import xgboost

    if isinstance(estimator, xgboost.Booster):
        estimator.save_model(str(folder / "model.ubj"))
    elif type(estimator).__module__.startswith("catboost"):  # not imported unless a CatBoost model is there
        estimator.save_model(str(folder / "model.cbm"), format="cbm")
    else:
        import zipfile

        skops = skops_io()
        # Deflated at level 1: tree arrays shrink about tenfold (an ExtraTrees model on letter: 294 MB stored,
        # 29 MB deflated) and saving gets no slower, since less is written.
        skops.dump(estimator, folder / "model.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=1)


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
    skops = skops_io()
    from skops.io.exceptions import UntrustedTypesFoundException

    with reading(path):
        try:
            return skops.load(path, trusted=list(SKOPS_TRUSTED))
        except UntrustedTypesFoundException as exc:
            others = set(skops.get_untrusted_types(file=path)) - set(SKOPS_TRUSTED)
            if not others <= _every_estimator():
                raise ModelFileError(path, f"holds types automl never saves there ({summary(exc)})") from None
        return skops.load(path, trusted=[*SKOPS_TRUSTED, *others])  # the route checks what it is


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
