"""``--weight COL`` and ``sample_weight``: each row counts as much as its weight in training and in every score."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn import metrics as m

from automl import AutoMLClassifier, AutoMLRegressor
from automl.cli import main
from automl.data.profile import inspect_frame
from automl.errors import ConfigError, DataError
from automl.metrics import score_output


def two_crowds(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Two crowds of rows that nothing tells apart: in one the label is ``x > 0``, in the other ``x < 0``. Weighing
    the second crowd 0 leaves one rule to learn; counted alike, the crowds cancel out."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    second = np.arange(n) % 2 == 1
    label = np.where(second, x < 0, x > 0)
    return pd.DataFrame({"x": x, "noise": rng.normal(size=n), "w": np.where(second, 0.0, 1.0),
                         "label": np.where(label, "yes", "no")})


def test_weighted_scores_match_scikit_learn_and_zero_weights_drop_rows():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 200)
    proba = rng.dirichlet(np.ones(3), 200)
    w = rng.uniform(0, 2, 200)
    got = score_output("multiclass", y, proba, sample_weight=w)
    pred = proba.argmax(axis=1)
    assert got["accuracy"] == pytest.approx(m.accuracy_score(y, pred, sample_weight=w))
    assert got["balanced_accuracy"] == pytest.approx(m.balanced_accuracy_score(y, pred, sample_weight=w))
    assert got["f1_macro"] == pytest.approx(m.f1_score(y, pred, average="macro", sample_weight=w))
    assert got["log_loss"] == pytest.approx(m.log_loss(y, proba, sample_weight=w))
    assert got["roc_auc"] == pytest.approx(m.roc_auc_score(y, proba, multi_class="ovr", sample_weight=w))
    assert got["accuracy"] != pytest.approx(score_output("multiclass", y, proba)["accuracy"])
    values, truth = rng.normal(size=50), rng.normal(size=50)
    alike = np.r_[np.ones(30), np.zeros(20)]
    assert score_output("regression", truth, values, sample_weight=alike) == pytest.approx(
        score_output("regression", truth[:30], values[:30]))


@pytest.mark.parametrize("values, message", [
    (["1", "heavy"], "not numbers such as 'heavy' in data row 2"),
    ([1.0, None], "missing in 15 row(s) with a target (the first is data row 2)"),
    ([1.0, -0.5], "negative weight (-0.5 in data row 2)"),
    ([1.0, np.inf], "infinite weight (data row 2)"),
    ([0, 0], "is 0 in every row"),
])
def test_weights_that_are_not_weights_are_refused_by_row(values, message):
    frame = pd.DataFrame({"x": [1.0, 2.0] * 15, "w": values * 15, "y": ["a", "b"] * 15})
    with pytest.raises(DataError, match=None) as found:
        inspect_frame(frame, "y", weight="w")
    assert message in str(found.value) and "`weight` column 'w'" in str(found.value)


def test_the_weight_column_is_named_once_and_is_no_feature():
    frame = two_crowds(60)
    profile = inspect_frame(frame, "label", weight="w")
    assert profile.weight == "w" and "w" not in [c.name for c in profile.features]
    assert profile.column("w").kind == "weight" and "from 0 to 1" in profile.column("w").reason
    for given, why in (({"target": "label", "weight": "label"}, "is the target"),
                       ({"target": "label", "weight": "x", "drop": ["x"]}, "which is left out by `drop`"),
                       ({"target": "label", "weight": "x", "group": "x"}, "which is named by `group` too"),
                       ({"target": "label", "weight": "nothing"}, "not a column")):
        with pytest.raises(ConfigError, match=why):
            inspect_frame(frame, **given)


def test_a_weighted_interval_holds_its_share_of_the_weight():
    from automl import intervals

    rng = np.random.default_rng(0)
    predicted = rng.uniform(0, 10, 400)
    y = predicted + rng.normal(0, 1, 400)
    alike = intervals.fit(y, predicted)
    assert intervals.fit(y, predicted, sample_weight=np.full(400, 3.0)).to_dict() == alike.to_dict()
    heavy = np.where(np.abs(y - predicted) > 1.0, 5.0, 1.0)  # the rows with large errors weigh more
    wide = intervals.fit(y, predicted, sample_weight=heavy)
    assert wide.half_width > alike.half_width
    fresh = rng.uniform(0, 10, 4000)
    truth = fresh + rng.normal(0, 1, 4000)
    held = intervals.coverage(truth, fresh, wide.widths(fresh), np.where(np.abs(truth - fresh) > 1.0, 5.0, 1.0))
    assert 0.86 < held < 0.95


def test_a_report_gap_is_weighted_like_the_scores():
    from automl.report.bootstrap import paired_difference

    rng = np.random.default_rng(0)
    y = rng.normal(size=300)
    a, b = y + rng.normal(0, 0.5, 300), y + rng.normal(0, 1.0, 300)
    w = rng.uniform(0, 3, 300)
    out = paired_difference(y, a, b, "regression", "rmse", resamples=200, sample_weight=w)
    assert out["difference"] == pytest.approx(score_output("regression", y, a, "rmse", sample_weight=w)
                                              - score_output("regression", y, b, "rmse", sample_weight=w))
    assert out["low"] < out["difference"] < out["high"] < 0


def test_the_report_charts_weigh_the_test_rows_as_the_scores_do():
    from automl.report.evaluation import evaluate
    from automl.report.outcomes import confusion

    # Every row of weight 0 is predicted wrong: weighted, the model is right on every row that counts.
    truth = ["a", "a", "b", "b", "a", "b"]
    p_b = [0.1, 0.2, 0.9, 0.8, 0.7, 0.3]  # the last two wrong
    frame = pd.DataFrame({"actual": truth, "classical_proba_a": [str(1 - p) for p in p_b],
                          "classical_proba_b": [str(p) for p in p_b], "weight": ["1", "2", "1", "3", "0", "0"]})
    out = evaluate(frame, "binary", ["a", "b"], ["classical"])
    data = out["approaches"]["classical"]
    assert out["weighted"] and data["confusion"] == [[2, 1], [1, 2]]  # the numbers still count rows
    assert data["confusion_weight"] == [[3.0, 0.0], [0.0, 4.0]]
    assert [(c["recall"], c["support"], c["weight"]) for c in data["per_class"]] == [(1.0, 3, 3.0), (1.0, 3, 4.0)]
    assert out["curves"]["approaches"]["classical"]["roc"]["auc"] == 1.0
    alike = evaluate(frame.drop(columns="weight"), "binary", ["a", "b"], ["classical"])
    assert "weighted" not in alike and alike["curves"]["approaches"]["classical"]["roc"]["auc"] < 1.0
    assert [c["recall"] for c in alike["approaches"]["classical"]["per_class"]] == [0.6667, 0.6667]
    styles = {"classical": SimpleNamespace(label="gradient boosting")}
    chart = confusion("classical", data["confusion"], ["a", "b"], styles, weighed=data["confusion_weight"])
    assert "predicted b: 1 (0% of the row&#x27;s weight)" in chart["svg"] and "(`weight`)" in chart["caption"]  # escaped

    regression = pd.DataFrame({"actual": ["1", "2", "3"], "classical_prediction": ["1", "2", "13"],
                               "weight": ["1", "1", "0"]})
    residuals = evaluate(regression, "regression", None, ["classical"])["approaches"]["classical"]
    assert residuals["residual_mean"] == 0.0 and residuals["residual_sd"] == 0.0  # the row off by 10 weighs 0


def test_permutation_importance_weighs_the_rows():
    from automl.search.importance import permuted

    class Model:  # column "a" decides the rows of weight 0 only; "b" the others
        def predict(self, frame):
            return np.where(np.arange(len(frame)) % 2 == 1, frame["a"], frame["b"]).astype(float)

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = Model().predict(X)
    w = np.where(np.arange(200) % 2 == 1, 0.0, 1.0)
    weighted = dict(map(tuple, permuted(Model(), X, y, "regression", "rmse", 0, 5.0, w)["features"]))
    alike = dict(map(tuple, permuted(Model(), X, y, "regression", "rmse", 0, 5.0)["features"]))
    assert weighted["a"] == 0.0 < weighted["b"] and alike["a"] > 0.5


def test_a_network_trains_on_rows_drawn_by_weight():
    from automl.search.networks import Targets

    w = np.tile([0.0, 1.0, 3.0], 40)
    ctx = SimpleNamespace(y=np.tile([0, 1], 60), task="binary", seed=0, rule=None, sample_weight=w)
    rows = Targets.of(ctx)
    assert len(rows.fit) + len(rows.val) == 120 and not set(rows.fit) & set(rows.val)
    drawn = w[rows.fit]
    assert (drawn > 0).all() and 0.7 < np.mean(drawn == 3.0) < 0.8  # three in four draws
    assert set(rows.drawn(rows.val)) <= set(rows.val)
    fit = Targets.of(SimpleNamespace(**(vars(ctx) | {"sample_weight": None}))).fit  # each fit row once
    times = 3.0 / w[fit].mean()  # a row of weight 3 against the fit rows' mean: it appears floor or ceil as often
    copies = np.bincount(rows.fit, minlength=120)[fit][w[fit] == 3.0]
    assert set(copies) <= {np.floor(times), np.ceil(times)}
    alike = Targets.of(SimpleNamespace(**(vars(ctx) | {"sample_weight": np.full(120, 2.0)})))
    assert sorted(alike.fit) == sorted(fit)  # equal weights: every row once, as without weights


def test_a_weighted_network_trains_beside_gradient_boosting(tmp_path):
    # A classifying network's validation loss is averaged by weight over its rows: a Loss object's per-row values,
    # not its batch mean (which once failed every weighted network with label smoothing: the run recorded the error).
    model = AutoMLClassifier(budget="60s", max_trials=1, max_epochs=1, out=tmp_path / "runs", weight="w")
    model.fit(two_crowds(), target="label")
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["errors"] == [] and {f["approach"] for f in record["finalists"]} >= {"classical", "deep"}
    losses = [e["val_loss"] for e in record["training_curves"]["deep"] if "val_loss" in e]
    assert losses and np.isfinite(losses).all()


def test_weights_decide_what_gradient_boosting_learns_and_how_it_scores(tmp_path):
    path = tmp_path / "crowds.csv"
    two_crowds().to_csv(path, index=False)
    fitted = CliRunner().invoke(main, ["fit", str(path), "--target", "label", "--weight", "w", "--budget", "15s",
                                       "--no-compare", "--max-trials", "3", "--out", str(tmp_path / "runs")])
    assert fitted.exit_code == 0, fitted.output
    assert "Every score above is weighted by 'w' (--weight)" in fitted.output
    run = next((tmp_path / "runs").iterdir())
    record = json.loads((run / "run.json").read_text())
    weighted = record["finalists"][0]["test_scores"]["accuracy"]
    assert weighted > 0.9  # the rows that count follow one rule, and only they are scored
    assert record["settings"]["weight"] == "w" and "w" not in record["features"]
    assert "weight" in pd.read_csv(run / "test_predictions.csv").columns
    assert any("(`weight`)" in r for r in record["plan"]["reasons"])
    alone = CliRunner().invoke(main, ["fit", str(path), "--target", "label", "--drop", "w", "--budget", "15s",
                                      "--no-compare", "--max-trials", "3", "--out", str(tmp_path / "alike")])
    assert alone.exit_code == 0, alone.output
    other = next((tmp_path / "alike").iterdir())
    plain = json.loads((other / "run.json").read_text())["finalists"][0]["test_scores"]["accuracy"]
    assert plain < 0.75  # counted alike, the two crowds' rules cancel out

    result = CliRunner().invoke(main, ["evaluate", str(run), str(path)])
    assert result.exit_code == 0, result.output
    assert "weighed by 'w'" in result.output
    scores = dict(line.split() for line in result.output.splitlines() if line.startswith("  "))
    assert float(scores["accuracy"]) > 0.9
    unweighted = tmp_path / "no_weights.csv"
    two_crowds().drop(columns="w").to_csv(unweighted, index=False)
    result = CliRunner().invoke(main, ["evaluate", str(run), str(unweighted)])
    assert result.exit_code == 0 and "lacks: every row counts alike" in result.output
    predicted = CliRunner().invoke(main, ["predict", str(run), str(path), "--output", str(tmp_path / "p.csv")])
    assert predicted.exit_code == 0 and "does not use" not in predicted.output


def test_bad_weights_are_one_line_and_write_nothing(tmp_path):
    frame = two_crowds(60)
    frame.loc[7, "w"] = -1
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "runs"
    result = CliRunner().invoke(main, ["fit", str(path), "--weight", "w", "--budget", "10s", "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == ("automl: error: `weight` column 'w' has a negative weight (-1 in "
                                                      "data row 8); weights are 0 or more.")
    assert not out.exists()
    result = CliRunner().invoke(main, ["fit", str(path), "--weight", "wt", "--budget", "10s", "--out", str(out)])
    assert result.exit_code == 2
    assert "`weight` names 'wt', which is not a column of the data. Did you mean 'w'?" in result.output


def test_sample_weight_in_python(tmp_path):
    frame = two_crowds()
    X, y, w = frame[["x", "noise"]].to_numpy(), frame["label"].to_numpy(), frame["w"].to_numpy()
    model = AutoMLClassifier(budget="15s", compare=False, max_trials=3, out=tmp_path / "runs")
    model.fit(X, y, sample_weight=w)
    assert model.n_features_in_ == 2 and model.feature_names_in_ == ["x0", "x1"]
    assert model.predict(X[:5]).shape == (5,)
    assert model.score(X, y, sample_weight=w) > 0.9 > model.score(X, y)
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["settings"]["weight"] == "sample_weight"
    with pytest.raises(ConfigError, match="give the weights once"):
        AutoMLClassifier(weight="w", out=tmp_path / "runs").fit(frame, target="label", sample_weight=w)
    with pytest.raises(DataError, match="sample_weight has 3 values but the data has 400 rows"):
        AutoMLClassifier(budget="15s", out=tmp_path / "runs").fit(X, y, sample_weight=[1, 2, 3])
    with pytest.raises(DataError, match=r"^sample_weight has a negative weight \(-1 in sample_weight\[5\]\)"):
        AutoMLClassifier(budget="15s", out=tmp_path / "runs").fit(X, y, sample_weight=np.where(np.arange(400) == 5, -1.0, w))
    with pytest.raises(ConfigError, match="weight"):
        AutoMLRegressor(weight=3, out=tmp_path / "runs").fit(X, frame["x"])


def test_a_resume_takes_the_same_weights_again(tmp_path):
    frame = two_crowds(200)
    X, y, w = frame[["x", "noise"]], frame["label"], frame["w"].to_numpy()
    first = AutoMLClassifier(budget="10s", compare=False, max_trials=2, out=tmp_path / "runs")
    first.fit(X, y, sample_weight=w)
    again = AutoMLClassifier(budget="10s", compare=False, max_trials=3, out=tmp_path / "runs")
    with pytest.raises(ConfigError, match="give the same sample_weight again"):
        again.fit(X, y, resume=first.run_dir_)
    again.fit(X, y, sample_weight=w, resume=first.run_dir_)
    assert again.run_dir_ == first.run_dir_ and again.feature_names_in_ == ["x", "noise"]
    record = json.loads((first.run_dir_ / "run.json").read_text())
    assert record["status"] == "complete" and len(record["sessions"]) == 2
    from automl.api import _weighed_again
    from automl.data import Dataset

    data = Dataset(frame, "crowds", "dataframe")
    with pytest.raises(ConfigError, match="fitted without weights"):
        _weighed_again(data, None, w)
    with pytest.raises(ConfigError, match="weighs its rows by the data's column 'w': leave sample_weight out"):
        _weighed_again(data, "w", w)
    assert _weighed_again(data, "w", None) is data and _weighed_again(data, None, None) is data


def test_a_text_table_weighs_its_rows(tmp_path):
    from automl import AutoML
    from synthetic import reviews

    def crowds(seed: int) -> pd.DataFrame:
        frame = reviews(400, seed=seed)
        flipped = (np.arange(400) // 2) % 2 == 1  # a second crowd whose labels say the opposite, weighing nothing
        frame["label"] = np.where(flipped, frame["label"].map({"pos": "neg", "neg": "pos"}), frame["label"])
        frame["w"] = np.where(flipped, 0.0, 1.0)
        return frame

    frame, fresh = crowds(0), crowds(1)
    scores = {}
    for how in ({"weight": "w"}, {"drop": "w"}):
        model = AutoML(budget="30s", compare=False, max_trials=3, out=tmp_path / "runs", **how)
        model.fit(frame, target="label")
        assert model.profile_.modality == "text"
        scores[next(iter(how))] = model.score(fresh, fresh["label"], sample_weight=fresh["w"])  # rows it never saw
    assert scores["weight"] > 0.9 > 0.75 > scores["drop"], scores


def test_a_temperature_is_fitted_on_the_rows_that_weigh():
    from automl.search.calibration import cross_fitted_softmax, fit_temperature

    rng = np.random.default_rng(0)
    margins = rng.normal(0, 2, (200, 3))
    y = np.where(rng.random(200) < 0.7, margins.argmax(axis=1), rng.integers(0, 3, 200))
    w = np.where(np.arange(200) < 120, 1.0, 0.0)
    assert fit_temperature(margins, y, w) == pytest.approx(fit_temperature(margins[:120], y[:120]), rel=1e-4)
    assert fit_temperature(margins, y, w) != pytest.approx(fit_temperature(margins, y), rel=1e-3)
    proba, t = cross_fitted_softmax(margins, y, sample_weight=w)
    assert t == pytest.approx(fit_temperature(margins, y, w)) and np.allclose(proba.sum(axis=1), 1.0)
