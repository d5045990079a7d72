"""Choosing on validation: greedy ensemble selection, the shared validation rows, and which finalist is used."""

from __future__ import annotations

import numpy as np
import pytest

from automl.run.ensemble import equal_weights, greedy_weights, on_rows, shared_rows
from automl.run.choice import choose
from automl.run.results import Finalist


def noisy(y: np.ndarray, n_classes: int, right: float, seed: int) -> np.ndarray:
    """Probabilities that put ``right`` of the mass on the true class for a random 70% of rows, on a wrong one
    otherwise."""
    rng = np.random.default_rng(seed)
    out = np.full((len(y), n_classes), (1 - right) / (n_classes - 1))
    hit = rng.random(len(y)) < 0.7
    wrong = (y + rng.integers(1, n_classes, len(y))) % n_classes
    out[np.arange(len(y)), np.where(hit, y, wrong)] = right
    return out


def test_the_ensemble_is_never_worse_than_its_best_member_and_beats_it_on_independent_errors():
    y = np.random.default_rng(0).integers(0, 3, 600)
    members = {name: noisy(y, 3, 0.6, seed) for seed, name in enumerate(("a", "b", "c"))}
    picked = greedy_weights(members, y, "multiclass", "accuracy")
    assert picked.score >= max(picked.scores.values())
    assert picked.score > max(picked.scores.values()) + 0.05  # three independent 70% models vote better
    assert sum(picked.weights.values()) == pytest.approx(1.0, abs=1e-3) and len(picked.weights) == 3
    assert picked.rows == 600 and "greedy ensemble selection" in picked.how


def test_a_useless_member_gets_no_weight():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    good = noisy(y, 2, 0.7, 0)  # calibrated: 0.7 on the class it picks, right 70% of the time
    useless = noisy(rng.integers(0, 2, 400), 2, 0.9, 1)  # as confident, about labels drawn at random
    picked = greedy_weights({"useless": useless, "good": good}, y, "binary", "accuracy")
    assert picked.weights == {"good": 1.0}
    assert picked.score == pytest.approx(picked.scores["good"])


def test_regression_weights_follow_the_smaller_error():
    rng = np.random.default_rng(2)
    y = rng.normal(size=500)
    close, far = y + rng.normal(scale=0.2, size=500), y + rng.normal(scale=1.0, size=500)
    picked = greedy_weights({"far": far, "close": close}, y, "regression", "rmse")
    assert picked.weights.get("close", 0) > picked.weights.get("far", 0)
    assert picked.score <= picked.scores["close"]


def test_shared_rows_and_outputs_aligned_on_them():
    rows_a, rows_b = np.array([4, 0, 2, 3]), np.array([3, 4, 9])
    assert shared_rows({"a": (rows_a, None), "b": (rows_b, None)}).tolist() == [3, 4]
    assert shared_rows({"a": (rows_a, None), "b": (None, None)}) is None
    out_a = np.array([[0.4], [0.0], [0.2], [0.3]])  # row i's output is i / 10
    assert on_rows(rows_a, out_a, np.array([3, 4])).ravel().tolist() == [0.3, 0.4]


def test_equal_weights_say_why():
    picked = equal_weights(["classical", "knn"], "a finalist gave no out-of-sample predictions")
    assert picked.weights == {"classical": 0.5, "knn": 0.5} and picked.score is None
    assert "no out-of-sample" in picked.how


def finalist(name: str, test: float, val: float | None, shared: float | None) -> Finalist:
    return Finalist(name, name, {}, {"accuracy": test}, val, 1.0, 0.1, 1, 1.0, 1, 0.0, selection_score=shared)


def test_the_model_used_is_chosen_on_validation_never_on_the_test_rows():
    classical, deep = finalist("classical", 0.80, 0.90, 0.91), finalist("deep", 0.95, 0.85, 0.86)
    assert choose([classical, deep], "accuracy").approach == "classical"  # deep is better on test only
    blend = finalist("blend", 0.99, 0.91, 0.91)
    assert choose([classical, deep, blend], "accuracy").approach == "classical"  # a tie keeps the simpler model
    blend.selection_score = 0.92
    assert choose([classical, deep, blend], "accuracy").approach == "blend"


