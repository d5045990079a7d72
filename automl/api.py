"""``AutoML``: the Python API, following the scikit-learn estimator contract.

``__init__`` only stores its arguments; ``fit`` loads, inspects, plans, runs
and reports, and returns ``self``; what was learned ends in ``_``.

Example:
    >>> from automl import AutoML
    >>> model = AutoML(budget="30s", compare=False, out="runs")   # doctest: +SKIP
    >>> model.fit("data/wine.csv").leaderboard_                    # doctest: +SKIP
"""

from __future__ import annotations

import numbers
import os
import time
from pathlib import Path
from typing import Any

from sklearn.base import BaseEstimator

from .errors import BudgetError, ConfigError, NotFittedError, invalid

DEFAULT_BUDGET = "10m"


class AutoML(BaseEstimator):
    """Train classical models and deep networks on one split and compare them.

    Parameters mirror ``automl fit``: ``budget`` (``"90s"``, ``"10m"`` or
    seconds), ``target``, ``task`` (auto/binary/multiclass/regression),
    ``metric``, ``out`` (folder for run directories), ``seed``, ``compare``
    (run the comparison approach too), ``refit`` (refit the chosen model on all
    rows, test rows included, once they have scored it; ``predict`` then uses
    that model), ``device`` (auto/cpu/gpu), and
    ``max_trials`` / ``max_epochs`` to cap the searches (handy for tests), and ``price``
    (``"cpu=0.05,gpu=2.5"`` or a dict; default: ``automl.toml`` or the built-in prices, see
    ``automl.prices``) for the report's money figures.
    """

    def __init__(self, budget: Any = DEFAULT_BUDGET, target: str | None = None, task: str = "auto",
                 metric: str | None = None, out: str | Path = "runs", seed: int = 0, compare: bool = True,
                 refit: bool = True, device: str = "auto", max_trials: int | None = None, max_epochs: int | None = None,
                 price: Any = None):
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

    def fit(self, X: Any = None, y: Any = None, target: str | None = None, *, listener: Any = None,
            command: str = "", resume: str | Path | None = None, started: float | None = None) -> "AutoML":
        """Train on ``X``: a path, a DataFrame (with ``target=`` or ``y``) or arrays with ``y``.

        With ``resume=RUN_DIR``, continue that run in place instead (``X`` may be left out: the run's own file
        or folder is read again, and must not have changed): ``budget`` is this session's time, and the run's
        target, task, metric, seed and approaches are kept. An interrupted or failed run finishes what it
        started; a finished run searches further. ``started`` (a ``time.monotonic()`` value) is when the
        budget's clock started, for a caller with work of its own first (the command line counts its start-up).
        """
        from .run.results import quiet

        started = time.monotonic() if started is None else started
        budget, prices = self._checked()  # every argument, before any data is read
        listener = listener or quiet
        if resume is not None:
            outcome = self._resume(Path(resume), X, y, budget, prices, listener, command, started)
        else:
            outcome = self._start(X, y, target, budget, prices, listener, command, started)
        return self._fitted(outcome)

    def _start(self, X: Any, y: Any, target: str | None, budget: float, prices: Any, listener: Any, command: str,
               started: float) -> Any:
        from .budget import Deadline
        from .data import load
        from .data.profile import inspect_dataset
        from .hardware import detect
        from .run.plan import make_plan
        from .run.runner import execute

        if X is None:
            raise ConfigError(invalid("X", "the data to train on (a path, a DataFrame or arrays)", None))
        dataset = load(X, y, target=target)
        profile = inspect_dataset(dataset, target or self.target, self.task)
        hardware = detect(self.device)
        plan = make_plan(profile, budget, hardware, compare=self.compare, metric=self.metric, refit=self.refit)
        self._tell(listener, profile, plan)
        settings = self._settings(listener, prices, command, self.seed, self.compare, self.refit, self.device,
                                  self.max_trials, self.max_epochs)
        return execute(dataset, profile, plan, hardware, settings, Deadline(budget, start=started))

    def _resume(self, run_dir: Path, X: Any, y: Any, budget: float, prices: Any, listener: Any, command: str,
                started: float) -> Any:
        from .budget import Deadline
        from .data import load
        from .data.profile import inspect_dataset
        from .hardware import detect
        from .run.plan import make_plan
        from .run.resume import resumable, source_of
        from .run.runner import resume

        record = resumable(run_dir)
        asked = record.get("settings") or {}
        compare, refit = asked.get("compare", True), asked.get("refit", True)
        device = asked.get("device", "auto") if self.device == "auto" else self.device
        dataset = load(source_of(record, run_dir, X), y, target=record["target"])
        profile = inspect_dataset(dataset, record["target"], record["task"])
        hardware = detect(device)
        done = frozenset() if record["status"] == "complete" else frozenset(record.get("searched") or {})
        try:
            plan = make_plan(profile, budget, hardware, compare=compare, refit=refit, done=done,
                             metric=asked.get("metric") or record["plan"].get("metric"))
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
        return resume(run_dir, dataset, profile, plan, hardware, settings, Deadline(budget, start=started))

    def _settings(self, listener: Any, prices: Any, command: str, seed: int, compare: bool, refit: bool, device: str,
                  max_trials: int | None, max_epochs: int | None) -> Any:
        from .run.runner import RunSettings

        return RunSettings(out=Path(self.out), seed=seed, max_trials=max_trials, max_epochs=max_epochs,
                           command=command or "AutoML.fit", listener=listener, prices=prices, compare=compare,
                           refit=refit, device=device)

    @staticmethod
    def _tell(listener: Any, profile: Any, plan: Any) -> None:
        from .run.results import Event

        for line in [profile.target_reason, profile.task_reason, *profile.warnings, *plan.skipped]:
            listener(Event("message", message=line))

    def _fitted(self, outcome: Any) -> "AutoML":
        from .predictor import load as load_predictor

        self.run_dir_ = outcome.run_dir
        self.report_path_ = outcome.run_dir / "report.html"
        self.verdict_ = outcome.verdict
        self.best_approach_ = outcome.best
        self.predictor_ = load_predictor(outcome.run_dir)
        record = self.predictor_.record
        self.profile_ = outcome.profile
        self.plan_ = outcome.plan
        self.deployed_ = record.deployed or {}  # how the model predict uses was refitted
        self.feature_names_in_ = list(outcome.columns)
        self.n_features_in_ = len(self.feature_names_in_)
        if record.task != "regression":
            import numpy as np

            self.classes_ = np.asarray(self.predictor_.classes_, dtype=object)
        return self

    def _checked(self) -> tuple[float, Any]:
        """Check every parameter (raising a ``UserInputError`` that names it); the budget in seconds and prices."""
        from .budget import parse_budget
        from .data.target import TASKS
        from .hardware import DEVICES
        from .metrics import CLASSIFICATION, REGRESSION
        from .prices import resolve as resolve_prices

        budget = parse_budget(self.budget)
        if self.target is not None and not isinstance(self.target, str):
            raise ConfigError(invalid("target", "a column name or None", self.target))
        for name, allowed in (("task", TASKS), ("device", DEVICES), ("metric", (None, *CLASSIFICATION, *REGRESSION))):
            if getattr(self, name) not in allowed:
                shown = ", ".join(str(a) for a in allowed)
                raise ConfigError(invalid(name, f"one of {shown}", getattr(self, name)))
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            raise ConfigError(invalid("seed", "a whole number", self.seed))
        for name in ("compare", "refit"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(invalid(name, "True or False", getattr(self, name)))
        for name in ("max_trials", "max_epochs"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1):
                raise ConfigError(invalid(name, "a positive whole number or None", value))
        _check_out(Path(self.out))
        return budget, resolve_prices(self.price)

    @property
    def leaderboard_(self) -> Any:
        import pandas as pd

        self._check_fitted()
        return pd.read_csv(self.run_dir_ / "leaderboard.csv")

    def predict(self, X: Any) -> Any:
        self._check_fitted()
        return self.predictor_.predict(self._as_data(X))

    def predict_proba(self, X: Any) -> Any:
        self._check_fitted()
        return self.predictor_.predict_proba(self._as_data(X))

    def score(self, X: Any, y: Any) -> float:
        """Accuracy for classification, R² for regression (scikit-learn's convention)."""
        import numpy as np

        pred = self.predict(X)
        truth = np.asarray(y).ravel()
        if self.profile_.task == "regression":
            from sklearn.metrics import r2_score

            return float(r2_score(truth.astype(float), pred))
        from .data.target import label_text

        return float(np.mean(np.asarray(label_text(pred)) == np.asarray(label_text(truth))))

    def _as_data(self, X: Any) -> Any:
        """Arrays get the column names used at fit time."""
        import numpy as np
        import pandas as pd

        if isinstance(X, (str, Path, pd.DataFrame)):
            return X
        array = np.asarray(X)
        if array.ndim != 2 or array.shape[1] != self.n_features_in_:
            raise ConfigError(invalid("X", f"a 2-D array with {self.n_features_in_} columns", f"shape {array.shape}"))
        return pd.DataFrame(array, columns=self.feature_names_in_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "run_dir_"):
            raise NotFittedError("This AutoML instance is not fitted yet. Call `fit` with your data first.")



def _check_out(out: Path) -> Path:
    """The folder for run directories, checked before any training (created only when a run starts)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(invalid("out", "a folder for run directories", str(out), "It is a file; choose another --out"))
    existing = next(p for p in [out, *out.absolute().parents] if p.exists())
    if not os.access(existing, os.W_OK):
        raise ConfigError(invalid("out", "a folder you can write to", str(out), "Choose another --out"))
    return out
