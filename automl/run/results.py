"""Records of what a run did: trials, finalists and progress events (all JSON-serialisable).

Example:
    >>> t = TrialRecord("classical", "xgboost", {"max_depth": 6}, "accuracy", 0.87, 1.2, 0.0, 1.2)
    >>> t.to_dict()["val_score"]
    0.87
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable


@dataclass
class TrialRecord:
    approach: str
    model: str
    params: dict[str, Any]
    metric: str
    val_score: float | None
    seconds: float
    started: float  # seconds since the run began
    ended: float
    status: str = "ok"  # ok | failed | stopped
    error: str | None = None
    best_so_far: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finalist:
    """One approach's best model, scored on the test rows."""

    approach: str
    model: str
    params: dict[str, Any]
    test_scores: dict[str, float | None]
    val_score: float | None
    fit_seconds: float
    predict_ms_per_row: float
    model_bytes: int
    peak_memory_mb: float
    trials: int
    cost_usd: float
    notes: list[str] = field(default_factory=list)
    cpu_seconds: float | None = None  # process CPU time of the search, summed over threads
    gpu_seconds: float | None = None  # wall time with a GPU held (0 without one)
    predict_cpu_ms_per_row: float | None = None
    kind: str = "classical"  # classical | deep | blend
    noun: str = ""  # what a sentence calls it
    selection_score: float | None = None  # on the validation rows every finalist predicted: what chooses ``best``

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Event:
    """A progress event from the core to whoever presents it (the CLI)."""

    kind: str  # approach_start | trial | approach_end | message
    approach: str | None = None
    message: str = ""
    trials: int = 0
    best: float | None = None
    elapsed: float = 0.0
    budget: float = 0.0


Listener = Callable[[Event], None]


def quiet(_event: Event) -> None:
    """A listener that ignores every event."""
