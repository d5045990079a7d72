"""The route contract, checked for every registered route and every task (as scikit-learn's ``check_estimator``).

Each case prepares tiny synthetic data of the route's modality the way a run
does (load, inspect, plan, decode once, split), runs the route's ``search``
with 1 trial of 1 epoch, and checks what every route promises:

* a ``SearchResult`` whose model has a name, JSON-serialisable params and a validation score;
* trial records in the run's metric, at most ``max_trials`` of them, at least one that finished;
* the model handed last to ``improved`` (the one on disk) predicts exactly what the result's model does;
* predictions of the right shape: probabilities that sum to one, classes that are their argmax, finite values;
* out-of-sample predictions on training rows it did not fit (``val_rows``, ``val_output``), which the run
  chooses and weighs the blend on: distinct rows, outputs shaped like ``predict_proba``'s, in the target's units;
* ``save`` writes the files ``saves`` lists, and the route's ``load`` reads back identical predictions;
* a route registered with ``refits`` refits the model on all rows (training and test) with a note, and that
  model keeps the prediction, save and load contract; with no time left it refits nothing;
* the deadline holds: with no trial cap, the search returns within its deadline plus the time the route asks to
  keep for finishing;
* the deep routes give the same contract on the JAX and PyTorch backends (a second interpreter with
  ``KERAS_BACKEND`` set).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from synthetic import labelled

from automl import registry
from automl.budget import Deadline
from automl.data import load
from automl.data.profile import inspect_dataset
from automl.hardware import Hardware
from automl.run.plan import make_plan
from automl.run.runner import prepare
from automl.search.base import SearchContext, SearchResult

TASKS = ("binary", "multiclass", "regression")
POLICY = "AUTOML_TEST_DTYPE_POLICY"
HARDWARE = Hardware(2, 8 << 30, None)
CASES = [pytest.param(spec.modality, spec.approach, task, marks=[pytest.mark.slow] if spec.kind == "deep" else [],
                      id=f"{spec.modality}-{spec.approach}-{task}")
         for m in registry.modalities() for spec in registry.routes(m.name) for task in TASKS]


def context(modality: str, approach: str, task: str, folder: Path, deadline: Deadline,
            max_trials: int | None = 1) -> tuple[SearchContext, list, object]:
    """The route's context as a run builds it, the list ``improved`` fills, and the run's split."""
    data, target = labelled(modality, task, folder)
    profile = inspect_dataset(load(data), target, task)
    assert profile.modality == modality and profile.task == task
    plan = make_plan(profile, 600, HARDWARE)
    prepared = prepare(load(data), profile, plan, HARDWARE, seed=0)
    split, handed = prepared.split, []
    ctx = SearchContext(approach=approach, X=split.X_train, y=split.y_train, task=task, metric=plan.metric,
                        classes=split.classes, kinds=split.kinds, seed=0, validation=plan.validation, folds=plan.folds,
                        deadline=deadline, hardware=HARDWARE, max_trials=max_trials, max_epochs=1,
                        improved=handed.append, inputs=plan.inputs, cache=prepared.cache)
    return ctx, handed, split


@pytest.fixture(autouse=True)
def _dtype_policy():
    """Under ``AUTOML_TEST_DTYPE_POLICY`` (``mixed_float16``: what a GPU run uses), every network is built with
    that Keras policy."""
    policy = os.environ.get(POLICY)
    if not policy:
        yield
        return
    import keras

    keras.mixed_precision.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


def check_precision(model, ctx: SearchContext) -> None:
    """Under a mixed policy: layers computed in float16, the output in float32, every epoch's loss finite (a
    loss that is not a number is left out of the epoch's record)."""
    layers = model.keras_model.layers
    assert any(layer.compute_dtype == "float16" for layer in layers), "the mixed policy was not in effect"
    assert all(str(t.dtype).endswith("float32") for t in model.keras_model.outputs)
    assert ctx.history and all("loss" in epoch for epoch in ctx.history), ctx.history


def outputs(model, X, task: str):
    return model.predict(X) if task == "regression" else model.predict_proba(X)


