"""The run's tables: the leaderboard (every finalist on the test rows) and each finalist's test predictions.

Example:
    >>> leaderboard_frame(finalists, "accuracy").to_csv("leaderboard.csv")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..metrics import greater_is_better
from .results import Finalist


def leaderboard_frame(finalists: list[Finalist], metric: str) -> Any:
    """One row per finalist, best test score first."""
    import pandas as pd

    rows = []
    for f in finalists:
        row = {"approach": f.approach, "model": f.model, f"test_{metric}": f.test_scores.get(metric)}
        row |= {f"test_{k}": v for k, v in f.test_scores.items() if k != metric}
        row |= {"val_score": f.val_score, "fit_seconds": f.fit_seconds, "predict_ms_per_row": f.predict_ms_per_row,
                "model_bytes": f.model_bytes, "peak_memory_mb": f.peak_memory_mb, "trials": f.trials,
                "cost_usd": f.cost_usd}
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(f"test_{metric}", ascending=not greater_is_better(metric),
                             na_position="last").reset_index(drop=True)


def write_predictions(folder: Any, rows: Any, split: Any, outputs: dict[str, Any]) -> None:
    """test_predictions.csv: each test row's position in the file, its actual value, and every finalist's
    prediction (with one probability column per class)."""
    import pandas as pd

    classes = split.classes
    table: dict[str, Any] = {"row": rows, "actual": [classes[i] for i in split.y_test] if classes else split.y_test}
    for name, output in outputs.items():
        if classes is None:
            table[f"{name}_prediction"] = output
            continue
        table[f"{name}_prediction"] = [classes[i] for i in output.argmax(axis=1)]
        for j, c in enumerate(classes):
            table[f"{name}_proba_{c}"] = output[:, j]
    folder.write_text("test_predictions.csv", pd.DataFrame(table).to_csv(index=False))
