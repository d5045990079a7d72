"""The run's data, made ready once: target encoded, the modality's files decoded, the one train/test split.

Example:
    >>> prepared = prepare(dataset, profile, plan, hardware, seed=0)   # doctest: +SKIP
    >>> prepared.split.X_train.shape                                    # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import registry
from ..data.splitting import split_rows
from ..data.target import clean_target, encode_target


@dataclass
class Split:
    """The run's one split: raw feature rows and encoded targets, train and test."""

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    kinds: dict[str, str]
    classes: list | None


@dataclass
class Prepared:
    split: Split
    test_rows: Any  # the test rows' positions among the file's data rows (for test_predictions.csv)
    skipped_files: list[dict[str, str]] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)  # decoded inputs the approaches share, by modality


def prepare(dataset: Any, profile: Any, plan: Any, hardware: Any, seed: int) -> Prepared:
    """Rows with a target, decoded by the modality (rows whose file fails leave, listed), split by the seed."""
    import numpy as np

    frame = dataset.frame
    keep = clean_target(frame[profile.target])[0].notna().to_numpy()
    rows = np.flatnonzero(keep)
    frame = frame.loc[keep].reset_index(drop=True)
    decoded = registry.modality(profile.modality).decode(frame, profile, plan, dataset.root, hardware)
    frame = decoded.frame
    if decoded.good is not None:
        frame, rows = frame.loc[decoded.good].reset_index(drop=True), rows[decoded.good]
    features = [c.name for c in profile.features]
    kinds = {c.name: c.kind for c in profile.features}
    y, classes = encode_target(frame[profile.target], profile.task)
    train, test = split_rows(y, profile.task, plan.test_rows, seed)
    split = Split(frame.loc[train, features].reset_index(drop=True), y[train],
                  frame.loc[test, features].reset_index(drop=True), y[test], kinds, classes)
    cache = {profile.modality: decoded.cache} if decoded.cache is not None else {}
    return Prepared(split, rows[test], decoded.skipped or [], cache)
