"""One column -> its kind and the reason: what every table shares, then each modality's detectors. Pure.

Missing, constant, boolean, date and number columns are decided by their
dtype here; a column of strings goes to the detectors of every registered
modality (image and audio paths, true/false words, numbers, dates, free
text, identifiers, categories), lowest order first.

Example:
    >>> import pandas as pd
    >>> profile_column(pd.Series(["red", "green", "blue", "green"] * 10, name="c")).kind
    'categorical'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import DataError
from .target import _label

SAMPLE = 2000  # strings read per column by the detectors
FEATURE_KINDS = ("numeric", "categorical", "boolean", "datetime")


@dataclass
class ColumnProfile:
    name: str
    kind: str  # numeric categorical boolean datetime identifier constant target, or a modality's (text, image_path...)
    dtype: str
    missing: int
    unique: int
    reason: str
    used: bool = True
    notes: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)


def profile_column(s: Any, detectors: list[Any] | None = None) -> ColumnProfile:
    """Kind of one feature column, with the reason (``detectors``: every registered modality's, by default)."""
    import pandas as pd

    from ..modalities.base import TextColumn

    name, non_null = str(s.name), s.dropna()
    n, unique = len(non_null), int(non_null.nunique())

    def col(kind: str, reason: str, used: bool = True, notes: Any = ()) -> ColumnProfile:
        return ColumnProfile(name, kind, str(s.dtype), int(s.isna().sum()), unique, reason, used, list(notes))

    if n == 0:
        return col("constant", "all values are missing; dropped.", used=False)
    if unique == 1:
        return col("constant", f"has a single value ({_label(non_null.iloc[0])}); dropped.", used=False)
    if pd.api.types.is_bool_dtype(s):
        return col("boolean", "true/false values.")
    if pd.api.types.is_datetime64_any_dtype(s):
        return col("datetime", "stored as dates; expanded to year, month, day, weekday and hour.")
    if pd.api.types.is_numeric_dtype(s):
        return col(*_numbers(name, non_null, unique))
    text = non_null.astype(str)
    sample = text.sample(min(SAMPLE, n), random_state=0) if n > SAMPLE else text
    column = TextColumn(name, sample, sample.str.lower().str.strip(), unique, n)
    for detector in sorted(detectors if detectors is not None else _registered(), key=lambda d: d.order):
        claim = detector.detect(column)
        if claim is not None:
            return col(claim.kind, claim.reason, claim.used, claim.notes)
    raise ValueError(f"no detector claimed column {name!r}")  # the tabular modality's categorical claims every column


def _numbers(name: str, values: Any, unique: int) -> tuple[str, str, bool, list[str]]:
    """A numeric column: numbers, or an identifier (a row number, or unique whole numbers named like an id)."""
    import numpy as np

    array = values.to_numpy(dtype=float)
    n_inf = int(np.isinf(array).sum())
    notes = [f"column {name!r} has {n_inf} infinite value(s); they are treated as missing."] if n_inf else []
    whole = bool(np.all(np.mod(array[np.isfinite(array)], 1) == 0))
    if whole and unique == len(array) >= 50:
        if bool(np.all(np.diff(np.sort(array)) == 1)):
            return "identifier", "unique consecutive whole numbers, like a row number; dropped.", False, []
        low = name.lower()
        if low in ("id", "index", "key", "uuid") or low.endswith(("_id", " id", "id_")):
            return "identifier", "unique whole numbers in a column named like an id; dropped.", False, []
    return "numeric", "numbers.", True, notes


def _registered() -> list[Any]:
    from .. import registry

    return [d for m in registry.modalities() for d in m.detectors]


def check_columns(frame: Any, needed: list[str], ignore: tuple[str, ...] = (), fix: str | None = None) -> list[str]:
    """Raise ``DataError`` naming the ``needed`` columns ``frame`` lacks and the ``fix`` (by default: add them);
    return its extra columns.

    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1], "b": [2]}), ["a"])
    ['b']
    >>> check_columns(pd.DataFrame({"Smoker": [1]}), ["smoker"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    automl.errors.DataError: the data is missing 1 column(s) the model needs: 'smoker'. Rename 'Smoker' to 'smoker' ...
    """
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:10]) + (" ..." if len(missing) > 10 else "")
        fix = fix or "Add them (values may be empty)."
        extra = {str(c).strip().lower(): c for c in frame.columns if c not in needed}
        renamed = [(extra[str(c).strip().lower()], c) for c in missing if str(c).strip().lower() in extra]
        if renamed:  # the same name but for case or spaces: names are matched exactly
            pairs = ", ".join(f"{a!r} to {b!r}" for a, b in renamed[:5])
            rest = f"; for the others: {fix[0].lower()}{fix[1:]}" if len(renamed) < len(missing) else "."
            fix = f"Rename {pairs} (column names are matched exactly){rest}"
        raise DataError(f"the data is missing {len(missing)} column(s) the model needs: {shown}. {fix}")
    return [c for c in frame.columns if c not in needed and c not in ignore]
