"""A text table's other columns and its text, stacked: gradient boosting on the columns plus the text's score.

The TF-IDF models read a table's other columns as one block (``side``), but
on numbers the tabular route's gradient boosting search is far stronger. So
after the classical text race, when its best model predicted every training
row out of fold, gradient boosting (``tabular.gbm.GBMRoute``) searches the
other columns plus that prediction (each class's probability, or the value)
with the time the race left. The stack replaces the text model when its own
validation score is better. A prediction runs the text model (fitted on all
training rows), then hands its scores to the boosted model beside the columns.

Example:
    >>> found = stacked(ctx, text_result, side)   # doctest: +SKIP
    >>> found.model.predict(frame)                 # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ...metrics import better
from ...run.integrity import field, is_task, is_whole, read_object
from ...search.base import SearchContext, SearchResult
from ..side import SideColumns

SCORE = "text model output"  # the name (a prefix, for classes) of the columns of the text model's output
SHARE = 0.5  # of the classical window the text race may use when a stack may follow
MIN_ROWS = 0.6  # the share of training rows with an out-of-fold text score a stack needs (3 of 5 folds)


class StackedTextModel:
    """A text model and a boosted model on the table's other columns plus the text model's scores."""

    def __init__(self, text: Any, boosted: Any, columns: list[str], task: str, n_classes: int):
        self.text = text
        self.boosted = boosted
        self.columns = columns  # the other columns the boosted model reads, in order
        self.task = task
        self.n_classes = n_classes

    @property
    def name(self) -> str:
        return f"{self.boosted.name} on columns + {self.text.name}"

    @property
    def params(self) -> dict[str, Any]:
        return {"boosted": self.boosted.params, "text": {"family": self.text.family} | self.text.params}

    def stack_frame(self, frame: Any) -> Any:
        """The boosted model's input: ``frame``'s other columns and the text model's scores of its rows."""
        if self.task == "regression":
            output = self.text.predict(frame)
        else:
            output = self.text.predict_proba(frame)
        return with_scores(frame[self.columns], output, self.task)

    def predict(self, frame: Any) -> Any:
        return self.boosted.predict(self.stack_frame(frame))

    def predict_proba(self, frame: Any) -> Any:
        return self.boosted.predict_proba(self.stack_frame(frame))

    def importance(self, X: Any, y: Any, metric: str, seed: int, max_seconds: float,
                   sample_weight: Any = None) -> dict[str, Any]:
        """The boosted model's importance over the other columns and the text model's output."""
        return self.boosted.importance(self.stack_frame(X), y, metric, seed, max_seconds, sample_weight)

    def save(self, folder: Path) -> None:
        (folder / "text").mkdir(exist_ok=True)
        (folder / "boosted").mkdir(exist_ok=True)
        self.text.save(folder / "text")
        self.boosted.save(folder / "boosted")
        meta = {"columns": self.columns, "task": self.task, "n_classes": self.n_classes}
        (folder / "stack.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def load(folder: Path) -> StackedTextModel:
    """The stack saved in ``folder``; ``ModelFileError`` naming the file that is missing or not what ``save``
    wrote."""
    from ...errors import ModelFileError
    from ...run.integrity import is_texts
    from ..tabular.gbm import load as load_boosted
    from .classical import load as load_text

    path = folder / "stack.json"
    meta = read_object(path)
    columns = field(meta, "columns", lambda v: is_texts(v) and bool(v), "a list of columns", path)
    task = field(meta, "task", is_task, "binary, multiclass or regression", path)
    n_classes = field(meta, "n_classes", is_whole, "a whole number", path)
    text, boosted = load_text(folder / "text"), load_boosted(folder / "boosted")
    if text.task != task or boosted.task != task:
        raise ModelFileError(path, f"is a {task} stack over a {text.task} text model and a {boosted.task} boosted one")
    return StackedTextModel(text, boosted, columns, task, n_classes)


def with_scores(frame: Any, output: Any, task: str) -> Any:
    """``frame`` with the text model's output as numeric columns: the value, the positive class's probability,
    or every class's.

    >>> import pandas as pd
    >>> with_scores(pd.DataFrame({"x": [1, 2]}), np.array([[0.2, 0.8], [0.9, 0.1]]), "binary").columns.tolist()
    ['x', 'text model output']
    """
    out = frame.reset_index(drop=True).copy()
    output = np.asarray(output, dtype=float)
    if task == "regression":
        out[SCORE] = output
    elif task == "binary":
        out[SCORE] = output[:, 1]
    else:
        for k in range(output.shape[1]):
            out[f"{SCORE} {k}"] = output[:, k]
    return out


def possible(side: SideColumns | None, folds: int) -> bool:
    """Whether a stack may follow the text race: the table has other columns and the training rows can get
    out-of-fold text scores (k folds)."""
    return side is not None and folds > 1


def stacked(ctx: SearchContext, text: SearchResult, side: SideColumns) -> tuple[SearchResult | None, str]:
    """Gradient boosting on the other columns plus ``text``'s out-of-fold scores (on the training rows that have one,
    at least ``MIN_ROWS`` of them), inside ``ctx.deadline``: the stack (handed to ``ctx.improved``) when it scores
    better on validation than ``text``, else None; and what happened."""
    from ..tabular.gbm import GBMRoute

    n = len(np.asarray(ctx.y))
    rows = np.asarray(text.val_rows if text.val_rows is not None else [], dtype=int)
    if len(np.unique(rows)) != len(rows) or len(rows) < MIN_ROWS * n:
        return None, (f"No stack with the other columns: the text model was scored out of fold on {len(rows):,} of "
                      f"the {n:,} training rows, fewer than {MIN_ROWS:.0%} (the budget stopped its folds early).")
    X = with_scores(ctx.X.iloc[rows][side.columns], text.val_output, ctx.task)
    kinds = {name: ctx.kinds[name] for name in side.columns}  # the block's columns: numbers, flags, dates, levels
    kinds |= {name: "numeric" for name in X.columns if name not in kinds}
    started = time.monotonic()
    keep = 1.0 + 0.05 * ctx.deadline.remaining()  # saving the stack, both of its models
    inner = dataclasses.replace(ctx, X=X, y=np.asarray(ctx.y)[rows], kinds=kinds, previous=[], cache={},
                                improved=lambda _m: None, deadline=ctx.deadline.child(keep=keep),
                                rule=ctx.rule.of(rows) if ctx.rule is not None else None,
                                sample_weight=ctx.weights_of(rows))
    try:
        boosted = GBMRoute().search(inner)
    except Exception as exc:  # the text model stands; the stack's trials say why
        return None, f"The stack with the other columns failed ({type(exc).__name__}: {exc}); the text model stands."
    model = StackedTextModel(text.model, boosted.model, side.columns, ctx.task, ctx.n_classes)
    if boosted.val_score is None:
        return None, "The stack with the other columns has no validation score; the text model stands."
    shown = f"{boosted.val_score:.4f} against {text.val_score:.4f}"
    if not better(boosted.val_score, text.val_score, ctx.metric):
        return None, (f"Gradient boosting on the other columns ({', '.join(side.columns)}) plus the text model's "
                      f"out-of-fold scores did not beat the text model on validation ({shown}); the text model "
                      "stands.")
    ctx.improved(model)
    on = "" if len(rows) == n else f" (on the {len(rows):,} of {n:,} training rows it predicted out of fold)"
    note = (f"Stacked: gradient boosting ({boosted.model.name}) on the other columns ({', '.join(side.columns)}) plus "
            f"the text model's out-of-fold scores{on} beat the text model alone on validation ({shown}); predictions "
            f"run the {text.model.name} model first and hand its scores on.")
    val_rows = None if boosted.val_rows is None else rows[np.asarray(boosted.val_rows, dtype=int)]
    return SearchResult(model, boosted.val_score, text.fit_seconds + time.monotonic() - started,
                        [*text.notes, *boosted.notes, note], val_rows, boosted.val_output), note