def check_predictions(model, X, task: str, n_classes: int) -> None:
    pred = np.asarray(model.predict(X))
    assert pred.shape == (len(X),)
    if task == "regression":
        assert np.isfinite(pred.astype(float)).all()
        return
    proba = np.asarray(model.predict_proba(X))
    assert proba.shape == (len(X), n_classes) and np.isfinite(proba).all() and (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (pred == proba.argmax(axis=1)).all()


def check_validation(result: SearchResult, ctx: SearchContext, task: str) -> None:
    rows, output = np.asarray(result.val_rows), np.asarray(result.val_output, dtype=float)
    assert rows.ndim == 1 and len(rows) > 0 and len(np.unique(rows)) == len(rows)
    assert rows.min() >= 0 and rows.max() < len(ctx.X) and len(output) == len(rows) and np.isfinite(output).all()
    if task == "regression":
        assert output.shape == (len(rows),)
        y = np.asarray(ctx.y, dtype=float)
        assert y.min() - 3 * y.std() <= output.mean() <= y.max() + 3 * y.std()  # the target's units, not standardised
    else:
        assert output.shape == (len(rows), ctx.n_classes)
        np.testing.assert_allclose(output.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("modality, approach, task", CASES)
def test_route_contract(modality, approach, task, tmp_path):
    spec = registry.route_spec(modality, approach)
    route = spec.route()
    if spec.kind == "deep":
        import keras

        assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "tensorflow")
    ctx, handed, split = context(modality, approach, task, tmp_path / "data", Deadline(300.0))
    result = route.search(ctx)

    assert isinstance(result, SearchResult) and isinstance(result.model.name, str) and result.model.name
    json.dumps(result.model.params)
    assert result.val_score is None or np.isfinite(result.val_score)
    assert 1 <= len(ctx.trials) <= ctx.max_trials
    for trial in ctx.trials:
        assert trial.approach == approach and trial.metric == ctx.metric and trial.status in ("ok", "failed", "stopped")
        json.dumps(trial.to_dict())
    assert any(t.status == "ok" and t.val_score is not None for t in ctx.trials)

    check_validation(result, ctx, task)
    if spec.kind == "deep" and os.environ.get(POLICY):
        check_precision(result.model, ctx)
    compiled = spec.kind == "deep" and os.environ.get("KERAS_BACKEND") == "jax"
    if compiled:  # on JAX a network that is not compiled trains and predicts op by op (search.networks)
        assert result.model.keras_model.jit_compile, "the network trained op by op on JAX"

    assert handed, "the best model so far must reach ctx.improved"
    np.testing.assert_allclose(outputs(handed[-1], split.X_test, task), outputs(result.model, split.X_test, task))
    check_predictions(result.model, split.X_test, task, len(split.classes or []))

    folder = tmp_path / "model"
    folder.mkdir()
    result.model.save(folder)
    for group in route.saves:
        assert any((folder / name).exists() for name in group), (group, sorted(p.name for p in folder.iterdir()))
    loaded = route.load(folder)
    assert not compiled or loaded.keras_model.jit_compile, "the reloaded network predicts op by op on JAX"
    np.testing.assert_allclose(outputs(loaded, split.X_test, task), outputs(result.model, split.X_test, task),
                               rtol=1e-5, atol=1e-6)
    if task != "regression":  # the same classes exactly (values are compared above, to float tolerance)
        assert (np.asarray(loaded.predict(split.X_test)) == np.asarray(result.model.predict(split.X_test))).all()
    if spec.refits:
        check_refit(route, result.model, ctx, split, task, tmp_path / "refitted")


def check_refit(route, model, ctx: SearchContext, split, task: str, folder: Path) -> None:
    """The refit on all rows: a new model with the same contract; none when no time is left."""
    import pandas as pd

    X = pd.concat([split.X_train, split.X_test], ignore_index=True)
    y = np.concatenate([split.y_train, split.y_test])
    late = dataclasses.replace(ctx, X=X, y=y, deadline=Deadline(0.0))
    assert route.refit(model, late) is None
    found = route.refit(model, dataclasses.replace(ctx, X=X, y=y, deadline=Deadline(60.0)))
    assert found is not None and found.model is not model and str(len(y)) in found.note.replace(",", "")
    check_predictions(found.model, split.X_test, task, len(split.classes or []))
    folder.mkdir()
    found.model.save(folder)
    again = outputs(route.load(folder), split.X_test, task)
    np.testing.assert_allclose(again, outputs(found.model, split.X_test, task), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("modality, approach", [pytest.param(*c.values[:2], marks=c.marks, id=c.id[:-len("-binary")])
                                                for c in CASES if c.values[2] == "binary"])
def test_route_keeps_its_deadline(modality, approach, tmp_path):
    route = registry.route_spec(modality, approach).route()
    seconds = 25.0 if registry.route_spec(modality, approach).kind == "deep" else 4.0
    ctx, handed, _ = context(modality, approach, "binary", tmp_path / "data", Deadline(seconds), max_trials=None)
    ctx.max_epochs = None
    ctx.deadline, started = Deadline(seconds), time.monotonic()  # from the start of the search, as in a run
    route.search(ctx)
    spent = time.monotonic() - started
    assert spent <= seconds + route.finish_seconds(seconds) + 5.0, spent
    assert handed


@pytest.mark.slow
def test_deep_routes_keep_the_contract_on_jax():
    """The deep routes' contract cases, in a fresh interpreter on the JAX backend (one task each)."""
    _deep_contract_in_a_fresh_interpreter(KERAS_BACKEND="jax")


@pytest.mark.slow
def test_deep_routes_keep_the_contract_on_jax_in_mixed_precision():
    """The same under Keras's ``mixed_float16`` policy, which a run on a GPU uses: float16 layers, float32
    outputs, finite losses, saved networks that reload and predict the same."""
    _deep_contract_in_a_fresh_interpreter(KERAS_BACKEND="jax", **{POLICY: "mixed_float16"})


@pytest.mark.slow
def test_deep_routes_keep_the_contract_on_torch():
    """The deep routes' contract cases, in a fresh interpreter on the PyTorch backend (one task each)."""
    _deep_contract_in_a_fresh_interpreter(KERAS_BACKEND="torch")


def _deep_contract_in_a_fresh_interpreter(**variables: str) -> None:
    pytest.importorskip(variables["KERAS_BACKEND"])
    env = dict(os.environ, **variables)
    done = subprocess.run([sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider", "-m", "slow",
                           "-k", "test_route_contract and deep and multiclass", "-o", "addopts=", "-W", "ignore"],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).parent, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    deep = sum(1 for m in registry.modalities() for s in registry.routes(m.name) if s.kind == "deep")
    assert f"{deep} passed" in done.stdout, done.stdout[-2000:]


def test_every_route_says_what_it_saves_and_how_long_it_needs_to_finish():
    for m in registry.modalities():
        for spec in registry.routes(m.name):
            if spec.kind == "deep":
                continue  # importing a deep route's module loads Keras: the contract cases cover them
            route = spec.route()
            assert route.saves and all(isinstance(g, tuple) and g for g in route.saves), spec
            assert 0 < route.finish_seconds(60.0) < 60.0, spec


@pytest.mark.slow
@pytest.mark.parametrize("modality", ["image", "audio", "text"])
def test_deep_media_and_text_networks_train_on_whole_batches(modality, tmp_path, monkeypatch):
    """Every training call of these routes' networks gets a multiple of its batch (a last, shorter batch is a
    second shape that JAX and TensorFlow compile the training step for again), and no validation rows: those
    stay as they were and are predicted once an epoch, by the scorer (``tuner.ValScorer``), which adds the
    validation loss Keras would have computed in a second pass."""
    import keras

    from automl.search import tuner

    seen, fit, judged, epoch = [], keras.Model.fit, [], tuner.ValScorer.epoch

    def spying(model, x=None, y=None, *args, **kwargs):
        rows = len(next(iter(x.values())) if isinstance(x, dict) else x)
        seen.append((rows, kwargs.get("batch_size"), kwargs.get("validation_data")))
        return fit(model, x, y, *args, **kwargs)

    def scoring(scorer, model):
        logs = epoch(scorer, model)
        judged.append((len(scorer.y_val), tuple(sorted(logs))))
        return logs

    monkeypatch.setattr(keras.Model, "fit", spying)
    monkeypatch.setattr(tuner.ValScorer, "epoch", scoring)
    ctx, _, _ = context(modality, "deep", "multiclass", tmp_path / "data", Deadline(300.0))
    registry.route_spec(modality, "deep").route().search(ctx)
    assert seen and any(rows > batch for rows, batch, _ in seen), seen
    assert all(rows % batch == 0 or rows < batch for rows, batch, _ in seen), seen
    assert all(val is None for *_, val in seen), "validation is the scorer's, once an epoch"
    from automl.search.networks import Targets

    held_out = len(Targets.of(ctx).val)
    assert judged and set(judged) == {(held_out, ("val_loss", "val_score"))}, judged


@pytest.mark.slow
@pytest.mark.parametrize("modality", ["image", "audio", "text"])
def test_deep_networks_train_again_on_every_row_and_are_compared_on_their_output_before(modality, tmp_path,
                                                                                         monkeypatch):
    """With time left after the search, an image, audio (held in memory) or text network trains again from fresh
    weights on every training row, validation rows included (a refit trial in the records, the model marked
    refitted, unless it scores worse on rows it has seen); the validation output the approaches are compared and
    blended on is still that of the network before, which never saw those rows."""
    from automl.modalities.audio.network import AudioHyperModel
    from automl.modalities.image.network import ImageHyperModel
    from automl.search import members

    for hypermodel in (ImageHyperModel, AudioHyperModel):  # a winner stopping on its plateau leaves time to refit
        monkeypatch.setattr(hypermodel, "decay_to_deadline", False)
    before, refit = {}, members.refit

    def spying(found, *args, **kwargs):
        before["model"], before["distinct"], before["rows"] = found.model, kwargs.get("distinct"), len(args[4])
        return refit(found, *args, **kwargs)

    monkeypatch.setattr(members, "refit", spying)
    ctx, handed, _ = context(modality, "deep", "multiclass", tmp_path / "data", Deadline(300.0))
    ctx = dataclasses.replace(ctx, max_epochs=None)  # epochs given (--max-epochs) refit nothing
    result = registry.route_spec(modality, "deep").route().search(ctx)
    assert before, "the route did not refit"
    assert before["distinct"] == len(ctx.y) <= before["rows"]  # every training row (a few twice: whole batches)
    networks = members.members_of(before["model"].keras_model)
    if len(networks) > 1:  # a deep ensemble says so in its name
        assert before["model"].name == f"mean of {len(networks)} {modality} networks", before["model"].name
    refits = [t for t in ctx.trials if t.extra.get("refit")]
    assert len(refits) == len(networks) and all(t.extra["finished"] for t in refits), refits
    kept = sum(t.extra["kept"] for t in refits)  # a refit scoring worse on rows it has seen is not kept
    X_val = ctx.X.iloc[np.asarray(result.val_rows)]
    np.testing.assert_allclose(result.val_output, before["model"].predict_proba(X_val), atol=1e-5)
    if not kept:
        assert result.model is before["model"]
        return
    assert result.model.params.get("refitted") == kept and handed[-1] is result.model
    assert not np.allclose(result.model.predict_proba(X_val), before["model"].predict_proba(X_val), atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("modality", ["image", "audio"])
def test_a_media_network_trained_alone_trains_to_the_deadline_at_a_falling_rate(modality, tmp_path, monkeypatch):
    """When no bracket would compare architectures fairly, an image or audio network trains alone until the
    deadline, each epoch at a lower learning rate than the one before (not cut on plateaus, not stopped early), and
    the report's notes say so."""
    from automl.search import timed

    monkeypatch.setattr(timed, "MIN_BRACKET_EPOCHS", 10**9)  # as when the bracket that fits is too short
    ctx, handed, _ = context(modality, "deep", "binary", tmp_path / "data", Deadline(60.0))
    ctx.max_epochs = None
    ctx.deadline = Deadline(12.0)  # from the start of the search, as in a run
    result = registry.route_spec(modality, "deep").route().search(ctx)
    trained = [t for t in ctx.trials if t.approach == "deep"]
    assert len(trained) == 1 and ctx.deadline.expired(), trained
    assert "falling linearly with the time left" in " ".join(result.notes), result.notes
    rates = [e["learning_rate"] for e in ctx.history if e.get("phase") == "search"]
    assert len(rates) == trained[0].extra["epochs"] >= 3, rates
    assert all(later < earlier for earlier, later in zip(rates, rates[1:])), rates
    assert handed and handed[-1].keras_model is not None
