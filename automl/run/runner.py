"""Run a plan: prepare the data once (target encoded, files decoded, one split), run each approach under its
share of the budget, blend them and choose the best on validation rows, score every finalist on the same test
rows (which choose nothing), write the run directory and the report.

Side effects live here and in ``rundir``: the run directory is created after
every input check has passed, updated atomically as the run goes, and marked
``interrupted`` (with the best model so far on disk) if Ctrl-C arrives. The
budget is one deadline tree: the run, the searches inside it (the time to
score and report held back), each approach's window, each route's search.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .. import registry
from ..budget import Deadline
from ..data import weights as row_weights
from ..data.fingerprint import ROW_HASHES, file_columns, fingerprint, positions, row_hashes
from ..data.profile import split_rule
from ..data.splitting import split_rows
from ..data.target import clean_target, encode_target
from ..errors import DataError, DiskFullError, FatalError
from ..metrics import greater_is_better, score_output
from .approach import Run, RunSettings, decided, reusable, run_approach
from .baseline import baseline
from .blend import BlendModel
from .choice import LEVEL, Choice, choose
from .giveback import given_back
from .ensemble import MIN_ROWS, Selection, equal_weights, greedy_weights, on_rows, shared_rows
from .plan import ApproachPlan
from .record import RunRecord, versions
from .results import Event, Finalist
from .rundir import RunDir

GAP_SECONDS = 2.0  # at most this long bootstrapping a gap between two finalists (multiclass ROC AUC is slow)

__all__ = ["RunOutcome", "RunSettings", "Split", "execute", "prepare", "resume"]


@dataclass
class RunOutcome:
    """Where a completed run lives, what it found, and its verdict in a sentence or two."""

    run_dir: Path
    finalists: list[Finalist]
    best: str
    verdict: str
    report: dict[str, Any]
    profile: Any = None  # the inspection and plan this session ran with
    plan: Any = None
    columns: list[str] = field(default_factory=list)  # the data's columns other than the target, as given


def execute(dataset: Any, profile: Any, plan: Any, hardware: Any, settings: RunSettings, clock: Deadline
            ) -> RunOutcome:
    """Train every approach of ``plan`` inside ``clock`` and write the run directory."""
    prepared = prepare(dataset, profile, plan, hardware, settings.seed)
    folder = RunDir.create(settings.out, dataset.name, datetime.now().strftime("%Y%m%d-%H%M%S"))
    with folder.locked():
        (folder.path / "trials.jsonl").touch()
        record = _record(dataset, profile, plan, hardware, settings, prepared)
        record.sessions.append(_session(plan, "new"))
        run = Run(folder, record, prepared.split, prepared.cache, plan, hardware, settings, large=dataset.large)
        try:
            run.save()  # the record at once: a stop from here on leaves a run `--resume` continues
        except DiskFullError:  # no room for even that: no run directory rather than one without its record
            shutil.rmtree(folder.path, ignore_errors=True)
            raise
        with _marked(run, clock):
            record.row_hashes = _store_row_hashes(folder, dataset, profile)
            run.save()
            settings.listener(Event("message", message=f"run directory: {folder.path}"))
            return _complete(run, prepared, clock, profile, list(dataset.frame.columns))


def resume(run_dir: Path, dataset: Any, profile: Any, plan: Any, hardware: Any, settings: RunSettings,
           clock: Deadline) -> RunOutcome:
    """Continue the run in ``run_dir`` in place with ``plan`` (this session's budget): the same data (checked by
    its checksum), split and seed; approaches whose search ended are reused (re-scored on the same test rows)
    unless the run had finished, when every approach searches further; an approach cut short searches on,
    skipping the trials it finished (``trials.jsonl``) and reusing Keras Tuner's state."""
    from .resume import check_same_data, check_same_split, previous_trials, seconds_seen

    folder = RunDir(Path(run_dir))
    with folder.locked():
        record = RunRecord.read(folder.path)
        check_same_data(folder.path, record, dataset)
        prepared = prepare(dataset, profile, plan, hardware, settings.seed)
        check_same_split(folder.path, record, prepared.test_rows)
        for name in record.models:
            folder.settle(record.models[name])
        before = record.status
        kept = _kept_approaches(record, plan)
        record.status, record.finalists, record.deployed = "running", [], None  # rebuilt by this session
        record.models.pop("blend", None)
        record.decisions.pop("blend", None)
        record.plan, record.budget_seconds = plan.to_dict(), record.budget_seconds + plan.budget_seconds
        record.sessions.append(_session(plan, before))
        offset = record.total_seconds or seconds_seen(folder.read_jsonl("trials.jsonl"))
        run = Run(folder, record, prepared.split, prepared.cache, plan, hardware, settings, offset=offset,
                  previous=previous_trials(folder.read_jsonl("trials.jsonl")), further=before == "complete",
                  kept=kept, large=dataset.large)
        with _marked(run, clock):
            record.row_hashes = record.row_hashes or _store_row_hashes(folder, dataset, profile)
            run.save()
            settings.listener(Event("message", message=f"resuming {folder.path} (it was {before})"))
            return _complete(run, prepared, clock, profile, list(dataset.frame.columns))


