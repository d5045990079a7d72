"""The verdict sentence and the rendered reports (HTML escaping, JSON schema).

The rendering tests fit gradient boosting only (``compare=False``): no TensorFlow.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl import AutoML
from automl.modalities.tabular.ensemble import NATIVE
from automl.report import SCHEMA_FILE, build, render, write_reports
from automl.report.verdict import comparison, verdict

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def validate(report: dict) -> None:
    """``report`` against the documented JSON Schema (automl/report/report.schema.json)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(report), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]


def finalist(approach: str, metric: str, score: float | None, seconds: float) -> dict:
    return {"approach": approach, "test_scores": {metric: score}, "fit_seconds": seconds}


# --------------------------------------------------------------------------- verdict()


def test_classical_wins_and_is_faster():
    gbm = finalist("classical", "accuracy", 0.87, 20.0)
    deep = finalist("deep", "accuracy", 0.85, 60.0)
    expected = ("Gradient boosting wins on adult: test accuracy 0.870 against 0.850 for the deep network, "
                "2.0 points better. It took 3.0x less time to train (20s vs 60s).")
    assert verdict([gbm, deep], "accuracy", "adult") == expected
    assert verdict([deep, gbm], "accuracy", "adult") == expected  # order of the list does not matter


def test_deep_wins_but_is_slower():
    gbm = finalist("classical", "accuracy", 0.80, 4.0)
    deep = finalist("deep", "accuracy", 0.90, 40.0)
    assert verdict([gbm, deep], "accuracy", "higgs") == (
        "The deep network wins on higgs: test accuracy 0.900 against 0.800 for gradient boosting, "
        "10.0 points better. It took 10.0x more time to train (40s vs 4.0s)."
    )


def test_lower_is_better_metric():
    gbm = finalist("classical", "rmse", 3.0, 10.0)
    deep = finalist("deep", "rmse", 2.5, 40.0)
    sentence = verdict([gbm, deep], "rmse", "diabetes")
    assert sentence == ("The deep network wins on diabetes: test RMSE 2.500 against 3.000 for gradient boosting, "
                        "0.5 better. It took 4.0x more time to train (40s vs 10s).")
    assert "points" not in sentence  # RMSE is not on a 0..1 scale
    assert verdict([deep, gbm], "rmse", "diabetes") == sentence


def test_lower_is_better_classical_wins():
    gbm = finalist("classical", "log_loss", 0.30, 2.0)
    deep = finalist("deep", "log_loss", 0.45, 30.0)
    sentence = verdict([deep, gbm], "log_loss", "adult")
    assert sentence.startswith("Gradient boosting wins on adult: test log loss 0.300 against 0.450 for the deep "
                               "network, 0.15 better.")
    assert sentence.endswith("It took 15.0x less time to train (2.0s vs 30s).")
    assert verdict([gbm, deep], "log_loss", "adult") == sentence


def test_tie():
    gbm = finalist("classical", "accuracy", 0.9, 5.0)
    deep = finalist("deep", "accuracy", 0.9, 50.0)
    for order in ([gbm, deep], [deep, gbm]):
        sentence = verdict(order, "accuracy", "adult")
        assert sentence == ("No clear winner on adult: gradient boosting and the deep network both score test "
                            "accuracy 0.900. Take gradient boosting, the cheaper one: it took 10.0x less time to "
                            "train (5.0s vs 50s).")
        assert "wins" not in sentence


def test_single_approach():
    assert verdict([finalist("classical", "accuracy", 0.97, 1.0)], "accuracy", "wine") == (
        "Only gradient boosting ran on wine (no comparison); its test accuracy is 0.970."
    )
    assert verdict([finalist("deep", "r2", 0.5, 1.0)], "r2", "diabetes") == (
        "Only the deep network ran on diabetes (no comparison); its test R² is 0.500."
    )


def test_no_finalists():
    assert verdict([], "accuracy", "wine") == "No approach produced a model on wine."


def test_large_scores_are_grouped():
    gbm = finalist("classical", "rmse", 51234.0, 10.0)
    deep = finalist("deep", "rmse", 60000.0, 10.0)
    sentence = verdict([gbm, deep], "rmse", "housing")
    assert sentence.startswith("Gradient boosting wins on housing: test RMSE 51,234 against 60,000 for the deep "
                               "network, 8766 better. It took about the same time")


