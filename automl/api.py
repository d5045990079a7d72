"""``AutoML``: the Python API, following the scikit-learn estimator contract.

``__init__`` only stores its arguments; ``fit`` loads, inspects, plans, runs
and reports, and returns ``self``; what was learned ends in ``_``.
``AutoMLClassifier`` and ``AutoMLRegressor`` (``automl.estimators``) fix the task.

Example:
    >>> from automl import AutoML
    >>> model = AutoML(budget="30s", compare=False, out="runs")   # doctest: +SKIP
    >>> model.fit("data/wine.csv").leaderboard_                    # doctest: +SKIP
"""

from __future__ import annotations

import numbers
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from sklearn.base import BaseEstimator

from .data.target import TASKS
from .errors import BudgetError, ConfigError, NotFittedError, invalid
from .metrics import named

DEFAULT_BUDGET = "10m"


class PredictionWarning(UserWarning):
    """Something ``predict_frame`` noticed in the data it was given (columns the model ignores, ...)."""


class AutoML(BaseEstimator):
    """Train classical models and deep networks on one split, compare them, and keep the better one.

    The task (binary, multiclass or regression) follows the target unless ``task`` is given;
    :class:`AutoMLClassifier` and :class:`AutoMLRegressor` are the same estimator with the task fixed and
    scikit-learn's classifier/regressor tags, for scorers and ``cross_val_score``.

    Parameters
    ----------
    budget : str or float, default "10m"
        Wall-clock time for the whole fit: ``"90s"``, ``"10m"``, ``"1h"`` or seconds.
    target : str, optional
        The target column when ``X`` is a table or a path; by default a column named target/label/class/y,
        else the last one. Not needed with ``y``.
    task : {"auto", "binary", "multiclass", "regression"}, default "auto"
        What to predict; ``"auto"`` reads it from the target's values.
    metric : str, optional
        What chooses the best model (``accuracy``, ``roc_auc``, ``log_loss``, ``rmse``, ...); by default the
        task's usual one.
    out : str, Path or None, default "runs"
        Folder for run directories (one per fit, with the models, leaderboard and ``report.html``). With
        ``None`` the run goes into a temporary folder that the estimator owns and that is deleted when the
        estimator is garbage-collected (or fitted again): for ``cross_val_score`` and other loops that fit many
        times. The fitted model is held in memory, so ``predict`` does not need the folder; keep a run with
        ``shutil.copytree(model.run_dir_, "somewhere")`` before the estimator goes.
    seed : int, default 0
        Seeds the split and every search: the same seed and data give the same run.
    compare : bool, default True
        Also run the comparison approach (a deep network for tables) when the budget allows.
    refit : bool, default True
        Refit the chosen model on all rows (test rows included) once they have scored it; ``predict`` then
        uses that model.
    device : {"auto", "cpu", "gpu"}, default "auto"
        Where deep networks train.
    max_trials, max_epochs : int, optional
        Caps on the searches (handy for tests and quick looks).
    workers : int, default 0
        Run each deep search's trials on this many worker processes (Keras Tuner's distributed mode), this
        process being their chief; 0 runs them here. With GPUs, each worker gets one (or a share of one).
    listen : str, default "127.0.0.1:0"
        ``HOST:PORT`` where the chief serves the search to its workers (port 0: any free one). Listen on an
        address other machines reach to let ``automl worker --chief HOST:PORT RUN`` join from them.
    price : str or dict, optional
        ``"cpu=0.05,gpu=2.5"`` (USD per core-hour and GPU-hour) for the report's money figures; by default
        ``automl.toml`` or built-in prices (see ``automl.prices``).
    verbose : bool, int or "auto", default "auto"
        Print progress (each approach, the first and improving trials, the run directory) while fitting.
        ``"auto"`` prints in a terminal or a notebook and stays silent otherwise (scripts with redirected
        output, test runs); a ``listener`` passed to ``fit`` replaces it. Levels as scikit-learn gives them
        work too: 0 is silent, 1 or more prints (there is one level of detail).
    drop : str or list of str, optional
        Columns to leave out of the features (``automl fit --drop``), such as one that leaks the target; a
        resumed run keeps the run's own.
    group : str, optional
        A column whose rows belong together (a patient, a customer, a recording session; ``automl fit --group``):
        a group's rows stay on one side of the test split and of every validation fold, so no score is flattered
        by rows whose twins were trained on. It is not a feature. A resumed run keeps the run's own.
    order : str, optional
        A column of dates or numbers that orders the rows in time (``automl fit --order``): the latest rows are the
        test rows, and candidates are compared on the latest training rows, fitted on the earlier ones, as a model
        of the past is used on the future. It stays a feature unless dropped. A resumed run keeps the run's own.
    encoding : str, optional
        How to read a table file that is not UTF-8, by Python's name for the encoding (``"cp1252"`` for most
        files saved by Excel on Windows, ``"latin-1"``, ``"shift_jis"``, ...); files that are UTF-8 (or UTF-16
        with its byte-order mark) read as such whatever is named. Without it such a file is refused, since a guessed
        encoding misreads letters. The run keeps it: ``predict`` reads files in it, and so does a resume.
    weight : str, optional
        A numeric column of how much each row counts (``automl fit --weight``): a survey weight, the amount at
        stake. Each row counts that much in every model's training and in every score (validation and test). It
        is not a feature. ``fit(X, y, sample_weight=...)`` gives the weights as an array instead (not for a
        table read in pieces for Dask: name its column). A resumed run keeps the run's own.

    Attributes
    ----------
    run_dir_ : Path
        The run directory (inside ``out``, or the temporary folder with ``out=None``).
    report_path_ : Path
        Its ``report.html``.
    leaderboard_ : pandas.DataFrame
        One row per approach: test scores, time, size and cost.
    best_approach_ : str
        The approach the run chose on validation (``"classical"``, ``"deep"``, ``"blend"``): the best score there,
        or a simpler approach when the leader's lead was within chance (``run.json``'s ``selection.choice`` says
        which and why).
    verdict_ : str
        The run's verdict in a sentence or two.
    summary_ : str
        One line: the chosen approach and model, its test score and the run directory (also in ``repr``).
    classes_ : numpy.ndarray
        The class labels, sorted, in the dtype of the target (classification only); ``predict_proba``'s
        columns follow this order.
    feature_names_in_ : list of str
        The columns ``X`` had at fit time (arrays: ``x0``, ``x1``, ...).
    n_features_in_ : int
        Their number.
    profile_, plan_ : objects
        What inspection found and the plan the run followed.
    predictor_ : automl.predictor.Predictor
        The model ``predict`` uses (as ``automl.load(run_dir_)`` gives it), read from the run directory on first
        use and then kept in memory.
    deployed_ : dict
        How that model was refitted on all rows (empty when it was not).
    decisions_ : dict
        Approach -> the decision rule its predicted classes follow (``automl.decision``: ``weights``, ``power``,
        ``metric``, validation ``rows``, ``before`` and ``after``), for balanced accuracy and macro F1 where a
        rule beat the most probable class on validation rows; empty otherwise.

    Examples
    --------
    >>> from automl import AutoML
    >>> model = AutoML(budget="1m", compare=False, out=None).fit("data/wine.csv")   # doctest: +SKIP
    >>> model                                                                      # doctest: +SKIP
    AutoML(budget='1m', compare=False, out=None) fitted: classical (xgboost), test accuracy 0.972, run ...
    >>> model.predict_frame("data/wine.csv").head()                                # doctest: +SKIP
    """

    _TASKS = TASKS  # the values ``task`` may take

    def __init__(self, budget: Any = DEFAULT_BUDGET, target: str | None = None, task: str = "auto",
                 metric: str | None = None, out: str | Path | None = "runs", seed: int = 0, compare: bool = True,
                 refit: bool = True, device: str = "auto", max_trials: int | None = None, max_epochs: int | None = None,
                 price: Any = None, verbose: bool | int | str = "auto", drop: Any = None, workers: int = 0,
                 listen: str = "127.0.0.1:0", dask: str = "auto", memory: Any = None, group: str | None = None,
                 order: str | None = None, encoding: str | None = None, weight: str | None = None):
        self.budget = budget
        self.target = target
        self.task = task
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

    def fit(self, X: Any = None, y: Any = None, target: str | None = None, *, sample_weight: Any = None,
            listener: Any = None, command: str = "", resume: str | Path | None = None,
            started: float | None = None) -> "AutoML":
        """Train within the budget, write the run directory, and keep the chosen model.

        Parameters
        ----------
        X : str, Path, pandas.DataFrame or array-like of shape (n_samples, n_features)
            A CSV/TSV/Parquet file or a folder of images/audio/text files; a table holding the target column;
            or features only, with ``y``: a table, or one column's values (a list of texts, a Series).
        y : array-like of shape (n_samples,) or str, optional
            The target, when ``X`` holds features only; or the name of ``X``'s target column, as ``target`` names
            it (``fit(frame, "price")``, ``fit("houses.csv", "price")``).
        target : str, optional
            The target column of ``X`` (overrides the ``target`` parameter).
        sample_weight : array-like of shape (n_samples,), optional
            How much each row counts (0 or more), as the ``weight`` parameter's column does; not with ``weight``.
        listener : callable, optional
            Called with each progress ``Event``; replaces the printing that ``verbose`` asks for.
        command : str, optional
            How the run was started, as ``run.json`` records it.
        resume : str or Path, optional
            Continue that run in place instead (``X`` may be left out: the run's own file or folder is read
            again, and must not have changed): ``budget`` is this session's time, and the run's target, task,
            metric, seed and approaches are kept. An interrupted or failed run finishes what it started; a
            finished run searches further.
        started : float, optional
            A ``time.monotonic()`` value: when the budget's clock started, for a caller with work of its own
            first (the command line counts its start-up).

        Returns
        -------
        self

        Examples
        --------
        >>> AutoML(budget="30s", compare=False).fit(X, y)            # doctest: +SKIP
        >>> AutoML(budget="2m").fit(frame, target="price")           # doctest: +SKIP
        >>> AutoML(budget="2m").fit("houses.csv", "price")           # doctest: +SKIP
        >>> AutoML(budget="5m").fit(resume="runs/wine-20260101-120000")   # doctest: +SKIP
        """
        from .run.results import quiet

        started = time.monotonic() if started is None else started
        budget, prices = self._checked()  # every argument, before any data is read
        target, y = named_target(target, y)
        listener = listener or self._printer(budget, started) or quiet
        if sample_weight is not None and self._weight() is not None:
            raise ConfigError(f"give the weights once: weight={self.weight!r} names a column, and sample_weight was "
                              "given too; leave one out.")
        if resume is not None:
            outcome = self._resume(Path(resume), X, y, budget, prices, listener, command, started, sample_weight)
        else:
            outcome = self._start(X, y, target, budget, prices, listener, command, started, sample_weight)
        return self._fitted(outcome)

    def _start(self, X: Any, y: Any, target: str | None, budget: float, prices: Any, listener: Any, command: str,
               started: float, sample_weight: Any = None) -> Any:
        from .budget import Deadline
        from .data import load
        from .data.profile import inspect_dataset
        from .data.weights import attached
        from .hardware import applied, detect
        from .run.plan import cpu_backends, make_plan
        from .run.runner import execute

        if X is None:
            raise ConfigError(invalid("X", "the data to train on (a path, a DataFrame or arrays)", None))
        dataset = load(X, y, target=target or self.target, memory=self._memory(), dask=self._dask(),
                       encoding=self._encoding())
        if dataset.large is not None and self._dask() not in ("auto", "local"):
            from .search.dask_client import check_reachable

            check_reachable(self._dask())  # before a run directory exists
        given = dataset.frame.columns[-1] if y is not None else target or self.target  # y's column is given
        weight = self._weight()
        if sample_weight is not None:
            dataset, weight = attached(dataset, sample_weight)
        profile = inspect_dataset(dataset, given, self._task(), drop=self.drop, group=self.group, order=self.order,
                                  weight=weight)
        self._check_task(profile)
        hardware = applied(detect(self.device, cpu_backends(profile, budget)))
        plan = make_plan(profile, budget, hardware, compare=self.compare, metric=named(self.metric), refit=self.refit)
        self._tell(listener, profile, plan)
        settings = self._settings(listener, prices, command, self.seed, self.compare, self.refit, self.device,
                                  self.max_trials, self.max_epochs)
        scratch = tempfile.TemporaryDirectory(prefix="automl-") if self.out is None else None
        if scratch is not None:
            settings.out = Path(scratch.name)
        outcome = execute(dataset, profile, plan, hardware, settings, Deadline(budget, start=started))
        if sample_weight is not None:  # a column of the run, not of X: predict takes X as it was
            outcome.columns = [c for c in outcome.columns if c != weight]
        self._scratch = scratch  # with out=None the run lives as long as this estimator (or its next fit)
        return outcome

    def _resume(self, run_dir: Path, X: Any, y: Any, budget: float, prices: Any, listener: Any, command: str,
                started: float, sample_weight: Any = None) -> Any:
        from .budget import Deadline
        from .data import load
        from .data.profile import inspect_dataset
        from .hardware import applied, detect
        from .run.plan import cpu_backends, make_plan
        from .data.encoding import recorded
        from .run.resume import resumable, source_of
        from .run.runner import resume

        record = resumable(run_dir)
        asked = record.get("settings") or {}
        compare, refit = asked.get("compare", True), asked.get("refit", True)
        device = asked.get("device", "auto") if self.device == "auto" else self.device
        dask = self._dask() if self.dask != "auto" else asked.get("dask") or "auto"
        if dask == "auto" and (record.get("data") or {}).get("large"):
            dask = "local"  # a table read in pieces stays so, whatever memory is free now
        memory = self._memory() if self.memory is not None else asked.get("memory")
        encoding = self._encoding() or recorded(record.get("data"))
        dataset = load(source_of(record, run_dir, X), y, target=record["target"], memory=memory, dask=dask,
                       encoding=encoding)
        dataset = _weighed_again(dataset, asked.get("weight"), sample_weight)
        profile = inspect_dataset(dataset, record["target"], record["task"], drop=asked.get("drop"),
                                  group=asked.get("group"), order=asked.get("order"), weight=asked.get("weight"))
        self._check_task(profile)
        hardware = applied(detect(device, cpu_backends(profile, budget)))
        done = frozenset() if record["status"] == "complete" else frozenset(record.get("searched") or {})
        try:
            plan = make_plan(profile, budget, hardware, compare=compare, refit=refit, done=done,
                             metric=named(asked.get("metric")) or record["plan"].get("metric"))
        except BudgetError as exc:  # its advice may be to drop --no-compare, which a resume keeps as the run had it
            least = getattr(exc, "least", None)
            if least is None:
                raise
            raise BudgetError(f"{run_dir} needs a budget of at least {least} to go on ({budget:.0f}s given or left): "
                              f"the run has no model yet and its approach needs that time. Give it with: "
                              f"automl fit --resume {run_dir} --budget {least}") from None
        self._tell(listener, profile, plan)
        settings = self._settings(listener, prices, command, int(record["seed"]), compare, refit, device,
                                  asked.get("max_trials", self.max_trials), asked.get("max_epochs", self.max_epochs))
        outcome = resume(run_dir, dataset, profile, plan, hardware, settings, Deadline(budget, start=started))
        if sample_weight is not None:
            outcome.columns = [c for c in outcome.columns if c != asked.get("weight")]
        return outcome

    def _settings(self, listener: Any, prices: Any, command: str, seed: int, compare: bool, refit: bool, device: str,
                  max_trials: int | None, max_epochs: int | None) -> Any:
        from .run.runner import RunSettings

        return RunSettings(out=Path(self.out or "."), seed=seed, max_trials=max_trials, max_epochs=max_epochs,
                           command=command or "AutoML.fit", listener=listener, prices=prices, compare=compare,
                           refit=refit, device=device, workers=self.workers, listen=self.listen, dask=self._dask(),
                           memory=self._memory())

    def _dask(self) -> str:
        from .data.large import dask_setting

        return dask_setting(self.dask)

    def _memory(self) -> int | None:
        from .data.memory import parse_size

        return parse_size(self.memory, "memory")

    def _weight(self) -> str | None:
        weight = getattr(self, "weight", None)  # estimators pickled before weights have none
        if weight is not None and not isinstance(weight, str):
            raise ConfigError(invalid("weight", "a column name or None (sample_weight takes an array)", weight))
        return weight

    def _encoding(self) -> str | None:
        from .data.encoding import checked

        return checked(getattr(self, "encoding", None))

    def _task(self) -> str:
        """The task asked for (``AutoMLRegressor`` has no ``task`` parameter)."""
        return self.task

    def _check_task(self, profile: Any) -> None:
        """A hook for estimators that take only some tasks: raise a ``TargetError`` when ``profile`` is not one."""

    def _printer(self, budget: float, started: float) -> Any:
        """The progress listener ``verbose`` asks for, or None. Printing happens here, at the edge, not in the run."""
        show = _interactive() if isinstance(self.verbose, str) else bool(self.verbose)
        if not show:
            return None
        from .progress import ProgressPrinter

        stream = sys.stdout if _in_notebook() else sys.stderr
        return ProgressPrinter(stream, live=_is_terminal(stream), budget=budget, started=started)

    @staticmethod
    def _tell(listener: Any, profile: Any, plan: Any) -> None:
        from .run.results import Event

        for line in [profile.target_reason, profile.task_reason, *profile.warnings, *plan.skipped]:
            listener(Event("message", message=line))

    def _fitted(self, outcome: Any) -> "AutoML":
        from .run.integrity import read_record

        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)  # nothing learned by an earlier fit stays (classes_ after a regression, ...)
        self._predictor = None  # loaded on first use: see ``predictor_``
        self.run_dir_ = outcome.run_dir
        self.report_path_ = outcome.run_dir / "report.html"
        self.verdict_ = outcome.verdict
        self.best_approach_ = outcome.best
        record = read_record(outcome.run_dir)
        self.profile_ = outcome.profile
        self.plan_ = outcome.plan
        self.deployed_ = record.deployed or {}  # how the model predict uses was refitted
        self.decisions_ = dict(record.decisions)
        self.feature_names_in_ = list(outcome.columns)
        self.n_features_in_ = len(self.feature_names_in_)
        self.summary_ = _summary(outcome)
        if record.task != "regression":
            import numpy as np

            self.classes_ = np.asarray(record.classes)  # ints stay ints: scikit-learn's scorers compare
        return self

    def _checked(self) -> tuple[float, Any]:
        """Check every parameter (raising a ``UserInputError`` that names it); the budget in seconds and prices."""
        from .budget import parse_budget
        from .hardware import DEVICES
        from .prices import resolve as resolve_prices
        from .search.cluster import split_address

        budget = parse_budget(self.budget)
        named(self.metric)
        if self.target is not None and not isinstance(self.target, str):
            raise ConfigError(invalid("target", "a column name or None", self.target))
        checked = [("task", self._TASKS, self._task()), ("device", DEVICES, self.device)]
        for name, allowed, value in checked:
            if not any(value is a or (value == a and type(value) is type(a)) for a in allowed):
                shown = ", ".join(str(a) for a in allowed)
                raise ConfigError(invalid(name, f"one of {shown}", value))
        if self.verbose != "auto" and not (isinstance(self.verbose, numbers.Integral) and self.verbose >= 0):
            raise ConfigError(invalid("verbose", "True, False, 'auto' or a level of 0 (silent) or more", self.verbose))
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or not 0 <= self.seed < 2 ** 32:
            raise ConfigError(invalid("seed", "a whole number from 0 to 4294967295", self.seed))
        for name in ("compare", "refit"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(invalid(name, "True or False", getattr(self, name)))
        for name in ("max_trials", "max_epochs"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1):
                raise ConfigError(invalid(name, "a positive whole number or None", value))
        if isinstance(self.workers, bool) or not isinstance(self.workers, numbers.Integral) or self.workers < 0:
            raise ConfigError(invalid("workers", "0 (search in this process) or a positive whole number",
                                      self.workers))
        if not isinstance(self.listen, str):
            raise ConfigError(invalid("listen", "HOST:PORT, for example 0.0.0.0:8470", self.listen))
        split_address(self.listen, "listen")
        self._dask(), self._memory(), self._encoding(), self._weight()
        if self.out is not None:
            _check_out(Path(self.out))
        return budget, resolve_prices(self.price)

    @property
    def predictor_(self) -> Any:
        """The model ``predict`` uses, read from the run directory on first use: loading a large ensemble takes
        seconds (8.6 s for letter's blend of ExtraTrees and a network), which ``fit`` would otherwise spend
        after its budget, and a command-line run never needs."""
        if "run_dir_" not in vars(self):
            raise AttributeError("predictor_")  # not fitted: scikit-learn's contract has no fitted attributes yet
        if getattr(self, "_predictor", None) is None:
            from .predictor import load as load_predictor

            self._predictor = load_predictor(self.run_dir_)
        return self._predictor

    @property
    def leaderboard_(self) -> Any:
        import pandas as pd

        self._check_fitted()
        return pd.read_csv(self.run_dir_ / "leaderboard.csv")

    def predict(self, X: Any) -> Any:
        """Predict with the chosen model.

        Parameters
        ----------
        X : str, Path, pandas.DataFrame or array-like of shape (n_samples, n_features)
            A file or folder like the training data, a table with the training columns (extra columns,
            the target included, are ignored), or an array with the columns in the order ``fit`` saw them (a
            model of one column also takes a list of its values: texts, paths, numbers).

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
            Class labels (of ``classes_``) or predicted values.

        Examples
        --------
        >>> model.predict(X_test)[:3]                      # doctest: +SKIP
        array(['class_0', 'class_2', 'class_1'], dtype='<U7')
        """
        self._check_fitted()
        predicted = self.predictor_.predict(self._as_data(X))
        if not hasattr(self, "classes_"):
            return predicted
        import numpy as np

        return np.asarray(predicted.tolist(), dtype=self.classes_.dtype)

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities (classification only).

        Parameters
        ----------
        X : str, Path, pandas.DataFrame or array-like of shape (n_samples, n_features)
            As for ``predict``.

        Returns
        -------
        numpy.ndarray of shape (n_samples, n_classes)
            One column per class, in the order of ``classes_``; each row sums to 1.

        Examples
        --------
        >>> model.predict_proba(X_test)[:, list(model.classes_).index("yes")]   # doctest: +SKIP
        """
        self._check_fitted()
        return self.predictor_.predict_proba(self._as_data(X))

    def predict_frame(self, X: Any) -> Any:
        """Predictions as a table: the predicted label or value and, for classification, one probability
        column per class.

        What the data made the predictor notice (columns the model does not use, ...) comes as
        ``PredictionWarning`` warnings.

        Parameters
        ----------
        X : str, Path, pandas.DataFrame or array-like of shape (n_samples, n_features)
            As for ``predict``.

        Returns
        -------
        pandas.DataFrame
            One row per input row: ``predicted_<target>`` and, for classification, ``proba_<class>`` columns.

        Examples
        --------
        >>> model.predict_frame("data/wine.csv").head(2)          # doctest: +SKIP
          predicted_cultivar  proba_class_0  proba_class_1  proba_class_2
        0            class_0          0.981          0.012          0.007
        """
        self._check_fitted()
        frame, notes = self.predictor_.predict_frame(self._as_data(X))
        for note in notes:
            warnings.warn(note, PredictionWarning, stacklevel=2)
        return frame

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy for classification, R² for regression (scikit-learn's convention); each row counted by
        ``sample_weight`` where given."""
        import numpy as np

        pred = self.predict(X)
        truth = np.asarray(y).ravel()
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
        if self.profile_.task == "regression":
            from sklearn.metrics import r2_score

            return float(r2_score(truth.astype(float), pred, sample_weight=weights))
        from .data.target import label_text

        return float(np.average(np.asarray(label_text(pred)) == np.asarray(label_text(truth)), weights=weights))

    def _as_data(self, X: Any) -> Any:
        """Arrays get the column names used at fit time; a model of one column also takes a 1-D list, array or
        Series of its values (``predict(["free prize, call now", "see you at 6"])`` for a text model)."""
        import numpy as np
        import pandas as pd

        if isinstance(X, (str, Path, pd.DataFrame)):
            return X
        array = np.asarray(X)
        if array.ndim == 1 and self.n_features_in_ == 1:
            return pd.DataFrame({self.feature_names_in_[0]: array})
        if array.ndim != 2 or array.shape[1] != self.n_features_in_:
            raise ConfigError(invalid("X", f"a 2-D array with {self.n_features_in_} columns", f"shape {array.shape}"))
        return pd.DataFrame(array, columns=self.feature_names_in_)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "run_dir_")

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            name = type(self).__name__
            raise NotFittedError(f"This {name} instance is not fitted yet. Call `fit` with your data first.")

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        """scikit-learn's repr of the parameters; once fitted, what the fit found after it."""
        shown = super().__repr__(N_CHAR_MAX)
        summary = getattr(self, "summary_", None)
        return f"{shown} fitted: {summary}" if summary else shown

    def __getstate__(self) -> dict[str, Any]:
        """Pickled or deep-copied without the temporary folder of ``out=None`` (the original owns it; the copy
        keeps its in-memory model and predicts without the folder)."""
        if self.__sklearn_is_fitted__():
            self.predictor_  # noqa: B018 - loaded now, so the copy predicts without the run directory
        state = super().__getstate__()
        state.pop("_scratch", None)
        return state