def _complete(run: Run, prepared: Prepared, clock: Deadline, profile: Any, columns: list[str]) -> RunOutcome:
    """Search, choose, score, write the predictions, refit for deployment and report."""
    folder, plan = run.dir, run.plan
    finalists = _search(run, clock)
    if not finalists:
        run.record.status = "failed"
        run.save()
        raise FatalError("no approach produced a model: " + "; ".join(run.record.errors))
    choice = _choice(run, finalists)
    best = next(f for f in finalists if f.approach == choice.approach)
    run.record.best = best.approach
    if run.record.selection is not None:
        run.record.selection["choice"] = choice.to_dict()
    finalists = _with_intervals(run, finalists)
    run.record.finalists = [f.to_dict() for f in finalists]
    run.record.baseline = baseline(plan.task, run.split.y_train, run.split.y_test, run.split.classes, plan.metric,
                                   run.split.w_train, run.split.w_test)
    write_predictions(folder, prepared.test_rows, run.split, run.outputs, run.record.decisions,
                      run.record.intervals)
    folder.write_text("leaderboard.csv",
                      leaderboard_frame(finalists, plan.metric, run.record.baseline).to_csv(index=False))
    run.save()
    if plan.refit_seconds:
        _deploy(run, best, clock)
    run.record.status = "complete"
    run.record.total_seconds = _total_seconds(run, clock)
    _end_session(run, clock)
    run.save()
    from ..report import build, write

    report = build(folder.path)
    write(report, folder.path)
    return RunOutcome(folder.path, finalists, best.approach, report["verdict"], report, profile, plan,
                      [c for c in columns if c != run.record.target])


@contextlib.contextmanager
def _marked(run: Run, clock: Deadline) -> Iterator[None]:
    """Whatever stops the run once its directory exists leaves ``run.json`` saying so: a stop (Ctrl-C, SIGTERM,
    SIGHUP) marks it ``interrupted`` with the best model so far; an unexpected error marks it ``failed``
    with the error; ``automl fit --resume`` continues either."""
    try:
        yield
    except KeyboardInterrupt as stop:
        stop.run_dir = run.dir.path  # the command line says how to resume it
        run.record.status = "interrupted"
        run.record.total_seconds = _total_seconds(run, clock)
        run.record.best = run.record.best if run.record.best in run.record.models else next(iter(run.record.models),
                                                                                             None)
        _end_session(run, clock)
        run.save()
        raise
    except BaseException as exc:
        if run.record.status != "failed":
            run.record.errors.append(f"run: {type(exc).__name__}: {exc}")
        run.record.status = "failed"
        run.record.total_seconds = _total_seconds(run, clock)
        _end_session(run, clock)
        if isinstance(exc, DiskFullError):
            exc.run_dir = run.dir.path  # the message says how to go on once there is room
        with contextlib.suppress(DiskFullError):  # no room to say so: run.json stays as last written, whole
            run.save()
        raise


def _total_seconds(run: Run, clock: Deadline) -> float:
    return round(run.offset + clock.elapsed(), 2)


def _session(plan: Any, before: str) -> dict[str, Any]:
    return {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "budget_seconds": plan.budget_seconds,
            "resumed_from": None if before == "new" else before}


def _end_session(run: Run, clock: Deadline) -> None:
    run.record.sessions[-1] |= {"seconds": round(clock.elapsed(), 2), "status": run.record.status}


def _kept_approaches(record: RunRecord, plan: Any) -> list[ApproachPlan]:
    """Approaches an earlier session searched to the end that this session's plan leaves out (its budget too
    small for them, say): their models are reused as they are, so a resume never loses a finalist."""
    planned = {a.name for a in plan.approaches}
    earlier = [ApproachPlan(**a) for a in (record.plan or {}).get("approaches", []) if isinstance(a, dict)]
    return [a for a in earlier if a.name not in planned and a.name in record.searched and a.name in record.models]


