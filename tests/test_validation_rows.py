"""A network's holdout is the first of the five folds a cross-validated classical search draws with the same seed,
so the runner chooses between the two on every row of that holdout, not on the fifth of it that a separate draw
would share with the classical search's first fold."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from automl.data.splitting import validation_folds


def targets(task: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if task == "regression":
        return rng.normal(size=n)
    return rng.choice(3 if task == "multiclass" else 2, size=n, p=[0.6, 0.3, 0.1] if task == "multiclass" else None)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("seed", [0, 7])
def test_a_networks_holdout_is_the_classical_searchs_first_fold(task, seed):
    from automl.search.networks import Targets

    y = targets(task, 503, seed)
    first_fit, first = validation_folds(y, task, "kfold", 5, seed)[0]
    rows = Targets.of(SimpleNamespace(y=y, task=task, seed=seed, rule=None))
    assert rows.val.tolist() == first.tolist() and rows.fit.tolist() == first_fit.tolist()
    assert len(first) in (100, 101)
    if task != "regression":  # stratified: each class holds the share it has in all the rows, to one row
        for label in np.unique(y):
            assert abs((y[first] == label).sum() - (y == label).sum() / 5) <= 1


def test_a_holdout_of_too_few_rows_for_five_folds_is_still_one_fifth():
    (fit, val), = validation_folds(np.array([0, 1] * 4), "binary", "holdout", 1, 0)
    assert len(val) == 2 and len(fit) == 6 and not set(fit) & set(val)
