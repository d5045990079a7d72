"""The blend: the plain average of every finalist's predictions.

Equal weights, nothing fitted, so scoring it on the test rows is as honest as
scoring its members. It is saved as the list of member approaches; their own
folders hold the models.

Example:
    >>> import numpy as np
    >>> class Const:
    ...     def __init__(self, p): self.p = np.array([p])
    ...     def predict_proba(self, frame): return self.p
    >>> blend = BlendModel([Const([0.2, 0.8]), Const([0.6, 0.4])], "binary", ("classical", "deep"))
    >>> blend.name, blend.predict_proba(None).round(3).tolist()
    ('mean of classical and deep', [[0.4, 0.6]])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..registry import ALIASES


class BlendModel:
    def __init__(self, members: list[Any], task: str, approaches: tuple[str, ...]):
        self.members = members
        self.task = task
        self.approaches = tuple(approaches)
        self.params = {"members": list(approaches), "weights": [1.0 / len(approaches)] * len(approaches)}

    @property
    def name(self) -> str:
        *rest, last = self.approaches
        return f"mean of {', '.join(rest)} and {last}"

    def predict_proba(self, frame: Any) -> Any:
        import numpy as np

        return np.mean([m.predict_proba(frame) for m in self.members], axis=0)

    def predict(self, frame: Any) -> Any:
        import numpy as np

        if self.task == "regression":
            return np.mean([np.asarray(m.predict(frame), dtype=float) for m in self.members], axis=0)
        return self.predict_proba(frame).argmax(axis=1)

    def save(self, folder: Path) -> None:
        (folder / "blend.json").write_text(json.dumps({"members": list(self.approaches), "task": self.task}),
                                           encoding="utf-8")


def members_of(folder: Path) -> list[str]:
    """The approaches a saved blend averages (``gbm`` in runs before 0.2 read as ``classical``)."""
    members = json.loads((folder / "blend.json").read_text(encoding="utf-8"))["members"]
    return [ALIASES.get(m, m) for m in members]
