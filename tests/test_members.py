"""Deep ensembles from the time a network search leaves unused (``search.members``). Slow: imports Keras."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from automl.budget import Deadline
from automl.hardware import Hardware

pytestmark = pytest.mark.slow


def table(n: int = 240, seed: int = 0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["x", "y", "z"], n)})
    y = ((frame["a"] + (frame["c"] == "x") + 0.5 * rng.normal(size=n)) > 0.5).astype("int32").to_numpy()
    return frame, y


def context(y, seconds: float, handed: list):
    from automl.search.base import SearchContext

    return SearchContext(approach="deep", X=None, y=y, task="binary", metric="log_loss", classes=[0, 1],
                         kinds={"a": "numeric", "b": "numeric", "c": "categorical"}, seed=0, validation="holdout",
                         folds=1, deadline=Deadline(seconds), hardware=Hardware(2, 8 << 30, None),
                         max_trials=None, max_epochs=None, improved=handed.append)


def first_network(seconds: float):
    """A trained single network as ``timed_search`` hands it over, with what ``grow`` needs around it."""
    from automl.modalities.tabular.mlp import DeepTabularModel, InputPrep, MLPHyperModel
    from automl.search import members, timed, tuner

    frame, y = table()
    handed: list = []
    ctx = context(y, seconds, handed)
    prep = InputPrep.fit(frame.iloc[:180], ctx.kinds, (0.0, 1.0))
    x_fit, x_val = prep.inputs(frame.iloc[:180]), prep.inputs(frame.iloc[180:])
    numeric = x_fit["numeric"]
    hypermodel = MLPHyperModel(numeric.mean(axis=0), numeric.var(axis=0) + 1e-6, prep.encoder.cardinalities,
                               "binary", 2)
    params = {"units": 64, "layers": 2, "categorical": "embedding", "tuner/epochs": 4}  # as Hyperband's winner
    score = tuner.val_scorer(ctx, x_val, y[180:])
    network = members.rebuild(hypermodel, params, seed=0)
    network, val_score, epochs = tuner.continue_training(network, ctx, x_fit, y[:180], score, None, batch_size=32)

    def wrap(keras_model, p=None):
        return DeepTabularModel(keras_model, prep, "binary", 2, p or {})

    found = timed.Timed(wrap(network, params), val_score, [], epoch_seconds=0.05, epochs=epochs)
    return found, (hypermodel, ctx, wrap, x_fit, y[:180], score, 32), frame, handed


def test_rebuild_takes_the_configuration_and_the_seed():
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import members

    hypermodel = MLPHyperModel(np.zeros(2), np.ones(2), [], "binary", 2)
    one = members.rebuild(hypermodel, {"units": 64, "layers": 2, "numeric": "plain"}, seed=1)
    again = members.rebuild(hypermodel, {"units": 64, "layers": 2, "numeric": "plain"}, seed=1)
    other = members.rebuild(hypermodel, {"units": 64, "layers": 2, "numeric": "plain"}, seed=2)
    dense = [layer for layer in one.layers if layer.name.startswith("dense_")]
    assert [layer.units for layer in dense] == [64, 64]
    assert np.array_equal(one.get_weights()[0], again.get_weights()[0])
    assert not np.array_equal(one.get_weights()[0], other.get_weights()[0])


def test_the_average_predicts_the_mean_and_saves_as_one_model(tmp_path):
    import keras

    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import members

    hypermodel = MLPHyperModel(np.zeros(3), np.ones(3), [4], "binary", 2)
    networks = [members.rebuild(hypermodel, {"units": 64, "categorical": "embedding"}, seed=s) for s in (1, 2, 3)]
    both = members.average(networks)
    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(16, 3)).astype("float32"), "cat_0": rng.integers(0, 4, (16, 1)).astype("int32")}
    mean = np.mean([n.predict(x, verbose=0) for n in networks], axis=0)
    np.testing.assert_allclose(both.predict(x, verbose=0), mean, rtol=1e-5, atol=1e-6)
    assert len(members.members_of(both)) == 3 and members.members_of(networks[0]) == [networks[0]]
    assert members.average(networks[:1]) is networks[0]
    both.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", compile=False, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), mean, rtol=1e-5, atol=1e-6)
    assert sorted(t.name for t in loaded.inputs) == ["cat_0", "numeric"]


def scoring_the_mean_as(score, value):
    """The run's validation scorer, except that a mean of networks scores ``value``."""
    return lambda model: value if model.name == "deep_ensemble" else score(model)


