"""``AutoMLClassifier`` / ``AutoMLRegressor`` in scikit-learn's machinery: tags, scorers, ``cross_val_score``,
``clone``, ``NotFittedError``, plus the notebook side of the API: ``verbose``, ``repr``, ``predict_frame``,
numpy input to a loaded predictor and ``out=None`` runs that leave nothing behind.

Every fit is gradient boosting only (``compare=False``, one trial), so no test imports TensorFlow.
"""

from __future__ import annotations

import gc
import io
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.metrics import accuracy_score
from sklearn.model_selection import cross_val_score
from sklearn.utils.validation import check_is_fitted

import automl
from automl import AutoML, AutoMLClassifier, AutoMLRegressor
from automl.api import PredictionWarning
from automl.errors import AutoMLError, ConfigError, NotFittedError, TargetError

WINE = Path(__file__).resolve().parents[1] / "data" / "wine.csv"
QUICK = {"budget": "20s", "compare": False, "max_trials": 1, "verbose": False}


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def wine_xy():
    frame = pd.read_csv(WINE)
    order = np.random.default_rng(0).permutation(len(frame))  # the file is sorted by class
    return frame.drop(columns="cultivar").to_numpy()[order], frame["cultivar"].to_numpy()[order]


@pytest.fixture(scope="module")
def binary(tmp_path_factory, cancer):
    """One classifier fitted on breast cancer arrays (labels 0/1), shared by the read-only tests."""
    X, y = cancer
    return AutoMLClassifier(out=tmp_path_factory.mktemp("sk_runs"), **QUICK).fit(X, y)