def _search(run: Run, clock: Deadline) -> list[Finalist]:
    """Each approach in turn: its planned seconds, the last one whatever is left; what they leave unused to the
    primary approach (``giveback``); then the blend of them all."""
    searches = clock.child(keep=run.plan.reserve_seconds + run.plan.refit_seconds)
    finalists: list[Finalist] = []
    for i, approach in enumerate(run.plan.approaches):
        last = i == len(run.plan.approaches) - 1
        window = searches.child(None if last else approach.seconds)
        short = _too_short(run, approach, window.seconds)
        if short:
            run.record.errors.append(f"{approach.name}: {short}")
            run.settings.listener(Event("message", message=f"[{approach.name}] {short}"))
            continue
        finalist = run_approach(run, approach, window)
        if finalist is not None:
            finalists.append(finalist)
        run.save()
    finalists = given_back(run, searches, finalists)
    for approach in run.kept:
        finalist = run_approach(run, approach, searches.child(0.0))
        if finalist is not None:
            finalists.append(finalist)
    finalists.sort(key=lambda f: registry.KINDS.index(f.kind) if f.kind in registry.KINDS else len(registry.KINDS))
    if len(finalists) >= 2:
        finalists.append(_blend(run, finalists))
    return finalists


def _too_short(run: Run, approach: ApproachPlan, seconds: float) -> str:
    """Why ``approach`` is skipped with ``seconds`` left for it, or "": with no time at all, or, for a comparison,
    less than half the time its route needs to load and train (``RouteSpec.min_seconds``, by which the plan
    gave it a share), now that the approaches before it have run: one that overran its share on a wide table
    left a network 6 s of the 20 it needs, and it trained one epoch, scored at chance, and its loading, saving
    and scoring ran the run 27 s past its budget. Half, because the plan's figure is a cautious one and a
    network short of a few seconds still trains. An approach whose earlier model is reused needs no time."""
    if reusable(run, approach.name):
        return ""
    if seconds <= 1.0:
        return "no time left in the budget; skipped."
    needs = registry.route_spec(run.plan.modality, approach.name).min_seconds
    if approach.role == "comparison" and seconds < needs / 2:
        return (f"skipped: the approaches before it left {seconds:.0f}s, less than half the {needs:.0f}s it needs "
                "to load and train here; raise --budget to include it.")
    return ""


def _deploy(run: Run, best: Finalist, clock: Deadline) -> None:
    """Refit the chosen model on all rows in the time left before the reserve; a stop keeps the scored one."""
    from .deploy import can_refit, deploy

    listener = run.settings.listener
    if can_refit(run, best):  # else the deployment's note alone says the model is used as its search left it
        listener(Event("message", message=f"refitting the chosen model ({best.approach}) on all rows for deployment"))
    run.record.deployed = deploy(run, best, clock.child(keep=run.plan.reserve_seconds))
    run.save()
    for note in run.record.deployed["notes"]:
        listener(Event("message", message=note))


def _blend(run: Run, finalists: list[Finalist]) -> Finalist:
    """The finalists' ensemble: weights by greedy selection on the validation rows every finalist predicted
    (equal weights when there are none), scored on the test rows like them; its cost is all its members'."""
    task = run.plan.task
    rows, selection = _selection(run, finalists)
    for f in finalists:
        f.selection_score = _decided_score(run, f.approach, rows, selection.scores.get(f.approach))
    names = tuple(selection.weights)
    members = [f for f in finalists if f.approach in selection.weights]
    model = BlendModel([], task, names, tuple(selection.weights.values()))
    run.outputs["blend"] = model.combine([run.outputs[n] for n in names])
    if rows is not None:
        run.validation["blend"] = (rows, selection.output)  # its out-of-sample rows, for its interval
    decision = decided(run, "blend", rows, selection.output) if rows is not None else None
    score = selection.score if decision is None else decision.after
    run.dir.replace_dir("models/blend", model.save)
    run.record.models["blend"] = "models/blend"
    run.record.selection = {"rows": selection.rows, "how": selection.how, "weights": selection.weights}
    weighed = ("its weights were chosen on those same rows, so its validation score flatters it a little; the "
               "test score does not" if selection.score is not None else "nothing is fitted")
    notes = [f"Weighted average of {len(names)} of the {len(finalists)} models' predictions by "
             f"{selection.how}; {weighed}. It costs all its members' training and prediction time."]
    return Finalist(
        approach="blend", model=model.name, params=model.params,
        test_scores=score_output(task, run.split.y_test, run.outputs["blend"], weights=decision and decision.weights,
                                 sample_weight=run.split.w_test),
        val_score=score,
        fit_seconds=round(sum(f.fit_seconds for f in members), 2),
        predict_ms_per_row=round(sum(f.predict_ms_per_row for f in members), 4),
        model_bytes=sum(f.model_bytes for f in members), peak_memory_mb=max(f.peak_memory_mb for f in members),
        trials=0, cost_usd=round(sum(f.cost_usd for f in members), 6),
        cpu_seconds=_total(f.cpu_seconds for f in members), gpu_seconds=_total(f.gpu_seconds for f in members),
        predict_cpu_ms_per_row=_total(f.predict_cpu_ms_per_row for f in members), kind="blend",
        noun="the blend", selection_score=score,
        notes=notes if decision is None else [*notes, decision.note("the blend")],
    )


