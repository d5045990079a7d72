"""Run a plan: split once, run each approach under its budget, score finalists on the same test rows.

Side effects live here and in ``rundir``: the run directory is created after
every input check has passed, updated atomically as the run goes, and marked
``interrupted`` (with the best model so far on disk) if Ctrl-C arrives.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import registry
from ..budget import Deadline
from .capture import stderr_to
from .cost import PeakMemory, cost_usd
from ..data import Dataset
from .plan import Plan
from ..errors import FatalError
from ..hardware import Hardware
from ..search.importance import importance_of
from ..data.profile import Profile, clean_target
from ..metrics import better, score_all
from .results import Event, Finalist, Listener, TrialRecord, quiet
from ..search.base import SearchContext
from .rundir import RunDir, folder_bytes
from ..data.splitting import split_rows

MEDIA_COLUMNS = {"image": "image_path", "audio": "audio_path"}
VERSIONED = ("automl", "numpy", "pandas", "scikit-learn", "xgboost", "keras", "keras-tuner", "tensorflow", "jax", "torch")


@dataclass
class RunSettings:
    out: Path
    seed: int = 0
    max_trials: int | None = None
    max_epochs: int | None = None
    command: str = ""
    listener: Listener = quiet
    prices: Any = None  # automl.prices.Prices; None: the defaults


@dataclass
class RunOutcome:
    """Where a completed run lives; everything else about it is in its run.json."""

    run_dir: Path
    finalists: list[Finalist]
    best: str


def encode_target(y: Any, task: str) -> tuple[Any, list | None]:
    """Class indices and the sorted class values (native Python), or float values for regression."""
    import numpy as np

    if task == "regression":
        return y.astype(float).to_numpy(), None
    values = y.to_numpy()
    if y.dtype.kind == "f" and np.all(np.mod(values, 1) == 0):
        values = values.astype("int64")  # 0.0/1.0 read as floats because of a missing value: labels 0/1
    if values.dtype.kind in "biuf":
        classes = np.unique(values)
    else:
        values = y.astype(str).to_numpy()
        classes = np.unique(values)
    return np.searchsorted(classes, values).astype("int64"), [c.item() if hasattr(c, "item") else c for c in classes]


def execute(dataset: Dataset, profile: Profile, plan: Plan, hardware: Hardware, settings: RunSettings,
            clock: Deadline) -> RunOutcome:
    """Train every approach of ``plan`` and write the run directory."""
    import numpy as np

    frame = dataset.frame
    keep = clean_target(frame[profile.target])[0].notna().to_numpy()
    rows = np.flatnonzero(keep)  # positions in the file's data rows, for test_predictions.csv
    frame = frame.loc[keep].reset_index(drop=True)
    cache: dict[str, Any] = {}
    skipped_files: list[dict[str, str]] = []
    if profile.modality in MEDIA_COLUMNS:
        frame, rows, skipped_files, cache = _decode_media(frame, rows, profile, plan, dataset, hardware)
    features = [c.name for c in profile.features]
    kinds = {c.name: c.kind for c in profile.features}
    y, classes = encode_target(frame[profile.target], profile.task)
    train, test = split_rows(y, profile.task, plan.test_rows, settings.seed)
    split = Split(frame.loc[train, features].reset_index(drop=True), y[train],
                  frame.loc[test, features].reset_index(drop=True), y[test], kinds, classes)

    run = RunDir.create(settings.out, dataset.name, datetime.now().strftime("%Y%m%d-%H%M%S"))
    (run.path / "trials.jsonl").touch()
    record = {
        "format": 1, "status": "running", "command": settings.command,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"name": dataset.name, "source": dataset.source, "rows": profile.n_rows, "bytes": profile.n_bytes},
        "versions": _versions(), "hardware": hardware.to_dict(), "seed": settings.seed,
        "budget_seconds": plan.budget_seconds, "target": profile.target, "task": profile.task,
        "modality": profile.modality, "classes": classes, "features": features, "kinds": kinds,
        "split": {"train_rows": int(len(train)), "test_rows": int(len(test))},
        "profile": profile.to_dict(), "plan": plan.to_dict(), "spend": {}, "finalists": [], "errors": [],
        "models": {}, "best": None, "skipped_files": skipped_files,
        "prices": settings.prices.to_dict() if settings.prices is not None else None,
    }
    run.write_json("run.json", record)
    settings.listener(Event("message", message=f"run directory: {run.path}"))
    finalists: list[Finalist] = []
    predictions = {"row": rows[test], "actual": [classes[i] for i in y[test]] if classes else y[test]}
    outputs: dict[str, Any] = {}  # approach -> test probabilities (or values), for the blend
    try:
        for i, approach in enumerate(plan.approaches):
            end_of_search = clock.remaining() - plan.reserve_seconds
            last = i == len(plan.approaches) - 1
            seconds = end_of_search if last else min(approach.seconds, end_of_search)
            if seconds <= 1.0:
                record["errors"].append(f"{approach.name}: no time left in the budget; skipped.")
                continue
            finalist = _run_approach(approach.name, seconds, split, profile, plan, hardware, settings, clock, run,
                                     record, outputs, cache)
            if finalist is not None:
                finalists.append(finalist)
        if len(finalists) == 2:
            finalists.append(_blend(finalists, outputs, split, profile.task, run, record))
    except KeyboardInterrupt:
        record["status"] = "interrupted"
        record["total_seconds"] = round(clock.elapsed(), 2)
        record["best"] = next(iter(record["models"]), None)
        run.write_json("run.json", record)
        raise
    if not finalists:
        record["status"] = "failed"
        run.write_json("run.json", record)
        raise FatalError("no approach produced a model: " + "; ".join(record["errors"]))
    best = finalists[0]
    for f in finalists[1:]:
        if better(f.test_scores.get(plan.metric), best.test_scores.get(plan.metric), plan.metric):
            best = f
    record["best"] = best.approach
    record["finalists"] = [f.to_dict() for f in finalists]
    _write_predictions(run, predictions, outputs, classes)
    run.write_text("leaderboard.csv", leaderboard_frame(finalists, plan.metric).to_csv(index=False))
    record["status"] = "complete"
    record["total_seconds"] = round(clock.elapsed(), 2)
    run.write_json("run.json", record)
    from ..report import write_reports

    write_reports(run.path)
    return RunOutcome(run.path, finalists, best.approach)


def _decode_media(frame: Any, rows: Any, profile: Profile, plan: Plan, dataset: Dataset, hardware: Hardware
                  ) -> tuple[Any, Any, list[dict[str, str]], dict[str, Any]]:
    """Resolve and decode the image or audio column once; rows whose file cannot be decoded leave the run, listed.

    The decoded arrays are kept for the approaches (``cache[modality]``) when they fit in memory.
    """
    from ..data.paths import resolve_paths

    modality = profile.modality
    if modality == "image":
        from ..modalities.image.decode import ImageSpec as Spec, decode_column
    else:
        from ..modalities.audio.decode import AudioSpec as Spec, decode_column
    column = next(c.name for c in profile.features if c.kind == MEDIA_COLUMNS[modality])
    frame = frame.copy()
    frame[column] = resolve_paths(frame[column], dataset.root, column)
    decoded = decode_column(list(frame[column]), Spec(**plan.inputs[modality]), hardware.memory_bytes)
    cache = {modality: decoded.cache} if decoded.cache is not None else {}
    return frame.loc[decoded.good].reset_index(drop=True), rows[decoded.good], decoded.bad, cache


@dataclass
class Split:
    """The run's one split: raw feature rows and encoded targets, train and test."""

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    kinds: dict[str, str]
    classes: list | None


