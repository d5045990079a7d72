"""The route contract: what a route gets (a ``SearchContext``), does (``Route``) and gives back (``SearchResult``).

A route searches inside ``ctx.deadline``, reports every trial through
``ctx.record`` and hands each new best model to ``ctx.improved`` so the best
model so far is always on disk. Its models share one small contract
(``Model``); ``Route.load`` reads one back from the files listed in
``Route.saves``. The result carries the model's predictions on rows it did
not fit, so the run chooses on validation, never on the test rows.
``tests/test_route_contract.py`` checks every registered
route against all of this.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from ..budget import Deadline
from ..hardware import Hardware
from ..metrics import better
from ..run.results import TrialRecord


class Model(Protocol):
    """A trained model with its own preprocessing: raw feature rows in, predictions out."""

    name: str
    params: dict[str, Any]

    def predict(self, frame: Any) -> Any: ...  # class indices, or values for regression

    def predict_proba(self, frame: Any) -> Any: ...  # n x classes, rows summing to one (classification)

    def save(self, folder: Path) -> None: ...


class Route(Protocol):
    """One approach on one modality (registered with a ``registry.RouteSpec``)."""

    saves: tuple[tuple[str, ...], ...]  # files (or folders) a saved model holds: one of each group

    def search(self, ctx: "SearchContext") -> "SearchResult": ...

    def load(self, folder: Path) -> Model: ...

    def finish_seconds(self, budget: float) -> float: ...  # kept from the search to score and save the finalist

    # Optional, for routes registered with ``refits=True``:
    # def refit(self, model: Model, ctx: SearchContext) -> Refit | None
    # fits ``model``'s configuration afresh on ``ctx.X``/``ctx.y`` (all labelled rows) inside ``ctx.deadline``;
    # None when nothing could be refitted in time.


@dataclass
class SearchContext:
    """Everything a route needs; ``X`` holds raw feature columns of the training rows."""

    approach: str
    X: Any
    y: Any  # class indices 0..K-1, or float values
    task: str
    metric: str
    classes: list[str] | None
    kinds: dict[str, str]
    seed: int
    validation: str
    folds: int
    deadline: Deadline  # a node of the run's deadline tree; its root's start is the run's time zero
    hardware: Hardware
    max_trials: int | None = None
    max_epochs: int | None = None
    record: Callable[[TrialRecord], None] = lambda _t: None
    improved: Callable[[Model], None] = lambda _m: None
    trials: list[TrialRecord] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)  # the plan's input shapes, e.g. {"image": {"size": 32}}
    cache: dict[str, Any] = field(default_factory=dict)  # decoded inputs shared by the run's approaches
    # Per-epoch logs of the best network so far ({"epoch", "phase", "loss", "val_loss", "val_score", ...});
    # deep routes fill it in place, so copies made with dataclasses.replace share it.
    history: list[dict[str, Any]] = field(default_factory=list)
    # A resumed run: this approach's trials finished in earlier sessions (a search skips them, and its best
    # counts), and a folder kept in the run for the search's own state (Keras Tuner's), None for a temporary one.
    previous: list[TrialRecord] = field(default_factory=list)
    workdir: Path | None = None
    # Keras Tuner's distributed mode (``search.cluster``): a ``Chief`` serves the oracle to worker processes, a
    # ``Worker`` runs the trials a chief hands out; None searches in this process.
    cluster: Any = None
    # A table too large for memory (``data.large.LargeTable``): ``X``/``y`` hold its training rows held in memory,
    # and a route of scale "pieces" trains on the rest on Dask (``dask``: local, auto or a scheduler's address).
    large: Any = None
    dask: str = "auto"
    target: str = ""  # the target's column in ``large``
    weight: str = ""  # its ``--weight`` column, "" when rows count alike
    # How the training rows may be split (``data.splitting.Rule``: whole groups for ``--group``, the latest rows
    # held out for ``--order``); None splits them one by one.
    rule: Any = None
    # How much each training row counts (``--weight``), one number per row of ``X``; None: alike. Routes train
    # with it and score their candidates with it (``weights_of``).
    sample_weight: Any = None

    @property
    def n_classes(self) -> int:
        return len(self.classes) if self.classes else 0

    def weights_of(self, rows: Any) -> Any:
        """The weights of the training rows at positions ``rows`` (``sample_weight``); None when rows count alike.

        >>> import numpy as np
        >>> ctx = SearchContext("classical", None, [0, 1, 1], "binary", "accuracy", ["a", "b"], {}, 0, "holdout", 1,
        ...                     None, None, sample_weight=np.array([1.0, 2.0, 3.0]))
        >>> from dataclasses import replace
        >>> ctx.weights_of([2, 0]).tolist(), replace(ctx, sample_weight=None).weights_of([1])
        ([3.0, 1.0], None)
        """
        import numpy as np

        return None if self.sample_weight is None else np.asarray(self.sample_weight)[np.asarray(rows, dtype=int)]

    def columns_of(self, kind: str) -> list[str]:
        """Feature columns of one kind, in table order."""
        return [name for name, k in self.kinds.items() if k == kind]

    def prior(self) -> list[float]:
        """Class shares of the training rows (the mean value for regression): the guess with no input."""
        import numpy as np

        y = np.asarray(self.y)
        if self.task == "regression":
            return [float(np.average(y, weights=self.sample_weight))]
        counts = np.bincount(y.astype(int), weights=self.sample_weight, minlength=self.n_classes).astype(float)
        return (counts / counts.sum()).tolist()

    def best_score(self) -> float | None:
        best = None
        for t in [*self.previous, *self.trials]:
            if t.status == "ok" and better(t.val_score, best, self.metric):
                best = t.val_score
        return best

    def log_trial(
        self,
        model: str,
        params: dict[str, Any],
        val_score: float | None,
        started_monotonic: float,
        status: str = "ok",
        error: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> TrialRecord:
        """Record one trial (timed from ``started_monotonic``) and pass it on."""
        now, zero = time.monotonic(), self.deadline.root.start
        started = started_monotonic - zero
        record = TrialRecord(
            approach=self.approach, model=model, params=params, metric=self.metric,
            val_score=None if val_score is None else float(val_score), seconds=round(now - started_monotonic, 3),
            started=round(started, 3), ended=round(now - zero, 3), status=status, error=error,
            extra=extra or {},
        )
        self.trials.append(record)
        record.best_so_far = self.best_score()
        self.record(record)
        return record

    def trial_cap_reached(self) -> bool:
        """``max_trials`` counts the trials of earlier sessions too (a resumed search ends where one run would)."""
        return self.max_trials is not None and len(self.trials) + len(self.previous) >= self.max_trials


def continued_key(approach: str) -> str:
    """Where a search that can continue (``RouteSpec.continues``) leaves its state in the run's cache for a continued
    pass of the same approach; the run drops it once no pass can follow (``automl.run.giveback``).

    >>> continued_key("classical")
    'classical: state for a continued search'
    """
    return f"{approach}: state for a continued search"


def refit_seconds(fit: dict[str, float], rows: int) -> float:
    """What fitting a model again on ``rows`` rows should take, from ``fit`` (its own training's ``seconds``
    and ``rows``) with a 30 % margin; 0 when unknown (the refit's own deadline checks still bound it).

    >>> refit_seconds({"seconds": 2.0, "rows": 800}, 1000), refit_seconds({}, 1000)
    (3.25, 0.0)
    """
    return 1.3 * fit["seconds"] * rows / fit["rows"] if fit.get("rows") else 0.0


@dataclass
class Refit:
    """A model refitted for deployment, and a sentence on what was refitted (all of it, or some members)."""

    model: Model
    note: str


@dataclass
class SearchResult:
    """What a route found: its model, that model's validation score, and its out-of-sample predictions.

    ``val_rows`` are positions in ``ctx.X`` the chosen configuration predicted
    without fitting them (every row, out of fold, for k-fold; the holdout
    otherwise) and ``val_output`` those predictions: probabilities (rows x
    classes) or values in the target's own units. The run compares finalists
    and weighs the ensemble on the rows all of them predicted; a route that
    gives none is compared by ``val_score`` alone and blended with equal weights.
    """

    model: Model
    val_score: float | None
    fit_seconds: float
    notes: list[str] = field(default_factory=list)
    val_rows: Any = None
    val_output: Any = None
