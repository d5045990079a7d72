"""The verdict sentence and the rendered reports (HTML escaping, JSON schema).

The rendering tests fit gradient boosting only (``compare=False``): no TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl import AutoML
from automl.report import build, render
from automl.report.verdict import verdict

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def finalist(approach: str, metric: str, score: float | None, seconds: float) -> dict:
    return {"approach": approach, "test_scores": {metric: score}, "fit_seconds": seconds}


# --------------------------------------------------------------------------- verdict()


def test_gbm_wins_and_is_faster():
    gbm = finalist("gbm", "accuracy", 0.87, 20.0)
    deep = finalist("deep", "accuracy", 0.85, 60.0)
    expected = (
        "Gradient boosting wins on adult: test accuracy 0.870 against 0.850 for the deep network "
        "(2.0 points better), and it took 3.0x less time to train (20s vs 60s)."
    )
    assert verdict([gbm, deep], "accuracy", "adult") == expected
    assert verdict([deep, gbm], "accuracy", "adult") == expected  # order of the list does not matter


def test_deep_wins_but_is_slower():
    gbm = finalist("gbm", "accuracy", 0.80, 4.0)
    deep = finalist("deep", "accuracy", 0.90, 40.0)
    assert verdict([gbm, deep], "accuracy", "higgs") == (
        "The deep network wins on higgs: test accuracy 0.900 against 0.800 for gradient boosting "
        "(10.0 points better), but it took 10.0x more time to train (40s vs 4.0s)."
    )


def test_lower_is_better_metric():
    gbm = finalist("gbm", "rmse", 3.0, 10.0)
    deep = finalist("deep", "rmse", 2.5, 40.0)
    sentence = verdict([gbm, deep], "rmse", "diabetes")
    assert sentence.startswith(
        "The deep network wins on diabetes: test RMSE 2.500 against 3.000 for gradient boosting (0.5 "
    )
    assert sentence.endswith("but it took 4.0x more time to train (40s vs 10s).")
    assert "points" not in sentence  # RMSE is not on a 0..1 scale
    assert verdict([deep, gbm], "rmse", "diabetes") == sentence


def test_lower_is_better_gbm_wins():
    gbm = finalist("gbm", "log_loss", 0.30, 2.0)
    deep = finalist("deep", "log_loss", 0.45, 30.0)
    sentence = verdict([deep, gbm], "log_loss", "adult")
    assert sentence.startswith("Gradient boosting wins on adult: test log loss 0.300 against 0.450 for the deep "
                               "network (0.15 ")
    assert sentence.endswith("and it took 15.0x less time to train (2.0s vs 30s).")
    assert verdict([gbm, deep], "log_loss", "adult") == sentence


def test_tie():
    gbm = finalist("gbm", "accuracy", 0.9, 5.0)
    deep = finalist("deep", "accuracy", 0.9, 50.0)
    for order in ([gbm, deep], [deep, gbm]):
        sentence = verdict(order, "accuracy", "adult")
        assert sentence.startswith("Gradient boosting and the deep network tie on adult at test accuracy 0.900; ")
        assert "wins" not in sentence
        assert sentence.endswith((
            "gradient boosting took 10.0x less time to train (5.0s vs 50s).",
            "the deep network took 10.0x more time to train (50s vs 5.0s).",
        )), sentence


def test_single_approach():
    assert verdict([finalist("gbm", "accuracy", 0.97, 1.0)], "accuracy", "wine") == (
        "Only gradient boosting ran on wine (no comparison); its test accuracy is 0.970."
    )
    assert verdict([finalist("deep", "r2", 0.5, 1.0)], "r2", "diabetes") == (
        "Only the deep network ran on diabetes (no comparison); its test R² is 0.500."
    )


def test_no_finalists():
    assert verdict([], "accuracy", "wine") == "No approach produced a model on wine."


def test_large_scores_are_grouped():
    gbm = finalist("gbm", "rmse", 51234.0, 10.0)
    deep = finalist("deep", "rmse", 60000.0, 10.0)
    sentence = verdict([gbm, deep], "rmse", "housing")
    assert sentence.startswith("Gradient boosting wins on housing: test RMSE 51,234 against 60,000 for the deep "
                               "network (8766 ")


def test_missing_score_is_not_a_tie():
    gbm = finalist("gbm", "roc_auc", 0.91, 5.0)
    deep = finalist("deep", "roc_auc", None, 50.0)
    sentence = verdict([gbm, deep], "roc_auc", "adult")
    assert "tie" not in sentence


# --------------------------------------------------------------------------- rendering a real run


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    """A run whose column name and class label are HTML.

    ``max_trials=2``: XGBoost refuses feature names containing ``<`` (see test_api), so the first trial
    (the XGBoost default) fails and the second (HistGradientBoosting) gives the model.
    """
    rng = np.random.default_rng(0)
    n = 80
    x = rng.normal(size=n)
    frame = pd.DataFrame({SCRIPT: x, "other": rng.normal(size=n), "label": np.where(x > 0, "<b>", "plain")})
    out = tmp_path_factory.mktemp("report_runs")
    model = AutoML(budget="10s", compare=False, max_trials=2, out=out).fit(frame, target="label")
    assert list(model.classes_) == ["<b>", "plain"]
    return model.run_dir_


def test_html_report_escapes_data_strings(hostile_run):
    html = (hostile_run / "report.html").read_text()
    assert ESCAPED_SCRIPT in html
    assert SCRIPT not in html
    assert "&lt;b&gt;" in html
    assert "<code><b></code>" not in html


def test_html_report_shows_the_run(hostile_run):
    html = (hostile_run / "report.html").read_text()
    assert html.lstrip().startswith("<!doctype html>")
    report = json.loads((hostile_run / "report.json").read_text())
    assert "Only gradient boosting ran on dataframe" in report["verdict"]
    assert "Leaderboard" in html and report["leaderboard"][0]["model"] in ("xgboost", "hist_gbm")
    assert f"<td>{report['leaderboard'][0]['model']}</td>" in html


def test_markdown_report_escapes_data_strings(hostile_run):
    md = (hostile_run / "report.md").read_text()
    assert ESCAPED_SCRIPT in md
    assert SCRIPT not in md
    assert "<b>" not in md


def test_json_report_keeps_data_strings_verbatim(hostile_run):
    report = json.loads((hostile_run / "report.json").read_text())
    names = [c["name"] for c in report["profile"]["columns"]]
    assert SCRIPT in names
    assert report["profile"]["class_counts"].keys() == {"<b>", "plain"}


def test_json_report_schema(hostile_run):
    report = json.loads((hostile_run / "report.json").read_text())
    for key in ("schema_version", "verdict", "leaderboard", "profile", "plan", "hardware", "versions"):
        assert key in report, key
    assert report["schema_version"] == 1
    assert report["status"] == "complete"
    assert report["metric"] == "accuracy" and report["task"] == "binary"
    assert len(report["leaderboard"]) == 1
    entry = report["leaderboard"][0]
    for key in ("test_scores", "fit_seconds", "predict_ms_per_row", "model_bytes", "peak_memory_mb", "cost_usd"):
        assert key in entry, key
    assert entry["approach"] == "gbm"
    assert set(entry["test_scores"]) == {"accuracy", "balanced_accuracy", "f1_macro", "log_loss", "roc_auc"}
    assert entry["model_bytes"] > 0 and entry["fit_seconds"] >= 0 and entry["cost_usd"] >= 0
    assert report["versions"]["python"]
    assert report["hardware"]["cpu_count"] >= 1


def test_report_json_matches_build(hostile_run):
    written = json.loads((hostile_run / "report.json").read_text())
    rebuilt = json.loads(render(build(hostile_run), "json"))
    # run.json's total_seconds is updated once more after the reports are written
    written.pop("total_seconds"), rebuilt.pop("total_seconds")
    assert written == rebuilt


def test_leaderboard_is_sorted_best_first(tmp_path):
    """build() orders finalists best-first in the run's metric, for higher- and lower-is-better metrics."""
    run = tmp_path / "run"
    run.mkdir()

    def record(metric, scores):
        return {
            "plan": {"metric": metric, "reasons": [], "skipped": []}, "data": {"name": "toy"}, "status": "complete",
            "task": "regression", "modality": "tabular", "target": "y", "budget_seconds": 60.0,
            "profile": {}, "hardware": {}, "versions": {}, "seed": 0,
            "spend": {}, "finalists": [
                {"approach": a, "test_scores": {metric: s}, "fit_seconds": 1.0} for a, s in scores.items()
            ],
        }

    (run / "run.json").write_text(json.dumps(record("rmse", {"gbm": 3.0, "deep": 2.0})))
    report = build(run)
    assert [f["approach"] for f in report["leaderboard"]] == ["deep", "gbm"]
    assert report["verdict"].startswith("The deep network wins on toy")

    (run / "run.json").write_text(json.dumps(record("rmse", {"gbm": 3.0, "deep": 2.0, "blend": 1.5})))
    report = build(run)
    assert report["verdict"].startswith("The deep network wins on toy")
    assert report["verdict"].endswith("Averaging the two models' predictions does better still: test RMSE 1.500.")

    (run / "run.json").write_text(json.dumps(record("rmse", {"gbm": 3.0, "deep": 2.0, "blend": 2.5})))
    assert "Averaging" not in build(run)["verdict"]

    (run / "run.json").write_text(json.dumps(record("r2", {"gbm": 0.4, "deep": 0.6})))
    assert [f["approach"] for f in build(run)["leaderboard"]] == ["deep", "gbm"]