def test_missing_score_is_not_a_tie():
    gbm = finalist("classical", "roc_auc", 0.91, 5.0)
    deep = finalist("deep", "roc_auc", None, 50.0)
    assert verdict([gbm, deep], "roc_auc", "adult") == (
        "Gradient boosting wins on adult: test ROC AUC 0.910, while the deep network has no ROC AUC on these rows.")


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
    model = report["leaderboard"][0]["model"]
    assert "Leaderboard" in html and (model in ("xgboost", "hist_gbm") or model.startswith("ensemble of "))
    assert f"{model}</td>" in html
    assert f"<td>{report['leaderboard'][0]['model']}</td>" in html


def test_the_data_profile_of_a_wide_table_starts_folded(hostile_run):
    """Open, 4,000 columns' rows push the rest of the page out of sight; folded, the heading says it is there."""
    report = build(hostile_run)
    assert '<details open id="profile">' in render(report, "html")
    columns = report["profile"]["columns"]
    report["profile"]["columns"] = [dict(columns[0], name=f"f{i}") for i in range(41)]
    assert '<details id="profile">' in render(report, "html")


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
    validate(report)
    for key in ("schema_version", "verdict", "leaderboard", "profile", "plan", "hardware", "versions"):
        assert key in report, key
    assert report["schema_version"] == 3 and report["kind"] == "run"
    assert report["status"] == "complete"
    assert report["metric"] == "accuracy" and report["task"] == "binary"
    assert len(report["leaderboard"]) == 1
    entry = report["leaderboard"][0]
    for key in ("test_scores", "fit_seconds", "predict_ms_per_row", "model_bytes", "peak_memory_mb", "cost_usd"):
        assert key in entry, key
    assert entry["approach"] == "classical"
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


