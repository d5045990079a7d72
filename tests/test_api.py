"""``AutoML`` as a scikit-learn estimator: parameters, cloning, fitted state, pipelines, seeds, ``load``.

Every fit runs gradient boosting only (``compare=False``) with a trial cap, so
no test here imports TensorFlow and each fit takes a second or two.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

import automl
from automl import AutoML
from automl.errors import BudgetError, ConfigError, DataError, NotFittedError

REPO = Path(__file__).resolve().parents[1]
WINE = REPO / "data" / "wine.csv"
DIABETES = REPO / "data" / "diabetes.csv"
CLASSES = ["class_0", "class_1", "class_2"]
PARAMS = {"budget", "target", "task", "metric", "out", "seed", "compare", "refit", "device", "max_trials", "max_epochs",
          "price", "verbose", "drop", "workers", "listen", "dask", "memory", "group", "order", "encoding", "weight"}


def fast(tmp_path: Path, **kwargs) -> AutoML:
    settings = {"budget": "10s", "compare": False, "max_trials": 2, "out": tmp_path / "runs"} | kwargs
    return AutoML(**settings)


@pytest.fixture(scope="module")
def wine() -> pd.DataFrame:
    return pd.read_csv(WINE)


@pytest.fixture(scope="module")
def wine_xy(wine):
    """Wine as arrays, shuffled once (the file is sorted by class, which unshuffled K-fold would punish)."""
    order = np.random.default_rng(0).permutation(len(wine))
    X = wine.drop(columns="cultivar").to_numpy()[order]
    y = wine["cultivar"].to_numpy()[order]
    return X, y


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, wine):
    """One model fitted on a DataFrame with ``target=``, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("api_runs")
    # Two trials end the search whatever the budget; a roomy one leaves the refit its time on a busy machine
    model = AutoML(budget="30s", compare=False, max_trials=2, out=out)
    returned = model.fit(wine, target="cultivar")
    assert returned is model
    return model


# --------------------------------------------------------------------------- parameters


def test_get_params_lists_every_init_argument():
    params = AutoML().get_params()
    assert set(params) == PARAMS
    assert params["budget"] == "10m" and params["compare"] is True and params["seed"] == 0
    assert params["max_trials"] is None and params["out"] == "runs" and params["verbose"] == "auto"


def test_init_only_stores_its_arguments(tmp_path):
    model = AutoML(budget="not a budget", max_trials=-3, task="nonsense", out=tmp_path / "x")
    assert model.budget == "not a budget" and model.max_trials == -3 and model.task == "nonsense"
    assert not (tmp_path / "x").exists()


def test_set_params_returns_self_and_updates():
    model = AutoML()
    assert model.set_params(budget="30s", seed=7, compare=False) is model
    assert model.get_params()["budget"] == "30s"
    assert model.seed == 7 and model.compare is False
    with pytest.raises(ValueError):
        model.set_params(no_such_parameter=1)


def test_clone_copies_parameters_not_state(fitted):
    copy = clone(fitted)
    assert copy is not fitted
    assert copy.get_params() == fitted.get_params()
    assert not [k for k in vars(copy) if k.endswith("_")]
    with pytest.raises(NotFittedError):
        copy.predict(np.zeros((1, 13)))


def test_unfitted_has_no_fitted_attributes(tmp_path):
    model = fast(tmp_path)
    assert [k for k in vars(model) if k.endswith("_")] == []
    assert not hasattr(model, "leaderboard_")
    assert not hasattr(model, "classes_")
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((2, 13)))
    with pytest.raises(NotFittedError):
        model.predict_proba(np.zeros((2, 13)))
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(model)


def test_invalid_arguments_fail_at_fit_before_writing(tmp_path, wine):
    with pytest.raises(BudgetError):
        fast(tmp_path, budget="abc").fit(wine, target="cultivar")
    with pytest.raises(ConfigError):
        fast(tmp_path, max_trials=0).fit(wine, target="cultivar")
    with pytest.raises(ConfigError):
        fast(tmp_path, metric="rmse").fit(wine, target="cultivar")
    with pytest.raises(DataError):
        fast(tmp_path).fit(wine, target="nope")
    with pytest.raises(ConfigError, match="`seed` must be a whole number from 0 to 4294967295. Received: seed=-1"):
        fast(tmp_path, seed=-1).fit(wine, target="cultivar")  # scikit-learn's traceback before
    with pytest.raises(ConfigError, match="Received: metric='f1'. Did you mean 'f1_macro'"):
        fast(tmp_path, metric="f1").fit(wine, target="cultivar")
    with pytest.raises(ConfigError, match="Received: memory='8'. A number without a unit is bytes: give one, as in "
                                          "8GB"):
        fast(tmp_path, memory="8").fit(wine, target="cultivar")
    assert not (tmp_path / "runs").exists()


def test_a_metric_in_any_case_or_a_common_other_name_is_taken(tmp_path, wine):
    binary = wine[wine["cultivar"] != wine["cultivar"].max()]
    assert fast(tmp_path, metric="AUC", max_trials=1).fit(binary, target="cultivar").plan_.metric == "roc_auc"
    assert fast(tmp_path, metric="Log-Loss", max_trials=1).fit(wine, target="cultivar").plan_.metric == "log_loss"


