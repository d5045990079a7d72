"""The one train/test split of a run, fixed by the seed, and the validation folds inside its training rows.

A ``Rule`` says how rows may be split when they are not independent:

* ``groups`` (one code per row, from ``--group COL``): rows that belong together (a patient's visits, a
  customer's orders) stay on one side of every split, so no score is flattered by rows whose twins were trained
  on. Classes stay stratified as far as whole groups allow (scikit-learn's ``StratifiedGroupKFold``).
* ``order`` (one sortable key per row, from ``--order COL``: a date or a number such as time): the held-out rows
  are the latest, and every model is fitted on rows that come before the ones that score it, as it will be used.
  Only one holdout is drawn this way (the plan never cross-validates ordered rows).

Example:
    >>> import numpy as np
    >>> train, test = split_rows(np.array([0, 1] * 50), "binary", test_rows=20, seed=0)
    >>> len(train), len(test)
    (80, 20)
    >>> groups = np.repeat(np.arange(25), 4)  # 25 groups of 4 rows
    >>> train, test = split_rows(np.array([0, 1] * 50), "binary", test_rows=20, seed=0, rule=Rule(groups=groups))
    >>> len(test), set(groups[train]) & set(groups[test])
    (20, set())
    >>> train, test = split_rows(np.zeros(10), "regression", 3, 0, Rule(order=np.arange(10)[::-1]))
    >>> test.tolist()  # the three latest rows
    [0, 1, 2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FOLDS = 5  # k of the plans' k-fold validation; a holdout is the first of these folds, the 20 % fold 1 holds out


@dataclass(frozen=True)
class Rule:
    """How rows may be split: whole ``groups`` (codes), or in ``order`` (sortable keys, latest held out)."""

    groups: Any = None
    order: Any = None

    def of(self, rows: Any) -> "Rule":
        """The rule for the rows at positions ``rows`` (a subset, renumbered from 0)."""
        import numpy as np

        return Rule(None if self.groups is None else np.asarray(self.groups)[rows],
                    None if self.order is None else np.asarray(self.order)[rows])


def split_rows(y: Any, task: str, test_rows: int, seed: int, rule: Rule | None = None) -> tuple[Any, Any]:
    """Sorted row positions for training and testing (stratified for classification), as ``rule`` allows."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    if rule is not None and rule.order is not None:
        return _latest(rule.order, test_rows)
    if rule is not None and rule.groups is not None:
        return _group_holdout(y, task, rule.groups, test_rows / max(len(y), 1), seed)
    positions = np.arange(len(y))
    stratify = y if task != "regression" else None
    train, test = train_test_split(positions, test_size=test_rows, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(test)


def validation_folds(y: Any, task: str, scheme: str, folds: int, seed: int,
                     rule: Rule | None = None) -> list[tuple[Any, Any]]:
    """(fit, validate) position pairs inside the training rows: k folds, or one 80/20 holdout; as ``rule`` (the
    training rows' own) allows.

    The holdout is the first of the ``FOLDS`` folds the same seed draws (as a group holdout is), so a network validated
    on a holdout and a classical model cross-validated on those folds share its rows, and the runner chooses
    between them on all of them, not on the fifth of them that a separate draw would share with fold 1 alone.

    >>> import numpy as np
    >>> y = np.array([0, 1] * 50)
    >>> (fit, val), = validation_folds(y, "binary", "holdout", 1, 0)
    >>> len(val), val.tolist() == validation_folds(y, "binary", "kfold", 5, 0)[0][1].tolist()
    (20, True)
    """
    import numpy as np
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    positions = np.arange(len(y))
    classify = task != "regression"
    if rule is not None and rule.order is not None:
        if scheme == "kfold":
            raise ValueError("ordered rows are validated on one holdout of the latest rows, never by k folds")
        return [_latest(rule.order, int(round(0.2 * len(y))))]
    if rule is not None and rule.groups is not None:
        groups = np.asarray(rule.groups)
        if scheme == "kfold":
            return [(a, b) for a, b in _group_splitter(task, folds, seed).split(positions, y, groups)]
        return [_group_holdout(y, task, groups, 0.2, seed)]
    if scheme == "kfold":
        splitter = (StratifiedKFold if classify else KFold)(n_splits=folds, shuffle=True, random_state=seed)
        return [(a, b) for a, b in splitter.split(positions, y if classify else None)]
    if len(y) >= FOLDS * 2:
        return validation_folds(y, task, "kfold", FOLDS, seed)[:1]
    fit, val = train_test_split(positions, test_size=0.2, random_state=seed, stratify=y if classify else None)
    return [(np.sort(fit), np.sort(val))]


def _latest(order: Any, n: int) -> tuple[Any, Any]:
    """The rows before, and the ``n`` latest rows by ``order`` (ties kept in the file's order)."""
    import numpy as np

    ranked = np.argsort(np.asarray(order), kind="stable")
    n = min(max(n, 1), len(ranked) - 1)
    return np.sort(ranked[:-n]), np.sort(ranked[-n:])


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
