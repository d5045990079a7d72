"""The blend: a weighted average of finalists' predictions, the weights chosen on validation rows.

The weights come from greedy ensemble selection (``run.ensemble``) on the
rows every finalist predicted out of sample, so scoring the blend on the test
rows is as honest as scoring its members. It is saved as its member
approaches and their weights; their own folders hold the models. Blends of
runs before 0.3 have no weights: they are equal.

Example:
    >>> import numpy as np
    >>> class Const:
    ...     def __init__(self, p): self.p = np.array([p])
    ...     def predict_proba(self, frame): return self.p
    >>> blend = BlendModel([Const([0.2, 0.8]), Const([0.6, 0.4])], "binary", ("classical", "deep"), (0.75, 0.25))
    >>> blend.name, blend.predict_proba(None).round(3).tolist()
    ('classical 0.75 + deep 0.25', [[0.3, 0.7]])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..registry import ALIASES
from .integrity import field, is_numbers, is_texts, read_object


class BlendModel:
    def __init__(self, members: list[Any], task: str, approaches: tuple[str, ...],
                 weights: tuple[float, ...] | None = None):
        self.members = members
        self.task = task
        self.approaches = tuple(approaches)
        self.weights = tuple(weights) if weights else (1.0 / len(approaches),) * len(approaches)
        self.params = {"members": list(approaches), "weights": list(self.weights)}

    @property
    def name(self) -> str:
        if len(set(self.weights)) == 1 and len(self.approaches) > 1:
            *rest, last = self.approaches
            return f"mean of {', '.join(rest)} and {last}"
        return " + ".join(f"{a} {w:.2f}" for a, w in zip(self.approaches, self.weights))

    def combine(self, outputs: list[Any]) -> Any:
        """The weighted average of the members' outputs (probabilities or values), in member order."""
        import numpy as np

        return sum(w * np.asarray(o, dtype="float64") for w, o in zip(self.weights, outputs)) / sum(self.weights)

    def predict_proba(self, frame: Any) -> Any:
        return self.combine([m.predict_proba(frame) for m in self.members])

    def predict(self, frame: Any) -> Any:
        if self.task == "regression":
            return self.combine([m.predict(frame) for m in self.members])
        return self.predict_proba(frame).argmax(axis=1)

    def save(self, folder: Path) -> None:
        saved = {"members": list(self.approaches), "weights": list(self.weights), "task": self.task}
        (folder / "blend.json").write_text(json.dumps(saved), encoding="utf-8")


def members_of(folder: Path) -> tuple[list[str], list[float] | None]:
    """The approaches a saved blend averages (``gbm`` in runs before 0.2 read as ``classical``) and their
    weights (None, meaning equal, in runs before 0.3); ``ModelFileError`` naming blend.json when it is not what
    ``save`` wrote (distinct approach names, one weight of 0 or more each, not all 0)."""
    path = folder / "blend.json"
    saved = read_object(path)
    members = field(saved, "members", lambda v: is_texts(v) and bool(v) and len(set(v)) == len(v) and "blend" not in v,
                    "a list of distinct approaches", path)
    weights = field(saved, "weights", lambda v: v is None or checked_weights(v, len(members)),
                    f"{len(members)} weight(s) of 0 or more with a positive sum", path, None)
    return [ALIASES.get(m, m) for m in members], weights


def checked_weights(weights: Any, n: int) -> bool:
    """``weights`` are ``n`` numbers >= 0 with a positive sum.

    >>> checked_weights([0.7, 0.3], 2), checked_weights([0.0, 0.0], 2), checked_weights([1.0], 2)
    (True, False, False)
    """
    return is_numbers(weights, n) and all(w >= 0 for w in weights) and sum(weights) > 0
