"""What is special about one kind of data, in one object: a ``Modality``.

Inspection asks a modality which text columns are its own (``detectors``)
and how to describe them (``describe``); the plan asks for its input spec,
its validation scheme and its approaches' time shares; the runner asks it to
decode its files once (``decode``); the predictor to find them again
(``prepare``); the report for its words. A new modality is one subclass
instance plus one entry in ``automl.registry``; nothing else branches on its
name.

Example:
    >>> m = Modality()
    >>> m.validation(1000, ["classical"])[:2]
    ('holdout', 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class TextColumn:
    """A column of strings as detectors see it: a sample of its values (as written and lower-cased), counts."""

    name: str
    sample: Any  # pandas Series of str
    lower: Any
    unique: int  # distinct values in the whole column
    n: int  # values that are not missing


@dataclass(frozen=True)
class Claim:
    """A detector's answer: the column's kind and why; ``used=False`` drops it, ``notes`` become warnings."""

    kind: str
    reason: str
    used: bool = True
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Detector:
    """A rule that may claim a column of strings for a kind: ``detect`` returns a ``Claim`` or None.

    Every modality's detectors run together, lowest ``order`` first; the first to answer decides.
    """

    order: int
    detect: Callable[[TextColumn], "Claim | None"]


@dataclass
class Decoded:
    """A table after its modality prepared it for training: rows whose input failed are left out, and listed."""

    frame: Any
    good: Any = None  # boolean mask over the frame's rows; None keeps them all
    skipped: list[dict[str, str]] | None = None  # {"path", "error"} per row left out
    cache: Any = None  # decoded inputs shared by the run's approaches


class Modality:
    """The defaults: one row per example, nothing to decode, a 20% validation split."""

    name = "rows"
    column_kind: str | None = None  # a feature column of this kind makes a table this modality
    priority = 100  # asked first (lowest) when a table has columns of several modalities' kinds
    primary = "classical"  # the approach that leads; the others run as the comparison
    why_primary = ""
    shares: Mapping[str, float] = {}  # time weights by approach (else the route's own weight)
    unit = "rows"  # what one example is called
    whole_number_classes = False  # whole-number targets are class ids however few rows each class has
    suffixes: tuple[str, ...] = ()  # for modalities of files: the endings that make a path one of them
    detectors: tuple[Detector, ...] = ()

    def describe(self, frame: Any, columns: list[Any], root: Path | None, warnings: list[str]) -> None:
        """Add what inspection should know to ``columns`` (stats, reasons; columns it sets aside)."""

    def set_aside(self, columns: list[Any], beside: tuple[str, ...] = (), by: str = "") -> None:
        """Columns of other kinds (except those of the ``beside`` kinds, which ``by``, some or all of the routes,
        read too) are not used by this modality's routes; their reasons say so."""
        own = ", ".join(repr(c.name) for c in columns if c.kind == self.column_kind)
        for c in columns:
            if c.used and c.kind in beside:
                c.reason += f" Read beside the {self.name} column(s) ({own}){by}."
            elif c.used and c.kind not in ("target", self.column_kind):
                c.used = False
                c.reason += f" Not used: this version's {self.name} routes read only the {self.name} column(s) ({own})."

    def time_shares(self, profile: Any) -> tuple[Mapping[str, float], str]:
        """Time weights by approach for this data (else each route's own weight), and why when they differ from
        the modality's usual ``shares``."""
        return self.shares, ""

    def input_spec(self, profile: Any, budget_seconds: float, hardware: Any) -> tuple[dict[str, Any], str] | None:
        """The input shape every file is decoded to, and why; None when there is nothing to decode."""
        return None

    def validation(self, train_rows: int, approaches: list[str]) -> tuple[str, int, str]:
        """(``kfold`` or ``holdout``, folds, the reason) for comparing candidates on the training rows."""
        return "holdout", 1, (f"Candidates are compared on a 20% validation split of the {train_rows:,} training "
                              "rows (used for early stopping too).")

    def cpu_backends(self, train_rows: int, budget_seconds: float) -> tuple[tuple[str, ...], str]:
        """The Keras backends this data's networks would rather train with on a CPU, for ``train_rows`` and a run
        of ``budget_seconds``, in order, and why (``backend.choose``); none named: TensorFlow, the default."""
        return (), ""

    def decode(self, frame: Any, profile: Any, plan: Any, root: Path | None, hardware: Any) -> Decoded:
        """The table ready for the routes: files decoded once, rows that cannot be read left out."""
        return Decoded(frame)

    def prepare(self, frame: Any, kinds: Mapping[str, str], root: Path | None) -> Any:
        """New rows for prediction, the way the routes read them (file paths resolved)."""
        return frame


def article(word: str) -> str:
    """``a`` or ``an`` before ``word``."""
    return "an" if word[:1] in "aeiou" else "a"
