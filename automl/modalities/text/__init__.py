"""Text data: tokens, TF-IDF and n-gram bags, the classical route and the text networks.

Tables with a free-text column: networks lead, TF-IDF linear models and XGBoost compare.

Example:
    >>> import pandas as pd
    >>> values = pd.Series(["the food was good and the staff were kind"] * 3)
    >>> free_text(TextColumn("review", values, values, unique=1, n=3)).kind
    'text'
"""

from __future__ import annotations

from typing import Any

from ...data.splitting import FOLDS
from ..base import Claim, Detector, Modality, TextColumn

RACE_MAX_ROWS = 20000  # above this one 20% split is steady and k-fold TF-IDF refits cost minutes
SIDE_SHARES = {"classical": 0.5, "deep": 0.5}  # time weights when other columns are read beside the text


def free_text(column: TextColumn) -> Claim | None:
    """Sentences rather than labels: five words or more, or long and mostly distinct values."""
    median_tokens = float(column.sample.str.split().str.len().median())
    median_chars = float(column.sample.str.len().median())
    ratio = column.unique / column.n
    if median_tokens >= 5 or (median_chars >= 40 and ratio > 0.5):
        return Claim("text", f"free text: median {median_tokens:.0f} words and {median_chars:.0f} characters per "
                             f"value, {ratio:.0%} of values distinct.")
    return None


def text_file_paths(column: TextColumn) -> Claim | None:
    """The paths of a folder's ``.txt`` files (their contents are the ``text`` column): names, not features.

    >>> import pandas as pd
    >>> paths = pd.Series(["pos/1.txt", "neg/2.txt"])
    >>> text_file_paths(TextColumn("path", paths, paths, unique=2, n=2)).used
    False
    """
    if column.unique == column.n and column.lower.str.endswith(".txt").all():
        return Claim("identifier", "the text files' paths: they name each row's predictions and are not learned "
                                   "from (a sub-folder would give the label away); dropped.", used=False)
    return None


class TextModality(Modality):
    name = "text"
    column_kind = "text"
    priority = 30
    primary = "deep"
    why_primary = "deep networks learn features from raw images, text and audio end to end"
    shares = {"classical": 0.25, "deep": 0.75}
    detectors = (Detector(25, text_file_paths), Detector(60, free_text))

    def describe(self, frame: Any, columns: list[Any], root: Any, warnings: list[str]) -> None:
        """Token statistics of each text column (they are joined); numbers, flags, dates and categories are read
        beside them (``side``), other columns are set aside."""
        from ..tabular.encoder import ENCODED_KINDS
        from .tokens import MAX_SEQUENCE, TextStats

        for c in columns:
            if c.kind != "text":
                continue
            stats = TextStats.of(frame[c.name])
            c.stats = {"median_tokens": stats.median_tokens, "p95_tokens": stats.p95_tokens,
                       "max_tokens": stats.max_tokens, "vocabulary": stats.vocabulary, "empty_rows": stats.empty_rows,
                       "long_rows": stats.long_rows}
            c.reason += (f" Tokens per row: median {stats.median_tokens:.0f}, 95th percentile "
                         f"{stats.p95_tokens:.0f}; vocabulary {stats.vocabulary:,}; {stats.empty_rows} empty rows.")
            if stats.empty_rows:
                warnings.append(f"text column {c.name!r} has {stats.empty_rows} empty or missing row(s); they are "
                                "predicted from the class balance of the training rows.")
            if stats.long_rows:
                warnings.append(f"text column {c.name!r} has {stats.long_rows:,} row(s) longer than {MAX_SEQUENCE} "
                                f"tokens (the longest {stats.max_tokens:,}); sequence networks read their first "
                                f"{MAX_SEQUENCE}, TF-IDF models read them whole.")
        self.set_aside(columns, beside=ENCODED_KINDS)

    def time_shares(self, profile: Any) -> tuple[dict[str, float], str]:
        """A quarter of the time for the classical side, or half when other columns are read beside the text: the
        classical side reads them best (gradient boosting stacked on the text model's output).

        >>> from types import SimpleNamespace as Col
        >>> price = Col(name="price", kind="numeric", used=True)
        >>> TextModality().time_shares(Col(features=[price]))[0]
        {'classical': 0.5, 'deep': 0.5}
        """
        from ..tabular.encoder import ENCODED_KINDS

        others = [c.name for c in profile.features if c.used and c.kind in ENCODED_KINDS]
        if not others:
            return dict(self.shares), ""
        shown = ", ".join(map(repr, others[:5])) + (" ..." if len(others) > 5 else "")
        return dict(SIDE_SHARES), (
            f"The classical side gets {SIDE_SHARES['classical']:.0%} of the search time rather than "
            f"{self.shares['classical']:.0%}: the table has {len(others)} column(s) beside the text ({shown}), which "
            "TF-IDF models read beside their n-grams and gradient boosting reads best, stacked on the text model's "
            "output when the rows are cross-validated.")

    def validation(self, train_rows: int, approaches: list[str]) -> tuple[str, int, str]:
        if "classical" in approaches and train_rows <= RACE_MAX_ROWS:
            return "kfold", FOLDS, (
                f"Classical text candidates are chosen by successive halving over a {FOLDS}-fold split of the "
                f"{train_rows:,} training rows (all on one fold, the better half on two more, the best on all five): "
                "on one split of this size a few rows decide, and linear models on TF-IDF fit in seconds. The "
                "network is compared on a 20% validation split (used for early stopping too).")
        return "holdout", 1, (f"Every approach is compared on a 20% validation split of the {train_rows:,} training "
                              "rows (used for early stopping too).")


TEXT = TextModality()