def test_a_mean_better_on_validation_is_the_model_and_saves_and_loads(tmp_path):
    from automl.modalities.tabular import mlp
    from automl.search import members

    found, (hypermodel, ctx, wrap, x, y, score, batch), frame, handed = first_network(60.0)
    single, history = found.model, list(ctx.history)
    grown = members.grow(found, hypermodel, ctx, wrap, x, y, scoring_the_mean_as(score, found.val_score - 0.01),
                         batch, max_members=3)  # log loss: lower is better
    tried = [t for t in ctx.trials if t.extra.get("member")]
    assert [t.model for t in tried] == ["mlp/member 1", "mlp/member 2"] and all(t.extra["finished"] for t in tried)
    assert all(t.extra["epochs"] >= 1 for t in tried)
    networks = members.members_of(grown.model.keras_model)
    assert len(networks) == 3 and networks[0].get_weights()[0].tolist() == single.keras_model.get_weights()[0].tolist()
    assert grown.model.params["members"] == 3 and grown.model.name == "mean of 3 MLPs" and handed == [grown.model]
    assert grown.val_score == pytest.approx(found.val_score) and "so the mean is the model" in grown.notes[-1]
    assert ctx.history == history, "members' epochs are not the winner's training curve"
    grown.model.save(tmp_path)
    again = mlp.load(tmp_path)
    assert again.name == "mean of 3 MLPs"
    np.testing.assert_allclose(again.predict_proba(frame), grown.model.predict_proba(frame), rtol=1e-5, atol=1e-6)
    mean = np.mean([n.predict(again.prep.inputs(frame), verbose=0) for n in networks], axis=0)
    np.testing.assert_allclose(again.predict_proba(frame), mean / mean.sum(axis=1, keepdims=True), atol=1e-5)


def test_fresh_networks_train_on_the_schedule_their_winner_trained_on(monkeypatch):
    """A default network trained alone took its hypermodel's schedule (``fresh_patience``): its fresh networks
    take it too, not the shorter one of a search's winner trained on, which would leave them behind it."""
    from automl.search import members

    seen = []
    original = members.continue_training

    def training(*args, **kwargs):
        seen.append((kwargs.get("lr_patience"), kwargs.get("patience")))
        return original(*args, **kwargs)

    monkeypatch.setattr(members, "continue_training", training)
    found, (hypermodel, ctx, wrap, x, y, score, batch), _, _ = first_network(60.0)
    hypermodel.fresh_patience = (2, 5)
    members.grow(found, hypermodel, ctx, wrap, x, y, score, batch, max_members=2)  # the search's winner
    alone = dict(found.model.params)
    alone.pop("tuner/epochs")
    found.model = wrap(found.model.keras_model, alone)  # as ``timed.train_default`` hands it over
    members.grow(found, hypermodel, ctx, wrap, x, y, score, batch, max_members=2)
    assert seen == [(None, None), (2, 5)]


def test_each_fresh_network_records_its_speed_and_on_a_gpu_its_gpu_use(tmp_path, monkeypatch):
    import dataclasses

    from automl.search import members

    smi = tmp_path / "nvidia-smi"  # a stand-in: the networks train on the CPU, the meter reads this
    smi.write_text('#!/bin/sh\necho "64, 2048"\n')
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    found, (hypermodel, ctx, wrap, x, y, score, batch), _, _ = first_network(60.0)
    on_gpu = dataclasses.replace(ctx, hardware=Hardware(2, 8 << 30, "NVIDIA H200"))
    members.grow(found, hypermodel, on_gpu, wrap, x, y, score, batch, max_members=2)
    tried = [t for t in on_gpu.trials if t.extra.get("member")]
    assert tried and all(t.extra["rows_per_second"] > 0 for t in tried)
    assert all((t.extra["gpu_util_mean"], t.extra["gpu_memory_peak_mb"]) == (64.0, 2048.0) for t in tried)
    before = len(ctx.trials)  # the same list: a replaced context shares it
    members.grow(found, hypermodel, ctx, wrap, x, y, score, batch, max_members=2)  # no GPU: speed only
    plain = [t for t in ctx.trials[before:] if t.extra.get("member")]
    assert plain and all(t.extra["rows_per_second"] > 0 and "gpu_util_mean" not in t.extra for t in plain)


