"""The budgeted oracle: no trial starts without time for the quickest first epoch seen. Slow: imports Keras."""

from __future__ import annotations

import pytest

from automl.budget import Deadline

pytestmark = pytest.mark.slow


def oracle_at(remaining: float, first_epoch: float):
    from automl.search import tuner

    now = [0.0]
    oracle = tuner.BudgetedOracle(Deadline(100.0, clock=lambda: now[0]), objective=tuner.objective("accuracy"),
                                  max_epochs=3, seed=0)
    oracle.hyperparameters.Int("units", 8, 64)
    oracle.first_epoch_seconds = first_epoch
    now[0] = 100.0 - remaining
    return oracle


def test_a_trial_starts_while_its_first_epoch_fits():
    from keras_tuner.engine.trial import TrialStatus

    assert oracle_at(remaining=10.0, first_epoch=4.0).populate_space("0")["status"] == TrialStatus.RUNNING
    assert oracle_at(remaining=10.0, first_epoch=0.0).populate_space("0")["status"] == TrialStatus.RUNNING


def test_no_trial_starts_once_the_quickest_first_epoch_no_longer_fits():
    from keras_tuner.engine.trial import TrialStatus

    stopped = oracle_at(remaining=3.0, first_epoch=4.0).populate_space("0")
    assert stopped["status"] == TrialStatus.STOPPED and stopped["values"] is None
    assert oracle_at(remaining=0.0, first_epoch=0.0).populate_space("0")["status"] == TrialStatus.STOPPED


def test_the_defaults_then_the_named_starts_are_handed_out_before_random_draws(tmp_path):
    from automl.search import tuner

    oracle = tuner.BudgetedOracle(Deadline(100.0), defaults_first=True, objective=tuner.objective("accuracy"),
                                  starts=({"numeric": "piecewise"}, {"numeric": "fourier"}, {"width": 3}),
                                  max_epochs=27, seed=0)  # a first round of 27 trials: all six below are new
    oracle._set_project_dir(str(tmp_path), "search")
    oracle.hyperparameters.Choice("numeric", ["periodic", "piecewise", "plain"], default="periodic")
    oracle.hyperparameters.Int("units", 8, 64, default=32)
    handed = []
    for i in range(6):
        trial = oracle.create_trial(f"tuner{i}")
        handed.append({k: v for k, v in trial.hyperparameters.values.items() if not k.startswith("tuner/")})
    # "fourier" is not a value the space allows and "width" not a name it has: both are left out
    assert handed[:2] == [{"numeric": "periodic", "units": 32}, {"numeric": "piecewise", "units": 32}]
    assert all(v != handed[0] and v != handed[1] for v in handed[2:])  # then random draws, never the starts again
    assert len({(v["numeric"], v["units"]) for v in handed[2:]}) > 1


def test_a_regression_network_starts_from_piecewise_codes_and_a_classifier_from_periodic_ones():
    from automl.modalities.tabular.mlp import MLPHyperModel

    edges = [[0.0, 1.0, 2.0]]
    regression = MLPHyperModel([0.0], [1.0], [], "regression", 1, "rmse", edges)
    classes = MLPHyperModel([0.0], [1.0], [], "binary", 2, "accuracy", edges)
    assert (regression.numeric_default, regression.starts) == ("piecewise", ({"numeric": "periodic"},))
    assert (classes.numeric_default, classes.starts) == ("periodic", ({"numeric": "piecewise"},))
    assert MLPHyperModel([0.0], [1.0], [], "regression", 1).starts == ()  # no edges: periodic or plain only
    assert (regression.fresh_patience, classes.fresh_patience) == ((3, 8), (1, 4))