# --------------------------------------------------------------------------- fitted state and predictions


def test_fitted_attributes(fitted, wine):
    check_is_fitted(fitted)
    assert Path(fitted.run_dir_).is_dir()
    assert fitted.report_path_ == fitted.run_dir_ / "report.html" and fitted.report_path_.is_file()
    assert fitted.best_approach_ == "classical"
    assert list(fitted.classes_) == CLASSES
    assert fitted.feature_names_in_ == [c for c in wine.columns if c != "cultivar"]
    assert fitted.n_features_in_ == 13
    assert fitted.profile_.task == "multiclass" and fitted.plan_.metric == "accuracy"
    board = fitted.leaderboard_
    assert isinstance(board, pd.DataFrame) and [a for a in board["approach"] if a != "baseline"] == ["classical"]


def test_predict_shapes_from_frame_array_and_path(fitted, wine):
    features = wine.drop(columns="cultivar")
    from_frame = fitted.predict(features)
    from_array = fitted.predict(features.to_numpy())
    from_path = fitted.predict(WINE)
    assert from_frame.shape == (178,)
    assert (from_frame == from_array).all() and (from_frame == from_path).all()
    assert set(from_frame) <= set(CLASSES)
    proba = fitted.predict_proba(features.head(5))
    assert proba.shape == (5, 3)
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (np.asarray(CLASSES, dtype=object)[proba.argmax(axis=1)] == from_frame[:5]).all()


def test_score_is_accuracy(fitted, wine):
    X, y = wine.drop(columns="cultivar"), wine["cultivar"]
    score = fitted.score(X, y)
    assert score == pytest.approx(float(np.mean(fitted.predict(X) == y.to_numpy())))
    assert score > 0.9


def test_predict_rejects_arrays_of_the_wrong_width(fitted):
    with pytest.raises(ConfigError, match="13 columns"):
        fitted.predict(np.zeros((2, 5)))


def test_fit_on_arrays(tmp_path, wine_xy):
    X, y = wine_xy
    model = fast(tmp_path)
    assert model.fit(X, y) is model
    assert model.feature_names_in_ == [f"x{i}" for i in range(13)]
    assert list(model.classes_) == CLASSES
    assert model.predict(X).shape == (178,)
    assert model.predict_proba(X[:4]).shape == (4, 3)
    assert model.score(X, y) > 0.9


def test_fit_on_a_path(tmp_path):
    model = fast(tmp_path, max_trials=1).fit(str(WINE))
    assert model.profile_.target == "cultivar"
    assert json.loads((model.run_dir_ / "run.json").read_text())["data"]["name"] == "wine"
    assert model.run_dir_.parent == tmp_path / "runs"


def test_fit_with_target_given_at_construction(tmp_path, wine):
    frame = wine[["alcohol", "cultivar", "hue", "proline"]]  # target not last, not named like one
    model = fast(tmp_path, target="cultivar", max_trials=1).fit(frame)
    assert model.profile_.target == "cultivar"
    assert model.feature_names_in_ == ["alcohol", "hue", "proline"]


def test_a_column_name_as_y_names_the_target(tmp_path, wine):
    frame = wine[["alcohol", "cultivar", "hue", "proline"]]
    model = fast(tmp_path, max_trials=1).fit(frame, "cultivar")  # as fit(frame, target="cultivar")
    assert model.profile_.target == "cultivar" and model.feature_names_in_ == ["alcohol", "hue", "proline"]
    assert fast(tmp_path, max_trials=1).fit(str(WINE), "hue").profile_.task == "regression"
    with pytest.raises(ConfigError, match="`y` names the column 'hue' and `target` names 'cultivar'"):
        fast(tmp_path).fit(frame, "hue", target="cultivar")
    with pytest.raises(DataError, match="target column 'cultivr' not found. Did you mean 'cultivar'"):
        fast(tmp_path).fit(frame, "cultivr")


def test_one_column_given_as_a_list_or_a_series(tmp_path, wine):
    X, y = wine["proline"], wine["cultivar"]
    model = fast(tmp_path, max_trials=1).fit(X.tolist(), y)  # a 1-D list is one column, x0
    assert model.feature_names_in_ == ["x0"]
    assert model.predict(X.tolist()[:3]).tolist() == model.predict(X.to_frame("x0").head(3)).tolist()
    named = fast(tmp_path, max_trials=1).fit(X, y)  # a Series keeps its name
    assert named.feature_names_in_ == ["proline"] and len(named.predict(X.head(4))) == 4
    with pytest.raises(ConfigError, match="`X` must be a 2-D array with 13 columns"):
        fast(tmp_path, max_trials=1).fit(wine.drop(columns="cultivar").to_numpy(), y).predict([1.0, 2.0])


def test_regression_on_arrays(tmp_path):
    frame = pd.read_csv(DIABETES)
    X, y = frame.drop(columns="progression").to_numpy(), frame["progression"].to_numpy()
    model = fast(tmp_path).fit(X, y)
    assert model.profile_.task == "regression"
    assert not hasattr(model, "classes_")
    pred = model.predict(X)
    assert pred.shape == (len(y),) and pred.dtype == float and np.isfinite(pred).all()
    assert 0.3 < model.score(X, y) <= 1.0  # R²
    with pytest.raises(ConfigError):
        model.predict_proba(X)


