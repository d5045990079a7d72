"""``AutoMLClassifier`` and ``AutoMLRegressor``: ``AutoML`` with the task fixed and scikit-learn's tags.

``sklearn.base.is_classifier`` / ``is_regressor`` are True for them, so scorers
(``roc_auc``, ``r2``, ...), ``cross_val_score`` with stratified folds and
other meta-estimators treat them as they treat scikit-learn's own.

Example:
    >>> from sklearn.base import is_classifier, is_regressor
    >>> is_classifier(AutoMLClassifier()), is_regressor(AutoMLRegressor())
    (True, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sklearn.base import ClassifierMixin, RegressorMixin

from .api import DEFAULT_BUDGET, AutoML
from .errors import TargetError

__all__ = ["AutoMLClassifier", "AutoMLRegressor"]


class AutoMLClassifier(ClassifierMixin, AutoML):
    """``AutoML`` for classification: binary or multiclass, never regression.

    A target that reads as numbers to predict (many distinct values) is refused with a ``TargetError``;
    pass ``task="multiclass"`` when such numbers are class ids.

    Parameters
    ----------
    budget, target, metric, out, seed, compare, refit, device, max_trials, max_epochs, price, verbose, drop,
    workers, listen, dask, memory, group, order, encoding, weight
        As for :class:`automl.AutoML`. With ``out=None`` each fit goes into a temporary folder the estimator
        owns, deleted with it: what ``cross_val_score`` wants.
    task : {"auto", "binary", "multiclass"}, default "auto"
        ``"auto"`` tells binary from multiclass by the number of classes.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class labels, sorted, in the target's dtype; ``predict_proba``'s columns follow them.
    run_dir_, report_path_, leaderboard_, best_approach_, verdict_, summary_, feature_names_in_, n_features_in_
        As for :class:`automl.AutoML`.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import cross_val_score
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = AutoMLClassifier(budget="20s", compare=False, out=None)
    >>> cross_val_score(model, X, y, cv=3, scoring="roc_auc").mean()   # doctest: +SKIP
    0.99...
    """

    _TASKS = ("auto", "binary", "multiclass")

    def __init__(self, budget: Any = DEFAULT_BUDGET, target: str | None = None, task: str = "auto",
                 metric: str | None = None, out: str | Path | None = "runs", seed: int = 0, compare: bool = True,
                 refit: bool = True, device: str = "auto", max_trials: int | None = None, max_epochs: int | None = None,
                 price: Any = None, verbose: bool | int | str = "auto", drop: Any = None, workers: int = 0,
                 listen: str = "127.0.0.1:0", dask: str = "auto", memory: Any = None,
                 group: str | None = None, order: str | None = None, encoding: str | None = None,
                 weight: str | None = None):
        super().__init__(budget=budget, target=target, task=task, metric=metric, out=out, seed=seed, compare=compare,
                         refit=refit, device=device, max_trials=max_trials, max_epochs=max_epochs, price=price,
                         verbose=verbose, drop=drop, workers=workers, listen=listen, dask=dask,
                         memory=memory, group=group, order=order, encoding=encoding, weight=weight)

    score = AutoML.score  # accuracy that reads 1 and "1" as one class

    def _check_task(self, profile: Any) -> None:
        if profile.task == "regression":
            raise TargetError(
                f"AutoMLClassifier predicts classes, but {profile.task_reason.rstrip('.')}. "
                "Use AutoMLRegressor for numbers, or task='multiclass' if they are class ids."
            )


class AutoMLRegressor(RegressorMixin, AutoML):
    """``AutoML`` for regression: the target must be numeric.

    Parameters
    ----------
    budget, target, metric, out, seed, compare, refit, device, max_trials, max_epochs, price, verbose, drop,
    workers, listen, dask, memory, group, order, encoding, weight
        As for :class:`automl.AutoML` (the task is always regression, so there is no ``task``). With
        ``out=None`` each fit goes into a temporary folder the estimator owns, deleted with it.

    Attributes
    ----------
    run_dir_, report_path_, leaderboard_, best_approach_, verdict_, summary_, feature_names_in_, n_features_in_
        As for :class:`automl.AutoML`.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import cross_val_score
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cross_val_score(AutoMLRegressor(budget="20s", out=None), X, y, cv=3, scoring="r2")   # doctest: +SKIP
    """

    def __init__(self, budget: Any = DEFAULT_BUDGET, target: str | None = None, metric: str | None = None,
                 out: str | Path | None = "runs", seed: int = 0, compare: bool = True, refit: bool = True,
                 device: str = "auto", max_trials: int | None = None, max_epochs: int | None = None,
                 price: Any = None, verbose: bool | int | str = "auto", drop: Any = None, workers: int = 0,
                 listen: str = "127.0.0.1:0", dask: str = "auto", memory: Any = None,
                 group: str | None = None, order: str | None = None, encoding: str | None = None,
                 weight: str | None = None):
        self.budget = budget
        self.target = target
        self.metric = metric
        self.out = out
        self.seed = seed
        self.compare = compare
        self.refit = refit
        self.device = device
        self.max_trials = max_trials
        self.max_epochs = max_epochs
        self.price = price
        self.verbose = verbose
        self.drop = drop
        self.workers = workers
        self.listen = listen
        self.dask = dask
        self.memory = memory
        self.group = group
        self.order = order
        self.encoding = encoding
        self.weight = weight

    score = AutoML.score  # R², as RegressorMixin's

    def _task(self) -> str:
        return "regression"

    def _check_task(self, profile: Any) -> None:  # a resumed run keeps its own task
        if profile.task != "regression":
            raise TargetError(f"AutoMLRegressor predicts numbers, but this run is {profile.task} classification. "
                              "Use AutoMLClassifier to go on with it.")
