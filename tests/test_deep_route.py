"""End to end with the deep comparison on (Keras Tuner MLP). Slow: imports TensorFlow.

The plan skips the deep comparison when its share of the budget is under 20 s,
so each test asks the planner for the smallest budget (from 40 s up) that keeps
the comparison; ``max_trials=1`` and ``max_epochs=1`` keep the real time to
seconds once TensorFlow has loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import automl
from automl import AutoML

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
WINE = REPO / "data" / "wine.csv"
DIABETES = REPO / "data" / "diabetes.csv"


def deep_budget(path: Path) -> int:
    """The smallest budget in 5 s steps from 40 s for which the plan includes the deep comparison."""
    from automl.data import load
    from automl.run.plan import make_plan
    from automl.hardware import detect
    from automl.data.profile import inspect_frame

    profile = inspect_frame(load(path).frame)
    hardware = detect()
    for seconds in range(40, 125, 5):
        if make_plan(profile, seconds, hardware).approach("deep") is not None:
            return seconds
    pytest.fail("no budget up to 2 minutes includes the deep comparison")


def read_trials(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "trials.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def wine_deep(tmp_path_factory) -> AutoML:
    out = tmp_path_factory.mktemp("deep_runs")
    return AutoML(budget=deep_budget(WINE), max_trials=1, max_epochs=1, out=out).fit(WINE)


def test_both_approaches_on_the_leaderboard(wine_deep):
    board = wine_deep.leaderboard_
    assert sorted(board["approach"]) == ["baseline", "blend", "classical", "deep"]
    assert board.loc[board["approach"] == "deep", "model"].item() == "mlp"
    blend = board.loc[board["approach"] == "blend"].iloc[0]
    record = json.loads((wine_deep.run_dir_ / "run.json").read_text())
    members = board.approach.isin(record["selection"]["weights"])  # the blend costs what its members cost
    assert blend["fit_seconds"] == pytest.approx(board.loc[members, "fit_seconds"].sum(), abs=0.02)
    assert record["status"] == "complete"
    assert [a["name"] for a in record["plan"]["approaches"]] == ["classical", "deep"]
    assert set(record["models"]) == {"classical", "deep", "blend"}
    assert record["errors"] == []
    # the model used is chosen on the validation rows both approaches predicted, whatever the test rows say: the
    # best score there, or a simpler model the bootstrap cannot tell from it
    shared = {f["approach"]: f["selection_score"] for f in record["finalists"]}
    assert None not in shared.values() and record["selection"]["rows"] > 0
    choice = record["selection"]["choice"]
    assert record["best"] == wine_deep.best_approach_ == choice["used"]
    assert shared[choice["leader"]] == max(shared.values())
    if choice["used"] != choice["leader"]:
        assert choice["difference"]["low"] <= 0 <= choice["difference"]["high"] and choice["why"]


def test_deep_test_predictions_match_the_saved_model(wine_deep):
    """The saved network reproduces the test-row probabilities the leaderboard was computed from."""
    saved = pd.read_csv(wine_deep.run_dir_ / "test_predictions.csv")
    frame = pd.read_csv(WINE).iloc[saved["row"].to_numpy()]
    proba = automl.load(wine_deep.run_dir_, approach="deep").predict_proba(frame)
    expected = saved[[f"deep_proba_{c}" for c in ("class_0", "class_1", "class_2")]].to_numpy()
    np.testing.assert_allclose(proba, expected, atol=1e-5)


def test_report_names_both_approaches(wine_deep):
    report = json.loads((wine_deep.run_dir_ / "report.json").read_text())
    assert {f["approach"] for f in report["leaderboard"]} == {"classical", "deep", "blend"}
    assert "Only" not in report["verdict"]
    assert "deep network" in report["verdict"] and "radient boosting" in report["verdict"]


def test_training_curve_and_interval_reach_the_report(wine_deep):
    """The best network's epochs are recorded at fit time; the report draws them and bootstraps the gap."""
    record = json.loads((wine_deep.run_dir_ / "run.json").read_text())
    epochs = record["training_curves"]["deep"]
    assert [e["epoch"] for e in epochs] == list(range(1, len(epochs) + 1))
    assert all(e["phase"] in ("search", "continued") and "loss" in e and "val_score" in e for e in epochs)
    deep = next(f for f in record["finalists"] if f["approach"] == "deep")
    assert deep["cpu_seconds"] > 0 and deep["predict_cpu_ms_per_row"] >= 0
    report = json.loads((wine_deep.run_dir_ / "report.json").read_text())
    interval = report["comparison"]["interval"]
    assert interval["rows"] == report["split"]["test_rows"] and interval["low"] <= interval["high"]
    html = (wine_deep.run_dir_ / "report.html").read_text()
    for key in ("training_loss", "training_metric", "anytime", "cost_vs_score", "confusion_deep"):
        assert f'aria-labelledby="{key}-title {key}-desc"' in html, key
    assert "% interval" in report["verdict"] and "per 1,000 predictions" in report["verdict"]


