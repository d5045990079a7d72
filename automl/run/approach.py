"""One approach of a run: search under its deadline, keep the best model on disk, score it on the test rows.

Example:
    >>> finalist = run_approach(run, plan.approaches[0], window)   # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from .. import registry
from ..budget import Deadline
from ..metrics import score_output
from ..prices import Prices
from ..search.base import SearchContext
from ..search.importance import importance_of
from . import workers
from .capture import stderr_to
from .meters import PeakMemory
from .plan import ApproachPlan, Plan
from .record import RunRecord
from .results import Event, Finalist, Listener, TrialRecord, quiet
from .rundir import RunDir, folder_bytes, raise_if_full

VALIDATION = "search/{name}/validation.npz"  # an ended search's out-of-sample rows and predictions


@dataclass
class RunSettings:
    out: Any  # Path of the folder for run directories
    seed: int = 0
    max_trials: int | None = None
    max_epochs: int | None = None
    command: str = ""
    listener: Listener = quiet
    prices: Any = None  # automl.prices.Prices; None: the defaults
    compare: bool = True
    refit: bool = True
    device: str = "auto"
    workers: int = 0  # worker processes for each network search (Keras Tuner's distributed mode); 0: none
    listen: str = "127.0.0.1:0"  # where the chief serves them
    dask: str = "auto"  # a table too large for memory: Dask on a local cluster, off, or a scheduler's address
    memory: int | None = None  # bytes this run may use (None: what is free)


@dataclass
class Run:
    """What every approach of a run shares: the directory and record it writes, the data and its plan."""

    dir: RunDir
    record: RunRecord
    split: Any  # runner.Split: the training and test rows
    cache: dict[str, Any]
    plan: Plan
    hardware: Any
    settings: RunSettings
    outputs: dict[str, Any] = field(default_factory=dict)  # approach -> test probabilities (or values)
    validation: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # approach -> (rows, out-of-sample output)
    trained: dict[str, Any] = field(default_factory=dict)  # approach -> its model (as the test rows score it)
    offset: float = 0.0  # seconds the run spent in earlier sessions (a resumed run); trials are timed on from it
    previous: dict[str, list[TrialRecord]] = field(default_factory=dict)  # approach -> trials of earlier sessions
    further: bool = False  # resuming a finished run: approaches whose search ended search on instead of being reused
    kept: list[ApproachPlan] = field(default_factory=list)  # searched before, left out of this plan: reused as they are
    large: Any = None  # data.large.LargeTable: the table is read in pieces, and ``split`` holds its held rows

    def save(self) -> None:
        self.dir.write_json("run.json", self.record.to_dict())


def reusable(run: Run, name: str) -> bool:
    """An earlier session's search of ``name`` ended and left its model and validation predictions, and this
    session does not search further: the model is reused as it is (and scored on the test rows again)."""
    further = run.further and not any(a.name == name for a in run.kept)
    if further or name not in run.record.searched or name not in run.record.models:
        return False
    return (run.dir.path / VALIDATION.format(name=name)).is_file()


def run_approach(run: Run, approach: ApproachPlan, window: Deadline) -> Finalist | None:
    """Search one approach inside ``window``; a route that fails is recorded and the run goes on."""
    name, listener = approach.name, run.settings.listener
    if reusable(run, name):
        try:
            return _reused(run, approach)
        except Exception as exc:  # a damaged model: searched again below, in whatever time there is
            run.record.errors.append(f"{name}: the earlier session's model could not be reused ({exc}).")
            run.record.searched.pop(name, None)
            if window.seconds <= 1.0:
                return None
    listener(Event("approach_start", approach=name, budget=window.seconds,
                   message=f"{approach.label}: up to {window.seconds:.0f}s"))
    ctx = context(run, name, window)
    started, cpu_started = time.monotonic(), time.process_time()
    with PeakMemory() as memory, stderr_to(run.dir.path / "logs" / f"{name}.log"):
        try:
            route = registry.route_spec(run.plan.modality, name).route()
            ctx.deadline = window.child(max(1.0, window.seconds - route.finish_seconds(window.seconds)))
            result = route.search(ctx)
            if run.record.models.get(name) != f"models/{name}":
                # never handed over: a resumed search's earlier best whose hand-over a SIGKILL cut before run.json
                # named it; the model returned is saved now, so the run names every finalist's model
                ctx.improved(result.model)
        except Exception as exc:  # one approach failing does not end the run (a full disk does)
            traceback.print_exc(file=sys.stderr)  # into logs/<name>.log (stderr_to), where a failure can be traced
            raise_if_full(exc, run.dir.path)
            run.record.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            run.record.spend[name] = round(time.monotonic() - started, 2)
            listener(Event("approach_end", approach=name, message=f"failed: {exc}"))
            return None
    spent, cpu_spent = time.monotonic() - started, time.process_time() - cpu_started
    if ctx.cluster is not None:  # the CPU time of the search's local worker processes counts too
        cpu_spent += ctx.cluster.summary.get("cpu_seconds", 0.0)
    earlier = run.record.searched.get(name, {})
    spent += earlier.get("seconds", 0.0)  # a search continued from an earlier session costs both sessions' time
    cpu_spent += earlier.get("cpu_seconds", 0.0)
    run.record.spend[name] = round(spent, 2)
    if run.large is not None and registry.route_spec(run.plan.modality, name).scale == "any":
        result.notes.append(sampled_note(len(run.split.y_train), run.large.n_rows))
    run.validation[name] = (result.val_rows, result.val_output)
    run.trained[name] = result.model
    trials = len(ctx.trials) + len(ctx.previous)
    _keep_search(run, name, result, trials, spent, cpu_spent, memory.peak_mb)
    with stderr_to(run.dir.path / "logs" / f"{name}.log"):  # scoring may warn too (TensorFlow's retracing)
        finalist = _finalist(run, approach, result, trials, spent, cpu_spent, memory.peak_mb)
        if hasattr(result.model, "importance"):
            run.record.feature_importance[name] = importance_of(result.model, run.split.X_test, run.split.y_test,
                                                                run.plan.task, run.plan.metric, run.settings.seed,
                                                                min(5.0, 1.0 + 0.02 * window.seconds),
                                                                run.split.w_test)
    if ctx.history:
        run.record.training_curves[name] = list(ctx.history)
    score = finalist.test_scores.get(run.plan.metric)
    listener(Event("approach_end", approach=name, trials=len(ctx.trials), best=score, elapsed=spent,
                   budget=window.seconds, message=f"test {run.plan.metric}={_fmt(score)} in {spent:.1f}s"))
    return finalist


def _keep_search(run: Run, name: str, result: Any, trials: int, spent: float, cpu_spent: float,
                 peak_mb: float) -> None:
    """Write down an ended search (its out-of-sample predictions beside the model) so a resume can reuse it."""
    import numpy as np

    path = run.dir.path / VALIDATION.format(name=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.asarray(v) for k, v in (("rows", result.val_rows), ("output", result.val_output)) if v is not None}
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
        fh.flush()
        os.fsync(fh.fileno())
    run.record.searched[name] = {"val_score": result.val_score, "notes": list(result.notes), "trials": trials,
                                 "seconds": round(spent, 2), "cpu_seconds": round(cpu_spent, 2),
                                 "peak_memory_mb": round(peak_mb, 1), "fit_seconds": result.fit_seconds}
    run.save()


def sampled_note(rows: int, total: int) -> str:
    """What an approach that trains in memory says when the table was too large for it.

    >>> sampled_note(180_000, 12_000_000)
    'It trained on a sample that fits in memory: the 180,000 training rows held in memory of the 12,000,000-row table.'
    """
    return (f"It trained on a sample that fits in memory: the {rows:,} training rows held in memory of the "
            f"{total:,}-row table.")


def _reused(run: Run, approach: ApproachPlan) -> Finalist:
    """An earlier session's finished search, its model loaded from disk and scored on the test rows again."""
    from ..search.base import SearchResult

    import numpy as np

    name, kept = approach.name, run.record.searched[approach.name]
    with np.load(run.dir.path / VALIDATION.format(name=name), allow_pickle=False) as saved:
        rows, output = (saved[k] if k in saved else None for k in ("rows", "output"))
    model = registry.route_spec(run.plan.modality, name).route().load(run.dir.path / run.record.models[name])
    notes = [*kept.get("notes", []), "Searched in an earlier session of this run and reused as it was "
                                      "(scored on the same test rows again)."]
    result = SearchResult(model, kept.get("val_score"), kept.get("fit_seconds", 0.0), notes, rows, output)
    run.validation[name] = (rows, output)
    run.trained[name] = model
    finalist = _finalist(run, approach, result, int(kept.get("trials", 0)), kept.get("seconds", 0.0),
                         kept.get("cpu_seconds", 0.0), kept.get("peak_memory_mb", 0.0))
    score = finalist.test_scores.get(run.plan.metric)
    run.settings.listener(Event("message", approach=name, message=f"{approach.label}: reused from the earlier "
                                                                  f"session, test {run.plan.metric}={_fmt(score)}"))
    return finalist