def _run_approach(name: str, seconds: float, split: Split, profile: Profile, plan: Plan, hardware: Hardware,
                  settings: RunSettings, clock: Deadline, run: RunDir, record: dict, outputs: dict,
                  cache: dict[str, Any]) -> Finalist | None:
    """Search one approach, save its best model, score it on the test rows."""
    listener = settings.listener
    X_train, y_train, X_test, y_test = split.X_train, split.y_train, split.X_test, split.y_test
    kinds, classes = split.kinds, split.classes
    deadline = Deadline(seconds)
    listener(Event("approach_start", approach=name, budget=seconds,
                   message=f"{registry.describe(profile.modality, name)}: up to {seconds:.0f}s"))

    def on_trial(trial: TrialRecord) -> None:
        run.append_jsonl("trials.jsonl", trial.to_dict())
        listener(Event("trial", approach=name, trials=len(ctx.trials), best=trial.best_so_far,
                       elapsed=deadline.elapsed(), budget=seconds,
                       message=f"{trial.model} {trial.metric}={_fmt(trial.val_score)}"))
        shown = cross_validated(trial)
        if shown:
            listener(Event("message", approach=name, message=shown))

    def on_improved(model: Any) -> None:
        run.replace_dir(f"models/{name}", model.save)
        record["models"][name] = f"models/{name}"

    ctx = SearchContext(
        approach=name, X=X_train, y=y_train, task=profile.task, metric=plan.metric, classes=classes, kinds=kinds,
        seed=settings.seed, validation=plan.validation, folds=plan.folds, deadline=deadline, hardware=hardware,
        run_clock=clock, max_trials=settings.max_trials, max_epochs=settings.max_epochs, record=on_trial,
        improved=on_improved, inputs=plan.inputs, cache=cache,
    )
    started, cpu_started = time.monotonic(), time.process_time()
    with PeakMemory() as memory, stderr_to(run.path / "logs" / f"{name}.log"):
        try:
            route = registry.get(profile.modality, name)()
            ctx.deadline = Deadline(max(1.0, seconds - route.finish_seconds(seconds)))
            result = route.search(ctx)
        except Exception as exc:  # one approach failing does not end the run
            record["errors"].append(f"{name}: {type(exc).__name__}: {exc}")
            record["spend"][name] = round(time.monotonic() - started, 2)
            listener(Event("approach_end", approach=name, message=f"failed: {exc}"))
            return None
    spent, cpu_spent = time.monotonic() - started, time.process_time() - cpu_started
    record["spend"][name] = round(spent, 2)
    model = result.model
    t0, cpu0 = time.perf_counter(), time.process_time()
    outputs[name] = model.predict(X_test) if profile.task == "regression" else model.predict_proba(X_test)
    predict_ms = (time.perf_counter() - t0) * 1000.0 / max(len(X_test), 1)
    predict_cpu_ms = (time.process_time() - cpu0) * 1000.0 / max(len(X_test), 1)
    scores = _scores(profile.task, y_test, outputs[name])
    finalist = Finalist(
        approach=name, model=model.name, params=model.params, test_scores=scores, val_score=result.val_score,
        fit_seconds=round(spent, 2), predict_ms_per_row=round(predict_ms, 4),
        model_bytes=folder_bytes(run.path / "models" / name), peak_memory_mb=round(memory.peak_mb, 1),
        trials=len(ctx.trials), cost_usd=round(cost_usd(spent, hardware.cpu_count, hardware.gpu, settings.prices), 6),
        notes=result.notes, cpu_seconds=round(cpu_spent, 2),
        gpu_seconds=round(spent, 2) if hardware.gpu else 0.0,  # the GPU is held, and billed, for the whole search
        predict_cpu_ms_per_row=round(predict_cpu_ms, 4),
    )
    if name == "gbm":
        record.setdefault("feature_importance", {})[name] = _importance(model, split, profile.task, plan.metric,
                                                                       settings.seed, min(5.0, 1.0 + 0.02 * seconds))
    if ctx.history:
        record.setdefault("training_curves", {})[name] = list(ctx.history)
    listener(Event("approach_end", approach=name, trials=len(ctx.trials), best=scores.get(plan.metric),
                   elapsed=spent, budget=seconds,
                   message=f"test {plan.metric}={_fmt(scores.get(plan.metric))} in {spent:.1f}s"))
    return finalist