def test_the_network_gets_permutation_importance_over_the_same_columns(wine_deep):
    """Both approaches rank the columns: the network by the drop in test score when one is shuffled."""
    record = json.loads((wine_deep.run_dir_ / "run.json").read_text())
    deep = record["feature_importance"]["deep"]
    assert deep["method"] == "permutation" and "shuffled" in deep["note"]
    names = [name for name, _ in deep["features"]]
    assert len(names) >= 3 and set(names) <= set(record["features"])
    html = (wine_deep.run_dir_ / "report.html").read_text()
    assert 'aria-labelledby="feature_importance_deep-title' in html


def test_continue_training_appends_its_epochs_to_the_history():
    """The media and text routes train the search's winner on; those epochs join its recorded curve."""
    import keras

    from automl.budget import Deadline
    from automl.hardware import Hardware
    from automl.search import tuner as keras_search
    from automl.search.base import SearchContext

    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    ctx = SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                        seed=0, validation="holdout", folds=1, deadline=Deadline(60),
                        hardware=Hardware(2, 1 << 30, None), max_epochs=3)
    ctx.history.append({"epoch": 2, "phase": "search", "loss": 1.0})
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

    keras_search.continue_training(model, ctx, x, y, keras_search.val_scorer(ctx, x, y), None, batch_size=32)
    assert [e["epoch"] for e in ctx.history] == [2, 3, 4, 5]
    assert all(e["phase"] == "continued" and {"loss", "val_loss", "val_score"} <= set(e) for e in ctx.history[1:])


@pytest.mark.parametrize("task, loss", [("multiclass", "sparse_categorical_crossentropy"),
                                        ("multiclass", "smoothed"), ("regression", "mean_squared_error")])
def test_the_validation_scorer_reports_the_loss_keras_would_evaluate(task, loss):
    """Networks train without Keras's ``validation_data``: one prediction of the validation rows an epoch gives
    both the run's metric and the loss Keras's second pass (``evaluate``) would have reported."""
    import keras

    from automl.search import networks
    from automl.search import tuner as keras_search

    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 4)).astype("float32")
    if task == "regression":
        y, scale = 20.0 + 3.0 * x[:, 0] + rng.normal(size=50), (20.0, 3.0)
        output, learnt, metric = keras.layers.Dense(1), (y - 20.0) / 3.0, "r2"
    else:
        y, scale = rng.integers(0, 3, 50), (0.0, 1.0)
        output, learnt, metric = keras.layers.Dense(3, activation="softmax"), y, "accuracy"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), output])
    model.compile(optimizer="adam", loss=networks.SmoothedCrossentropy(0.1) if loss == "smoothed" else loss)
    scorer = keras_search.ValScorer(task, metric, x, y, scale)
    logs = scorer.epoch(model)
    assert logs["val_loss"] == pytest.approx(model.evaluate(x, learnt, verbose=0), rel=1e-4)
    assert logs["val_score"] == scorer(model)
    from automl.metrics import score_output

    assert scorer(model) == pytest.approx(score_output(task, y, keras_search.network_output(model, x, task, scale),
                                                       metric))


def test_the_blend_is_the_average_weighted_as_validation_chose(wine_deep):
    record = json.loads((wine_deep.run_dir_ / "run.json").read_text())
    weights = record["selection"]["weights"]
    assert set(weights) <= {"classical", "deep"} and sum(weights.values()) == pytest.approx(1.0, abs=1e-3)
    assert "greedy ensemble selection" in record["selection"]["how"]
    frame = pd.read_csv(WINE)
    parts = {a: automl.load(wine_deep.run_dir_, approach=a).predict_proba(frame) for a in weights}
    blend = automl.load(wine_deep.run_dir_, approach="blend").predict_proba(frame)
    np.testing.assert_allclose(blend, sum(w * parts[a] for a, w in weights.items()), atol=1e-6)
    test = pd.read_csv(wine_deep.run_dir_ / "test_predictions.csv")
    columns = [c for c in test.columns if c.startswith("blend_proba_")]
    expected = sum(w * test[[c.replace("blend", a) for c in columns]].to_numpy() for a, w in weights.items())
    np.testing.assert_allclose(test[columns].to_numpy(), expected, atol=1e-6)
