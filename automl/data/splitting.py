"""The one train/test split of a run, fixed by the seed.

Example:
    >>> import numpy as np
    >>> train, test = split_rows(np.array([0, 1] * 50), "binary", test_rows=20, seed=0)
    >>> len(train), len(test)
    (80, 20)
"""

from __future__ import annotations

from typing import Any


def split_rows(y: Any, task: str, test_rows: int, seed: int) -> tuple[Any, Any]:
    """Sorted row positions for training and testing (stratified for classification)."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(y))
    stratify = y if task != "regression" else None
    train, test = train_test_split(positions, test_size=test_rows, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(test)


def validation_folds(y: Any, task: str, scheme: str, folds: int, seed: int) -> list[tuple[Any, Any]]:
    """(fit, validate) position pairs inside the training rows: k folds, or one 80/20 holdout."""
    import numpy as np
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    positions = np.arange(len(y))
    classify = task != "regression"
    if scheme == "kfold":
        splitter = (StratifiedKFold if classify else KFold)(n_splits=folds, shuffle=True, random_state=seed)
        return [(a, b) for a, b in splitter.split(positions, y if classify else None)]
    fit, val = train_test_split(positions, test_size=0.2, random_state=seed, stratify=y if classify else None)
    return [(np.sort(fit), np.sort(val))]
