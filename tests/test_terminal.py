"""What ``automl fit`` shows on a terminal: a leaderboard that fits the width (no wrapped rows), with units and
"–" for missing values; the verdict wrapped; progress with the whole budget's time on a TTY and every trial
in plain mode. Pure text functions: no fit, no TensorFlow."""

from __future__ import annotations

import io
import math

import pytest

from automl.progress import ProgressPrinter
from automl.run.results import Event
from automl.terminal import leaderboard, wrap

METRICS = {"test_balanced_accuracy": 0.9561, "test_f1_macro": 0.9547, "test_log_loss": 0.1203, "test_roc_auc": 0.9921}
ROWS = [  # leaderboard.csv's columns, as the 203-column dump had them
    {"approach": "classical", "model": "xgboost", "test_accuracy": 0.97222, **METRICS, "val_score": 0.95890,
     "selection_score": 0.9310, "fit_seconds": 12.34, "predict_ms_per_row": 0.1234, "model_bytes": 252724,
     "peak_memory_mb": 231.2, "trials": 14, "cost_usd": 0.0012},
    {"approach": "blend", "model": "classical 0.62 + deep 0.38 weighted average", "test_accuracy": 0.96111,
     **METRICS, "val_score": 0.9612, "selection_score": 0.9612, "fit_seconds": 312.5, "predict_ms_per_row": 5.667,
     "model_bytes": 5_400_000, "peak_memory_mb": 906.6, "trials": 0, "cost_usd": 0.0291},
    {"approach": "deep", "model": "mlp", "test_accuracy": 0.94444, **METRICS, "val_score": 0.7586,
     "selection_score": 0.7586, "fit_seconds": 300.1, "predict_ms_per_row": 5.5, "model_bytes": 5_100_000,
     "peak_memory_mb": 906.6, "trials": 3, "cost_usd": 0.0279},
    {"approach": "baseline", "model": "majority class", "test_accuracy": 0.38889, "test_roc_auc": 0.5,
     "val_score": 0.4014, "selection_score": float("nan"), "fit_seconds": float("nan"),
     "predict_ms_per_row": float("nan"), "model_bytes": float("nan"), "cost_usd": None},
]


@pytest.mark.parametrize("columns", [40, 80, 200])
def test_the_leaderboard_fits_the_width_with_units_and_no_nan(columns):
    text = leaderboard(ROWS, "accuracy", width=columns, best="classical")
    lines = text.splitlines()
    assert len(lines) == 1 + len(ROWS)  # a header and one line per row: nothing wrapped
    assert max(len(line) for line in lines) <= columns, text
    assert "nan" not in text.lower() and "None" not in text
    header = lines[0].split()
    assert header[:1] == ["approach"] and "accuracy" in header  # the test score always shows
    for line, row in zip(lines[1:], ROWS):
        assert line.startswith(row["approach"])
        assert f"{row['test_accuracy']:.4f}" in line  # rounded to four decimals
    assert lines[1].startswith("classical*")  # the model predict uses


def test_at_80_columns_the_columns_that_matter_show_with_units():
    text = leaderboard(ROWS, "accuracy", width=80, best="classical")
    assert max(len(line) for line in text.splitlines()) <= 80
    header = text.splitlines()[0]
    for name in ("approach", "model", "test accuracy", "val", "fit time", "predict"):
        assert name in header, header
    classical, blend, deep, floor = text.splitlines()[1:]
    assert "0.9589" in classical and "12.3s" in classical and "0.12 ms/row" in classical
    assert "312s" in blend and "5.67 ms/row" in blend
    assert "classical 0.62…" in blend  # a long model name is cut, not wrapped
    assert floor.split()[-1] == "–" and "0.4014" in floor  # no time for the baseline: a dash


def test_wide_terminals_show_size_cost_and_the_other_metrics():
    text = leaderboard(ROWS, "accuracy", width=200)
    header = text.splitlines()[0]
    for name in ("size", "cost", "balanced accuracy", "ROC AUC"):
        assert name in header
    classical = text.splitlines()[1]
    assert "247 KB" in classical and "$0.0012" in classical
    assert "5.1 MB" in text.splitlines()[2]


def test_narrow_terminals_drop_low_priority_columns_first():
    header = leaderboard(ROWS, "accuracy", width=40).splitlines()[0]
    assert header.split() == ["approach", "test", "accuracy", "val"]


def test_a_dataframe_from_leaderboard_csv_renders_the_same(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "leaderboard.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    board = pd.read_csv(path)
    assert math.isnan(board.loc[3, "fit_seconds"])
    assert leaderboard(board, "accuracy", width=80) == leaderboard(ROWS, "accuracy", width=80)


def test_regression_errors_are_grouped():
    rows = [{"approach": "classical", "model": "xgboost", "test_rmse": 51234.4, "val_score": 50999.0}]
    assert "51,234" in leaderboard(rows, "rmse", width=80)


def test_the_verdict_is_wrapped_to_the_width_without_breaking_paths():
    verdict = ("No clear winner on adult: test accuracy 0.868 for the deep network and 0.850 for gradient boosting, "
               "a gap of 1.8 points whose 95% interval (-1.8 to 3.5 points on 500 test rows) includes zero.")
    text = wrap(verdict, 80)
    assert len(text.splitlines()) == 3 and max(len(line) for line in text.splitlines()) <= 80
    assert " ".join(text.split()) == verdict
    path = "/tmp/" + "x" * 100 + "/report.html"
    assert path in wrap(f"report: {path}", 80)


# --------------------------------------------------------------------------- progress


def trial(n: int, best: float, score: float) -> Event:
    return Event("trial", approach="classical", trials=n, best=best, message=f"xgboost accuracy={score:.4f}",
                 elapsed=3.0, budget=20.0)


def test_plain_progress_prints_every_trial_on_its_own_line():
    out = io.StringIO()
    now = iter([5.0, 9.0, 14.0])
    show = ProgressPrinter(out, live=False, budget=60.0, started=0.0, clock=lambda: next(now))
    for i, (best, score) in enumerate([(0.9, 0.9), (0.9, 0.8), (0.9, 0.85)], start=1):
        show(trial(i, best, score))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3  # not only the improvements
    assert lines[1] == "[classical] trial 2: 9s elapsed, 51s left | xgboost accuracy=0.8000 | best 0.9000"
    assert "\r" not in out.getvalue()


def test_live_progress_rewrites_one_line_with_the_whole_budgets_time():
    out = io.StringIO()
    show = ProgressPrinter(out, live=True, budget=600.0, started=100.0, clock=lambda: 175.0)
    show(trial(1, 0.9, 0.9))
    show(trial(2, 0.9, 0.8))
    show(Event("approach_end", approach="classical", message="test accuracy=0.9500 in 70s"))
    text = out.getvalue()
    assert text.count("\r\033[K") == 2 and text.count("\n") == 2  # one live line, closed before the message
    assert "1m15s elapsed, 8m45s left" in text


def test_without_a_budget_progress_counts_the_approachs_window():
    out = io.StringIO()
    ProgressPrinter(out, live=False)(trial(1, 0.9, 0.9))
    assert "trial 1: 3s / 20s of this approach's time | xgboost" in out.getvalue()