def _with_intervals(run: Run, finalists: list[Finalist]) -> list[Finalist]:
    """For a regression, each finalist's prediction interval (``automl.intervals``) from its out-of-sample
    validation rows, kept in ``run.json``'s ``intervals`` with the share of test rows it held, and said in its
    notes; the finalists as they were otherwise."""
    import dataclasses

    import numpy as np

    from .. import intervals

    run.record.intervals = {}
    if run.plan.task != "regression":
        return finalists
    y_train, y_test, out = np.asarray(run.split.y_train, dtype=float), run.split.y_test, []
    w_train, w_test = run.split.w_train, run.split.w_test
    for f in finalists:
        rows, output = run.validation.get(f.approach, (None, None))
        rows = None if rows is None else np.asarray(rows, dtype=int)
        found = (None if rows is None or output is None
                 else intervals.fit(y_train[rows], output, sample_weight=None if w_train is None else w_train[rows]))
        if found is None:
            out.append(f)
            continue
        output = run.outputs[f.approach]
        held = intervals.coverage(y_test, output, found.widths(output), w_test)
        run.record.intervals[f.approach] = found.to_dict() | {"test_coverage": round(held, 4)}
        out.append(dataclasses.replace(f, notes=[*f.notes, intervals.note(found, held, len(y_test))]))
    return out


def _selection(run: Run, finalists: list[Finalist]) -> tuple[Any, Selection]:
    """The validation rows all finalists predicted out of sample (None when there are too few to choose on), and
    the greedy ensemble weights chosen on them."""
    validation = {f.approach: run.validation.get(f.approach, (None, None)) for f in finalists}
    rows = shared_rows(validation)
    names = [f.approach for f in finalists]
    if rows is None:
        return None, equal_weights(names, "a finalist gave no out-of-sample predictions to choose weights on")
    if len(rows) < MIN_ROWS:
        return None, equal_weights(names, f"only {len(rows)} validation rows are shared by every finalist")
    y = run.split.y_train[rows]
    outputs = {name: on_rows(found, output, rows) for name, (found, output) in validation.items()}
    return rows, greedy_weights(outputs, y, run.plan.task, run.plan.metric, sample_weight=run.split.weights(rows))


def _decided_score(run: Run, name: str, rows: Any, score: float | None) -> float | None:
    """``name``'s score on the shared validation ``rows`` with its decision rule (``run.json``'s ``decisions``),
    so finalists are compared as they predict; ``score`` (the most probable class's) when it has none."""
    from ..decision import saved_weights

    weights = saved_weights(run.record.decisions, name, len(run.split.classes or []))
    if rows is None or weights is None:
        return score
    found, output = run.validation[name]
    return float(score_output(run.plan.task, run.split.y_train[rows], on_rows(found, output, rows), run.plan.metric,
                              weights=weights, sample_weight=run.split.weights(rows)))