def test_the_tuner_learns_the_quickest_first_epoch_and_hands_its_best_model_once(tmp_path):
    """A two-trial search on a tiny table: the oracle knows a first-epoch time, and the model run_search
    returns is the very one handed to ``improved`` (no second load or save)."""
    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import tuner
    from automl.search.base import SearchContext

    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(60, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    handed = []
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(120.0),
                        hardware=Hardware(2, 8 << 30, None),
                        max_trials=2, max_epochs=1, improved=handed.append)
    learnt = []
    original = tuner.RecordingTuner.on_trial_end

    def spy(self, trial):
        original(self, trial)
        learnt.append(self.oracle.first_epoch_seconds)

    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    score = tuner.val_scorer(ctx, x, y)
    tuner.RecordingTuner.on_trial_end = spy
    try:
        best, val_score, params = tuner.run_search(hypermodel, ctx, lambda m, p=None: m, x, y, score, 32, 3)
    finally:
        tuner.RecordingTuner.on_trial_end = original
    assert len(learnt) == 2 and all(s > 0 for s in learnt) and learnt[1] <= learnt[0]
    assert handed and handed[-1] is best and 0.0 <= val_score <= 1.0
    assert "tuner/epochs" in params


def test_with_one_candidate_the_probed_network_trains_on_without_a_tuner(tmp_path, monkeypatch):
    """Too few affordable epochs to compare architectures: the network the probe built and warmed up trains on
    (no second build, no tuner state), one trial is logged, and the model on disk is the one returned."""
    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import timed, tuner
    from automl.search.base import SearchContext

    monkeypatch.setattr(timed, "MIN_BRACKET_EPOCHS", 10**9)  # whatever the machine's speed, one candidate
    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(200, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    handed, built = [], []
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(20.0),
                        hardware=Hardware(2, 8 << 30, None), max_trials=None, max_epochs=None,
                        improved=handed.append, workdir=tmp_path / "search")
    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    original = hypermodel.build
    monkeypatch.setattr(hypermodel, "build", lambda hp: built.append(1) or original(hp))
    score = tuner.val_scorer(ctx, x, y)
    found = timed.timed_search(hypermodel, ctx, lambda m, p=None: m, x, y, score, 32, 200, 200, 27)
    assert len(built) == 1, "the probe's network is the one trained"
    assert not (tmp_path / "search" / "search").exists(), "no Keras Tuner project for a single candidate"
    assert "trained alone, until it stopped improving or the time ran out" in found.notes[0]
    assert handed and handed[-1] is found.model and found.val_score == score(found.model) > 0.5
    assert len(ctx.trials) == 1 and ctx.trials[0].val_score == found.val_score
    assert ctx.history and {e["phase"] for e in ctx.history} == {"search"}


def test_a_default_network_that_decays_to_the_deadline_trains_until_it_at_a_rate_falling_with_the_time_left(
        tmp_path, monkeypatch):
    """An image network trained alone (``decay_to_deadline``): no plateau cut or early stop ends it though its
    score never improves after the first epoch; it trains until the 6 s deadline, each epoch at the starting
    rate times the share of the time left, and the first epoch's weights (the best) are kept."""
    import time

    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import timed
    from automl.search.base import SearchContext

    monkeypatch.setattr(timed, "MIN_BRACKET_EPOCHS", 10**9)  # one candidate: the probe's network trains on
    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(64, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(6.0),
                        hardware=Hardware(2, 8 << 30, None), max_trials=None, max_epochs=None,
                        improved=lambda m: None, workdir=tmp_path / "search")
    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    hypermodel.decay_to_deadline = True
    scores = iter([0.9] + [0.5] * 10**5)  # the first epoch is the best; a plateau schedule would stop at the 5th
    started = time.monotonic()
    found = timed.timed_search(hypermodel, ctx, lambda m, p=None: m, x, y, lambda m: next(scores), 32, 64, 64, 27)
    assert ctx.deadline.expired() and time.monotonic() - started >= 5.0
    assert found.epochs > 20 and found.val_score == 0.9
    assert "falling linearly with the time left" in " ".join(found.notes)
    assert "trained alone." in found.notes[0] and "stopped improving" not in found.notes[0]  # no plateau to stop on
    rates = [e.get("learning_rate") for e in ctx.history]  # the curve records each epoch's rate
    assert len(rates) == found.epochs and found.schedules[0].rates == pytest.approx(rates[:1], rel=1e-3)
    assert all(b < a for a, b in zip(rates, rates[1:])) and rates[-1] < rates[0] / 5


