"""Run a plan: prepare the data once (target encoded, files decoded, one split), run each approach under its
share of the budget, score every finalist on the same test rows, write the run directory and the report.

Side effects live here and in ``rundir``: the run directory is created after
every input check has passed, updated atomically as the run goes, and marked
``interrupted`` (with the best model so far on disk) if Ctrl-C arrives. The
budget is one deadline tree: the run, the searches inside it (the time to
score and report held back), each approach's window, each route's search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import registry
from ..budget import Deadline
from ..data.splitting import split_rows
from ..data.target import clean_target, encode_target
from ..errors import FatalError
from ..metrics import better, greater_is_better, score_output
from .approach import Run, RunSettings, run_approach
from .blend import BlendModel
from .record import RunRecord, versions
from .results import Event, Finalist
from .rundir import RunDir

__all__ = ["RunOutcome", "RunSettings", "Split", "execute", "prepare"]


@dataclass
class RunOutcome:
    """Where a completed run lives, what it found, and its verdict in a sentence or two."""

    run_dir: Path
    finalists: list[Finalist]
    best: str
    verdict: str
    report: dict[str, Any]


def execute(dataset: Any, profile: Any, plan: Any, hardware: Any, settings: RunSettings, clock: Deadline
            ) -> RunOutcome:
    """Train every approach of ``plan`` inside ``clock`` and write the run directory."""
    prepared = prepare(dataset, profile, plan, hardware, settings.seed)
    folder = RunDir.create(settings.out, dataset.name, datetime.now().strftime("%Y%m%d-%H%M%S"))
    (folder.path / "trials.jsonl").touch()
    run = Run(folder, _record(dataset, profile, plan, hardware, settings, prepared), prepared.split,
              prepared.cache, plan, hardware, settings)
    run.save()
    settings.listener(Event("message", message=f"run directory: {folder.path}"))
    finalists = _search(run, clock)
    if not finalists:
        run.record.status = "failed"
        run.save()
        raise FatalError("no approach produced a model: " + "; ".join(run.record.errors))
    best = finalists[0]
    for f in finalists[1:]:
        if better(f.test_scores.get(plan.metric), best.test_scores.get(plan.metric), plan.metric):
            best = f
    run.record.best = best.approach
    run.record.finalists = [f.to_dict() for f in finalists]
    write_predictions(folder, prepared.test_rows, run.split, run.outputs)
    folder.write_text("leaderboard.csv", leaderboard_frame(finalists, plan.metric).to_csv(index=False))
    run.record.status = "complete"
    run.record.total_seconds = round(clock.elapsed(), 2)
    run.save()
    from ..report import build, write

    report = build(folder.path)
    write(report, folder.path)
    return RunOutcome(folder.path, finalists, best.approach, report["verdict"], report)


def _search(run: Run, clock: Deadline) -> list[Finalist]:
    """Each approach in turn: its planned seconds, the last one whatever is left; then the blend of them all."""
    searches = clock.child(keep=run.plan.reserve_seconds)
    finalists: list[Finalist] = []
    try:
        for i, approach in enumerate(run.plan.approaches):
            last = i == len(run.plan.approaches) - 1
            window = searches.child(None if last else approach.seconds)
            if window.seconds <= 1.0:
                run.record.errors.append(f"{approach.name}: no time left in the budget; skipped.")
                continue
            finalist = run_approach(run, approach, window)
            if finalist is not None:
                finalists.append(finalist)
            run.save()
        if len(finalists) >= 2:
            finalists.append(_blend(run, finalists))
    except KeyboardInterrupt:
        run.record.status = "interrupted"
        run.record.total_seconds = round(clock.elapsed(), 2)
        run.record.best = next(iter(run.record.models), None)
        run.save()
        raise
    return finalists


def _blend(run: Run, finalists: list[Finalist]) -> Finalist:
    """The average of the finalists' test predictions, scored like them; its cost is all of theirs."""
    import numpy as np

    names = tuple(f.approach for f in finalists)
    run.outputs["blend"] = np.mean([run.outputs[n] for n in names], axis=0)
    model = BlendModel([], run.plan.task, names)
    run.dir.replace_dir("models/blend", model.save)
    run.record.models["blend"] = "models/blend"
    return Finalist(
        approach="blend", model=model.name, params={"members": list(names)},
        test_scores=score_output(run.plan.task, run.split.y_test, run.outputs["blend"]), val_score=None,
        fit_seconds=round(sum(f.fit_seconds for f in finalists), 2),
        predict_ms_per_row=round(sum(f.predict_ms_per_row for f in finalists), 4),
        model_bytes=sum(f.model_bytes for f in finalists), peak_memory_mb=max(f.peak_memory_mb for f in finalists),
        trials=0, cost_usd=round(sum(f.cost_usd for f in finalists), 6),
        cpu_seconds=_total(f.cpu_seconds for f in finalists), gpu_seconds=_total(f.gpu_seconds for f in finalists),
        predict_cpu_ms_per_row=_total(f.predict_cpu_ms_per_row for f in finalists), kind="blend",
        noun="the blend", notes=[f"Equal-weight average of the {len(names)} models' predictions: nothing is fitted, "
                                 "so its test score is as honest as theirs; it costs all their training and "
                                 "prediction time."],
    )


