"""ExtraTrees as a family of the classical search: fitted with capped trees, saved deflated with skops, loaded
back, stopped by the deadline, refused when another model's file is in its place."""

from __future__ import annotations

import json

import family_fit
import numpy as np
import pandas as pd
import pytest

from automl.budget import Deadline
from automl.errors import ModelFileError
from automl.modalities.tabular import forest_family, gbm, gbm_space
from automl.search.persist import save_estimator


def fitted(task, folder, deadline=None):
    return family_fit.fitted("extra_trees", task, folder, deadline)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_saved_and_loaded_it_predicts_the_same(task, tmp_path):
    ctx, split, model, trees = fitted(task, tmp_path / "data")
    assert model.family == "extra_trees" and trees == forest_family.TREES == model.boosted
    assert model.estimator.max_leaf_nodes == forest_family.MAX_LEAVES
    model.save(tmp_path)
    assert json.loads((tmp_path / "model.json").read_text())["rounds"] == trees
    loaded = gbm.load(tmp_path)
    out = loaded.predict_proba(split.X_test)
    np.testing.assert_allclose(out, model.predict_proba(split.X_test), rtol=1e-12)
    if task == "regression":
        assert out.shape == (len(split.X_test),)
    else:
        assert out.shape == (len(split.X_test), ctx.n_classes)
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-9)
    shares = loaded.feature_importance()
    assert set(shares) <= set(model.encoder.gbm_columns) and sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert max(shares, key=shares.get) in ("x", "colour")  # the columns the target depends on
    assert loaded.importance(None, None, ctx.metric, 0, 1.0)["method"] == "impurity"


def test_the_model_file_is_deflated(tmp_path):
    import zipfile

    _, _, model, _ = fitted("multiclass", tmp_path / "data")
    model.save(tmp_path)
    with zipfile.ZipFile(tmp_path / "model.skops") as archive:
        entries = archive.infolist()
    assert entries and all(e.compress_type == zipfile.ZIP_DEFLATED for e in entries)
    assert sum(e.compress_size for e in entries) < sum(e.file_size for e in entries) / 3


def test_an_unseen_or_missing_category_or_a_missing_number_gets_a_prediction(tmp_path):
    _, split, model, _ = fitted("binary", tmp_path)
    rows = split.X_test.head(3).copy()
    rows["colour"] = ["never seen", None, rows["colour"].iloc[2]]
    rows["noise"] = [np.nan, 0.0, np.nan]  # the trees route missing numbers themselves
    out = model.predict_proba(rows)
    assert out.shape == (3, 2) and np.isfinite(out).all()


def test_a_class_the_fit_rows_never_saw_gets_probability_zero():
    X = pd.DataFrame({"x": np.arange(60.0)})
    y = np.where(np.arange(60) < 30, 0, 2)  # class 1 of 3 absent
    model, _ = forest_family.fit(gbm_space.DEFAULTS["extra_trees"], X, y, "multiclass", 0, 1, trees=20)
    out = forest_family.output(model, X, "multiclass", 3)
    assert out.shape == (60, 3) and (out[:, 1] == 0).all() and out[:5, 0].mean() > 0.5 and out[-5:, 2].mean() > 0.5


def test_a_passed_deadline_stops_growing_after_the_first_chunk(tmp_path):
    ctx, _, model, trees = fitted("binary", tmp_path, Deadline(0.0))
    assert ctx.deadline.expired() and trees == forest_family.CHUNK == len(model.estimator.estimators_)


def test_another_models_file_is_refused_naming_it(tmp_path):
    _, _, model, _ = fitted("binary", tmp_path / "data")
    model.save(tmp_path)
    narrow, _ = forest_family.fit(gbm_space.DEFAULTS["extra_trees"], pd.DataFrame({"x": np.arange(20.0)}),
                                  np.arange(20) % 2, "binary", 0, 1, trees=5)
    save_estimator(narrow, tmp_path)
    with pytest.raises(ModelFileError, match="model.skops reads 1 columns, not the 3 of its encoder"):
        gbm.load(tmp_path)
    regressor, _ = forest_family.fit(gbm_space.DEFAULTS["extra_trees"], pd.DataFrame({"x": np.arange(20.0)}),
                                     np.arange(20.0), "regression", 0, 1, trees=5)
    save_estimator(regressor, tmp_path)
    with pytest.raises(ModelFileError, match="holds a ExtraTreesRegressor, not the ExtraTreesClassifier"):
        gbm.load(tmp_path)