def _weighed_again(dataset: Any, column: str | None, sample_weight: Any) -> Any:
    """A resumed run's data with its weights: its own column, or ``sample_weight`` given again under the name the
    run gave it; a ``ConfigError`` when the weights given do not fit the run's."""
    from .data.weights import attached

    if sample_weight is None:
        if isinstance(column, str) and column not in dataset.frame.columns:
            raise ConfigError(f"this run weighed its rows by {column!r}, which the data lacks: give the same "
                              "sample_weight again to resume it.")
        return dataset
    if not isinstance(column, str):
        raise ConfigError("this run was fitted without weights, and a resume keeps the run's own: leave sample_weight "
                          "out.")
    if column in dataset.frame.columns:
        raise ConfigError(f"this run weighs its rows by the data's column {column!r}: leave sample_weight out.")
    return attached(dataset, sample_weight, column)[0]


def _summary(outcome: Any) -> str:
    """``classical (xgboost), test accuracy 0.972, run runs/wine-20260101-120000``."""
    best = next((f for f in outcome.finalists if f.approach == outcome.best), None)
    metric = getattr(outcome.plan, "metric", None)
    parts = [outcome.best if best is None or not best.model else f"{outcome.best} ({best.model})"]
    score = best.test_scores.get(metric) if best is not None and metric else None
    if score is not None:
        parts.append(f"test {metric} {score:.3g}")
    parts.append(f"run {outcome.run_dir}")
    return ", ".join(parts)