def context(run: Run, name: str, window: Deadline) -> SearchContext:
    """The route's view of the run: training rows, the plan's choices, and where trials and models go."""
    split, plan, settings = run.split, run.plan, run.settings

    def on_trial(trial: TrialRecord) -> None:
        shown = trial.to_dict()
        shown |= {"started": round(trial.started + run.offset, 3), "ended": round(trial.ended + run.offset, 3),
                  "session": len(run.record.sessions)}
        run.dir.append_jsonl("trials.jsonl", shown)
        settings.listener(Event("trial", approach=name, trials=len(ctx.trials), best=trial.best_so_far,
                                elapsed=window.elapsed(), budget=window.seconds,
                                message=f"{trial.model} {trial.metric}={_fmt(trial.val_score)}"))
        shown = cross_validated(trial)
        if shown:
            settings.listener(Event("message", approach=name, message=shown))

    def on_improved(model: Any) -> None:
        run.dir.replace_dir(f"models/{name}", model.save)
        if run.record.models.get(name) != f"models/{name}":
            run.record.models[name] = f"models/{name}"
            run.save()  # run.json names the model from its first save, so a run killed now keeps it

    ctx = SearchContext(
        approach=name, X=split.X_train, y=split.y_train, task=plan.task, metric=plan.metric, classes=split.classes,
        kinds=split.kinds, seed=settings.seed, validation=plan.validation, folds=plan.folds, deadline=window,
        hardware=run.hardware, max_trials=settings.max_trials, max_epochs=settings.max_epochs, record=on_trial,
        improved=on_improved, inputs=plan.inputs, cache=run.cache, previous=run.previous.get(name, []),
        workdir=run.dir.path / "search" / name,
        cluster=workers.chief(settings, run.dir.path, plan.modality, run.hardware),
        large=run.large, dask=settings.dask, target=run.record.target, rule=split.rule_train,
        sample_weight=split.w_train, weight=run.record.settings.get("weight") or "",
    )
    return ctx


