"""Text for the terminal: the leaderboard as a table that fits the width, with units and rounding, and prose
wrapped to it. Pure: every function returns a string, the CLI prints it.

Columns come in priority order (approach, test score, validation score, fit
time, model, prediction time, size, cost, then the other test metrics); those
that do not fit the width are left out, lowest priority first, so no row ever
wraps. Missing values show as "–", never NaN.

Example:
    >>> rows = [{"approach": "classical", "model": "xgboost", "test_accuracy": 0.9722, "val_score": 0.9589,
    ...          "fit_seconds": 1.34, "predict_ms_per_row": 0.0893, "model_bytes": 252724, "cost_usd": 0.0012},
    ...         {"approach": "baseline", "model": "majority class", "test_accuracy": 0.4, "val_score": None}]
    >>> print(leaderboard(rows, "accuracy", width=60, best="classical"))
    approach    model           test accuracy     val  fit time
    classical*  xgboost                0.9722  0.9589      1.3s
    baseline    majority class         0.4000       –         –
    >>> print(wrap("one two three four", 12))
    one two
    three four
"""

from __future__ import annotations

import math
import shutil
import textwrap
from typing import Any, Callable

from .metrics import LABELS

DEFAULT_WIDTH = 80
GAP = "  "
MISSING = "–"
MODEL_CHARS = 16  # a longer model name is cut with "…"


def width(given: int | None = None) -> int:
    """The width to fit: ``given``, else the terminal's (80 when it cannot tell, as under a pipe)."""
    return given if given else shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def wrap(text: str, columns: int | None = None) -> str:
    """``text`` wrapped to the width, paragraph by paragraph (blank lines kept)."""
    limit = max(width(columns), 10)
    return "\n".join(textwrap.fill(p, limit, break_long_words=False, break_on_hyphens=False) if p.strip() else ""
                     for p in text.split("\n"))


def leaderboard(rows: Any, metric: str, width: int | None = None, best: str | None = None) -> str:
    """The leaderboard as text no wider than ``width`` (default: the terminal's).

    ``rows``: leaderboard.csv's rows (a DataFrame or a list of dicts with its
    columns: approach, model, test_<metric>, val_score, fit_seconds,
    predict_ms_per_row, model_bytes, cost_usd, other test_* columns).
    ``best``: the approach ``predict`` uses, marked with ``*``.
    """
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    limit = _width(width)
    columns = _columns(records, metric)
    cells = {c.key: [c.cell(r) for r in records] for c in columns}
    if best is not None:
        cells["approach"] = [a + ("*" if r.get("approach") == best else " " * (best is not None))
                             for a, r in zip(cells["approach"], records)]
    sizes = {c.key: max([len(c.header)] + [len(v) for v in cells[c.key]]) for c in columns}
    kept: list[Column] = []
    for c in sorted(columns, key=lambda c: c.priority):  # the first column that does not fit ends the table
        trial = kept + [c]
        if kept and sum(sizes[k.key] for k in trial) + len(GAP) * (len(trial) - 1) > limit:
            break
        kept = trial
    shown = [c for c in columns if c in kept]
    lines = [GAP.join(_pad(c.header, sizes[c.key], c.right) for c in shown)]
    for i in range(len(records)):
        lines.append(GAP.join(_pad(cells[c.key][i], sizes[c.key], c.right) for c in shown))
    return "\n".join(line.rstrip()[:limit] for line in lines)


class Column:
    """One column: its key, header, priority (0 shown first), how a row's value reads, and its alignment."""

    def __init__(self, key: str, header: str, priority: int, cell: Callable[[dict[str, Any]], str], right: bool):
        self.key, self.header, self.priority, self.cell, self.right = key, header, priority, cell, right


def _columns(records: list[dict[str, Any]], metric: str) -> list[Column]:
    main = f"test_{metric}"
    others = [k for r in records for k in r if k.startswith("test_") and k != main]
    others = list(dict.fromkeys(others))
    columns = [
        Column("approach", "approach", 0, lambda r: str(r.get("approach", MISSING)), False),
        Column("model", "model", 4, lambda r: _cut(r.get("model")), False),
        Column(main, f"test {LABELS.get(metric, metric)}", 1, lambda r: score(r.get(main)), True),
        Column("val_score", "val", 2, lambda r: score(r.get("val_score")), True),
        Column("fit_seconds", "fit time", 3, lambda r: seconds(r.get("fit_seconds")), True),
        Column("predict_ms_per_row", "predict", 5, lambda r: per_row(r.get("predict_ms_per_row")), True),
        Column("model_bytes", "size", 6, lambda r: size(r.get("model_bytes")), True),
        Column("cost_usd", "cost", 7, lambda r: usd(r.get("cost_usd")), True),
    ]
    for i, key in enumerate(others):
        name = key.removeprefix("test_")
        columns.append(Column(key, LABELS.get(name, name), 8 + i, lambda r, k=key: score(r.get(k)), True))
    return [c for c in columns if c.priority < 2 or any(_given(r.get(c.key)) for r in records)]


def _width(given: int | None) -> int:
    return max(width(given), 10)


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _pad(text: str, size: int, right: bool) -> str:
    return text.rjust(size) if right else text.ljust(size)


def _cut(value: Any) -> str:
    if not _given(value):
        return MISSING
    text = str(value)
    return text if len(text) <= MODEL_CHARS else text[:MODEL_CHARS - 1].rstrip() + "…"


def score(value: Any) -> str:
    """A score: four decimals, or grouped thousands for large errors.

    >>> score(0.97222), score(51234.4), score(float("nan"))
    ('0.9722', '51,234', '–')
    """
    if not _given(value):
        return MISSING
    return f"{value:.4f}" if abs(value) < 1000 else f"{value:,.0f}"


def seconds(value: Any) -> str:
    """A duration with its unit.

    >>> seconds(0.42), seconds(12.34), seconds(312.0), seconds(4000.0)
    ('0.4s', '12.3s', '312s', '66.7m')
    """
    if not _given(value):
        return MISSING
    if value < 100:
        return f"{value:.1f}s"
    return f"{value:.0f}s" if value < 600 else f"{value / 60:.1f}m"


def per_row(value: Any) -> str:
    """Prediction time per row in milliseconds.

    >>> per_row(0.1234), per_row(5.6677), per_row(123.4), per_row(0.00042)
    ('0.12 ms/row', '5.67 ms/row', '123 ms/row', '0.00042 ms/row')
    """
    if not _given(value):
        return MISSING
    if value >= 100:
        text = f"{value:.0f}"
    elif value >= 0.01:
        text = f"{value:.2f}"
    else:
        text = f"{value:.2g}"
    return f"{text} ms/row"


def size(value: Any) -> str:
    """Bytes in B, KB, MB or GB (powers of 1,024).

    >>> size(850), size(252724), size(5_400_000), size(None)
    ('850 B', '247 KB', '5.1 MB', '–')
    """
    if not _given(value):
        return MISSING
    value = float(value)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" or value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def usd(value: Any) -> str:
    """Dollars, two significant digits for small amounts.

    >>> usd(0.0012), usd(0.0), usd(None)
    ('$0.0012', '$0', '–')
    """
    from .report.verdict import _usd

    return _usd(float(value)) if _given(value) else MISSING