def test_a_search_winner_that_decays_to_the_deadline_trains_on_until_it_handing_better_epochs_over(
        tmp_path, monkeypatch):
    """After a search, the winner of a hypermodel with ``decay_to_deadline`` (images, audio) trains on until the
    deadline, each epoch at a lower rate than the one before (no plateau cut or early stop), and hands a better
    epoch over while it trains, not only at the end: a run stopped during those epochs keeps them."""
    import itertools

    import keras_tuner
    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import timed
    from automl.search.base import SearchContext

    shape = {"epochs": 2, "cap": 2, "epoch_seconds": 0.01, "kept": 0.0, "batch_size": 32, "note": "A search."}
    monkeypatch.setattr(timed, "search_shape", lambda *a, **k: (dict(shape), None))  # a search, then its winner

    def searched(hypermodel, ctx, wrap, x, y, score, batch_size, epochs, **kwargs):
        """A search's winner, at once: the default network after one epoch (how long a real search takes on a
        busy machine is not what this test is about)."""
        network = hypermodel.build(keras_tuner.HyperParameters())
        network.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        return network, 0.0, {"tuner/epochs": 1}

    monkeypatch.setattr(timed, "run_search", searched)
    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(64, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    training, handed = [], []  # whether the winner was training on when a network was handed over
    original = timed.continue_training

    def continuing(*args, **kwargs):
        training.append(True)
        try:
            return original(*args, **kwargs)
        finally:
            training.append(False)

    monkeypatch.setattr(timed, "continue_training", continuing)
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(15.0),
                        hardware=Hardware(2, 8 << 30, None), max_trials=None, max_epochs=None,
                        improved=lambda m: handed.append(bool(training and training[-1])),
                        workdir=tmp_path / "search")
    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    hypermodel.decay_to_deadline = True
    calls = itertools.count()
    found = timed.timed_search(hypermodel, ctx, lambda m, p=None: m, x, y, lambda m: next(calls) * 1e-6, 32, 64,
                               64, 27)  # every epoch scores better than the one before
    assert ctx.deadline.expired()
    continued = [t for t in ctx.trials if t.extra.get("continued")]
    assert len(continued) == 1 and continued[0].extra["improved"] and continued[0].extra["epochs"] >= 5
    assert "to the deadline, its learning rate falling linearly" in " ".join(found.notes), found.notes
    rates = [e["learning_rate"] for e in ctx.history if e["phase"] == "continued"]
    assert len(rates) == continued[0].extra["epochs"]
    assert all(later < earlier for earlier, later in zip(rates, rates[1:])), rates
    assert True in handed and handed[-1] is False, handed  # handed over during training, then at its end


@pytest.mark.parametrize("epoch, start, shape", [(0.1, 0.5, (27, 40)), (0.5, 4.0, (2, 1)), (4.0, 1.0, (2, 1)),
                                                 (3.0, 25.0, (2, 1))])
def test_a_search_runs_only_when_its_bracket_trains_its_best_trials_nine_epochs(monkeypatch, epoch, start, shape):
    """100 s: at 0.1 s an epoch and 0.5 s a trial's start, the widest bracket fits (27 epochs, 40 trials). At
    0.5 s an epoch but 4 s a start (JAX compiling each network), 200 epochs would fit, but the bracket that fits
    stops at 6, so the default network trains alone; at 4 s an epoch, only 25 epochs fit; with 25 s a start,
    no bracket fits at all (25 epochs would: not a search of 18 trials)."""
    from automl.hardware import Hardware
    from automl.search import timed
    from automl.search.base import SearchContext

    monkeypatch.setattr(timed, "probe_fitting", lambda *a: (start, epoch, ("network", {}), 32))
    ctx = SearchContext(approach="deep", X=None, y=None, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(100.0, clock=lambda: 0.0),
                        hardware=Hardware(2, 8 << 30, None), max_trials=None, max_epochs=None)
    found, probed = timed.search_shape(object(), ctx, None, None, 32, 1000, 250, 27)
    assert (found["epochs"], found["cap"]) == shape and probed == ("network", {})
    if shape[1] == 1:
        assert ("under the 9 needed to compare architectures fairly" in found["note"]
                or "no Hyperband bracket fitted 60 % of that" in found["note"]) and "trained alone" in found["note"]