def _choice(run: Run, finalists: list[Finalist]) -> Choice:
    """The finalist used (``automl.run.choice``), its gaps measured on the validation rows every finalist
    predicted, each as it predicts (its decision rule) and each row as much as it weighs."""
    rows = run.validation.get("blend", (None, None))[0]
    if rows is None:
        return choose(finalists, run.plan.metric)
    from ..decision import saved_weights
    from ..report.bootstrap import paired_difference

    y, k = run.split.y_train[rows], len(run.split.classes or [])

    def gap(a: str, b: str) -> dict[str, Any] | None:
        if a not in run.validation or b not in run.validation:
            return None
        out_a, out_b = (on_rows(*run.validation[n], rows) for n in (a, b))
        rules = (saved_weights(run.record.decisions, a, k), saved_weights(run.record.decisions, b, k))
        return paired_difference(y, out_a, out_b, run.plan.task, run.plan.metric, seed=run.settings.seed,
                                 level=LEVEL, max_seconds=GAP_SECONDS, weights=rules,
                                 sample_weight=run.split.weights(rows))

    return choose(finalists, run.plan.metric, gap)


def _store_row_hashes(folder: RunDir, dataset: Any, profile: Any) -> dict[str, Any]:
    """Write the distinct hashes of the rows with a target (features and target) to ``ROW_HASHES``; what
    ``run.json`` says of them."""
    import io

    import numpy as np

    columns = [c.name for c in profile.features] + [profile.target]
    frame = dataset.frame.loc[clean_target(dataset.frame[profile.target])[0].notna().to_numpy()]
    files = file_columns({c.name: c.kind for c in profile.features})
    hashes = np.unique(row_hashes(frame, columns, files, dataset.root))
    buffer = io.BytesIO()
    np.save(buffer, hashes, allow_pickle=False)
    folder.write_bytes(ROW_HASHES, buffer.getvalue())
    return {"file": ROW_HASHES, "rows": int(len(frame)), "distinct": int(len(hashes)), "columns": columns,
            "files_by_content": files}


def _total(values: Any) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else round(sum(values), 4)