def _in_notebook() -> bool:
    """Inside a Jupyter (or similar) kernel."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    return shell is not None and type(shell).__name__ not in ("TerminalInteractiveShell", "InteractiveShellEmbed")


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def _interactive() -> bool:
    """Someone is watching: a notebook, or a terminal on the error stream (where progress goes)."""
    return _in_notebook() or _is_terminal(sys.stderr)


def _check_out(out: Path) -> Path:
    """The folder for run directories, checked before any training (created only when a run starts)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(invalid("out", "a folder for run directories", str(out),
                                  "It is a file; choose another folder"))
    existing = next(p for p in [out, *out.absolute().parents] if p.exists())
    if not os.access(existing, os.W_OK):
        raise ConfigError(invalid("out", "a folder you can write to", str(out), "Choose another folder"))
    return out


def named_target(target: str | None, y: Any) -> tuple[str | None, Any]:
    """``fit``'s ``target`` and ``y``, with a ``y`` that is a column's name (``fit(frame, "price")``) moved to
    ``target``; a ``ConfigError`` when the two name different columns.

    >>> named_target(None, "price"), named_target("price", None), named_target(None, [1, 2])
    (('price', None), ('price', None), (None, [1, 2]))
    """
    if not isinstance(y, str):
        return target, y
    if target is not None and target != y:
        raise ConfigError(f"`y` names the column {y!r} and `target` names {target!r}; give the target column "
                          "once.")
    return y, None
