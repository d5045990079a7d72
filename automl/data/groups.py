"""``--group COL``: the column whose rows belong together (a patient's visits, a customer's orders), checked before
a run: it must be a column that is neither the target nor dropped, hold enough groups to hold whole ones out for
testing and validation, and spread every class over two groups or more. ``codes`` numbers the groups for
``splitting``, which keeps each one whole on one side of every split.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"patient": [f"p{i // 3}" for i in range(60)], "y": [0, 1] * 30})
    >>> reason(frame["patient"], frame.index)[:60]
    'groups rows (`group`): 20 groups of 3.0 rows on average stay'
    >>> codes(frame, "patient")[:7].tolist()
    [0, 0, 0, 1, 1, 1, 2]
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, not_a_column
from .target import _label

MIN_GROUPS = 10  # whole groups held out for testing and for each of 5 validation folds


def check_column(columns: list[str], group: str | None, target: str | None, drop: list[str]) -> None:
    """``group`` (``--group``) is a column of the data, and neither the target nor dropped."""
    if group is None:
        return
    if not isinstance(group, str) or group not in columns:
        raise ConfigError(not_a_column("group", group, columns))
    if group == target or group in drop:
        why = "the target" if group == target else "left out by `drop`"
        raise ConfigError(f"`group` names {group!r}, which is {why}; a group column must be another column of the "
                          "data.")


def reason(values: Any, rows: Any) -> str:
    """What ``--group``'s column does, from its values in the rows with a target (``rows``); a ``ConfigError``
    when it has too few groups to hold whole ones out."""
    kept = values.loc[rows]
    n = int(kept.nunique()) + int(kept.isna().sum())  # a row without a group is a group of its own
    if n < MIN_GROUPS:
        raise ConfigError(f"`group` column {values.name!r} has {n} group(s) among the rows with a target; holding "
                          f"whole groups out for testing and validation needs at least {MIN_GROUPS}. Leave `group` "
                          "out, or give a column that groups the rows more finely.")
    alone = f"; the {int(kept.isna().sum()):,} row(s) without one are each a group of their own" \
        if kept.isna().any() else ""
    return (f"groups rows (`group`): {n:,} groups of {len(kept) / n:.1f} rows on average stay whole on one side "
            f"of the test split and of every validation fold{alone}; not a feature.")


def check_classes(frame: Any, y: Any, target: str, group: str) -> None:
    """Every class of ``y`` (the target's values, indexed by row) is in at least two groups of ``group``, so that
    whole groups can put it on both sides of the split."""
    import pandas as pd

    of_rows = codes(frame, group)[frame.index.get_indexer(y.index)]
    spread = pd.DataFrame({"c": y.to_numpy(), "g": of_rows}).groupby("c")["g"].nunique()
    few = [_label(c) for c, n in spread.items() if n < 2]
    if few:
        raise ConfigError(f"class(es) {', '.join(map(repr, few[:5]))} of {target!r} occur in one group of {group!r} "
                          "only: a group held out whole cannot leave them on both sides of the split. Leave `group` "
                          "out, or merge or remove those classes.")


def codes(frame: Any, group: str) -> Any:
    """One integer per row of ``frame`` naming its group in column ``group``; a row without one gets a code of
    its own (as ``reason`` counts it).

    >>> import pandas as pd
    >>> codes(pd.DataFrame({"g": ["a", "b", "a", None, None]}), "g").tolist()
    [0, 1, 0, 2, 3]
    """
    import numpy as np
    import pandas as pd

    codes = pd.factorize(frame[group])[0].astype("int64")
    missing = codes < 0
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return codes