def test_the_report_says_why_a_model_other_than_the_leader_on_validation_is_used(hostile_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(hostile_run, run)
    record = json.loads((run / "run.json").read_text())
    why = ("the deep network led on validation (accuracy 0.978 against 0.971) but not clearly: the 95% "
           "interval of the difference, -0.2 to +1.8 points on 455 rows, includes zero, so the simpler <b> is used")
    record["selection"] = {"rows": 455, "how": "greedy ensemble selection", "weights": {"classical": 1.0},
                           "choice": {"used": "classical", "leader": "deep", "why": why,
                                      "difference": {"low": -0.002, "high": 0.018, "level": 0.95}}}
    (run / "run.json").write_text(json.dumps(record))
    report = build(run)
    validate(report)
    assert report["selection"]["choice"]["leader"] == "deep"
    said = "The deep network led on validation (accuracy 0.978 against 0.971) but not clearly"
    assert f"the test rows only score it. {said}" in render(report, "md")
    html = render(report, "html")
    assert said in html and "the simpler &lt;b&gt; is used." in html


def _with_network_trials(run: Path, folder: Path, extras: list[dict]) -> Path:
    """A copy of ``run`` whose trials.jsonl gains one network trial per ``extras`` (10 s, then 30 s, ...)."""
    copy = folder / "run"
    shutil.copytree(run, copy)
    with open(copy / "trials.jsonl", "a", encoding="utf-8") as fh:
        for i, extra in enumerate(extras):
            fh.write(json.dumps({"approach": "deep", "model": "mlp", "params": {}, "metric": "accuracy",
                                 "val_score": 0.8, "seconds": 10.0 + 20.0 * i, "started": 1.0, "ended": 2.0,
                                 "status": "ok", "error": None, "best_so_far": 0.8, "extra": extra}) + "\n")
    return copy


def test_the_report_shows_each_network_trial_s_speed_and_gpu_use(hostile_run, tmp_path):
    run = _with_network_trials(hostile_run, tmp_path, [
        {"epochs": 2, "rows_per_second": 900.0, "gpu_util_mean": 90.0, "gpu_util_max": 99.0,
         "gpu_memory_peak_mb": 5000.0},
        {"epochs": 6, "rows_per_second": 1000.0, "gpu_util_mean": 70.0, "gpu_util_max": 95.0,
         "gpu_memory_peak_mb": 7000.0}])
    report = build(run)
    validate(report)
    deep = report["speed"]["approaches"]["deep"]
    # over training time: (90 x 10 s + 70 x 30 s) / 40 s; examples (900 x 10 + 1000 x 30) / 40 s
    assert (deep["gpu_util_mean"], deep["gpu_util_max"], deep["per_second"]) == (75.0, 99.0, 975.0)
    assert deep["gpu_memory_peak_mb"] == 7000.0 and report["speed"]["gpu"] is True
    assert [t["approach"] for t in report["speed"]["trials"]] == ["deep", "deep"]  # gradient boosting's: no speed
    md = render(report, "md")
    assert "## Training speed and GPU use" in md
    assert "| deep | 2 | 40.0 | 975 | 75 % | 99 % | 7,000 MiB |" in md
    assert "| deep | mlp | 6 | 30.0 | 1,000 | 70 % | 95 % | 7,000 MiB |" in md
    html = render(report, "html")
    assert "Training speed and GPU use</h2>" in html and '<td class="n">75 %</td>' in html


def test_without_a_gpu_the_speed_section_has_no_gpu_columns(hostile_run, tmp_path):
    run = _with_network_trials(hostile_run, tmp_path, [{"epochs": 3, "rows_per_second": 250.0}])
    report = build(run)
    validate(report)
    md = render(report, "md")
    assert "## Training speed\n" in md and "GPU" not in md.split("## Training speed")[1].split("##")[0]
    assert "| deep | 1 | 10.0 | 250 |" in md
    assert "Training speed" not in render(build(hostile_run), "md")  # gradient boosting alone: nothing to show


def test_leaderboard_is_sorted_best_first(tmp_path):
    """build() orders finalists best-first in the run's metric, for higher- and lower-is-better metrics."""
    run = tmp_path / "run"
    run.mkdir()

    def record(metric, scores):
        return {
            "plan": {"metric": metric, "reasons": [], "skipped": []}, "data": {"name": "toy"}, "status": "complete",
            "task": "regression", "modality": "tabular", "target": "y", "budget_seconds": 60.0,
            "profile": {}, "hardware": {}, "versions": {}, "seed": 0, "features": ["x"], "kinds": {"x": "numeric"},
            "models": {}, "best": None, "classes": None,
            "spend": {}, "finalists": [
                {"approach": a, "test_scores": {metric: s}, "fit_seconds": 1.0} for a, s in scores.items()
            ],
        }

    (run / "run.json").write_text(json.dumps(record("rmse", {"classical": 3.0, "deep": 2.0})))
    report = build(run)
    assert [f["approach"] for f in report["leaderboard"]] == ["deep", "classical"]
    assert report["verdict"].startswith("The deep network wins on toy")

    (run / "run.json").write_text(json.dumps(record("rmse", {"classical": 3.0, "deep": 2.0, "blend": 1.5})))
    report = build(run)
    assert report["verdict"].startswith("The deep network wins on toy")
    assert report["verdict"].endswith("Averaging the two models' predictions does better still: test RMSE 1.500.")

    (run / "run.json").write_text(json.dumps(record("rmse", {"classical": 3.0, "deep": 2.0, "blend": 2.5})))
    assert "Averaging" not in build(run)["verdict"]

    chose_blend = {**record("rmse", {"classical": 3.0, "deep": 2.0, "blend": 2.5}), "best": "blend"}
    (run / "run.json").write_text(json.dumps(chose_blend))  # validation chose the blend; the verdict's winner: deep
    assert build(run)["verdict"].endswith(" Predictions use the blend, which validation chose; `automl predict "
                                          "--approach deep` uses the deep network alone.")
    (run / "run.json").write_text(json.dumps({**chose_blend, "command": "AutoML.fit"}))  # fitted from Python
    assert build(run)["verdict"].endswith(" Predictions use the blend, which validation chose; "
                                          "`automl.load(run_dir, approach='deep')` uses the deep network alone.")

    (run / "run.json").write_text(json.dumps(record("r2", {"classical": 0.4, "deep": 0.6})))
    assert [f["approach"] for f in build(run)["leaderboard"]] == ["deep", "classical"]


# --------------------------------------------------------------------------- verdict with the interval and costs


MONEY = {"classical": {"train_usd": 0.001, "predict_usd_per_1000": 0.0001},
         "deep": {"train_usd": 0.018, "predict_usd_per_1000": 0.0009}}


def test_verdict_with_interval_and_costs_names_when_the_loser_is_preferable():
    gbm = finalist("classical", "accuracy", 0.850, 2.0)
    deep = finalist("deep", "accuracy", 0.854, 36.0)
    chance = {"difference": 0.004, "low": -0.002, "high": 0.011, "level": 0.95, "rows": 2000}
    c = comparison([gbm, deep], "accuracy", MONEY, chance)
    assert (c["winner"], c["significant"], round(c["train_cost_ratio"])) == ("deep", False, 18)
    sentence = verdict([gbm, deep], "accuracy", "adult", summary=c)
    assert sentence == ("No clear winner on adult: test accuracy 0.854 for the deep network and 0.850 for gradient "
                        "boosting, a gap of 0.4 points whose 95% interval (-0.2 to 1.1 points on 2,000 test rows) "
                        "includes zero. Take gradient boosting, the cheaper one: it costs 18.0x less to train "
                        "($0.0010 vs $0.018) and 9.0x less per 1,000 predictions ($0.00010 vs $0.00090).")
    assert "wins" not in sentence

    clear = dict(chance, low=0.002)
    sentence = verdict([gbm, deep], "accuracy", "adult", summary=comparison([gbm, deep], "accuracy", MONEY, clear))
    assert sentence.endswith("so gradient boosting is preferable when 0.4 points of accuracy matters less than the "
                             "extra cost.")


def test_comparison_orients_lower_is_better_metrics_as_gains():
    gbm = finalist("classical", "rmse", 3.0, 1.0)
    deep = finalist("deep", "rmse", 2.5, 1.0)
    raw = {"difference": -0.5, "low": -0.8, "high": -0.1, "level": 0.95, "rows": 100}  # rmse(deep) - rmse(classical)
    c = comparison([gbm, deep], "rmse", MONEY, raw)
    assert c["winner"] == "deep" and c["gain"] == pytest.approx(0.5)
    assert (c["interval"]["low"], c["interval"]["high"]) == pytest.approx((0.1, 0.8))
    assert c["interval"]["difference"] == pytest.approx(0.5) and c["significant"] is True
    assert "0.5 better (95% interval 0.1 to 0.8 on 100 test rows)" in verdict([gbm, deep], "rmse", "d", summary=c)


def test_comparison_needs_two_scored_approaches():
    assert comparison([finalist("classical", "accuracy", 0.9, 1.0)], "accuracy", MONEY, None) is None
    assert comparison([finalist("classical", "accuracy", 0.9, 1.0), finalist("deep", "accuracy", None, 1.0)],
                      "accuracy", MONEY, None) is None


# --------------------------------------------------------------------------- the rest of the report


def test_feature_importance_is_recorded_at_fit_time(hostile_run):
    record = json.loads((hostile_run / "run.json").read_text())
    importance = record["feature_importance"]["classical"]
    model = record["finalists"][0]["model"]
    # a family's own importance (XGBoost's gain, ...), alone or over an ensemble of that family; otherwise (an
    # ensemble of several families, HistGradientBoosting) shuffled columns
    one = re.fullmatch(r"ensemble of \d+ (\w+) configurations", model)
    family = one.group(1) if one else model
    assert importance["method"] == (NATIVE[family][0] if family in NATIVE else "permutation"), model
    names = [name for name, _ in importance["features"]]
    assert names[0] == SCRIPT  # the label is x > 0: that column carries all the signal
    assert set(names) <= {SCRIPT, "other"}


def test_run_records_cpu_seconds_and_prices(hostile_run):
    record = json.loads((hostile_run / "run.json").read_text())
    gbm = record["finalists"][0]
    assert gbm["cpu_seconds"] > 0 and gbm["gpu_seconds"] == 0.0 and gbm["predict_cpu_ms_per_row"] >= 0
    assert record["prices"]["cpu"] == pytest.approx(0.048)
    report = json.loads((hostile_run / "report.json").read_text())
    costs = report["costs"]["approaches"]["classical"]
    assert costs["train_usd"] == pytest.approx(gbm["fit_seconds"] / 3600 * record["hardware"]["cpu_count"] * 0.048)
    assert costs["train_wh"] == pytest.approx(gbm["cpu_seconds"] * 10 / 3600)
    assert costs["predict_usd_per_1000"] > 0


def test_evaluation_matches_the_test_predictions(hostile_run):
    report = json.loads((hostile_run / "report.json").read_text())
    evaluation = report["evaluation"]
    assert evaluation["labels"] == ["<b>", "plain"]
    matrix = evaluation["approaches"]["classical"]["confusion"]
    test_rows = report["split"]["test_rows"]
    assert sum(map(sum, matrix)) == test_rows
    accuracy = (matrix[0][0] + matrix[1][1]) / test_rows
    assert accuracy == pytest.approx(report["leaderboard"][0]["test_scores"]["accuracy"])


def test_html_report_is_self_contained_with_every_chart(hostile_run):
    import re

    html = (hostile_run / "report.html").read_text()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    assert "<script" not in html.lower()
    assert html.count('<svg class="chart"') == len(re.findall(r'<figure id="fig-[^"]+">\s*<h3>[^<]*</h3>\s*<svg ',
                                                              html))
    for key in ("anytime", "trials", "cost_vs_score", "confusion_classical", "per_class_classical", "roc",
                "precision_recall", "calibration"):
        assert f'id="fig-{key}"' in html and f'aria-labelledby="{key}-title {key}-desc"' in html
    importance = json.loads((hostile_run / "report.json").read_text())["feature_importance"]["classical"]
    drawn = 'aria-labelledby="feature_importance_classical-title' in html
    assert 'id="fig-feature_importance_classical"' in html and drawn == bool(importance["features"])
    assert "Not drawn: no network was trained in this run" in html  # the training curves


def test_markdown_links_each_chart_as_an_svg_file(hostile_run):
    import re
    import xml.etree.ElementTree as ET

    md = (hostile_run / "report.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\((plots/[a-z_]+\.svg)\)", md)
    assert "plots/anytime.svg" in links and "plots/confusion_classical.svg" in links
    for link in links:
        text = (hostile_run / link).read_text()
        assert "<script" not in text
        ET.fromstring(text.split("\n", 1)[1])  # well-formed XML


def old_run(source: Path, target: Path) -> Path:
    """A copy of ``source`` as a run from before report schema 2: no prices, CPU seconds, curves or predictions."""
    import shutil

    shutil.copytree(source, target, ignore=shutil.ignore_patterns("models", "plots", "report.*"))
    record = json.loads((target / "run.json").read_text())
    for key in ("prices", "training_curves"):
        record.pop(key, None)
    record["feature_importance"] = {"classical": {}}
    for f in record["finalists"]:
        for key in ("cpu_seconds", "gpu_seconds", "predict_cpu_ms_per_row"):
            f.pop(key, None)
    (target / "run.json").write_text(json.dumps(record))
    (target / "test_predictions.csv").unlink()
    return target


def test_old_run_directories_render_with_not_recorded(hostile_run, tmp_path):
    run = old_run(hostile_run, tmp_path / "old")
    write_reports(run)
    report = json.loads((run / "report.json").read_text())
    validate(report)
    assert report["costs"]["approaches"]["classical"]["train_wh"] is None
    assert report["evaluation"] == {"missing": "test_predictions.csv is not in the run directory"}
    html = (run / "report.html").read_text()
    assert "not recorded" in html and "Not drawn: test_predictions.csv is not in the run directory" in html
    assert "Only gradient boosting ran on dataframe" in report["verdict"]


def test_report_price_override_and_comparison_across_runs(hostile_run, tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    first = tmp_path / "first"
    second = old_run(hostile_run, tmp_path / "second")
    import shutil

    shutil.copytree(hostile_run, first, ignore=shutil.ignore_patterns("models"))
    result = CliRunner().invoke(main, ["report", str(first), "--price", "cpu=1,gpu=0", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads((first / "report.json").read_text())
    fit = report["leaderboard"][0]["fit_seconds"]
    expected = fit / 3600 * report["hardware"]["cpu_count"]
    assert report["costs"]["approaches"]["classical"]["train_usd"] == pytest.approx(expected)
    assert "given with --price" in report["costs"]["prices"]["price_source"]

    bad = CliRunner().invoke(main, ["report", str(first), "--price", "cpu=cheap"])
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines() == [
        "automl: error: `price` must be a number of 0 or more. Received: price='cpu=cheap'. "
        "For example: --price cpu=0.05,gpu=2.5"]

    out = tmp_path / "together"
    result = CliRunner().invoke(main, ["report", str(first), str(second), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [Path(line).name for line in result.stdout.splitlines()] == ["report.html", "report.md", "report.json"]
    table = json.loads((out / "report.json").read_text())
    validate(table)
    assert table["kind"] == "comparison" and [r["run"] for r in table["rows"]] == ["first", "second"]
    assert table["rows"][0]["classical_train_usd"] > 0
    html = (out / "report.html").read_text()
    assert SCRIPT not in html
    assert "automl comparison: 2 runs" in html and "<td>dataframe<br>" in html


def test_fit_with_a_malformed_price_is_a_one_line_error_before_any_run(tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    data = Path(__file__).resolve().parents[1] / "data" / "wine.csv"
    result = CliRunner().invoke(main, ["fit", str(data), "--budget", "10s", "--no-compare", "--price", "gpu",
                                       "--out", str(tmp_path / "runs")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("automl: error: `price` must be KEY=VALUE pairs")
    assert not (tmp_path / "runs").exists()


# ----------------------------------------------------------------- a run on a data file: profile, contents, usage


@pytest.fixture(scope="module")
def file_run(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    """A run on a CSV file with numbers (one with gaps), a category and a binary target; gradient boosting only."""
    from synthetic import table

    folder = tmp_path_factory.mktemp("file_run")
    frame = table("binary", n=120)
    data = folder / "shapes.csv"
    frame.to_csv(data, index=False)
    model = AutoML(budget="10s", compare=False, max_trials=1, out=folder / "runs").fit(data, target="target")
    return model.run_dir_, data, frame


def test_profile_shows_ranges_histograms_and_top_values(file_run):
    run, _, frame = file_run
    report = json.loads((run / "report.json").read_text())
    validate(report)
    columns = report["columns"]["columns"]
    assert set(columns) == {"x", "noise", "colour"}  # the target is described by its class counts
    x = columns["x"]
    assert (x["min"], x["max"]) == pytest.approx((frame["x"].min(), frame["x"].max()))
    assert sum(x["counts"]) == 120 and len(x["counts"]) == 12
    assert columns["noise"]["missing"] == frame["noise"].isna().sum() == 14
    assert sum(columns["noise"]["counts"]) == 106
    assert columns["colour"]["top"] == [[k, int(v)] for k, v in frame["colour"].value_counts().items()]
    html = (run / "report.html").read_text()
    assert html.count('<svg class="spark"') == 2  # one histogram per numeric column
    assert f"{x['min']:.6g}"[:5] in html and '<code>red</code> ' in html


def test_table_of_contents_links_every_section_and_costs_come_after_the_charts(file_run):
    import re

    run, _, _ = file_run
    html = (run / "report.html").read_text()
    nav = html[html.index('<nav class="toc"'):html.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert targets == ["verdict", "leaderboard", "use", "charts", "costs", "trail", "profile", "hardware"]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert all(t in ids for t in targets) and len(ids) == len(set(ids))  # every link lands, no id twice
    assert html.index('id="charts"') < html.index('id="costs"') < html.index('id="trail"')
    assert html.count("<details open") == 4  # costs, plan reasons, what was tried, data profile
    assert html.count("<summary>") == html.count("<details") >= 4  # and the models' notes, folded when any
    md = (run / "report.md").read_text()
    assert md.index("## Charts") < md.index("## Cost in money and energy") < md.index("## Decision trail")
    contents = next(line for line in md.splitlines() if line.startswith("Contents: "))
    anchors = re.findall(r"\]\(#([^)]+)\)", contents)
    slugs = [re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-")
             for line in md.splitlines() if line.startswith("## ")]  # GitHub's anchors for the headings
    assert anchors == slugs and len(anchors) == 7  # every section listed, in order, and every link lands
    lines = md.splitlines()
    assert lines[lines.index(contents) - 1] == ""  # a paragraph of its own
    board = lines[lines.index(next(line for line in lines if line.startswith("| approach |"))):]
    rows = [line for line in board[:board.index("")] if line.startswith("|")]
    assert any(line.startswith("| baseline |") for line in rows)
    assert len({line.count("|") for line in rows}) == 1  # every row, the baseline's too, has the header's cells


def test_use_this_model_snippets_run_as_written(file_run, tmp_path):
    import shlex

    from click.testing import CliRunner

    from automl.cli import main

    run, data, _ = file_run
    usage = json.loads((run / "report.json").read_text())["usage"]
    assert usage["cli"] == f"automl predict {run.resolve()} new.csv -o predictions.csv"
    assert f"automl.load({str(run.resolve())!r})" in usage["python"]
    html = (run / "report.html").read_text()
    assert f"<pre><code>{usage['cli']}</code></pre>" in html

    out = tmp_path / "predictions.csv"
    args = [str(data) if a == "new.csv" else str(out) if a == "predictions.csv" else a
            for a in shlex.split(usage["cli"])[1:]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 120
    namespace: dict = {}
    exec(usage["python"].replace("'new.csv'", repr(str(data))), namespace)
    predictions = namespace["predictions"]
    predictions = predictions[0] if isinstance(predictions, tuple) else predictions
    assert len(predictions) == 120


def test_binary_curves_score_the_positive_class(file_run):
    from sklearn.metrics import roc_auc_score

    run, _, _ = file_run
    report = json.loads((run / "report.json").read_text())
    curves = report["evaluation"]["curves"]
    assert curves["average"] == "binary" and curves["positive"] == report["classes"][1] == "b"
    frame = pd.read_csv(run / "test_predictions.csv")
    expected = roc_auc_score(frame["actual"] == "b", frame["classical_proba_b"])
    assert curves["approaches"]["classical"]["roc"]["auc"] == pytest.approx(expected, abs=1e-4)
    assert report["leaderboard"][0]["test_scores"]["roc_auc"] == pytest.approx(expected, abs=1e-3)


def test_column_summaries_are_left_out_when_the_data_changed_or_is_gone(file_run, tmp_path):
    import shutil

    run, data, frame = file_run
    copy = tmp_path / "run"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("models"))
    moved = tmp_path / "shapes.csv"
    shutil.copy(data, moved)
    record = json.loads((copy / "run.json").read_text())
    record["data"]["source"] = str(moved)
    (copy / "run.json").write_text(json.dumps(record))
    assert set(build(copy)["columns"]["columns"]) == {"x", "noise", "colour"}
    frame.assign(x=frame["x"] * 2).to_csv(moved, index=False)
    assert build(copy)["columns"] == {"missing": "shapes.csv has changed since the run read it"}
    moved.unlink()
    report = build(copy)
    assert report["columns"]["missing"].startswith("the data the run read is not a table file")
    validate(report)
    assert "Ranges and histograms are not shown: the data the run read" in render(report, "html")


# --------------------------------------------------------------------------- the baseline row


def test_a_baseline_row_is_shown_but_never_a_finalist(hostile_run, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(hostile_run, run, ignore=shutil.ignore_patterns("models"))
    record = json.loads((run / "run.json").read_text())
    recorded = record.pop("baseline", None)  # runs from 0.6 record it; older ones may list it as a finalist
    record["finalists"].append({"approach": "baseline", "kind": "baseline", "model": "majority class",
                                "test_scores": {"accuracy": 0.55, "roc_auc": 0.5}, "val_score": 0.52,
                                "fit_seconds": 0.0})
    (run / "run.json").write_text(json.dumps(record))
    report = build(run)
    validate(report)
    assert [f["approach"] for f in report["leaderboard"]] == ["classical"]
    assert report["baseline"] == {"approach": "baseline", "model": "majority class", "notes": [],
                                  "test_scores": {"accuracy": 0.55, "roc_auc": 0.5}, "val_score": 0.52}
    assert report["comparison"] is None and report["verdict"].startswith("Only gradient boosting ran")
    assert "baseline" not in report["approaches"] and "baseline" not in report["costs"]["approaches"]
    html = render(report, "html")
    assert '<tr class="baseline"><td>baseline</td><td>majority class</td><td class="n">0.5500</td>' in html
    assert "| baseline | majority class | 0.5500 |" in render(report, "md")

    record["finalists"].pop()  # as leaderboard.csv has it
    (run / "run.json").write_text(json.dumps(record))
    table = pd.read_csv(run / "leaderboard.csv")
    table = table[table["approach"] != "baseline"]
    row = {"approach": "baseline", "model": "majority class", "test_accuracy": 0.55, "val_score": 0.52}
    pd.concat([table, pd.DataFrame([row])]).to_csv(run / "leaderboard.csv", index=False)
    baseline = build(run)["baseline"]
    assert baseline["test_scores"]["accuracy"] == 0.55 and baseline["test_scores"]["roc_auc"] is None
    assert baseline["val_score"] == 0.52

    if recorded is not None:  # as fit records it
        record["baseline"] = recorded
        (run / "run.json").write_text(json.dumps(record))
        report = build(run)
        validate(report)
        assert report["baseline"]["test_scores"] == recorded["test_scores"]
        assert [f["approach"] for f in report["leaderboard"]] == ["classical"]
        assert f"<li>baseline: {recorded['notes'][0]}</li>".replace("<b>", "&lt;b&gt;") in render(report, "html")