@pytest.fixture
def scratch_root(tmp_path, monkeypatch):
    """Where ``out=None`` runs go (tempfile's folder), empty and private to the test."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


# --------------------------------------------------------------------------- tags, parameters, unfitted state


def test_tags_say_classifier_and_regressor():
    assert is_classifier(AutoMLClassifier()) and not is_regressor(AutoMLClassifier())
    assert is_regressor(AutoMLRegressor()) and not is_classifier(AutoMLRegressor())
    assert not is_classifier(AutoML()) and not is_regressor(AutoML())
    assert automl.AutoMLClassifier is AutoMLClassifier and "AutoMLRegressor" in automl.__all__


def test_clone_round_trips_the_parameters():
    clf = AutoMLClassifier(budget="20s", task="binary", out=None, seed=3, verbose=False)
    copy = clone(clf)
    assert copy is not clf and copy.get_params() == clf.get_params()
    assert copy.set_params(seed=5, max_trials=2) is copy and copy.seed == 5 and copy.max_trials == 2
    reg = clone(AutoMLRegressor(budget="30s", metric="mae"))
    assert reg.get_params()["metric"] == "mae" and reg.get_params()["budget"] == "30s"
    assert "task" not in reg.get_params()  # the task is fixed
    with pytest.raises(ValueError):
        reg.set_params(task="binary")


def test_unfitted_estimators_are_not_fitted_in_either_sense():
    for model in (AutoMLClassifier(), AutoMLRegressor(), AutoML()):
        assert [k for k in vars(model) if k.endswith("_")] == []
        with pytest.raises(SklearnNotFittedError):
            check_is_fitted(model)
        with pytest.raises(NotFittedError) as caught:
            model.predict(np.zeros((1, 3)))
        assert isinstance(caught.value, SklearnNotFittedError) and isinstance(caught.value, AutoMLError)
        assert type(model).__name__ in str(caught.value)


def test_invalid_task_and_verbose_are_refused_at_fit(tmp_path, cancer):
    X, y = cancer
    with pytest.raises(ConfigError, match="`task` must be one of auto, binary, multiclass. Received: task='regr"):
        AutoMLClassifier(task="regression", out=tmp_path, **QUICK).fit(X, y)
    for verbose in (-1, "yes", 0.5):
        with pytest.raises(ConfigError, match=f"`verbose` must be True, False, 'auto' or a level of 0 .silent. or "
                                              f"more. Received: verbose={verbose!r}"):
            AutoMLClassifier(**(QUICK | {"verbose": verbose, "out": tmp_path})).fit(X, y)
    assert list(tmp_path.iterdir()) == []


def test_classifier_refuses_a_regression_target(tmp_path, diabetes):
    X, y = diabetes
    with pytest.raises(TargetError, match="AutoMLClassifier predicts classes.*Use AutoMLRegressor"):
        AutoMLClassifier(out=tmp_path / "runs", **QUICK).fit(X, y)
    assert not (tmp_path / "runs").exists()


def test_regressor_refuses_a_text_target(tmp_path, wine_xy):
    X, y = wine_xy
    with pytest.raises(TargetError, match="numeric target"):
        AutoMLRegressor(out=tmp_path / "runs", **QUICK).fit(X, y)


# --------------------------------------------------------------------------- fitted classifier


def test_classes_and_predictions_keep_the_labels_dtype(binary, cancer):
    X, y = cancer
    check_is_fitted(binary)
    assert binary.classes_.tolist() == [0, 1] and binary.classes_.dtype.kind == "i"
    pred = binary.predict(X)
    assert pred.dtype.kind == "i" and set(pred) <= {0, 1}
    assert accuracy_score(y, pred) > 0.9  # scikit-learn's metric, not our score
    proba = binary.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_array_equal(binary.classes_[proba.argmax(axis=1)], pred)
    # column j is P(classes_[j]): the probability of class 1 is higher where the label is 1
    assert proba[y == 1, 1].mean() > proba[y == 0, 1].mean() + 0.5


def test_repr_shows_parameters_then_what_the_fit_found(binary):
    unfitted = repr(clone(binary))
    assert unfitted.startswith("AutoMLClassifier(budget='20s', compare=False, max_trials=1,")
    assert "fitted" not in unfitted
    shown = repr(binary)
    assert shown.startswith(unfitted + " fitted: classical (xgboost), test accuracy 0.9"), shown
    assert shown.endswith(f"run {binary.run_dir_}")
    assert binary.summary_ in shown


def test_predict_frame_returns_a_frame_and_warns_about_ignored_columns(binary, cancer):
    X, y = cancer
    table = pd.DataFrame(X[:5], columns=binary.feature_names_in_).assign(note="x")
    with pytest.warns(PredictionWarning, match="ignored 1 column"):
        frame = binary.predict_frame(table)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 5
    assert list(frame.columns) == ["predicted_target", "proba_0", "proba_1"]
    np.testing.assert_allclose(frame[["proba_0", "proba_1"]].to_numpy(), binary.predict_proba(X[:5]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(binary.predict_frame(X[:3])) == 3  # nothing to say: no warning


def test_a_loaded_predictor_takes_numpy_arrays(binary, cancer):
    X, _ = cancer
    predictor = automl.load(binary.run_dir_)
    np.testing.assert_array_equal(predictor.predict(X[:20]).astype(int), binary.predict(X[:20]))
    np.testing.assert_allclose(predictor.predict_proba(X[:20]), binary.predict_proba(X[:20]))
    assert len(predictor.predict_frame(X[:4])[0]) == 4
    with pytest.raises(ConfigError, match=r"`X` must be a 2-D array with 30 columns \(x0, x1,.*shape \(3, 5\)"):
        predictor.predict(X[:3, :5])
    with pytest.raises(ConfigError, match="30 columns"):
        predictor.predict(X[0])


def test_a_loaded_predictor_takes_the_array_with_a_column_inspection_dropped(tmp_path, wine_xy):
    X, y = wine_xy
    X = np.column_stack([X, np.ones(len(X))])  # constant: not a feature, but it was given
    model = AutoMLClassifier(out=tmp_path / "runs", **QUICK).fit(X, y)
    predictor = automl.load(model.run_dir_)
    assert len(predictor.features) == 13
    np.testing.assert_array_equal(predictor.predict(X).astype(str), model.predict(X).astype(str))
    np.testing.assert_array_equal(predictor.predict(X[:, :13]), predictor.predict(X))


# --------------------------------------------------------------------------- verbose


def test_verbose_prints_progress_and_false_prints_nothing(tmp_path, capsys, wine_xy):
    X, y = wine_xy
    AutoMLClassifier(out=tmp_path / "loud", **(QUICK | {"verbose": True})).fit(X, y)
    shown = capsys.readouterr()
    assert "[classical] trial 1:" in shown.err and "run directory:" in shown.err, shown
    AutoMLClassifier(out=tmp_path / "quiet", **QUICK).fit(X, y)
    assert capsys.readouterr() == ("", "")
    AutoMLClassifier(out=tmp_path / "levels", **(QUICK | {"verbose": 0})).fit(X, y)  # scikit-learn's levels
    assert capsys.readouterr() == ("", "")
    AutoMLClassifier(out=tmp_path / "levels", **(QUICK | {"verbose": 2})).fit(X, y)
    assert "[classical] trial 1:" in capsys.readouterr().err


def test_verbose_auto_is_silent_when_nobody_watches(tmp_path, capsys, wine_xy):
    X, y = wine_xy
    AutoMLClassifier(out=tmp_path / "runs", **(QUICK | {"verbose": "auto"})).fit(X, y)  # pytest's streams: no TTY
    assert capsys.readouterr() == ("", "")


def test_verbose_auto_shows_a_live_line_in_a_terminal(tmp_path, monkeypatch, wine_xy):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    X, y = wine_xy
    AutoMLClassifier(out=tmp_path / "runs", **(QUICK | {"verbose": "auto"})).fit(X, y)
    assert "\r\033[K[classical] trial 1:" in screen.getvalue()  # rewritten in place on a TTY


# --------------------------------------------------------------------------- cross-validation and out=None


def test_cross_val_score_roc_auc_on_a_binary_task_leaves_no_runs(tmp_path, scratch_root, cancer):
    X, y = cancer
    scores = cross_val_score(AutoMLClassifier(out=None, **QUICK), X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and np.all(scores > 0.95), scores
    gc.collect()
    assert list(scratch_root.iterdir()) == []
    assert not (tmp_path / "runs").exists()  # tmp_path is the working directory


def test_cross_val_score_accuracy_on_a_multiclass_task(scratch_root, wine_xy):
    X, y = wine_xy
    scores = cross_val_score(AutoMLClassifier(out=None, **QUICK), X, y, cv=3, scoring="accuracy")
    assert scores.shape == (3,) and np.all(scores > 0.85), scores
    gc.collect()
    assert list(scratch_root.iterdir()) == []


def test_cross_val_score_r2_for_the_regressor(scratch_root, diabetes):
    X, y = diabetes
    scores = cross_val_score(AutoMLRegressor(out=None, **QUICK), X, y, cv=3, scoring="r2")
    assert scores.shape == (3,) and np.all((scores > 0.2) & (scores <= 1.0)), scores
    gc.collect()
    assert list(scratch_root.iterdir()) == []


def test_out_none_keeps_the_run_as_long_as_the_estimator(scratch_root, diabetes):
    X, y = diabetes
    model = AutoMLRegressor(out=None, **QUICK).fit(X, y)
    run_dir = model.run_dir_
    assert run_dir.is_dir() and scratch_root in run_dir.parents
    assert model.profile_.task == "regression" and not hasattr(model, "classes_")
    assert model.leaderboard_["approach"].iloc[0] == "classical"  # read from the run directory
    first = model.predict(X[:5])
    model.fit(X, y)  # a new fit replaces the folder of the last one
    assert not run_dir.exists() and model.run_dir_.is_dir()
    np.testing.assert_allclose(model.predict(X[:5]), first)  # same seed, same model
    last = model.run_dir_
    del model
    gc.collect()
    assert not last.exists()
    assert list(scratch_root.iterdir()) == []


def test_the_model_is_read_on_first_use_and_a_copy_keeps_it_without_the_folder(scratch_root, wine_xy, monkeypatch):
    """``fit`` does not load the model it wrote (a large ensemble takes seconds to read, after the budget, and
    the command line never predicts); ``predict`` reads it once, and a pickled copy carries it in memory."""
    import pickle

    import automl.predictor

    X, y = wine_xy
    reads = []
    original = automl.predictor.load
    monkeypatch.setattr(automl.predictor, "load", lambda *a, **k: reads.append(1) or original(*a, **k))
    model = AutoMLClassifier(out=None, **QUICK).fit(X, y)
    assert not reads and list(model.classes_) == sorted(set(y))
    first = model.predict(X[:5])
    model.predict(X[:5])
    assert len(reads) == 1
    fresh = AutoMLClassifier(out=None, **QUICK).fit(X, y)
    copy = pickle.loads(pickle.dumps(fresh))
    del fresh
    gc.collect()  # the original owned the folder: it is gone
    assert not copy.run_dir_.exists() and len(reads) == 2
    np.testing.assert_array_equal(copy.predict(X[:5]), first)
    with pytest.raises(AttributeError):
        AutoMLClassifier().predictor_