@pytest.mark.parametrize("worse_by", [0.1, 0.0])
def test_a_mean_worse_or_tied_on_validation_leaves_the_winner(worse_by):
    from automl.search import members

    found, (hypermodel, ctx, wrap, x, y, score, batch), _, handed = first_network(60.0)
    before = (found.model, found.val_score)
    scorer = scoring_the_mean_as(score, found.val_score + worse_by)  # log loss: higher is worse
    grown = members.grow(found, hypermodel, ctx, wrap, x, y, scorer, batch, max_members=2)
    assert (grown.model, grown.val_score) == before and not handed
    assert "so the single network is kept" in grown.notes[-1] and len(ctx.trials) == 1


def test_a_network_the_deadline_cuts_short_is_left_out(monkeypatch):
    from automl.search import members

    found, (hypermodel, ctx, wrap, *rest), _, handed = first_network(60.0)
    now = [0.0]
    ctx.deadline = Deadline(30.0, clock=lambda: now[0])
    original = members.rebuild
    monkeypatch.setattr(members, "rebuild", lambda *a: (now.__setitem__(0, 31.0), original(*a))[1])  # time runs out
    before = (found.model, found.val_score)
    grown = members.grow(found, hypermodel, ctx, wrap, *rest, max_members=5)
    tried = [t for t in ctx.trials if t.extra.get("member")]
    assert len(tried) == 1 and not tried[0].extra["finished"]
    assert (grown.model, grown.val_score) == before and not handed
    assert "cut short by the deadline" in grown.notes[-1]


def test_a_network_without_the_time_for_its_plateau_trains_the_epochs_the_time_holds_and_joins_the_mean():
    from automl.search import members

    found, (hypermodel, ctx, wrap, x, y, score, batch), _, handed = first_network(60.0)
    found.epoch_seconds, found.epochs = 1.0, 20  # the winner took 20 s to its plateau
    ctx.deadline = Deadline(16.0)  # 15 s left, less than a network's 20 s but more than half of it
    grown = members.grow(found, hypermodel, ctx, wrap, x, y, scoring_the_mean_as(score, found.val_score - 0.01),
                         batch, max_members=2)
    tried = [t for t in ctx.trials if t.extra.get("member")]
    assert len(tried) == 1
    planned = tried[0].extra["planned_epochs"]
    assert 12 <= planned <= 14 and tried[0].extra["epochs"] == planned and tried[0].extra["finished"]
    assert grown.model.params["members"] == 2 and handed == [grown.model]
    assert f"trained the {planned} epochs the time held" in grown.notes[-1] and "the winner took 20" in grown.notes[-1]
    assert len(grown.schedules) == 2 and len(grown.schedules[1].rates) >= 1, "the budgeted network can be refitted"


def test_a_budgeted_network_lowers_its_rate_linearly_and_keeps_its_best_epoch():
    from automl.search import members, tuner

    found, (hypermodel, ctx, wrap, x, y, score, batch), _, _ = first_network(60.0)
    network = members_rebuild(hypermodel, {"units": 64, "layers": 2})
    start = tuner.learning_rate(network)
    judged = iter([0.9, 0.7, 0.8, 0.85])  # log loss: the second epoch is the best
    weights = []

    def scorer(model):
        weights.append(model.get_weights())
        return next(judged)

    rates: list = []
    network, best, epochs = members.train_budgeted(network, 4, ctx, x, y, scorer, batch, path=rates)
    assert (best, epochs) == (0.7, 4)
    assert rates == [pytest.approx(start), pytest.approx(start * 3 / 4)], "the rates behind the second epoch"
    assert tuner.learning_rate(network) == pytest.approx(start / 4), "the last epoch stepped at a quarter"
    assert all(np.array_equal(a, b) for a, b in zip(network.get_weights(), weights[1])), "the best epoch's weights"


@pytest.mark.parametrize("epoch_seconds,epochs", [(1000.0, 10), (1.0, 130)])  # hours; over twice the minute left
def test_grow_trains_nothing_without_the_time_for_a_network(epoch_seconds, epochs):
    from automl.search import members

    found, (hypermodel, ctx, wrap, *rest), _, handed = first_network(60.0)
    found.epoch_seconds, found.epochs = epoch_seconds, epochs
    before = (found.model, found.val_score, len(ctx.trials))
    grown = members.grow(found, hypermodel, ctx, wrap, *rest, max_members=5)
    assert (grown.model, grown.val_score, len(ctx.trials)) == before and not handed and not grown.notes


