"""Choosing on validation: greedy ensemble selection, the shared validation rows, and which finalist is used."""

from __future__ import annotations

import numpy as np
import pytest

from automl.run.ensemble import equal_weights, greedy_weights, on_rows, shared_rows
from automl.run.results import Finalist
from automl.run.runner import chosen


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
    assert chosen([classical, deep], "accuracy").approach == "classical"  # deep is better on test only
    blend = finalist("blend", 0.99, 0.91, 0.91)
    assert chosen([classical, deep, blend], "accuracy").approach == "classical"  # a tie keeps the simpler model
    blend.selection_score = 0.92
    assert chosen([classical, deep, blend], "accuracy").approach == "blend"


def test_without_shared_rows_each_routes_own_validation_score_decides_then_the_order():
    a, b = finalist("classical", 0.99, 0.70, None), finalist("knn", 0.50, 0.80, None)
    assert chosen([a, b], "accuracy").approach == "knn"
    b.val_score = None
    assert chosen([a, b], "log_loss").approach == "classical"


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