def _importance(model: Any, split: Split, task: str, metric: str, seed: int, max_seconds: float) -> dict:
    """What the classical model leans on, for the report; a failure here is noted, never fatal."""
    try:
        return importance_of(model, split.X_test, split.y_test, task, metric, seed, max_seconds)
    except Exception as exc:
        return {"method": None, "features": [], "note": f"Not computed: {type(exc).__name__}: {exc}"}


def _scores(task: str, y_test: Any, output: Any) -> dict[str, float | None]:
    if task == "regression":
        return score_all(task, y_test, output)
    return score_all(task, y_test, output.argmax(axis=1), output)


def _blend(finalists: list[Finalist], outputs: dict[str, Any], split: Split, task: str, run: RunDir,
           record: dict) -> Finalist:
    """The average of the two finalists' test predictions, scored like them; its cost is both of theirs."""
    import numpy as np

    from .blend import BlendModel

    names = tuple(f.approach for f in finalists)
    outputs["blend"] = np.mean([outputs[n] for n in names], axis=0)
    model = BlendModel([], task, names)
    run.replace_dir("models/blend", model.save)
    record["models"]["blend"] = "models/blend"
    return Finalist(
        approach="blend", model=model.name, params={"members": list(names)},
        test_scores=_scores(task, split.y_test, outputs["blend"]), val_score=None,
        fit_seconds=round(sum(f.fit_seconds for f in finalists), 2),
        predict_ms_per_row=round(sum(f.predict_ms_per_row for f in finalists), 4),
        model_bytes=sum(f.model_bytes for f in finalists), peak_memory_mb=max(f.peak_memory_mb for f in finalists),
        trials=0, cost_usd=round(sum(f.cost_usd for f in finalists), 6),
        cpu_seconds=_total(f.cpu_seconds for f in finalists), gpu_seconds=_total(f.gpu_seconds for f in finalists),
        predict_cpu_ms_per_row=_total(f.predict_cpu_ms_per_row for f in finalists),
        notes=["Equal-weight average of both models' predictions: nothing is fitted, so its test score is as "
               "honest as theirs; it costs both models' training and prediction time."],
    )


