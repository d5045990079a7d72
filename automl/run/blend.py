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
    weights (None, meaning equal, in runs before 0.3)."""
    saved = json.loads((folder / "blend.json").read_text(encoding="utf-8"))
    return [ALIASES.get(m, m) for m in saved["members"]], saved.get("weights")
