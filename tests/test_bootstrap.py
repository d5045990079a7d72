"""The paired bootstrap of a score difference: the vectorised metrics equal scikit-learn's, the interval behaves."""

from __future__ import annotations

import numpy as np
import pytest

from automl.metrics import CLASSIFICATION, REGRESSION, score_all
from automl.report.bootstrap import _scorer, paired_difference


def classification_data(k: int, n: int = 240, seed: int = 1):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    proba = rng.dirichlet(np.ones(k), n)
    proba[np.arange(n), y] += 0.6
    return y, proba / proba.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("task, k", [("binary", 2), ("multiclass", 4)])
@pytest.mark.parametrize("metric", CLASSIFICATION)
def test_weighted_classification_metrics_equal_scikit_learn_on_a_resample(task, k, metric):
    y, proba = classification_data(k)
    rng = np.random.default_rng(7)
    idx = rng.integers(0, len(y), len(y))
    counts = np.bincount(idx, minlength=len(y))[None].astype(float)
    expected = score_all(task, y[idx], proba[idx].argmax(axis=1), proba[idx])[metric]
    assert _scorer(task, metric, y, proba)(counts)[0] == pytest.approx(expected, rel=1e-9)
    whole = score_all(task, y, proba.argmax(axis=1), proba)[metric]
    assert _scorer(task, metric, y, proba)(np.ones((1, len(y))))[0] == pytest.approx(whole, rel=1e-9)


@pytest.mark.parametrize("metric", REGRESSION)
def test_weighted_regression_metrics_equal_scikit_learn_on_a_resample(metric):
    rng = np.random.default_rng(3)
    y = rng.normal(size=150)
    pred = y + rng.normal(scale=0.5, size=150)
    idx = rng.integers(0, 150, 150)
    counts = np.bincount(idx, minlength=150)[None].astype(float)
    expected = score_all("regression", y[idx], pred[idx])[metric]
    assert _scorer("regression", metric, y, pred)(counts)[0] == pytest.approx(expected, rel=1e-9)


def test_binary_auc_counts_ties_as_half():
    y = np.array([0, 1, 0, 1])
    proba = np.array([[0.5, 0.5], [0.5, 0.5], [0.9, 0.1], [0.1, 0.9]])
    expected = score_all("binary", y, proba.argmax(axis=1), proba)["roc_auc"]
    assert _scorer("binary", "roc_auc", y, proba)(np.ones((1, 4)))[0] == pytest.approx(expected)


def test_same_model_twice_gives_a_zero_interval():
    y, proba = classification_data(3)
    out = paired_difference(y, proba, proba, "multiclass", "f1_macro", resamples=300)
    assert (out["difference"], out["low"], out["high"]) == (0.0, 0.0, 0.0)
    assert out["resamples"] == 300 and out["rows"] == len(y) and out["level"] == 0.95


def test_a_much_better_model_has_an_interval_clear_of_zero_and_a_close_one_does_not():
    y, good = classification_data(2, n=400)
    coin = np.full_like(good, 0.5)
    coin[:, 0] += 1e-3  # always predicts class 0
    clear = paired_difference(y, good, coin, "binary", "accuracy")
    assert clear["low"] > 0 and clear["low"] <= clear["difference"] <= clear["high"]
    flipped = good.copy()
    flipped[0] = flipped[0, ::-1]  # the two disagree on one row of 400
    close = paired_difference(y, good, flipped, "binary", "accuracy")
    assert close["low"] <= 0 <= close["high"]
    assert abs(close["difference"]) == pytest.approx(1 / 400)


def test_lower_is_better_metric_difference_sign():
    y = np.random.default_rng(0).normal(size=300)
    out = paired_difference(y, y + 0.1, y + 1.0, "regression", "rmse")
    assert out["difference"] < 0 and out["high"] < 0  # the first model's RMSE is lower on every resample


def test_seeded_and_repeatable():
    y, proba = classification_data(2)
    other = np.roll(proba, 1, axis=0)
    first = paired_difference(y, proba, other, "binary", "log_loss", seed=5)
    assert first == paired_difference(y, proba, other, "binary", "log_loss", seed=5)
    assert first != paired_difference(y, proba, other, "binary", "log_loss", seed=6)


def test_time_cap_stops_early_and_says_how_many_resamples_were_done():
    y, proba = classification_data(3, n=200)
    ticks = iter(range(10**6))
    out = paired_difference(y, proba, np.roll(proba, 1, axis=0), "multiclass", "roc_auc", resamples=1000,
                            max_seconds=2, clock=lambda: float(next(ticks)))
    assert 0 < out["resamples"] < 1000
    assert out["low"] is not None


def test_undefined_metric_gives_no_interval():
    y = np.zeros(50, dtype=int)  # one class only: ROC AUC is undefined
    proba = np.tile([0.7, 0.3], (50, 1))
    out = paired_difference(y, proba, proba, "binary", "roc_auc", resamples=50)
    assert out["low"] is None and out["high"] is None