@pytest.mark.parametrize("epoch, start, table, image", [(0.1, 0.5, (27, 40), (18, 18)), (1.0, 2.0, (9, 13), (2, 1))])
def test_image_searches_size_only_brackets_whose_first_round_trains_two_epochs(monkeypatch, epoch, start, table,
                                                                                image):
    """100 s. Fast networks: a table's search takes the widest bracket (27 epochs, 40 trials, its first round one
    epoch each); an image search the widest whose first round trains 2 epochs (18, 18 trials). At 1 s an epoch
    and 2 s a start, a table's 9-epoch bracket fits; for images the bracket that fits whose first round is 2
    epochs stops at 6 (under 9), so the default CNN trains alone, as cifar10_test's should have at 20 minutes."""
    from automl.hardware import Hardware
    from automl.modalities.image.network import ImageHyperModel
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import timed
    from automl.search.base import SearchContext

    assert timed.hyperband_rounds(18)[0][1] == 2 and timed.hyperband_rounds(27)[0][1] == 1
    monkeypatch.setattr(timed, "probe_fitting", lambda *a: (start, epoch, ("network", {}), 32))
    for hypermodel, shape in ((MLPHyperModel, table), (ImageHyperModel, image)):
        ctx = SearchContext(approach="deep", X=None, y=None, task="binary", metric="accuracy", classes=[0, 1],
                            kinds={}, seed=0, validation="holdout", folds=1,
                            deadline=Deadline(100.0, clock=lambda: 0.0), hardware=Hardware(2, 8 << 30, None),
                            max_trials=None, max_epochs=None)
        found, _ = timed.search_shape(hypermodel, ctx, None, None, 32, 1000, 250, 27)
        assert (found["epochs"], found["cap"]) == shape, hypermodel
        assert ("first round trains every trial at least 2 epochs" in found["note"]) == (hypermodel is ImageHyperModel)


def test_trials_are_built_under_the_precision_the_search_started_with(tmp_path):
    """Keras Tuner clears the Keras session before every build, which resets the global dtype policy: a search
    started under mixed precision (a GPU run) must still build each trial in float16."""
    import keras
    import keras_tuner
    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import tuner
    from automl.search.base import SearchContext

    ctx = SearchContext(approach="deep", X=None, y=np.zeros(4), task="binary", metric="accuracy", classes=[0, 1],
                        kinds={}, seed=0, validation="holdout", folds=1, deadline=Deadline(60.0),
                        hardware=Hardware(2, 8 << 30, None))
    hypermodel = MLPHyperModel(np.zeros(3), np.ones(3), [], "binary", 2)
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        oracle = tuner.BudgetedOracle(Deadline(60.0), objective=tuner.objective("accuracy"), max_epochs=3, seed=0)
        search = tuner.RecordingTuner(oracle, hypermodel, ctx, lambda m, p=None: m, directory=str(tmp_path),
                                      project_name="p")
        keras.backend.clear_session()  # as Keras Tuner does before each trial's build
        model = search._try_build(keras_tuner.HyperParameters())
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert any(layer.compute_dtype == "float16" for layer in model.layers)
    assert str(model.outputs[0].dtype).endswith("float32")


def test_time_kept_for_after_the_search_is_kept_from_its_shape_and_its_training(tmp_path, monkeypatch):
    """A route that trains more networks after the search (the cross-fitted bag) asks for seconds to be kept: the
    probe's shape records them, and the winner's training ends that much before the route's deadline."""
    import json

    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import timed, tuner
    from automl.search.base import SearchContext

    monkeypatch.setattr(timed, "MIN_BRACKET_EPOCHS", 10**9)  # one candidate: the probe's network trains on
    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(200, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="kfold", folds=5, deadline=Deadline(30.0),
                        hardware=Hardware(2, 8 << 30, None), max_trials=None, max_epochs=None,
                        improved=lambda m: None, workdir=tmp_path / "search")
    asked, seen, schedules = [], [], []
    original = tuner.continue_training

    def training(keras_model, inner, *args, **kwargs):
        seen.append((inner.deadline.remaining(), ctx.deadline.remaining()))
        schedules.append((kwargs.get("lr_patience"), kwargs.get("patience")))
        return original(keras_model, inner, *args, **kwargs)

    monkeypatch.setattr(timed, "continue_training", training)
    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    hypermodel.fresh_patience = (2, 5)
    found = timed.timed_search(hypermodel, ctx, lambda m, p=None: m, x, y, tuner.val_scorer(ctx, x, y), 32,
                               200, 200, 27, keep=lambda e, t, left: asked.append((e, t, left)) or 12.0)
    epoch_seconds, trial_seconds, left = asked[0]
    assert epoch_seconds > 0 and trial_seconds > 0 and 20.0 < left <= 30.0
    shape = json.loads((tmp_path / "search" / "shape.json").read_text())
    assert shape["kept"] == 12.0 and "12s of it kept for the networks trained after the search" in found.notes[0]
    inner, outer = seen[0]
    assert inner == pytest.approx(outer - 12.0, abs=0.05), "the winner's training ends 12 s before the route's end"
    assert schedules[0] == (2, 5)  # the network trained alone takes its hypermodel's schedule