def _record(dataset: Any, profile: Any, plan: Any, hardware: Any, settings: RunSettings, prepared: Prepared
            ) -> RunRecord:
    split = prepared.split
    return RunRecord(
        command=settings.command, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        data={"name": dataset.name, "source": dataset.source, "rows": profile.n_rows, "bytes": profile.n_bytes,
              "sha256": fingerprint(dataset)} | ({"large": dataset.large.describe()} if dataset.large else {})
             | ({"decimal_commas": list(dataset.commas)} if dataset.commas else {})
             | ({"encoding": dataset.encoding} if getattr(dataset, "encoding", None) else {}),
        versions=versions(), hardware=hardware.to_dict(), seed=settings.seed, budget_seconds=plan.budget_seconds,
        target=profile.target, task=profile.task, modality=profile.modality, classes=split.classes,
        features=list(split.kinds), kinds=split.kinds,
        split={"train_rows": int(len(split.y_train)), "test_rows": int(len(split.y_test)),
               "test_sha256": positions(prepared.test_rows)},
        profile=profile.to_dict(), plan=plan.to_dict(), skipped_files=prepared.skipped_files,
        prices=settings.prices.to_dict() if settings.prices is not None else None,
        settings={"compare": settings.compare, "refit": plan.refit_seconds > 0 or settings.refit,
                  "device": settings.device, "metric": plan.metric, "max_trials": settings.max_trials,
                  "max_epochs": settings.max_epochs, "drop": list(getattr(profile, "drop", [])),
                  "group": getattr(profile, "group", None), "order": getattr(profile, "order", None),
                  "weight": getattr(profile, "weight", None), "dask": settings.dask, "memory": settings.memory},
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
    rule_train: Any = None  # how the training rows may be split (``splitting.Rule``, from --group or --order)
    w_train: Any = None  # how much each training row counts (--weight); None: alike
    w_test: Any = None  # and each test row

    def weights(self, rows: Any) -> Any:
        """The weights of training rows at positions ``rows``; None when rows count alike."""
        import numpy as np

        return None if self.w_train is None else self.w_train[np.asarray(rows, dtype=int)]


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
    rows = np.flatnonzero(keep) if dataset.positions is None else np.asarray(dataset.positions)[keep]
    frame = frame.loc[keep].reset_index(drop=True)
    decoded = registry.modality(profile.modality).decode(frame, profile, plan, dataset.root, hardware)
    frame = decoded.frame
    if decoded.good is not None:
        frame, rows = frame.loc[decoded.good].reset_index(drop=True), rows[decoded.good]
    features = [c.name for c in profile.features]
    kinds = {c.name: c.kind for c in profile.features}
    y, classes = encode_target(frame[profile.target], profile.task)
    rule = split_rule(frame, getattr(profile, "group", None), getattr(profile, "order", None))
    train, test = split_rows(y, profile.task, plan.test_rows, seed, rule)
    if classes is not None and len(np.unique(y[train])) < len(classes):
        missing = [str(classes[c]) for c in sorted(set(range(len(classes))) - set(np.unique(y[train]).tolist()))]
        raise DataError(f"class(es) {', '.join(map(repr, missing[:5]))} of {profile.target!r} are only in the test "
                        "rows, held out whole by --group or as the latest by --order: a model cannot learn them. "
                        "Remove those rows, or split another way.")
    weight = getattr(profile, "weight", None)
    w = row_weights.values(frame, weight) if weight else None
    split = Split(frame.loc[train, features].reset_index(drop=True), y[train],
                  frame.loc[test, features].reset_index(drop=True), y[test], kinds, classes,
                  rule.of(train) if rule is not None else None,
                  None if w is None else w[train], None if w is None else w[test])
    cache = {profile.modality: decoded.cache} if decoded.cache is not None else {}
    return Prepared(split, rows[test], decoded.skipped or [], cache)


def leaderboard_frame(finalists: list[Finalist], metric: str, floor: dict[str, Any] | None = None) -> Any:
    """One row per finalist, best test score first, with the ``floor`` (the run's majority-class or mean
    baseline, ``run.baseline``) ranked among them as approach ``baseline``, so a model that does not beat
    it shows; it has no validation score, time or size, for it is not a model anything chooses.

    >>> a = Finalist("classical", "xgboost", {}, {"accuracy": 0.9}, 0.88, 1.5, 0.01, 1000, 50.0, 3, 0.0001)
    >>> floor = {"approach": "baseline", "model": "majority class", "test_scores": {"accuracy": 0.4}}
    >>> leaderboard_frame([a], "accuracy", floor)[["approach", "test_accuracy"]].to_dict("list")
    {'approach': ['classical', 'baseline'], 'test_accuracy': [0.9, 0.4]}
    """
    import pandas as pd

    rows = []
    for f in finalists:
        row = {"approach": f.approach, "model": f.model, f"test_{metric}": f.test_scores.get(metric)}
        row |= {f"test_{k}": v for k, v in f.test_scores.items() if k != metric}
        row |= {"val_score": f.val_score, "selection_score": f.selection_score, "fit_seconds": f.fit_seconds,
                "predict_ms_per_row": f.predict_ms_per_row,
                "model_bytes": f.model_bytes, "peak_memory_mb": f.peak_memory_mb, "trials": f.trials,
                "cost_usd": f.cost_usd}
        rows.append(row)
    if floor is not None:
        scores = floor["test_scores"]
        row = {"approach": floor["approach"], "model": floor["model"], f"test_{metric}": scores.get(metric)}
        rows.append(row | {f"test_{k}": v for k, v in scores.items() if k != metric}
                    | {"val_score": floor.get("val_score")})
    frame = pd.DataFrame(rows)
    return frame.sort_values(f"test_{metric}", ascending=not greater_is_better(metric), kind="stable",
                             na_position="last").reset_index(drop=True)


def write_predictions(folder: Any, rows: Any, split: Any, outputs: dict[str, Any],
                      decisions: dict[str, Any] | None = None, intervals: dict[str, Any] | None = None) -> None:
    """test_predictions.csv: each test row's position in the file, its actual value (and its weight, with
    ``--weight``), and every finalist's prediction (by its decision rule, ``run.json``'s ``decisions``, where it has
    one) with one probability column per class, or for a regression the bounds of its interval (``intervals``)
    where it has one."""
    import pandas as pd

    from ..decision import labels, saved_weights
    from ..intervals import saved

    classes = split.classes
    table: dict[str, Any] = {"row": rows, "actual": [classes[i] for i in split.y_test] if classes else split.y_test}
    if split.w_test is not None:
        table["weight"] = split.w_test
    for name, output in outputs.items():
        if classes is None:
            table[f"{name}_prediction"] = output
            interval = saved(intervals, name)
            if interval is not None:
                width = interval.widths(output)
                table[f"{name}_lower"], table[f"{name}_upper"] = output - width, output + width
            continue
        table[f"{name}_prediction"] = [classes[i] for i in labels(output, saved_weights(decisions, name, len(classes)))]
        for j, c in enumerate(classes):
            table[f"{name}_proba_{c}"] = output[:, j]
    folder.write_text("test_predictions.csv", pd.DataFrame(table).to_csv(index=False))
