"""Keras Tuner under a wall-clock budget, for every deep route.

Keras Tuner has no time limit of its own (keras-team/keras-tuner#249), so we add
one in the two places it belongs:

* the **oracle** decides what to try next: ``BudgetedOracle`` is Hyperband's,
  whose ``populate_space`` answers STOPPED once the deadline has passed, the
  trial cap is reached, or too little time is left for a trial to finish its
  first epoch (the quickest first epoch seen so far: building, compiling and
  tracing a network costs seconds however small the data), so no new trial
  starts;
* a Keras **callback** ends the running trial at the next batch boundary.

The tuner (``RecordingTuner``) adds what we need on top of Keras Tuner's own
Hyperband: every trial is recorded, scored in the run's metric (computed by
``MetricCallback`` on the validation rows, so the search optimises what the
report shows), and each new best model is handed to the run at once. How a
route spends its whole budget with them (probe, one bracket, the winner
trained on) is ``search.timed``.

Example:
    >>> from automl.budget import Deadline
    >>> oracle = BudgetedOracle(Deadline(60), objective=objective("accuracy"), max_epochs=9)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import sys
import tempfile
import time
from typing import Any, Callable, Iterator

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import keras_tuner  # noqa: E402
import numpy as np  # noqa: E402

from ..budget import Deadline  # noqa: E402
from ..decision import ranking_score  # noqa: E402
from ..metrics import greater_is_better  # noqa: E402
from ..run.meters import GpuMeter  # noqa: E402
from . import cluster, oom  # noqa: E402
from .base import SearchContext  # noqa: E402

SCORE = "val_score"
TRIAL_PATIENCE = 3  # a search trial stops after this many epochs without a better validation score


@contextlib.contextmanager
def tensorflow_unimported() -> Iterator[None]:
    """Inside, on the JAX or PyTorch backend in a process that has not imported TensorFlow, ``import tensorflow``
    fails fast. Keras asks whether TensorFlow is installed (``set_random_seed``, to seed it too; its serializer,
    to recognise a ``TensorShape``), and asking imports it: 3.5 s measured here, on the deep side's clock, though
    no TensorFlow object can exist where TensorFlow was never imported. Keras keeps the answer for the process.

    >>> with tensorflow_unimported():   # doctest: +SKIP
    ...     keras.utils.set_random_seed(0)
    """
    if keras.backend.backend() == "tensorflow" or "tensorflow" in sys.modules:
        yield
        return
    sys.modules["tensorflow"] = None  # ``import tensorflow`` raises ImportError while this entry stands
    try:
        yield
    finally:
        if "tensorflow" in sys.modules and sys.modules["tensorflow"] is None:
            del sys.modules["tensorflow"]


def set_seed(seed: int) -> None:
    """``keras.utils.set_random_seed`` (Python's, numpy's and the backend's generators) without importing
    TensorFlow on another backend (``tensorflow_unimported``).

    >>> set_seed(0)
    """
    with tensorflow_unimported():
        keras.utils.set_random_seed(seed)


def objective(metric: str) -> Any:
    return keras_tuner.Objective(SCORE, direction="max" if greater_is_better(metric) else "min")


class BudgetedOracle(keras_tuner.oracles.HyperbandOracle):
    """Keras Tuner's Hyperband oracle, handing out no trial once the deadline has passed or the cap is reached.

    Nor does it start one with less time left than ``first_epoch_seconds``
    (the tuner sets it to the quickest first epoch seen so far, set-up
    included): such a trial would be stopped before it scored anything.

    With ``defaults_first``, the first configuration it hands out is the
    search space's defaults (a strong, known-good starting point) instead of a
    random draw, so a short budget still trains something sensible; then each
    of ``starts`` (overrides of the defaults a hypermodel names as its other
    strong starting points), then random draws.
    """

    def __init__(self, deadline: Deadline, trial_cap: int | None = None, defaults_first: bool = False,
                 starts: tuple[dict[str, Any], ...] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.deadline = deadline
        self.trial_cap = trial_cap
        self.defaults_first = defaults_first
        self.starts = tuple(starts)
        self.first_epoch_seconds = 0.0
        self.began: dict[str, float] = {}  # trial id -> when it was handed out (monotonic), for a chief's records
        self.owners: dict[str, str] = {}  # trial id -> the tuner (worker) it was handed to

    def create_trial(self, tuner_id: str) -> Any:
        trial = super().create_trial(tuner_id)
        if trial.status == keras_tuner.engine.trial.TrialStatus.RUNNING and trial.trial_id not in self.began:
            self.began[trial.trial_id], self.owners[trial.trial_id] = time.monotonic(), tuner_id
        return trial

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        over_cap = self.trial_cap is not None and len(self.trials) >= self.trial_cap
        if self.deadline.remaining() <= self.first_epoch_seconds or over_cap:
            return {"status": keras_tuner.engine.trial.TrialStatus.STOPPED, "values": None}
        return super().populate_space(trial_id)

    def _random_values(self) -> dict[str, Any] | None:
        if self.defaults_first:
            tried = [t.hyperparameters.values for t in self.trials.values()]
            for values in self.first_values():
                if not any(all(had.get(k) == v for k, v in values.items()) for had in tried):
                    return values
        return super()._random_values()

    def first_values(self) -> list[dict[str, Any]]:
        """The defaults, then each of ``starts`` (the defaults with those values changed) whose names the space
        has and whose values it allows: the configurations handed out before any random draw."""
        hps = keras_tuner.HyperParameters()
        for hp in self.hyperparameters.space:
            hps.merge([hp])  # registering a hyperparameter sets its default value
        defaults = {k: v for k, v in hps.values.items() if hps.is_active(k)}
        known = {hp.name: hp for hp in self.hyperparameters.space}
        firsts = [defaults]
        for start in self.starts:
            allowed = all(k in known and v in getattr(known[k], "values", [v]) for k, v in start.items())
            if allowed and defaults | dict(start) not in firsts:
                firsts.append(defaults | dict(start))
        return firsts


class DeadlineCallback(keras.callbacks.Callback):
    """Ends training after the batch that starts once the deadline has passed.

    It looks at the start of each batch, not its end: Keras turns every batch's logs into Python numbers for a
    batch-end hook, which waits for the batch to finish before the next one is queued (on a GPU, an idle
    device between steps), and checks at the start cost nothing of the kind.
    """

    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        if self.deadline.expired():
            self.model.stop_training = True


class EpochsToTuner(keras.callbacks.Callback):
    """Keras Tuner's ``TunerCallback`` without its batch hooks: epochs begin and end on the tuner."""

    def __init__(self, tuner: Any, trial: Any):
        super().__init__()
        self.tuner, self.trial = tuner, trial

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.tuner.on_epoch_begin(self.trial, self.model, epoch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.tuner.on_epoch_end(self.trial, self.model, epoch, logs=logs)


class MetricCallback(keras.callbacks.Callback):
    """Adds ``val_score`` (the run's metric on the validation rows) to each epoch's logs, and ``val_loss`` when
    ``score`` is a ``ValScorer``: networks train without Keras's own ``validation_data``, so the rows are
    predicted once an epoch, not twice, and no evaluation step is compiled for each network."""

    def __init__(self, score: Callable[[Any], float]):
        super().__init__()
        self.score = score

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        both = getattr(self.score, "epoch", None)
        logs.update(both(self.model) if both is not None else {SCORE: float(self.score(self.model))})


class RateLog(keras.callbacks.Callback):
    """The learning rate of each epoch, read as it begins (a plateau cut at an epoch's end rules the next one)."""

    def __init__(self) -> None:
        super().__init__()
        self.rates: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.rates.append(learning_rate(self.model))


def learning_rate(keras_model: Any) -> float:
    """The rate ``keras_model``'s optimizer steps at now."""
    return float(keras.ops.convert_to_numpy(keras_model.optimizer.learning_rate))


def kept_epochs(scores: list[float], direction: str) -> int:
    """How many epochs of a logged history lie behind its best weights, counted as ``EarlyStopping`` keeps them:
    up to the first best score (an epoch must beat the best so far to replace it); unscored (NaN) epochs count
    but never win.

    >>> kept_epochs([0.5, 0.7, 0.7, 0.6], "max"), kept_epochs([3.0, float("nan"), 2.0, 2.5], "min")
    (2, 3)
    """
    valid = [(s, i) for i, s in enumerate(scores) if s == s]
    if not valid:
        return 0
    best = max(s for s, _ in valid) if direction == "max" else min(s for s, _ in valid)
    return next(i for s, i in valid if s == best) + 1


class EpochLog(keras.callbacks.Callback):
    """Appends each epoch's logs to ``history``, numbering on from its last epoch."""

    def __init__(self, history: list[dict[str, Any]], phase: str):
        super().__init__()
        self.history = history
        self.phase = phase
        self.offset = history[-1]["epoch"] if history else 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.history.append(epoch_record(self.offset + epoch, logs, self.phase))


def epoch_record(epoch: int, logs: dict | None, phase: str) -> dict[str, Any]:
    """One epoch's logs as plain numbers to 6 significant digits, 1-based; NaN and values that are not numbers are
    left out.

    >>> epoch_record(0, {"loss": 0.5, "val_score": float("nan"), "learning_rate": 1.2345678e-05}, "search")
    {'epoch': 1, 'phase': 'search', 'loss': 0.5, 'learning_rate': 1.23457e-05}
    """
    out: dict[str, Any] = {"epoch": int(epoch) + 1, "phase": phase}
    for key, value in (logs or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            out[str(key)] = float(f"{number:.6g}")  # significant digits: a rate near its end stays legible
    return out


class RecordingTuner(keras_tuner.Hyperband):
    """Keras Tuner's Hyperband tuner, driven by a budgeted oracle and reporting to the run."""

    def __init__(self, oracle: Any, hypermodel: Any, ctx: SearchContext, wrap: Callable[[Any], Any],
                 rows_per_epoch: int = 0, **kwargs: Any):
        # Hyperband.__init__ only builds its own oracle; we bring a budgeted one instead.
        keras_tuner.Tuner.__init__(self, oracle=oracle, hypermodel=hypermodel, **kwargs)
        self.ctx = ctx
        self.wrap = wrap
        self.rows_per_epoch = rows_per_epoch
        self._started: dict[str, float] = {}
        self._epochs: dict[str, list[dict[str, Any]]] = {}
        self._meters: dict[str, GpuMeter] = {}
        self._out_of_memory: dict[str, list[int]] = {}  # trial id -> the batches it ran out of memory at
        self.best_score: float | None = None
        self.best_model: Any = None
        self.best_params: dict[str, Any] = {}
        self.best_trial_id: str | None = None
        self.policy = keras.mixed_precision.dtype_policy().name  # the precision the search was started under

    def _build_hypermodel(self, hp: Any) -> Any:
        # Keras Tuner clears the Keras session before each build, which resets the global dtype policy too:
        # without this, a search started under mixed precision trains every trial in float32.
        keras.mixed_precision.set_dtype_policy(self.policy)
        return super()._build_hypermodel(hp)

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        """Keras Tuner's trial, run again at half the batch each time the device runs out of memory; under
        ``oom.MIN_BATCH`` it fails (``FailedTrialError``: recorded, and the search goes on)."""
        x = args[0] if args else kwargs.get("x")
        first = oom.batch_of(x, kwargs)
        batch = first
        try:
            while True:
                try:
                    return super().run_trial(trial, *args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - only running out of memory is handled here
                    if not oom.out_of_memory(exc) or batch is None:
                        raise
                    self._out_of_memory.setdefault(trial.trial_id, []).append(batch)
                    smaller = oom.halved(batch)
                    if smaller is None:
                        raise keras_tuner.errors.FailedTrialError(
                            f"out of device memory at batch {batch}, the smallest tried") from exc
                    batch = smaller
                    oom.set_batch(x, kwargs, batch)
                    self._epochs.pop(trial.trial_id, None)  # the epochs of the attempt that ran out
                    keras.backend.clear_session()
        finally:
            if batch != first and "batch_size" not in kwargs:
                oom.set_batch(x, kwargs, first)  # the dataset serves the next trial at the planned batch

    def _build_and_fit_model(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        # Keras Tuner's own callback also forwards every batch to this tuner, which does nothing with them; a
        # batch-end hook makes Keras wait for each batch (see ``DeadlineCallback``), so it forwards epochs only.
        kwargs["callbacks"] = [EpochsToTuner(c.tuner, c.trial) if type(c).__name__ == "TunerCallback" else c
                               for c in kwargs.get("callbacks", ())]
        return super()._build_and_fit_model(trial, *args, **kwargs)

    def start_from_best(self) -> None:
        """After a reload: the best finished trial of earlier sessions is the one to beat (its network is
        already the run's model on disk, so it is not handed over again)."""
        done = [t for t in self.oracle.trials.values()
                if t.status == keras_tuner.engine.trial.TrialStatus.COMPLETED and t.score is not None]
        if not done:
            return
        direction = self.oracle.objective.direction
        best = max(done, key=lambda t: t.score if direction == "max" else -t.score)
        self.best_model = self.load_model(best)
        self.best_score, self.best_trial_id = best.score, best.trial_id
        self.best_params = dict(best.hyperparameters.values)

    def on_epoch_end(self, trial: Any, model: Any, epoch: int, logs: dict | None = None) -> None:
        super().on_epoch_end(trial, model, epoch, logs=logs)
        epochs = self._epochs.setdefault(trial.trial_id, [])
        epochs.append(epoch_record(epoch, logs, "search"))
        if len(epochs) == 1:
            self.first_epoch(trial, time.monotonic() - self._started[trial.trial_id])

    def first_epoch(self, trial: Any, took: float) -> None:
        """A trial's set-up and first epoch took ``took`` seconds: no later trial starts with less time left."""
        known = self.oracle.first_epoch_seconds
        self.oracle.first_epoch_seconds = took if not known else min(known, took)

    def _lineage(self, trial: Any) -> list[dict[str, Any]]:
        """The trial's epochs, after those of the Hyperband trials it resumed from."""
        values = trial.hyperparameters.values
        own = self._epochs.get(trial.trial_id, [])
        parent = values.get("tuner/trial_id")
        if parent is None:
            return list(own)
        start = int(values.get("tuner/initial_epoch", 0))
        return [e for e in self._lineage(self.oracle.get_trial(parent)) if e["epoch"] <= start] + own

    def on_trial_begin(self, trial: Any) -> None:
        self._started[trial.trial_id] = time.monotonic()
        if self.ctx.hardware.network_gpu:  # images/s is recorded for every trial; GPU utilisation where there is one
            self._meters[trial.trial_id] = GpuMeter().__enter__()
        super().on_trial_begin(trial)

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)
        started = self._started.pop(trial.trial_id)
        self.record_trial(trial, started, self.measured(trial, started))

    def measured(self, trial: Any, started: float) -> dict[str, Any]:
        """What this process saw of a trial it ran: epochs, whether the budget stopped it, speed, GPU use."""
        params = trial.hyperparameters.values
        extra = {"epochs": params.get("tuner/epochs"), "stopped_by_budget": self.ctx.deadline.expired()}
        meter = self._meters.pop(trial.trial_id, None)
        if meter is not None:
            meter.__exit__(None, None, None)
            extra.update(meter.summary())
        if trial.trial_id in self._out_of_memory:
            extra["out_of_memory_at"] = self._out_of_memory.pop(trial.trial_id)
        if self.rows_per_epoch and params.get("tuner/epochs"):
            epochs = params["tuner/epochs"] - params.get("tuner/initial_epoch", 0)
            extra["rows_per_second"] = round(self.rows_per_epoch * epochs / max(time.monotonic() - started, 1e-6), 1)
        return extra

    def record_trial(self, trial: Any, started: float, extra: dict[str, Any]) -> None:
        """Log an ended trial (its worker's, on a chief) and hand its network over when it is the best so far."""
        ok = trial.status == keras_tuner.engine.trial.TrialStatus.COMPLETED and trial.score is not None
        params = {k: v for k, v in trial.hyperparameters.values.items()}
        error = None if ok else error_line(trial.message)
        name = trial_name(self.hypermodel.family, params)
        self.ctx.log_trial(name, params, trial.score if ok else None, started, status="ok" if ok else "failed",
                           error=error, extra=extra)
        if ok and (self.best_score is None or self.oracle.objective.better_than(trial.score, self.best_score)):
            self.best_score, self.best_trial_id = trial.score, trial.trial_id
            self.ctx.history[:] = self._lineage(trial)
            self.best_model, self.best_params = self.load_model(trial), params
            self.ctx.improved(self.wrap(self.best_model, params))


class WorkerTuner(RecordingTuner):
    """A worker's tuner: it runs the trials the chief's oracle hands out (through a bounded client) and writes
    what it measured beside each trial's checkpoint for the chief, which alone records the run's trials."""

    def __init__(self, oracle: Any, hypermodel: Any, ctx: SearchContext, wrap: Callable[[Any], Any],
                 worker: cluster.Worker, **kwargs: Any):
        super().__init__(oracle, hypermodel, ctx, wrap, **kwargs)
        self.tuner_id = worker.name
        self.oracle = cluster.bounded_client(oracle, worker, ctx.deadline)
        self.ran = 0
        self._first: dict[str, float] = {}

    def _is_worker(self) -> bool:  # Keras Tuner asks its environment variables; a worker of ours is one
        return True

    def first_epoch(self, trial: Any, took: float) -> None:
        self._first[trial.trial_id] = took  # written to worker.json: the chief's oracle learns it from there

    def on_trial_end(self, trial: Any) -> None:
        started = self._started.pop(trial.trial_id)
        info = self.measured(trial, started) | {
            "worker": self.tuner_id, "seconds": round(time.monotonic() - started, 3),
            "history": self._epochs.get(trial.trial_id, []),
            "first_epoch_seconds": self._first.pop(trial.trial_id, None)}
        cluster.write_info(self.get_trial_dir(trial.trial_id), info)
        keras_tuner.Tuner.on_trial_end(self, trial)  # reports the trial to the chief
        self.ran += 1


def error_line(message: str | None) -> str:
    """The last line of a failed trial's traceback, its exception named without the module path.

    >>> error_line("Traceback ...\\n  ...\\nkeras_tuner.src.errors.FailedTrialError: out of device memory at batch 8")
    'FailedTrialError: out of device memory at batch 8'
    >>> error_line("ValueError: bad shape"), error_line(None)
    ('ValueError: bad shape', 'trial failed')
    """
    line = (message or "trial failed").strip().splitlines()[-1]
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", line)


def cluster_notes(ctx: SearchContext) -> list[str]:
    """A sentence on what each worker did, when the search ran on workers (``search.cluster``)."""
    if isinstance(ctx.cluster, cluster.Chief) and ctx.cluster.summary.get("address"):
        return [cluster.describe(ctx.cluster.summary)]
    return []


def chief_ended(tuner: RecordingTuner, trial: Any) -> None:
    """On the chief: record a trial a worker ended, with what the worker measured (and the oracle's clock)."""
    oracle = tuner.oracle
    info = cluster.read_info(tuner.get_trial_dir(trial.trial_id))
    tuner._epochs[trial.trial_id] = info.pop("history", [])
    first = info.pop("first_epoch_seconds", None)
    if first:  # no later trial starts with less time left than the quickest first epoch
        known = oracle.first_epoch_seconds
        oracle.first_epoch_seconds = first if not known else min(known, first)
    info.pop("seconds", None)
    info["worker"] = oracle.owners.get(trial.trial_id, info.get("worker", "?"))
    tuner.record_trial(trial, oracle.began.get(trial.trial_id, time.monotonic()), info)


def trial_name(family: str, params: dict[str, Any]) -> str:
    """A trial's model name in ``trials.jsonl``: the hypermodel's family and the variant its parameters chose.

    >>> trial_name("text", {"encoder": "gru"}), trial_name("mlp", {})
    ('text/gru', 'mlp')
    """
    variant = params.get("encoder", params.get("family"))
    return family + (f"/{variant}" if variant else "")


def input_names(keras_model: Any) -> list[str]:
    """The names of a Keras model's inputs."""
    return [t.name for t in keras_model.inputs]


def feed(keras_model: Any, x: Any) -> Any:
    """``x`` as ``keras_model`` takes it: a dict of named arrays is cut down to the model's own inputs."""
    if not isinstance(x, dict):
        return x
    return {name: x[name] for name in input_names(keras_model)}


def val_scorer(ctx: SearchContext, x_val: Any, y_val: Any, y_scale: tuple[float, float] = (0.0, 1.0),
               sample_weight: Any = None) -> "ValScorer":
    """A function scoring a Keras model on the validation rows in the run's metric (``ValScorer``).

    ``y_val`` holds class indices or raw values; regression outputs are mapped
    back from the standardised scale ``(mean, std)`` the network was trained on.
    ``sample_weight``: how much each validation row counts (``--weight``).
    """
    return ValScorer(ctx.task, ctx.metric, x_val, np.asarray(y_val), y_scale, sample_weight)


class ValScorer:
    """The validation rows' judge. Called on a Keras model (one network or a mean of them), it returns the run's
    metric on the rows; ``epoch(model)`` returns a training epoch's validation logs from one prediction of them:
    that metric (``val_score``) and the loss the network trains on (``val_loss``, what Keras's ``evaluate`` would
    report). ``x_val`` is what the network reads (an array, a dict of arrays or a ``keras.utils.PyDataset``).

    >>> scorer = ValScorer("binary", "accuracy", x_val, np.array([0, 1]))  # doctest: +SKIP
    >>> scorer.epoch(network)  # doctest: +SKIP
    {'val_score': 0.5, 'val_loss': 0.6931}
    """

    def __init__(self, task: str, metric: str, x_val: Any, y_val: Any, y_scale: tuple[float, float] = (0.0, 1.0),
                 sample_weight: Any = None):
        self.task, self.metric, self.x_val, self.y_val, self.y_scale = task, metric, x_val, y_val, y_scale
        self.sample_weight = sample_weight
        # the targets as the network learns them, for its loss: class indices, or standardised values
        self.learnt = y_val if task != "regression" else ((y_val - y_scale[0]) / y_scale[1]).reshape(-1, 1)

    def __call__(self, keras_model: Any) -> float:
        return self._score(raw_output(keras_model, self.x_val))

    def epoch(self, keras_model: Any) -> dict[str, float]:
        raw = raw_output(keras_model, self.x_val)
        logs = {SCORE: self._score(raw)}
        loss = getattr(keras_model, "loss", None)
        loss = keras.losses.get(loss) if isinstance(loss, str) else loss
        if callable(loss):  # compiled with one loss, as every network here is
            # one value per row (a ``Loss`` object's ``call``: calling it would average them already), averaged by
            # the rows' weights
            per_row = loss.call if isinstance(loss, keras.losses.Loss) else loss
            value = per_row(keras.ops.convert_to_tensor(self.learnt), keras.ops.convert_to_tensor(raw, dtype="float32"))
            logs["val_loss"] = float(np.average(keras.ops.convert_to_numpy(value), weights=self.sample_weight))
        return logs

    def _score(self, raw: Any) -> float:
        return float(ranking_score(self.task, self.y_val, scored_output(raw, self.task, self.y_scale), self.metric,
                                   self.sample_weight))


def raw_output(keras_model: Any, x: Any) -> Any:
    """A network's outputs on ``x`` as float64 numbers, unchanged: probabilities, or standardised values."""
    return np.asarray(keras_model.predict(feed(keras_model, x), batch_size=4096, verbose=0), dtype="float64")


def scored_output(raw: Any, task: str, y_scale: tuple[float, float] = (0.0, 1.0)) -> Any:
    """``raw_output`` as the run scores it: probabilities summing to one, or values in the target's units (mapped
    back from the standardised scale ``(mean, std)`` the network was trained on).

    >>> scored_output(np.array([[2.0], [0.0]]), "regression", (10.0, 3.0)).tolist()
    [16.0, 10.0]
    """
    if task == "regression":
        return raw.ravel() * y_scale[1] + y_scale[0]
    return raw / raw.sum(axis=1, keepdims=True)


def network_output(keras_model: Any, x: Any, task: str, y_scale: tuple[float, float] = (0.0, 1.0)) -> Any:
    """A network's predictions as the run scores them: probabilities summing to one, or values in the
    target's units (mapped back from the standardised scale ``(mean, std)`` it was trained on)."""
    return scored_output(raw_output(keras_model, x), task, y_scale)


def run_search(hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], x: Any, y: Any,
               score: Callable[[Any], float], batch_size: int, max_epochs: int, defaults_first: bool = False,
               rows_per_epoch: int = 0, trial_cap: int | None = None) -> tuple[Any, float | None, dict[str, Any]]:
    """Hyperband over ``hypermodel`` inside ``ctx.deadline``.

    Returns the best Keras model (the one already handed to ``ctx.improved``),
    its validation score and its hyperparameters. ``score`` (a ``ValScorer``) judges every epoch on the
    validation rows. ``x`` may be a ``keras.utils.PyDataset`` (then ``y`` is None and batching is its own).
    ``trial_cap`` ends the search after that many trials (besides ``ctx.max_trials``).
    """
    set_seed(ctx.seed)
    workdir = str(ctx.workdir) if ctx.workdir is not None else tempfile.mkdtemp(prefix="automl-tuner-")
    try:
        tuner = _tuner(hypermodel, ctx, wrap, workdir, max_epochs, defaults_first, rows_per_epoch, trial_cap)
        callbacks = [
            DeadlineCallback(ctx.deadline),
            MetricCallback(score),
            keras.callbacks.EarlyStopping(monitor=SCORE, mode=tuner.oracle.objective.direction,
                                          patience=TRIAL_PATIENCE),
        ]
        fit_args = {} if isinstance(x, keras.utils.PyDataset) else {"batch_size": batch_size}
        if isinstance(ctx.cluster, cluster.Chief):  # the workers run the trials; this process serves the oracle
            tuner.save()
            cluster.serve(tuner, ctx, ctx.cluster, lambda trial: chief_ended(tuner, trial))
        else:
            try:
                with quiet_failures():
                    tuner.search(x, y, callbacks=callbacks, verbose=0, **fit_args)
            except RuntimeError as exc:  # Keras Tuner's oracle gives up after 3 failed trials in a row
                if "consecutive failures" not in str(exc) or tuner.best_model is None:
                    raise
        if isinstance(ctx.cluster, cluster.Worker):
            raise cluster.WorkerDone(tuner.ran)
        if tuner.best_model is None:
            raise RuntimeError("no network trial finished inside the budget")
        if ctx.workdir is not None and not ctx.deadline.expired():  # the search ended: keep only what a resume needs
            prune_checkpoints(tuner)
        return tuner.best_model, tuner.best_score, tuner.best_params
    finally:
        if ctx.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def quiet_failures() -> Any:
    """Keras Tuner prints the traceback of every failed trial to stderr (its ``config.DEBUG`` is on by default);
    the run records each trial's error instead, and core code prints nothing."""
    from keras_tuner.src import config as kt_config

    previous, kt_config.DEBUG = kt_config.DEBUG, False
    try:
        yield
    finally:
        kt_config.DEBUG = previous


def _tuner(hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], workdir: str, max_epochs: int,
           defaults_first: bool, rows_per_epoch: int, trial_cap: int | None) -> "RecordingTuner":
    """The budgeted Hyperband tuner. In a run's own folder it reloads the state an earlier session left (Keras
    Tuner's ``overwrite=False``: finished trials kept, the one a stop cut short run again) and starts from the
    best trial found; state it cannot read back (torn by a kill) is started afresh."""
    def make(overwrite: bool) -> RecordingTuner:
        oracle = BudgetedOracle(
            ctx.deadline, min(c for c in (ctx.max_trials, trial_cap, 10**9) if c is not None),
            defaults_first=defaults_first, starts=tuple(getattr(hypermodel, "starts", ())),
            objective=objective(ctx.metric),
            max_epochs=max_epochs, factor=3, seed=ctx.seed, max_consecutive_failed_trials=3,
        )
        with contextlib.redirect_stdout(io.StringIO()):  # Keras Tuner prints "Reloading Tuner from ..."
            return RecordingTuner(oracle, hypermodel, ctx, wrap, rows_per_epoch=rows_per_epoch, directory=workdir,
                                  project_name="search", overwrite=overwrite)

    if isinstance(ctx.cluster, cluster.Worker):  # the chief made the search's folder: never start it afresh
        oracle = BudgetedOracle(ctx.deadline, objective=objective(ctx.metric), max_epochs=max_epochs, factor=3,
                                seed=ctx.seed)
        with contextlib.redirect_stdout(io.StringIO()):
            return WorkerTuner(oracle, hypermodel, ctx, wrap, ctx.cluster, rows_per_epoch=rows_per_epoch,
                               directory=workdir, project_name="search", overwrite=False)
    if ctx.workdir is None or not ctx.previous:
        return make(overwrite=True)
    try:
        tuner = make(overwrite=False)
        tuner.start_from_best()
        return tuner
    except Exception:  # noqa: BLE001 - whatever a torn state file raises, the search starts afresh
        return make(overwrite=True)


def prune_checkpoints(tuner: Any) -> None:
    """Delete the weights of every trial but the best: a finished search keeps its state (trials, scores) and
    the one network a resume starts from, not a network per trial."""
    for trial_id in list(tuner.oracle.trials):
        path = tuner._get_checkpoint_fname(trial_id)
        if trial_id != tuner.best_trial_id and os.path.isfile(path):
            os.remove(path)


class HandOver(keras.callbacks.Callback):
    """Hands the network to ``improved`` after each epoch whose validation score is the best so far, so a run
    stopped mid-training keeps its best epoch on disk."""

    def __init__(self, improved: Callable[[Any], None], direction: str, start_score: float | None = None,
                 interval: float = 10.0):
        super().__init__()
        self.improved = improved
        self.direction = direction
        self.best = start_score
        self.interval = interval  # seconds between hand-overs: saving after every quick epoch would cost more
        self.last = -math.inf
        self.handed: float | None = None  # the score of the network last handed over

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        value = (logs or {}).get(SCORE)
        if value is None or value != value:
            return
        if self.best is None or (value > self.best if self.direction == "max" else value < self.best):
            self.best = value
            if time.monotonic() - self.last >= self.interval:
                self.improved(self.model)
                self.last, self.handed = time.monotonic(), value


def falling_to_deadline(rate: float, deadline: Deadline) -> Any:
    """A callback that starts each epoch at ``rate`` times the share of ``deadline``'s time (as it is now) still
    left: linear decay towards nothing over the time, not over a count of epochs guessed in advance (a linear
    schedule that ends with the budget; Li, Yumer and Ramanan 2020), so a slower or faster epoch than foreseen
    moves the end of the decay with it.

    >>> from automl.budget import Deadline
    >>> now = [0.0]
    >>> falling = falling_to_deadline(0.01, Deadline(100.0, clock=lambda: now[0]))
    >>> now[0] = 75.0; round(falling.schedule(30, 0.01), 6)
    0.0025
    """
    span = max(deadline.remaining(), 1e-6)
    return keras.callbacks.LearningRateScheduler(lambda epoch, _: rate * max(deadline.remaining(), 0.0) / span)


def continue_training(keras_model: Any, ctx: SearchContext, x: Any, y: Any, score: Callable[[Any], float],
                      start_score: float | None, batch_size: int,
                      patience: int = 4, phase: str = "continued", lr_patience: int = 1,
                      hand_over: "HandOver | None" = None,
                      curve: list[dict[str, Any]] | None = None,
                      path: list[float] | None = None,
                      to_deadline: bool = False) -> tuple[Any, float | None, int]:
    """Train the search's winner on until the deadline or until it stops improving.

    The learning rate drops to 0.3 of itself when the validation score stalls for ``lr_patience`` epochs,
    training stops after ``patience`` epochs without a better score, and the best epoch's weights are kept; the
    model comes back unchanged unless it beat ``start_score``. With ``hand_over``, new best epochs are handed over as
    training goes. Epochs are logged to ``curve`` (the run's curve of the best
    trial, ``ctx.history``, unless given). When the model comes back changed, the learning rates of the epochs
    behind its weights are appended to ``path`` (``members.refit`` trains the same way on more rows).

    ``to_deadline``: no plateau cuts and no early stop; each epoch starts at the rate scaled by the share of the
    time still left (``falling_to_deadline``), so the rate falls linearly towards nothing as the deadline nears
    and the best epoch is kept. Returns the model, its score and the epochs run.
    """
    direction = "max" if greater_is_better(ctx.metric) else "min"
    weights = keras_model.get_weights()
    stopper = keras.callbacks.EarlyStopping(monitor=SCORE, mode=direction,
                                            patience=10**6 if to_deadline else patience, restore_best_weights=True)
    history, rates = keras.callbacks.History(), RateLog()
    scored = [MetricCallback(score), *([hand_over] if hand_over is not None else []), rates,
              EpochLog(ctx.history if curve is None else curve, phase), history]
    if to_deadline:  # the rate is set as an epoch begins, before ``rates`` reads it
        falling = falling_to_deadline(learning_rate(keras_model), ctx.deadline)
        callbacks = [DeadlineCallback(ctx.deadline), falling, *scored, stopper]
    else:  # a cut comes at an epoch's end, once its score is known, and rules the next epoch
        plateau = keras.callbacks.ReduceLROnPlateau(monitor=SCORE, mode=direction, factor=0.3,
                                                    patience=lr_patience, min_lr=1e-5)
        callbacks = [DeadlineCallback(ctx.deadline), *scored, plateau, stopper]
    fit_args = {} if isinstance(x, keras.utils.PyDataset) else {"batch_size": batch_size}
    keras_model.fit(x, y, epochs=ctx.max_epochs or (10**4 if to_deadline else 200), callbacks=callbacks,
                    verbose=0, **fit_args)
    scores = [s for s in history.history.get(SCORE, []) if s == s]
    if not scores:
        keras_model.set_weights(weights)
        return keras_model, start_score, 0
    best = max(scores) if direction == "max" else min(scores)
    if start_score is not None and not (best > start_score if direction == "max" else best < start_score):
        keras_model.set_weights(weights)
        return keras_model, start_score, len(scores)
    if path is not None:
        path.extend(rates.rates[:stopper.best_epoch + 1])  # the epochs behind the weights it restores
    if stopper.best_weights is None:  # EarlyStopping never restored: the last epoch was the best
        return keras_model, best, len(scores)
    keras_model.set_weights(stopper.best_weights)
    return keras_model, best, len(scores)
