"""Tabular data: column detectors, the encoder, gradient boosting (``gbm``) and the MLP (``mlp``).

Tables of numbers, categories, booleans and dates: gradient boosting leads, an MLP is the comparison.

Example:
    >>> TABULAR.validation(800, ["classical", "deep"])[:2]
    ('kfold', 5)
"""

from __future__ import annotations

from ...data.splitting import FOLDS
from ..base import Modality
from .columns import DETECTORS

KFOLD_MAX_ROWS = 5000
JAX_MIN_BUDGET = 120.0  # seconds: below it, JAX's compiling takes too much of a table's network time (cpu_backends)


class TabularModality(Modality):
    name = "tabular"
    priority = 1000  # the fallback: a table is tabular when no other modality claims it
    primary = "classical"
    why_primary = ("gradient boosting is the usual winner on tabular data: strong on structured features, cheap and "
                   "interpretable")
    shares = {"classical": 0.45, "dask": 0.6, "deep": 0.55}
    detectors = DETECTORS

    def validation(self, train_rows: int, approaches: list[str]) -> tuple[str, int, str]:
        if train_rows <= KFOLD_MAX_ROWS:
            return "kfold", FOLDS, (f"Gradient-boosting candidates are compared by {FOLDS}-fold cross-validation: with "
                                f"{train_rows:,} training rows a single validation split would be noisy, and each "
                                "fold is cheap.")
        return "holdout", 1, (f"Candidates are compared on a 20% validation split of the {train_rows:,} training "
                              "rows: large enough to be steady, and k-fold would cost k times more.")

    def cpu_backends(self, train_rows: int, budget_seconds: float) -> tuple[tuple[str, ...], str]:
        """JAX on a larger table with two minutes or more: an epoch there costs more than a network's start, and
        JAX runs it two to four times faster than TensorFlow (docs/gpu.md). But JAX compiles a table's network
        for 3-14 s (more columns, longer) where TensorFlow starts one in about 2: a cross-validated table trains
        many short networks, and a shorter run's network has about 25 s in all, so those keep TensorFlow.

        >>> TABULAR.cpu_backends(20000, 120)[0], TABULAR.cpu_backends(800, 600)[0], TABULAR.cpu_backends(20000, 60)[0]
        (('jax', 'tensorflow'), (), ())
        """
        if train_rows <= KFOLD_MAX_ROWS or budget_seconds < JAX_MIN_BUDGET:
            return (), ""
        return ("jax", "tensorflow"), (f"measured the fastest on a CPU for a table of more than {KFOLD_MAX_ROWS:,} "
                                       f"training rows and a budget of {JAX_MIN_BUDGET / 60:.0f} minutes or more (an "
                                       "epoch of california_housing's default network 0.3 s against 1.4 s with "
                                       "TensorFlow; docs/gpu.md)")


TABULAR = TabularModality()