def test_predict_accepts_the_array_it_was_fitted_on_even_with_a_dropped_column(tmp_path, wine_xy):
    X, y = wine_xy
    X = np.column_stack([X, np.ones(len(X))])  # a constant column: dropped by inspection
    model = fast(tmp_path, max_trials=1).fit(X, y)
    assert model.n_features_in_ == 14
    assert model.predict(X).shape == (178,)


def test_column_names_with_brackets_train_xgboost(tmp_path):
    rng = np.random.default_rng(0)
    n = 100
    x = rng.normal(size=n)
    frame = pd.DataFrame({"price [usd]": x, "a<b": rng.normal(size=n), "label": np.where(x > 0, "hi", "lo")})
    model = fast(tmp_path, max_trials=1).fit(frame, target="label")
    assert model.leaderboard_["model"].iloc[0] == "xgboost"  # first: the best; a baseline row may follow
    assert model.score(frame.drop(columns="label"), frame["label"]) > 0.9


# --------------------------------------------------------------------------- scikit-learn composition


def test_inside_a_pipeline(tmp_path, wine_xy):
    X, y = wine_xy
    pipe = Pipeline([("log", FunctionTransformer(np.log1p)), ("automl", fast(tmp_path))])
    assert pipe.fit(X, y) is pipe
    pred = pipe.predict(X)
    assert pred.shape == (178,) and set(pred) <= set(CLASSES)
    assert pipe.predict_proba(X[:3]).shape == (3, 3)
    assert pipe.score(X, y) > 0.9
    assert pipe.named_steps["automl"].n_features_in_ == 13


def test_cross_val_score(tmp_path, wine_xy):
    X, y = wine_xy
    scores = cross_val_score(AutoML(budget="10s", compare=False, max_trials=2, out=tmp_path / "runs"), X, y, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores > 0.8), scores
    assert len([p for p in (tmp_path / "runs").iterdir() if p.is_dir()]) == 3


# --------------------------------------------------------------------------- seeds and saved runs


def _gbm_result(run_dir: Path):
    board = pd.read_csv(run_dir / "leaderboard.csv")
    scores = board[[c for c in board.columns if c.startswith("test_")] + ["model", "val_score", "trials"]]
    trials = [json.loads(line) for line in (run_dir / "trials.jsonl").read_text().splitlines() if line.strip()]
    params = [(t["model"], t["params"], t["val_score"]) for t in trials]
    rows = pd.read_csv(run_dir / "test_predictions.csv")["row"].tolist()
    return scores, params, rows


def test_same_seed_same_split_and_scores(tmp_path, wine):
    # A roomy budget so that no time-dependent branch (skipping a trial, skipping the refit) can fire
    # on a loaded machine; max_trials keeps the real time to a few seconds.
    first = fast(tmp_path, max_trials=3, budget="2m").fit(wine, target="cultivar")
    second = fast(tmp_path, max_trials=3, budget="2m").fit(wine, target="cultivar")
    assert first.run_dir_ != second.run_dir_
    scores_a, params_a, rows_a = _gbm_result(first.run_dir_)
    scores_b, params_b, rows_b = _gbm_result(second.run_dir_)
    assert rows_a == rows_b and len(rows_a) == 36
    assert params_a == params_b and len(params_a) == 3
    pd.testing.assert_frame_equal(scores_a, scores_b)


def test_other_seed_other_split(tmp_path, wine, fitted):
    other = fast(tmp_path, max_trials=1, seed=1).fit(wine, target="cultivar")
    rows_seed0 = pd.read_csv(fitted.run_dir_ / "test_predictions.csv")["row"].tolist()
    rows_seed1 = pd.read_csv(other.run_dir_ / "test_predictions.csv")["row"].tolist()
    assert rows_seed0 != rows_seed1


def test_load_restores_identical_predictions(fitted, wine):
    features = wine.drop(columns="cultivar")
    predictor = automl.load(fitted.run_dir_)
    assert predictor.approach == "classical" and predictor.task == "multiclass"
    assert (predictor.predict(features) == fitted.predict(features)).all()
    np.testing.assert_array_equal(predictor.predict_proba(features), fitted.predict_proba(features))
    same = automl.load(str(fitted.run_dir_), approach="best")
    np.testing.assert_array_equal(same.predict_proba(features), fitted.predict_proba(features))
    scored = automl.load(str(fitted.run_dir_), approach="classical")  # the model the test rows scored, not refitted
    assert predictor.refitted and not scored.refitted


def test_load_errors(fitted, tmp_path):
    with pytest.raises(ConfigError, match="no saved deep model"):
        automl.load(fitted.run_dir_, approach="deep")
    with pytest.raises(ConfigError, match="approach"):
        automl.load(fitted.run_dir_, approach="forest")
    with pytest.raises(ConfigError, match="not a run directory"):
        automl.load(tmp_path)
