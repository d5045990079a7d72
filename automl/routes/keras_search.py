"""Keras Tuner under a wall-clock budget, for every deep route.

Keras Tuner has no time limit of its own (keras-team/keras-tuner#249), so we add
one in the two places it belongs:

* the **oracle** decides what to try next: ``budgeted(HyperbandOracle)`` is a
  subclass whose ``populate_space`` answers STOPPED once the deadline has
  passed or the trial cap is reached, so no new trial starts;
* a Keras **callback** ends the running trial at the next batch boundary.

The tuner (``RecordingTuner``) adds what we need on top of Keras Tuner's own
Hyperband: every trial is recorded, scored in the run's metric (computed by
``MetricCallback`` on the validation rows, so the search optimises what the
report shows), and each new best model is handed to the run at once.

Example:
    >>> from automl.budget import Deadline
    >>> Oracle = budgeted_oracle_class("hyperband")          # doctest: +SKIP
    >>> oracle = Oracle(Deadline(60), objective=objective("accuracy"), max_epochs=9)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import Any, Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import keras_tuner  # noqa: E402

from ..budget import Deadline  # noqa: E402
from ..metrics import greater_is_better, score_all  # noqa: E402
from .base import SearchContext  # noqa: E402

SCORE = "val_score"
ORACLES = {
    "hyperband": keras_tuner.oracles.HyperbandOracle,
    "random": keras_tuner.oracles.RandomSearchOracle,
    "bayesian": keras_tuner.oracles.BayesianOptimizationOracle,
}


def objective(metric: str) -> Any:
    return keras_tuner.Objective(SCORE, direction="max" if greater_is_better(metric) else "min")


def budgeted_oracle_class(kind: str) -> type:
    """A subclass of the ``kind`` oracle that stops handing out trials at the deadline or cap."""
    base = ORACLES[kind]

    class Budgeted(base):
        def __init__(self, deadline: Deadline, trial_cap: int | None = None, **kwargs: Any):
            super().__init__(**kwargs)
            self.deadline = deadline
            self.trial_cap = trial_cap

        def populate_space(self, trial_id: str) -> dict[str, Any]:
            over_cap = self.trial_cap is not None and len(self.trials) >= self.trial_cap
            if self.deadline.expired() or over_cap:
                return {"status": keras_tuner.engine.trial.TrialStatus.STOPPED, "values": None}
            return super().populate_space(trial_id)

    Budgeted.__name__ = f"Budgeted{base.__name__}"
    return Budgeted


class DeadlineCallback(keras.callbacks.Callback):
    """Ends training at the next batch once the deadline has passed."""

    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.deadline.expired():
            self.model.stop_training = True


class MetricCallback(keras.callbacks.Callback):
    """Adds ``val_score`` (the run's metric on the validation rows) to each epoch's logs."""

    def __init__(self, score: Callable[[Any], float]):
        super().__init__()
        self.score = score

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs[SCORE] = float(self.score(self.model))


class RecordingTuner(keras_tuner.Hyperband):
    """Keras Tuner's Hyperband tuner, driven by a budgeted oracle and reporting to the run."""

    def __init__(self, oracle: Any, hypermodel: Any, ctx: SearchContext, wrap: Callable[[Any], Any], **kwargs: Any):
        # Hyperband.__init__ only builds its own oracle; we bring a budgeted one instead.
        keras_tuner.Tuner.__init__(self, oracle=oracle, hypermodel=hypermodel, **kwargs)
        self.ctx = ctx
        self.wrap = wrap
        self._started: dict[str, float] = {}
        self.best_score: float | None = None

    def on_trial_begin(self, trial: Any) -> None:
        self._started[trial.trial_id] = time.monotonic()
        super().on_trial_begin(trial)

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)
        ok = trial.status == keras_tuner.engine.trial.TrialStatus.COMPLETED and trial.score is not None
        params = {k: v for k, v in trial.hyperparameters.values.items()}
        error = None if ok else (trial.message or "trial failed").strip().splitlines()[-1]
        name = self.hypermodel.family + (f"/{params['encoder']}" if "encoder" in params else "")
        self.ctx.log_trial(
            name, params, trial.score if ok else None, self._started.pop(trial.trial_id),
            status="ok" if ok else "failed", error=error,
            extra={"epochs": params.get("tuner/epochs"), "stopped_by_budget": self.ctx.deadline.expired()},
        )
        if ok and (self.best_score is None or self.oracle.objective.better_than(trial.score, self.best_score)):
            self.best_score = trial.score
            self.ctx.improved(self.wrap(self.load_model(trial), params))


def val_scorer(ctx: SearchContext, x_val: Any, y_val: Any, y_scale: tuple[float, float] = (0.0, 1.0)
               ) -> Callable[[Any], float]:
    """A function scoring a Keras model on the validation rows in the run's metric.

    ``y_val`` holds class indices or raw values; regression outputs are mapped
    back from the standardised scale ``(mean, std)`` the network was trained on.
    """

    def score(keras_model: Any) -> float:
        raw = np.asarray(keras_model.predict(x_val, batch_size=4096, verbose=0), dtype="float64")
        if ctx.task == "regression":
            value = score_all("regression", y_val, raw.ravel() * y_scale[1] + y_scale[0])[ctx.metric]
        else:
            proba = raw / raw.sum(axis=1, keepdims=True)
            value = score_all(ctx.task, y_val, proba.argmax(axis=1), proba)[ctx.metric]
        return float("nan") if value is None else value

    return score


def run_search(hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], x: Any, y: Any,
               validation_data: tuple[Any, Any], score: Callable[[Any], float], batch_size: int,
               max_epochs: int) -> tuple[Any, float | None, dict[str, Any]]:
    """Hyperband over ``hypermodel`` inside ``ctx.deadline``.

    Returns the best Keras model, its validation score and its hyperparameters.
    """
    keras.utils.set_random_seed(ctx.seed)
    workdir = tempfile.mkdtemp(prefix="automl-tuner-")
    try:
        oracle = budgeted_oracle_class("hyperband")(
            ctx.deadline, ctx.max_trials, objective=objective(ctx.metric), max_epochs=max_epochs, factor=3,
            seed=ctx.seed, max_consecutive_failed_trials=3,
        )
        tuner = RecordingTuner(oracle, hypermodel, ctx, wrap, directory=workdir, project_name="search",
                               overwrite=True)
        callbacks = [
            DeadlineCallback(ctx.deadline),
            MetricCallback(score),
            keras.callbacks.EarlyStopping(monitor=SCORE, mode=oracle.objective.direction, patience=3),
        ]
        tuner.search(x, y, validation_data=validation_data, batch_size=batch_size, callbacks=callbacks, verbose=0)
        best = tuner.oracle.get_best_trials(1)
        if not best:
            raise RuntimeError("no network trial finished inside the budget")
        return tuner.load_model(best[0]), best[0].score, dict(best[0].hyperparameters.values)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