def bootstrapped(y: np.ndarray, outputs: dict[str, np.ndarray]):
    """The gap the runner measures: a paired bootstrap of a's accuracy minus b's on the shared rows."""
    from automl.report.bootstrap import paired_difference

    return lambda a, b: paired_difference(y, outputs[a], outputs[b], "binary", "accuracy", resamples=400)


def answers(y: np.ndarray, wrong: int, seed: int) -> np.ndarray:
    """Probabilities that are right on every row but ``wrong`` random ones."""
    out = np.eye(2)[y] * 0.8 + 0.1
    flip = np.random.default_rng(seed).choice(len(y), wrong, replace=False)
    out[flip] = out[flip, ::-1]
    return out


def test_a_lead_validation_cannot_tell_from_chance_keeps_the_simpler_model():
    y = np.array([0, 1] * 228)[:455]
    outputs = {"classical": answers(y, 13, 0), "deep": answers(y, 10, 1)}  # three rows of 455 apart
    classical, deep = finalist("classical", 0.97, None, 1 - 13 / 455), finalist("deep", 0.93, None, 1 - 10 / 455)
    deep.kind, deep.noun, classical.noun = "deep", "the deep network", "gradient boosting"
    picked = choose([classical, deep], "accuracy", bootstrapped(y, outputs))
    assert (picked.approach, picked.leader) == ("classical", "deep")
    low, high = picked.difference["low"], picked.difference["high"]
    assert low <= 0 <= high and f"{100 * low:+.1f} to {100 * high:+.1f} points on 455 rows" in picked.why
    assert picked.why.startswith("the deep network led on validation (accuracy 0.978 against 0.971)")
    assert choose([classical, deep], "accuracy").approach == "deep"  # without a gap: the best score, as before

    outputs["deep"] = answers(y, 0, 1)  # thirteen rows ahead: clear of chance
    deep.selection_score = 1.0
    picked = choose([classical, deep], "accuracy", bootstrapped(y, outputs))
    assert (picked.approach, picked.why, picked.difference) == ("deep", "", None)


def test_a_blend_that_scores_highest_is_used_and_a_gap_that_cannot_be_measured_keeps_the_leader():
    classical, deep, blend = (finalist(n, 0.9, None, s) for n, s in (("classical", 0.90), ("deep", 0.91),
                                                                     ("blend", 0.92)))
    deep.kind, blend.kind = "deep", "blend"
    unclear = {"low": -0.01, "high": 0.03, "level": 0.95}
    assert choose([classical, deep, blend], "accuracy", lambda a, b: unclear).approach == "blend"
    assert choose([classical, deep], "accuracy", lambda a, b: unclear).approach == "classical"
    assert choose([classical, deep], "accuracy", lambda a, b: None).approach == "deep"
    assert choose([classical, deep], "accuracy", lambda a, b: {"low": None, "high": None}).approach == "deep"
    knn = finalist("knn", 0.9, None, 0.905)  # a second classical approach: one kind, the better score decides
    assert choose([classical, knn], "accuracy", lambda a, b: unclear).approach == "knn"
    assert choose([classical, knn, deep], "accuracy", lambda a, b: unclear).approach == "classical"
    higher, lower = finalist("classical", 0.9, None, 2.5), finalist("deep", 0.9, None, 2.0)  # RMSE: lower leads
    lower.kind = "deep"
    assert choose([higher, lower], "rmse", lambda a, b: {"low": -0.4, "high": 0.1}).approach == "classical"
    assert choose([higher, lower], "rmse", lambda a, b: {"low": -0.4, "high": -0.1}).approach == "deep"
    net, gbm = finalist("deep", 0.9, None, 2.5), finalist("classical", 0.9, None, 2.0)
    net.kind = "deep"  # listed first, a network is still never the simpler model
    assert choose([net, gbm], "rmse", lambda a, b: {"low": -0.4, "high": 0.1}).approach == "classical"