def blocking(callbacks) -> list[str]:
    """The callbacks that make Keras wait for every batch's result, by Keras's own rule (``CallbackList``: a
    batch-end hook that is not the default, and no ``async_safe``); on a GPU they leave the device idle
    between steps."""
    from keras.src.utils.python_utils import is_default

    return [type(c).__name__ for c in callbacks if not getattr(c, "async_safe", False)
            and not (is_default(c.on_batch_end) and is_default(c.on_train_batch_end))]


def test_the_deadline_makes_keras_wait_for_no_batch_and_still_stops_training():
    """Training after the search (the winner's, members', the lone default network's) has no batch-end hook,
    so Keras queues each batch without waiting for the last; the deadline still ends it within a batch."""
    import keras
    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import tuner
    from automl.search.base import SearchContext

    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(4000, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    now = [0.0]
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(100.0, clock=lambda: now[0]),
                        hardware=Hardware(2, 8 << 30, None))
    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    network = hypermodel.build(__import__("keras_tuner").HyperParameters())
    seen, batches = [], []
    original = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.append(blocking(kwargs["callbacks"]))
        counter = keras.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs=None: (
            batches.append(b), now.__setitem__(0, 100.0 if len(batches) == 3 else now[0])))
        return original(self, *args, **{**kwargs, "callbacks": [counter, *kwargs["callbacks"]]})

    score = tuner.val_scorer(ctx, x, y)
    keras.Model.fit = spy
    try:
        tuner.continue_training(network, ctx, x, y, score, None, 32)
    finally:
        keras.Model.fit = original
    assert seen == [[]], "no callback makes Keras wait for each batch"
    assert len(batches) == 3, "the batch that started after the deadline was the last (of 125 in the epoch)"
    assert blocking([tuner.DeadlineCallback(ctx.deadline)]) == []
    hook = type("Hook", (keras.callbacks.Callback,), {"on_train_batch_end": lambda *a: None})
    assert blocking([hook()]) == ["Hook"], "the check tells a batch-end hook apart"


def test_no_callback_of_a_search_trial_makes_keras_wait_for_each_batch():
    """Keras Tuner's own callback forwards batches too; the tuner trains with one that forwards epochs only,
    and trials still record their epochs."""
    import keras
    import numpy as np

    from automl.hardware import Hardware
    from automl.modalities.tabular.mlp import MLPHyperModel
    from automl.search import tuner
    from automl.search.base import SearchContext

    rng = np.random.default_rng(0)
    x = {"numeric": rng.normal(size=(80, 3)).astype("float32")}
    y = (x["numeric"][:, 0] > 0).astype("int64")
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(120.0),
                        hardware=Hardware(2, 8 << 30, None), max_trials=2, max_epochs=1)
    seen: list[list[str]] = []
    original = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.append(blocking(kwargs.get("callbacks") or []))
        return original(self, *args, **kwargs)

    hypermodel = MLPHyperModel(x["numeric"].mean(axis=0), x["numeric"].var(axis=0) + 1e-6, [], "binary", 2)
    keras.Model.fit = spy
    try:
        tuner.run_search(hypermodel, ctx, lambda m, p=None: m, x, y, tuner.val_scorer(ctx, x, y), 32, 3)
    finally:
        keras.Model.fit = original
    assert len(seen) >= 2 and all(s == [] for s in seen)
    assert ctx.history and all(t.extra["epochs"] for t in ctx.trials), "the tuner still sees every epoch"