def _total(values: Any) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else round(sum(values), 4)


def leaderboard_frame(finalists: list[Finalist], metric: str) -> Any:
    import pandas as pd

    rows = []
    for f in finalists:
        row = {"approach": f.approach, "model": f.model, f"test_{metric}": f.test_scores.get(metric)}
        row |= {f"test_{k}": v for k, v in f.test_scores.items() if k != metric}
        row |= {"val_score": f.val_score, "fit_seconds": f.fit_seconds, "predict_ms_per_row": f.predict_ms_per_row,
                "model_bytes": f.model_bytes, "peak_memory_mb": f.peak_memory_mb, "trials": f.trials,
                "cost_usd": f.cost_usd}
        rows.append(row)
    frame = pd.DataFrame(rows)
    key = f"test_{metric}"
    from ..metrics import greater_is_better

    return frame.sort_values(key, ascending=not greater_is_better(metric), na_position="last").reset_index(drop=True)


def _write_predictions(run: RunDir, predictions: dict[str, Any], outputs: dict[str, Any], classes: list | None
                       ) -> None:
    import pandas as pd

    for name, output in outputs.items():
        if classes is None:
            predictions[f"{name}_prediction"] = output
            continue
        predictions[f"{name}_prediction"] = [classes[i] for i in output.argmax(axis=1)]
        for j, c in enumerate(classes):
            predictions[f"{name}_proba_{c}"] = output[:, j]
    run.write_text("test_predictions.csv", pd.DataFrame(predictions).to_csv(index=False))


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def cross_validated(trial: TrialRecord) -> str | None:
    """The line that shows a finalist's mean over folds (always printed, unlike trials that do not improve).

    >>> cross_validated(TrialRecord("gbm", "tfidf_svm", {"C": 4.0}, "accuracy", 0.99281, 1.0, 0.0, 1.0,
    ...                             extra={"stage": "cross-validation", "folds": 5}))
    'tfidf_svm (C=4): accuracy=0.9928, mean of 5 folds'
    """
    from ..search.racing import Entry

    if trial.extra.get("stage") != "cross-validation":
        return None
    named = Entry(trial.model, trial.params).label()
    return f"{named}: {trial.metric}={_fmt(trial.val_score)}, mean of {trial.extra['folds']} folds"