def bagging(seconds: float, clock=None):
    """A trained winner on its holdout (rows 180-239) and the splits ``bag`` trains fresh networks on, that first."""
    from automl.search import members, tuner

    found, (hypermodel, ctx, wrap, x_fit, y_fit, score, batch), frame, handed = first_network(seconds)
    if clock is not None:
        ctx.deadline = Deadline(seconds, clock=clock)
    y = ctx.y
    prep = found.model.prep
    x_all = prep.inputs(frame)
    pairs = members.folds(y, "binary", np.arange(180, 240), 0, 4)
    splits = [members.Split(x_fit, y_fit, score, score.x_val, pairs[0][1])] + [
        members.Split(members.take(x_all, fit), y[fit], tuner.val_scorer(ctx, members.take(x_all, held), y[held]),
                      members.take(x_all, held), held) for fit, held in pairs[1:]]
    return found, (hypermodel, ctx, wrap, splits, batch), frame, handed


def test_folds_validate_every_row_once_and_start_from_the_winners_holdout():
    from automl.search import members

    y = np.repeat([0, 1, 2], [30, 20, 10])
    pairs = members.folds(y, "multiclass", np.arange(0, 60, 5), 0, 5)
    assert pairs[0][1].tolist() == list(range(0, 60, 5))
    held = np.concatenate([v for _, v in pairs])
    assert sorted(held.tolist()) == list(range(60))
    for fit, val in pairs:
        assert not np.intersect1d(fit, val).size and len(fit) + len(val) == 60
        assert set(y[val]) == {0, 1, 2}, "stratified: every class in every fold"
    values = np.random.default_rng(0).normal(size=50)
    assert sorted(np.concatenate([v for _, v in members.folds(values, "regression", np.arange(10), 0, 5)]).tolist()) \
        == list(range(50))


def test_a_bag_predicts_every_finished_fold_out_of_fold_and_saves_and_loads(tmp_path):
    from automl.metrics import score_output
    from automl.modalities.tabular import mlp
    from automl.search import members, tuner

    # a clock that stands still and an hour on it: every fold finishes however slow the machine, since ``bag``
    # also weighs the last fold's real seconds against the time left (the deadline's cut is pinned below)
    found, (hypermodel, ctx, wrap, splits, batch), frame, handed = bagging(3600.0, clock=lambda: 0.0)
    winner = found.model.keras_model
    bagged, rows, output = members.bag(found, hypermodel, ctx, wrap, splits, batch, ctx.y, (0.0, 1.0))
    tried = [t for t in ctx.trials if t.extra.get("member")]
    assert [t.model for t in tried] == ["mlp/fold 1", "mlp/fold 2", "mlp/fold 3", "mlp/fold 4"]
    assert bagged.model.name == "bag of 5 MLPs" and bagged.model.params["bagged"] and handed == [bagged.model]
    assert rows.tolist() == list(range(240)), "every row predicted once"
    networks = members.members_of(bagged.model.keras_model)
    assert len(networks) == 5 and np.array_equal(networks[0].get_weights()[0], winner.get_weights()[0])
    # each fold's rows come from the fresh network that never trained on them: the winner's holdout too, which
    # chose the winner and would flatter it
    for network, split in zip(networks[1:], splits):
        at = np.searchsorted(rows, split.rows)
        np.testing.assert_allclose(output[at], tuner.network_output(network, split.x_val, "binary"),
                                   rtol=1e-5, atol=1e-6)
    assert bagged.val_score == pytest.approx(score_output("binary", ctx.y[rows], output, "log_loss"))
    assert "never trained on it" in bagged.notes[-1]
    bagged.model.save(tmp_path)
    again = mlp.load(tmp_path)
    assert again.name == "bag of 5 MLPs"
    np.testing.assert_allclose(again.predict_proba(frame), bagged.model.predict_proba(frame), rtol=1e-5, atol=1e-6)


def test_a_bag_cut_short_keeps_the_folds_that_finished(monkeypatch):
    from automl.search import members, tuner

    now = [0.0]
    found, (hypermodel, ctx, wrap, splits, batch), _, handed = bagging(30.0, clock=lambda: now[0])
    original, calls = members.rebuild, []

    def rebuild(*a):
        calls.append(1)
        if len(calls) == 2:
            now[0] = 31.0  # the second fold's network runs past the deadline
        return original(*a)

    monkeypatch.setattr(members, "rebuild", rebuild)
    bagged, rows, output = members.bag(found, hypermodel, ctx, wrap, splits, batch, ctx.y, (0.0, 1.0))
    tried = [t for t in ctx.trials if t.extra.get("member")]
    assert [t.extra["finished"] for t in tried] == [True, False]
    assert bagged.model.name == "bag of 2 MLPs" and handed == [bagged.model]
    assert rows.tolist() == splits[0].rows.tolist(), "the winner's holdout, from the fresh network that finished"
    network = members.members_of(bagged.model.keras_model)[1]
    np.testing.assert_allclose(output, tuner.network_output(network, splits[0].x_val, "binary"),
                               rtol=1e-5, atol=1e-6)
    assert len(output) == len(rows) and "cut short by the deadline" in bagged.notes[-1]