def _total(values: Any) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else round(sum(values), 4)


def _record(dataset: Any, profile: Any, plan: Any, hardware: Any, settings: RunSettings, prepared: Prepared
            ) -> RunRecord:
    split = prepared.split
    return RunRecord(
        command=settings.command, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        data={"name": dataset.name, "source": dataset.source, "rows": profile.n_rows, "bytes": profile.n_bytes},
        versions=versions(), hardware=hardware.to_dict(), seed=settings.seed, budget_seconds=plan.budget_seconds,
        target=profile.target, task=profile.task, modality=profile.modality, classes=split.classes,
        features=list(split.kinds), kinds=split.kinds,
        split={"train_rows": int(len(split.y_train)), "test_rows": int(len(split.y_test))},
        profile=profile.to_dict(), plan=plan.to_dict(), skipped_files=prepared.skipped_files,
        prices=settings.prices.to_dict() if settings.prices is not None else None,
    )


@dataclass
class Split:
    """The run's one split: raw feature rows and encoded targets, train and test."""

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    kinds: dict[str, str]
    classes: list | None


@dataclass
class Prepared:
    split: Split
    test_rows: Any  # the test rows' positions among the file's data rows (for test_predictions.csv)
    skipped_files: list[dict[str, str]] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)  # decoded inputs the approaches share, by modality


def prepare(dataset: Any, profile: Any, plan: Any, hardware: Any, seed: int) -> Prepared:
    """Rows with a target, decoded by the modality (rows whose file fails leave, listed), split by the seed."""
    import numpy as np

    frame = dataset.frame
    keep = clean_target(frame[profile.target])[0].notna().to_numpy()
    rows = np.flatnonzero(keep)
    frame = frame.loc[keep].reset_index(drop=True)
    decoded = registry.modality(profile.modality).decode(frame, profile, plan, dataset.root, hardware)
    frame = decoded.frame
    if decoded.good is not None:
        frame, rows = frame.loc[decoded.good].reset_index(drop=True), rows[decoded.good]
    features = [c.name for c in profile.features]
    kinds = {c.name: c.kind for c in profile.features}
    y, classes = encode_target(frame[profile.target], profile.task)
    train, test = split_rows(y, profile.task, plan.test_rows, seed)
    split = Split(frame.loc[train, features].reset_index(drop=True), y[train],
                  frame.loc[test, features].reset_index(drop=True), y[test], kinds, classes)
    cache = {profile.modality: decoded.cache} if decoded.cache is not None else {}
    return Prepared(split, rows[test], decoded.skipped or [], cache)


def leaderboard_frame(finalists: list[Finalist], metric: str) -> Any:
    """One row per finalist, best test score first."""
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
    return frame.sort_values(f"test_{metric}", ascending=not greater_is_better(metric),
                             na_position="last").reset_index(drop=True)


def write_predictions(folder: Any, rows: Any, split: Any, outputs: dict[str, Any]) -> None:
    """test_predictions.csv: each test row's position in the file, its actual value, and every finalist's
    prediction (with one probability column per class)."""
    import pandas as pd

    classes = split.classes
    table: dict[str, Any] = {"row": rows, "actual": [classes[i] for i in split.y_test] if classes else split.y_test}
    for name, output in outputs.items():
        if classes is None:
            table[f"{name}_prediction"] = output
            continue
        table[f"{name}_prediction"] = [classes[i] for i in output.argmax(axis=1)]
        for j, c in enumerate(classes):
            table[f"{name}_proba_{c}"] = output[:, j]
    folder.write_text("test_predictions.csv", pd.DataFrame(table).to_csv(index=False))
