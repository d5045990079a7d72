"""The one train/test split of a run, fixed by the seed, and the validation folds inside its training rows.

With ``groups`` (one code per row, from ``--group COL``), rows that belong together (a patient's visits, a
customer's orders) stay on one side of every split: the test rows are whole groups, and so is every validation
fold, so no score is flattered by rows whose twins were trained on. Classes stay stratified as far as whole
groups allow (scikit-learn's ``StratifiedGroupKFold``).

Example:
    >>> import numpy as np
    >>> train, test = split_rows(np.array([0, 1] * 50), "binary", test_rows=20, seed=0)
    >>> len(train), len(test)
    (80, 20)
    >>> groups = np.repeat(np.arange(25), 4)  # 25 groups of 4 rows
    >>> train, test = split_rows(np.array([0, 1] * 50), "binary", test_rows=20, seed=0, groups=groups)
    >>> len(test), set(groups[train]) & set(groups[test])
    (20, set())
"""

from __future__ import annotations

from typing import Any


def split_rows(y: Any, task: str, test_rows: int, seed: int, groups: Any = None) -> tuple[Any, Any]:
    """Sorted row positions for training and testing (stratified for classification); whole ``groups``."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(y))
    stratify = y if task != "regression" else None
    if groups is not None:
        return _group_holdout(y, task, groups, test_rows / max(len(y), 1), seed)
    train, test = train_test_split(positions, test_size=test_rows, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(test)


def validation_folds(y: Any, task: str, scheme: str, folds: int, seed: int,
                     groups: Any = None) -> list[tuple[Any, Any]]:
    """(fit, validate) position pairs inside the training rows: k folds, or one 80/20 holdout; whole ``groups``
    (the training rows' codes) when given."""
    import numpy as np
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    positions = np.arange(len(y))
    classify = task != "regression"
    if groups is not None:
        if scheme == "kfold":
            return [(a, b) for a, b in _group_splitter(task, folds, seed).split(positions, y, np.asarray(groups))]
        return [_group_holdout(y, task, groups, 0.2, seed)]
    if scheme == "kfold":
        splitter = (StratifiedKFold if classify else KFold)(n_splits=folds, shuffle=True, random_state=seed)
        return [(a, b) for a, b in splitter.split(positions, y if classify else None)]
    fit, val = train_test_split(positions, test_size=0.2, random_state=seed, stratify=y if classify else None)
    return [(np.sort(fit), np.sort(val))]


def _group_splitter(task: str, folds: int, seed: int) -> Any:
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    if task != "regression":
        return StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return GroupKFold(n_splits=folds, shuffle=True, random_state=seed)


def _group_holdout(y: Any, task: str, groups: Any, fraction: float, seed: int) -> tuple[Any, Any]:
    """One fold of whole groups holding about ``fraction`` of the rows, and the rest."""
    import numpy as np

    n_splits = max(2, int(round(1 / max(fraction, 1e-9))))
    rest, held = next(_group_splitter(task, n_splits, seed).split(np.arange(len(y)), y, np.asarray(groups)))
    return np.sort(rest), np.sort(held)
