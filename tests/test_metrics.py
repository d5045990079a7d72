"""Metrics by task: defaults, checks, direction and scoring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from automl.errors import ConfigError, UserInputError
from automl.metrics import (
    CLASSIFICATION,
    REGRESSION,
    better,
    check_metric,
    default_metric,
    greater_is_better,
    metrics_for,
    score_all,
    score_output,
)


def test_regression_scores():
    scores = score_all("regression", [1, 2, 3, 4], [1, 2, 3, 5])
    assert set(scores) == set(REGRESSION)
    assert scores["rmse"] == pytest.approx(0.5)
    assert scores["mae"] == pytest.approx(0.25)
    assert scores["r2"] == pytest.approx(1 - 1 / 5)  # SSE 1, SST 5
    assert all(isinstance(v, float) for v in scores.values())


def test_regression_worse_than_the_mean_has_negative_r2():
    scores = score_all("regression", np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0]))
    assert scores == pytest.approx({"rmse": 1.0, "mae": 1.0, "r2": -0.5})


BINARY_PROBA = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])


def test_binary_scores():
    y, pred = [0, 1, 1, 0], [0, 1, 0, 0]
    scores = score_all("binary", y, pred, BINARY_PROBA)
    assert set(scores) == set(CLASSIFICATION)
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["balanced_accuracy"] == pytest.approx(0.75)  # recalls 1.0 and 0.5
    assert scores["f1_macro"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert scores["roc_auc"] == pytest.approx(1.0)  # positives 0.8, 0.4 above negatives 0.1, 0.3
    assert scores["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.8, 0.4, 0.7])))


def test_probabilities_are_clipped_and_renormalised():
    y = [0, 1]
    hard = score_all("binary", y, [0, 1], np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert hard["log_loss"] == pytest.approx(0.0, abs=1e-12)
    wrong = score_all("binary", y, [1, 0], np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert math.isfinite(wrong["log_loss"]) and wrong["log_loss"] > 30  # -log(1e-15) ~ 34.5
    unscaled = score_all("binary", [0, 1, 1, 0], [0, 1, 0, 0], BINARY_PROBA * 0.5)  # rows summing to 0.5
    assert unscaled["log_loss"] == pytest.approx(score_all("binary", [0, 1, 1, 0], [0, 1, 0, 0], BINARY_PROBA)["log_loss"])


def test_without_probabilities_there_is_no_log_loss_or_auc():
    scores = score_all("binary", [0, 1, 1, 0], [0, 1, 0, 0])
    assert scores["log_loss"] is None and scores["roc_auc"] is None
    assert scores["accuracy"] == pytest.approx(0.75)


def test_multiclass_scores():
    y, pred = [0, 1, 2, 2], [0, 1, 2, 1]
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.5, 0.4]])
    scores = score_all("multiclass", y, pred, proba)
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["balanced_accuracy"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert scores["f1_macro"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    assert scores["log_loss"] == pytest.approx(-np.mean(np.log([0.8, 0.8, 0.8, 0.4])))
    assert 0.5 < scores["roc_auc"] <= 1.0


def test_multiclass_auc_with_a_class_missing_from_the_test_rows():
    y, pred = [0, 1, 3, 3], [0, 1, 3, 3]  # class 2 never appears
    proba = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7], [0.1, 0.2, 0.1, 0.6]])
    scores = score_all("multiclass", y, pred, proba)
    assert scores["roc_auc"] == pytest.approx(1.0)
    assert scores["log_loss"] is not None and scores["log_loss"] > 0


def test_multiclass_auc_with_only_two_classes_present():
    proba = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.6, 0.2], [0.6, 0.3, 0.1]])
    scores = score_all("multiclass", [0, 1, 1, 0], [0, 1, 1, 0], proba)
    assert scores["roc_auc"] == pytest.approx(1.0)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_binary_auc_with_one_class_in_the_test_rows_is_none():
    scores = score_all("binary", [1, 1, 1], [1, 1, 1], np.array([[0.1, 0.9]] * 3))
    assert scores["roc_auc"] is None


@pytest.mark.parametrize(
    "task, default, allowed",
    [("binary", "accuracy", CLASSIFICATION), ("multiclass", "accuracy", CLASSIFICATION), ("regression", "rmse", REGRESSION)],
)
def test_defaults_and_allowed(task, default, allowed):
    assert default_metric(task) == default
    assert check_metric(None, task) == default
    assert metrics_for(task) == allowed
    for metric in allowed:
        assert check_metric(metric, task) == metric


@pytest.mark.parametrize(
    "metric, task",
    [("rmse", "binary"), ("r2", "multiclass"), ("accuracy", "regression"), ("auc", "binary"), ("RMSE", "regression"), ("", "binary")],
)
def test_check_metric_errors(metric, task):
    with pytest.raises(ConfigError) as info:
        check_metric(metric, task)
    assert isinstance(info.value, UserInputError)
    message = str(info.value)
    assert "`metric`" in message
    assert f"metric={metric!r}" in message
    assert f"for a {task} task" in message
    assert ", ".join(metrics_for(task)) in message


@pytest.mark.parametrize(
    "metric, greater",
    [("accuracy", True), ("balanced_accuracy", True), ("roc_auc", True), ("f1_macro", True), ("r2", True),
     ("log_loss", False), ("rmse", False), ("mae", False)],
)
def test_greater_is_better(metric, greater):
    assert greater_is_better(metric) is greater


@pytest.mark.parametrize(
    "a, b, metric, expected",
    [
        (0.9, 0.8, "accuracy", True),
        (0.8, 0.9, "accuracy", False),
        (0.9, 0.9, "accuracy", False),  # a tie is not better
        (0.1, 0.2, "rmse", True),
        (0.2, 0.1, "rmse", False),
        (0.3, 0.5, "log_loss", True),
        (-0.5, 0.2, "r2", False),
        (None, 0.1, "rmse", False),
        (None, 0.1, "accuracy", False),
        (0.1, None, "rmse", True),
        (1e9, None, "rmse", True),
        (None, None, "accuracy", False),
    ],
)
def test_better(a, b, metric, expected):
    assert better(a, b, metric) is expected


def test_balanced_accuracy_counts_as_sklearn_does():
    from sklearn.metrics import balanced_accuracy_score

    rng = np.random.default_rng(0)
    for n_classes in (2, 3, 7):
        y = rng.integers(0, n_classes, 500)
        pred = np.where(rng.random(500) < 0.7, y, rng.integers(0, n_classes + 1, 500))  # and a class y lacks
        proba = np.eye(n_classes + 1)[pred]
        assert score_output("multiclass", y, proba, "balanced_accuracy") == pytest.approx(
            balanced_accuracy_score(y, pred), abs=1e-12)
    labels = np.array(["a", "b", "b", "a"])  # labels that are not class indices still score
    assert score_all("binary", labels, np.array(["a", "b", "a", "a"]))["balanced_accuracy"] == pytest.approx(0.75)