def test_without_shared_rows_each_routes_own_validation_score_decides_then_the_order():
    a, b = finalist("classical", 0.99, 0.70, None), finalist("knn", 0.50, 0.80, None)
    assert choose([a, b], "accuracy").approach == "knn"
    b.val_score = None
    assert choose([a, b], "log_loss").approach == "classical"


def test_weights_chosen_by_another_criterion_are_scored_in_the_metric():
    y = np.array([0, 1] * 100)
    sure = np.where(y[:, None] == np.arange(2), 0.99, 0.01)  # right on 80% of rows, 0.99 sure of every answer
    sure[:40] = sure[:40, ::-1]
    calm = np.where(y[:, None] == np.arange(2), 0.7, 0.3)  # right on 78% of others, never sure
    calm[100:144] = calm[100:144, ::-1]
    members = {"sure": sure, "calm": calm}
    # one step: the best member alone by the criterion
    by_metric = greedy_weights(members, y, "binary", "accuracy", rounds=1)
    by_log_loss = greedy_weights(members, y, "binary", "accuracy", rounds=1, by="log_loss")
    assert by_metric.by == "accuracy" and by_metric.weights == {"sure": 1.0}
    assert by_log_loss.by == "log_loss" and by_log_loss.weights == {"calm": 1.0} and "by log loss" in by_log_loss.how
    assert by_log_loss.scores == {"sure": pytest.approx(0.80), "calm": pytest.approx(0.78)}  # reported in accuracy
    assert by_log_loss.score == pytest.approx(0.78) and by_log_loss.value == by_log_loss.values["calm"]
    mixed = greedy_weights(members, y, "binary", "accuracy", by="log_loss")
    assert mixed.value <= min(mixed.values.values()) and set(mixed.weights) == {"sure", "calm"}


def test_the_run_measures_each_gap_on_the_shared_rows_as_each_model_predicts_and_as_rows_weigh():
    """``runner._choice``: the paired bootstrap reads the finalists' outputs on the rows they share, their decision
    rules and the rows' weights."""
    from types import SimpleNamespace

    from automl.run import runner

    y = np.array([0, 1] * 228)[:455]
    outputs = {"classical": answers(y, 13, 0), "deep": answers(y, 10, 1)}
    rows = np.arange(455)
    classical, deep = finalist("classical", 0.97, None, 1 - 13 / 455), finalist("deep", 0.93, None, 1 - 10 / 455)
    deep.kind = "deep"

    def run(weights=None, decisions=None):
        return SimpleNamespace(
            validation={"classical": (rows, outputs["classical"]), "deep": (rows[::-1], outputs["deep"][::-1]),
                        "blend": (rows, None)},
            split=SimpleNamespace(y_train=y, classes=["a", "b"], weights=lambda r: None if weights is None
                                  else weights[np.asarray(r)]),
            record=SimpleNamespace(decisions=decisions or {}), plan=SimpleNamespace(task="binary", metric="accuracy"),
            settings=SimpleNamespace(seed=0))

    picked = runner._choice(run(), [classical, deep])
    assert (picked.approach, picked.leader) == ("classical", "deep")  # rows put back in order: a 3-row lead
    wrong_only_there = (outputs["classical"].argmax(1) != y) & (outputs["deep"].argmax(1) == y)
    heavy = np.where(wrong_only_there, 40.0, 1.0)  # the rows gradient boosting alone gets wrong weigh 40 times
    assert runner._choice(run(weights=heavy), [classical, deep]).approach == "deep"
    one_class = {"classical": {"weights": [1e-9, 1.0]}}  # a decision rule: gradient boosting predicts one class
    assert runner._choice(run(decisions=one_class), [classical, deep]).approach == "deep"