def _finalist(run: Run, approach: ApproachPlan, result: Any, trials: int, spent: float, cpu_spent: float,
              peak_mb: float) -> Finalist:
    """Score the search's model on the test rows and time its prediction."""
    model, split, task = result.model, run.split, run.plan.task
    t0, cpu0 = time.perf_counter(), time.process_time()
    output = model.predict(split.X_test) if task == "regression" else model.predict_proba(split.X_test)
    rows = max(len(split.X_test), 1)
    predict_ms, predict_cpu_ms = (time.perf_counter() - t0) * 1000.0 / rows, (time.process_time() - cpu0) * 1000.0 / rows
    run.outputs[approach.name] = output
    hardware = run.hardware
    decision = decided(run, approach.name)
    noun = getattr(model, "noun", None) or approach.noun  # what the model is (ridge, extra trees), not the route
    notes = result.notes if decision is None else [*result.notes, decision.note(noun)]
    return Finalist(
        approach=approach.name, model=model.name, params=model.params,
        test_scores=score_output(task, split.y_test, output, weights=decision and decision.weights,
                                 sample_weight=split.w_test),
        val_score=result.val_score if decision is None else decision.after,
        fit_seconds=round(spent, 2), predict_ms_per_row=round(predict_ms, 4),
        model_bytes=folder_bytes(run.dir.path / "models" / approach.name), peak_memory_mb=round(peak_mb, 1),
        trials=trials, cost_usd=round((run.settings.prices or Prices()).usd(spent, hardware.cpu_count, hardware.gpu), 6),
        notes=notes, cpu_seconds=round(cpu_spent, 2),
        gpu_seconds=round(spent, 2) if hardware.gpu else 0.0,  # the GPU is held, and billed, for the whole search
        predict_cpu_ms_per_row=round(predict_cpu_ms, 4), kind=approach.kind, noun=noun,
    )


def decided(run: Run, name: str, rows: Any = None, output: Any = None) -> Any:
    """The decision rule of ``name``'s model (``automl.decision``), fitted on its out-of-sample validation rows (or
    on ``rows`` of the training rows, where ``output`` are its predictions) and kept in ``run.json``'s
    ``decisions``; None, and none kept, where the most probable class stays the prediction."""
    import numpy as np

    from ..decision import fit, shares

    if rows is None:
        rows, output = run.validation.get(name, (None, None))
    decision = None
    if run.plan.task != "regression" and rows is not None and output is not None:
        y, rows = np.asarray(run.split.y_train), np.asarray(rows, dtype=int)
        decision = fit(run.plan.metric, y[rows], output, shares(y, len(run.split.classes), run.split.w_train),
                       run.split.weights(rows))
    if decision is None:
        run.record.decisions.pop(name, None)
    else:
        run.record.decisions[name] = decision.to_dict()
    return decision


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def cross_validated(trial: TrialRecord) -> str | None:
    """The line that shows a finalist's mean over folds (always printed, unlike trials that do not improve).

    >>> cross_validated(TrialRecord("classical", "tfidf_svm", {"C": 4.0}, "accuracy", 0.99281, 1.0, 0.0, 1.0,
    ...                             extra={"stage": "cross-validation", "folds": 5}))
    'tfidf_svm (C=4): accuracy=0.9928, mean of 5 folds'
    """
    from ..search.racing import Entry

    if trial.extra.get("stage") != "cross-validation":
        return None
    named = Entry(trial.model, trial.params).label()
    return f"{named}: {trial.metric}={_fmt(trial.val_score)}, mean of {trial.extra['folds']} folds"
