"""Decision rules for balanced accuracy and macro F1: fitted on validation rows, kept with the run, used by every
reader of its predictions (test scores, test_predictions.csv, predict, evaluate, the report)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl import AutoML, decision
from automl.errors import DamagedRunError
from automl.metrics import score_output
from automl.predictor import load
from automl.report.bootstrap import paired_difference
from automl.report.evaluation import evaluate


def overlapping(n: int, rare: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels with ``rare`` of them 1, and calibrated probabilities from one noisy feature: the most probable
    class is nearly always 0."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rare).astype(int)
    x = rng.normal(y * 1.5, 1.0)
    odds = rare / (1 - rare) * np.exp(1.5 * x - 1.125)  # the Bayes posterior of x ~ N(1.5 y, 1)
    p1 = odds / (1 + odds)
    return y, np.column_stack([1 - p1, p1])


def test_weights_favour_the_rare_class_by_the_power():
    assert decision.weights_for([0.5, 0.5], 1.0) == (0.5, 0.5)
    assert decision.weights_for([0.9, 0.1], 0.0) == (0.5, 0.5)
    assert decision.weights_for([0.9, 0.1], 1.0) == (0.1, 0.9)
    assert decision.weights_for([1.0, 0.0], 1.0) == (0.5, 0.5)  # an absent class counts as the smallest share


def test_the_rule_beats_the_most_probable_class_where_the_metric_weighs_classes_alike():
    y, proba = overlapping(4000, 0.1)
    shares = decision.shares(y, 2)
    found = decision.fit("balanced_accuracy", y, proba, shares)
    assert found is not None and found.power > 0
    assert found.after > found.before + 0.05
    assert found.before == pytest.approx(score_output("binary", y, proba, "balanced_accuracy"), abs=1e-6)
    assert found.after == pytest.approx(score_output("binary", y, proba, "balanced_accuracy",
                                                     weights=found.weights), abs=1e-6)
    y_new, proba_new = overlapping(4000, 0.1, seed=1)  # and on rows that did not choose it
    assert (score_output("binary", y_new, proba_new, "balanced_accuracy", weights=found.weights)
            > score_output("binary", y_new, proba_new, "balanced_accuracy") + 0.05)
    assert decision.fit("f1_macro", y, proba, shares).power > 0


def test_a_search_ranks_candidates_by_the_score_their_rule_reaches():
    y, calibrated = overlapping(2000, 0.1)
    skewed = calibrated.copy()  # ranks the rows worse, but leans to the rare class, so its most probable class...
    skewed[:, 1] = np.clip(calibrated[:, 1] * 3 + np.random.default_rng(2).normal(0, 0.15, len(y)), 0.01, 0.99)
    skewed[:, 0] = 1 - skewed[:, 1]
    plain = [score_output("binary", y, p, "balanced_accuracy") for p in (calibrated, skewed)]
    ranked = [decision.ranking_score("binary", y, p, "balanced_accuracy") for p in (calibrated, skewed)]
    assert plain[1] > plain[0]  # ...wins by the most probable class
    assert ranked[0] > ranked[1]  # and loses once each predicts by its best rule
    best = max(score_output("binary", y, calibrated, "balanced_accuracy",
                            weights=decision.weights_for(decision.shares(y, 2), p)) for p in decision.POWERS)
    assert ranked[0] == best
    for metric in ("accuracy", "log_loss", "roc_auc", "f1_macro"):  # scored as they were (macro F1: measured)
        assert decision.ranking_score("binary", y, skewed, metric) == score_output("binary", y, skewed, metric)
    assert decision.ranking_score("binary", y[:10], skewed[:10], "balanced_accuracy") == score_output(
        "binary", y[:10], skewed[:10], "balanced_accuracy")


def test_no_rule_for_accuracy_few_rows_or_balanced_classes():
    y, proba = overlapping(4000, 0.1)
    shares = decision.shares(y, 2)
    assert decision.fit("accuracy", y, proba, shares) is None  # the most probable class is right for accuracy
    assert decision.fit("roc_auc", y, proba, shares) is None
    assert decision.fit("balanced_accuracy", y[:10], proba[:10], shares) is None
    even = np.array([0, 1] * 50)
    sure = np.eye(2)[even] * 0.8 + 0.1
    assert decision.fit("balanced_accuracy", even, sure, [0.5, 0.5]) is None  # nothing beats it: it stays


def test_multiclass_rule_and_labels():
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=3000, p=[0.8, 0.15, 0.05])
    x = rng.normal(y.astype(float), 1.0)
    logits = np.column_stack([-(x - k) ** 2 / 2 + np.log(p) for k, p in enumerate([0.8, 0.15, 0.05])])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    found = decision.fit("balanced_accuracy", y, proba, decision.shares(y, 3))
    assert found is not None and len(found.weights) == 3 and found.weights[2] > found.weights[1] > found.weights[0]
    assert (decision.labels(proba, found.weights) == 2).sum() > (decision.labels(proba) == 2).sum()


def test_saved_weights_read_only_what_fits():
    assert decision.saved_weights({"deep": {"weights": [0.2, 0.8]}}, "deep", 2) == (0.2, 0.8)
    assert decision.saved_weights({"deep": {"weights": [0.2, 0.8]}}, "classical", 2) is None
    assert decision.saved_weights({"deep": {"weights": [0.2, 0.8]}}, "deep", 3) is None
    assert decision.saved_weights({"deep": {"weights": [0.2, -1]}}, "deep", 2) is None
    assert decision.saved_weights(None, "deep", 2) is None


def test_the_report_and_its_interval_predict_by_the_rule():
    frame = pd.DataFrame({"actual": ["a", "a", "b", "b"], "classical_proba_a": ["0.9", "0.7", "0.6", "0.2"],
                          "classical_proba_b": ["0.1", "0.3", "0.4", "0.8"]})
    plain = evaluate(frame, "binary", ["a", "b"], ["classical"])
    ruled = evaluate(frame, "binary", ["a", "b"], ["classical"], decisions={"classical": {"weights": [0.25, 0.75]}})
    assert plain["approaches"]["classical"]["confusion"] == [[2, 0], [1, 1]]
    assert ruled["approaches"]["classical"]["confusion"] == [[1, 1], [0, 2]]  # b once its probability passes 0.25
    y = np.array([0, 0, 1, 1] * 25)
    proba = np.tile([[0.9, 0.1], [0.7, 0.3], [0.6, 0.4], [0.2, 0.8]], (25, 1))
    same = paired_difference(y, proba, proba, "binary", "balanced_accuracy", resamples=50)
    apart = paired_difference(y, proba, proba, "binary", "balanced_accuracy", resamples=50,
                              weights=((0.35, 0.65), None))
    assert same["difference"] == 0.0
    assert apart["difference"] == pytest.approx(1.0 - 0.75)  # b once its probability passes 0.35: every row right


@pytest.fixture(scope="module")
def rare_run(tmp_path_factory):
    """A 10 % class a single feature barely tells apart, fitted for balanced accuracy (gradient boosting, 1 trial)."""
    rng = np.random.default_rng(3)
    n = 1500
    y = (rng.random(n) < 0.1).astype(int)
    frame = pd.DataFrame({"x": rng.normal(y * 1.5, 1.0), "noise": rng.normal(size=n),
                          "label": np.where(y == 1, "rare", "common")})
    out = tmp_path_factory.mktemp("decision")
    model = AutoML(budget="30s", metric="balanced_accuracy", compare=False, max_trials=1, refit=False,
                   out=out / "runs", verbose=False).fit(frame)
    return model, frame


def test_a_run_keeps_its_rule_and_every_reader_uses_it(rare_run):
    model, frame = rare_run
    run = model.run_dir_
    record = json.loads((run / "run.json").read_text())
    kept = record["decisions"]["classical"]
    assert model.decisions_ == record["decisions"]  # the Python API says so too
    assert kept["metric"] == "balanced_accuracy" and kept["power"] > 0 and kept["after"] > kept["before"]
    weights = tuple(kept["weights"])
    assert weights[record["classes"].index("rare")] > weights[record["classes"].index("common")]
    tests = pd.read_csv(run / "test_predictions.csv")
    classes = record["classes"]
    proba = tests[[f"classical_proba_{c}" for c in classes]].to_numpy()
    written = tests["classical_prediction"].to_numpy()
    assert (written == np.asarray(classes)[decision.labels(proba, weights)]).all()
    assert (written != np.asarray(classes)[proba.argmax(axis=1)]).any()  # the rule moved some rows
    finalist = next(f for f in record["finalists"] if f["approach"] == "classical")
    y = tests["actual"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    from sklearn.metrics import balanced_accuracy_score

    assert finalist["test_scores"]["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(tests["actual"],
                                                                                                  written))
    assert finalist["val_score"] == pytest.approx(kept["after"])
    assert any("share of the training rows in that class" in note for note in finalist["notes"])
    rows = frame.iloc[tests["row"].to_numpy()].drop(columns="label")
    assert (model.predict(rows) == written).all()  # the Python API, on the model the test rows scored
    predictor = load(run)
    scores, _ = predictor.evaluate(frame.iloc[tests["row"].to_numpy()])
    assert scores["balanced_accuracy"] == pytest.approx(finalist["test_scores"]["balanced_accuracy"])
    assert scores["log_loss"] == pytest.approx(score_output("binary", y, proba, "log_loss"))  # probabilities as were
    predicted, _ = predictor.predict_frame(rows)
    assert (predicted["predicted_label"].to_numpy() == written).all()


def test_a_damaged_rule_is_named(rare_run, tmp_path):
    import shutil

    model, _ = rare_run
    copy = tmp_path / "run"
    shutil.copytree(model.run_dir_, copy)
    record = json.loads((copy / "run.json").read_text())
    record["decisions"]["classical"]["weights"] = [0.5]
    (copy / "run.json").write_text(json.dumps(record))
    with pytest.raises(DamagedRunError, match="decisions"):
        load(copy)


def test_accuracy_runs_keep_no_rule(tmp_path):
    frame = pd.DataFrame({"x": np.arange(200) % 7, "label": np.where(np.arange(200) % 7 > 4, "b", "a")})
    model = AutoML(budget="20s", compare=False, max_trials=1, out=tmp_path / "runs", verbose=False).fit(frame)
    assert json.loads((model.run_dir_ / "run.json").read_text())["decisions"] == {} == model.decisions_


def fit_rare_csv(folder, seed: int):
    """``automl fit`` from the command line on a CSV with a 10 % class, for balanced accuracy (gradient boosting,
    1 trial); the result, checked to exit 0."""
    from click.testing import CliRunner

    from automl.cli import main

    rng = np.random.default_rng(seed)
    y = (rng.random(1500) < 0.1).astype(int)
    data = folder / "rare.csv"
    pd.DataFrame({"x": rng.normal(y * 1.5, 1.0), "label": np.where(y == 1, "rare", "common")}).to_csv(data, index=False)
    result = CliRunner().invoke(main, ["fit", str(data), "--budget", "30s", "--no-compare", "--max-trials", "1",
                                       "--metric", "balanced_accuracy", "--out", str(folder / "runs")])
    assert result.exit_code == 0, result.output
    return result


def test_the_command_line_summary_says_the_rule(tmp_path):
    said = " ".join(fit_rare_csv(tmp_path, seed=5).output.split())
    assert "its classes follow a rule chosen on validation for balanced accuracy" in said


def test_a_resumed_run_fits_its_rules_again(tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    fit_rare_csv(tmp_path, seed=7)
    run = next((tmp_path / "runs").iterdir())
    before = json.loads((run / "run.json").read_text())["decisions"]["classical"]
    resumed = CliRunner().invoke(main, ["fit", "--resume", str(run), "--budget", "20s"])
    assert resumed.exit_code == 0, resumed.output
    after = json.loads((run / "run.json").read_text())
    assert after["status"] == "complete" and len(after["sessions"]) == 2
    assert after["decisions"]["classical"]["power"] > 0
    assert after["decisions"]["classical"]["metric"] == before["metric"] == "balanced_accuracy"
    tests = pd.read_csv(run / "test_predictions.csv")
    weights = tuple(after["decisions"]["classical"]["weights"])
    proba = tests[[f"classical_proba_{c}" for c in after["classes"]]].to_numpy()
    ruled = np.asarray(after["classes"])[decision.labels(proba, weights)]
    assert (tests["classical_prediction"].to_numpy() == ruled).all()