def test_a_bag_with_no_time_is_the_winner_on_its_holdout():
    from automl.search import members, tuner

    found, (hypermodel, ctx, wrap, splits, batch), _, handed = bagging(60.0)
    found.epoch_seconds, found.epochs = 1000.0, 10
    before = (found.model, found.val_score)
    bagged, rows, output = members.bag(found, hypermodel, ctx, wrap, splits, batch, ctx.y, (0.0, 1.0))
    assert (bagged.model, bagged.val_score) == before and not handed and not ctx.trials
    assert rows.tolist() == list(range(180, 240))
    np.testing.assert_allclose(output, tuner.network_output(found.model.keras_model, splits[0].x_val,
                                                            "binary"))


def trained_alone(seconds: float = 60.0):
    """``first_network``'s winner as ``timed.train_default`` hands it over: trained from its first epoch, with the
    learning rates of the epochs behind its weights, and every training row (fit and validation) to refit on."""
    from automl.search import timed, tuner

    found, (hypermodel, ctx, wrap, x, y, score, batch), frame, handed = first_network(seconds)
    network = members_rebuild(hypermodel, {"units": 64, "layers": 2, "categorical": "embedding"})
    rates: list = []
    network, val_score, epochs = tuner.continue_training(network, ctx, x, y, score, None, batch,
                                                         patience=3, path=rates)
    found = timed.Timed(wrap(network, {"units": 64, "layers": 2, "categorical": "embedding"}), val_score, [],
                        epoch_seconds=0.05, epochs=epochs, schedules=[timed.Schedule(rates, 0.05, val_score)])
    prep = found.model.prep
    return found, (hypermodel, ctx, wrap, prep.inputs(frame), ctx.y, batch, 180, score), frame, handed


def members_rebuild(hypermodel, params):
    from automl.search import members

    return members.rebuild(hypermodel, params, seed=0)


def test_the_learning_rates_behind_the_kept_weights_are_recorded_as_training_goes():
    from automl.search import tuner

    found, (hypermodel, ctx, wrap, x, y, score, batch), _, _ = first_network(60.0)
    flat = lambda model: 0.5  # noqa: E731 - a score that never improves: the rate is cut after each flat epoch
    network = members_rebuild(hypermodel, {"units": 64, "layers": 2})
    rates: list = []
    _, best, epochs = tuner.continue_training(network, ctx, x, y, flat, None, batch, patience=3, path=rates)
    assert (best, epochs) == (0.5, 4) and rates == [pytest.approx(1e-3)], "the first epoch is the one kept"
    climbing = iter([0.9, 0.8, 0.7, 0.6, 0.65, 0.7, 0.75, 0.8])  # log loss: better, then worse
    rates = []
    tuner.continue_training(network, ctx, x, y, lambda model: next(climbing), None, batch, patience=4,
                            lr_patience=1, path=rates)
    lr = tuner.learning_rate(network)
    assert len(rates) == 4 and rates[0] == pytest.approx(rates[3]) and lr < rates[3]
    rates = []
    tuner.continue_training(network, ctx, x, y, flat, 0.1, batch, patience=2, path=rates)
    assert rates == [], "a model that comes back unchanged adds no epochs"


def test_a_refit_trains_the_network_again_on_every_training_row_and_saves_and_loads(tmp_path):
    from automl.modalities.tabular import mlp
    from automl.search import members

    found, (hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, score), frame, handed = trained_alone()
    before, val_score, rates = found.model.keras_model, found.val_score, found.schedules[0].rates
    refitted = members.refit(found, hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, score)
    network = refitted.model.keras_model
    assert network is not before and refitted.model.params["refitted"] == 1 and handed == [refitted.model]
    assert refitted.val_score == val_score, "the score stays the one measured on rows the network had not seen"
    assert not np.array_equal(network.get_weights()[0], before.get_weights()[0])
    trial, = [t for t in ctx.trials if t.extra.get("refit")]
    assert trial.model == "mlp/refit 1" and trial.val_score is None and trial.extra["epochs"] == len(rates)
    assert trial.extra["kept"] and trial.extra["score_on_rows_seen"] <= val_score, "log loss on rows it trained on"
    assert "on all 240 training rows" in refitted.notes[-1]
    refitted.model.save(tmp_path)
    again = mlp.load(tmp_path)
    np.testing.assert_allclose(again.predict_proba(frame), refitted.model.predict_proba(frame), rtol=1e-5, atol=1e-6)


def test_a_refit_reads_each_epochs_learning_rate_from_the_schedule(monkeypatch):
    from automl.search import members, timed, tuner

    found, (hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, score), _, _ = trained_alone()
    found.schedules = [timed.Schedule([1e-3, 1e-3, 3e-4], 0.05)]
    used = []

    class Watch(members.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            used.append(tuner.learning_rate(self.model))

    fit = members.keras.Model.fit

    def fit_watched(self, *args, callbacks=(), **kwargs):
        return fit(self, *args, callbacks=[*callbacks, Watch()], **kwargs)

    monkeypatch.setattr(members.keras.Model, "fit", fit_watched)
    members.refit(found, hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, score)
    assert used == [pytest.approx(1e-3), pytest.approx(1e-3), pytest.approx(3e-4)]


def test_a_mean_refits_the_networks_whose_schedules_are_known():
    from automl.search import members

    found, (hypermodel, ctx, wrap, x, y, score, batch), frame, handed = first_network(60.0)
    grown = members.grow(found, hypermodel, ctx, wrap, x, y, scoring_the_mean_as(score, found.val_score - 0.01),
                         batch, max_members=3)  # the search's winner (no schedule) and two fresh networks
    assert grown.schedules[0] is None and all(s.rates for s in grown.schedules[1:])
    winner = members.members_of(grown.model.keras_model)[0]
    x_all = grown.model.prep.inputs(frame)
    refitted = members.refit(grown, hypermodel, ctx, wrap, x_all, ctx.y, batch, 180,
                             lambda model: -1.0)  # every refit sound: log loss below anything
    networks = members.members_of(refitted.model.keras_model)
    assert len(networks) == 3 and refitted.model.params["refitted"] == 2 and refitted.model.name == "mean of 3 MLPs"
    np.testing.assert_array_equal(networks[0].get_weights()[0], winner.get_weights()[0])
    assert [t.model for t in ctx.trials if t.extra.get("refit")] == ["mlp/refit 2", "mlp/refit 3"]
    assert "2 of the 3 networks were trained again" in refitted.notes[-1]


def test_a_refit_that_scores_worse_on_rows_it_has_seen_or_has_no_time_keeps_the_network():
    from automl.search import members

    found, (hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, score), _, handed = trained_alone()
    before = found.model
    kept = members.refit(found, hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, lambda model: 99.0)
    assert kept.model is before and not handed and "it scored worse" in kept.notes[-1]
    trial, = [t for t in ctx.trials if t.extra.get("refit")]
    assert trial.extra["kept"] is False and trial.extra["score_on_rows_seen"] == 99.0
    found.schedules[0].epoch_seconds = 1000.0  # the refit would take hours
    kept = members.refit(found, hypermodel, ctx, wrap, x_all, y_all, batch, fit_rows, score)
    assert kept.model is before and "no time was left" in kept.notes[-1] and len(ctx.trials) == 1


def test_a_hyperband_winners_epochs_are_read_from_its_lineage_up_to_its_best_epoch():
    from automl.search import timed

    found, (hypermodel, ctx, *_), _, _ = first_network(60.0)
    network = members_rebuild(hypermodel, {"units": 64, "layers": 2})  # built at the default rate, 1e-3
    ctx.history[:] = [{"epoch": 1, "phase": "search", "val_score": 0.6}, {"epoch": 2, "phase": "search"},
                      {"epoch": 3, "phase": "search", "val_score": 0.5}, {"epoch": 4, "phase": "search",
                                                                         "val_score": 0.55}]
    assert timed.searched_rates(network, {}, ctx) == [pytest.approx(1e-3)] * 3, "log loss: the best is the third"
    assert timed.searched_rates(network, {"learning_rate": 3e-3}, ctx) == [3e-3] * 3
    ctx.history[:] = []  # a chief, or a resumed search: nothing seen here
    assert timed.searched_rates(network, {}, ctx) == []
