"""CatBoost as a gradient-boosting family: fitted, saved in its own format, loaded back, refused when damaged."""

from __future__ import annotations

import json

import family_fit
import numpy as np
import pandas as pd
import pytest

from automl.budget import Deadline
from automl.errors import ModelFileError
from automl.modalities.tabular import catboost_family, gbm, gbm_space


def fitted(task, folder, deadline=None):
    return family_fit.fitted("catboost", task, folder, deadline)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_saved_and_loaded_it_predicts_the_same(task, tmp_path):
    ctx, split, model, rounds = fitted(task, tmp_path / "data")
    assert model.family == "catboost" and 1 <= rounds <= gbm_space.MAX_ROUNDS
    assert model.encoder.gbm_frame(split.X_test)["colour"].dtype.name == "category"  # read as its codes
    model.save(tmp_path)
    assert (tmp_path / "model.cbm").is_file() and json.loads((tmp_path / "model.json").read_text())["rounds"] == rounds
    loaded = gbm.load(tmp_path)
    out = loaded.predict_proba(split.X_test)
    np.testing.assert_allclose(out, model.predict_proba(split.X_test), rtol=1e-9)
    if task == "regression":
        assert out.shape == (len(split.X_test),)
    else:
        assert out.shape == (len(split.X_test), ctx.n_classes)
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)
    shares = loaded.feature_importance()
    assert set(shares) <= set(model.encoder.gbm_columns) and sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert loaded.importance(None, None, ctx.metric, 0, 1.0)["method"] == "prediction change"


def test_an_unseen_or_missing_category_is_read_as_one_of_its_own(tmp_path):
    _, split, model, _ = fitted("binary", tmp_path)
    rows = split.X_test.head(3).copy()
    rows["colour"] = ["never seen", None, rows["colour"].iloc[2]]
    out = model.predict_proba(rows)
    assert out.shape == (3, 2) and np.isfinite(out).all()


def test_a_class_the_fit_rows_never_saw_gets_probability_zero():
    X = pd.DataFrame({"x": np.arange(60.0)})
    y = np.where(np.arange(60) < 30, 0, 2)  # class 1 of 3 absent
    model, _ = catboost_family.fit(gbm_space.DEFAULTS["catboost"], X, y, "multiclass", 0, 1, fixed_rounds=10)
    out = catboost_family.output(model, X, "multiclass", 3)
    assert out.shape == (60, 3) and (out[:, 1] == 0).all() and out[:5, 0].mean() > 0.5 and out[-5:, 2].mean() > 0.5


def test_a_passed_deadline_stops_boosting_after_the_first_round(tmp_path):
    *_, rounds_in_time = fitted("binary", tmp_path / "in time")
    ctx, _, _, rounds = fitted("binary", tmp_path / "late", Deadline(0.0))
    assert ctx.deadline.expired() and rounds == 1 < rounds_in_time


def test_a_damaged_model_file_is_refused_naming_it(tmp_path):
    _, _, model, _ = fitted("binary", tmp_path / "data")
    model.save(tmp_path)
    good = (tmp_path / "model.cbm").read_bytes()
    (tmp_path / "model.cbm").write_bytes(good[: len(good) // 2])
    with pytest.raises(ModelFileError, match="model.cbm is not a CatBoost model file"):
        gbm.load(tmp_path)
    narrow, _ = catboost_family.fit(gbm_space.DEFAULTS["catboost"], pd.DataFrame({"x": np.arange(20.0)}),
                                    np.arange(20) % 2, "binary", 0, 1, fixed_rounds=2)
    narrow.save_model(str(tmp_path / "model.cbm"))  # another model's file in its place
    with pytest.raises(ModelFileError, match="model.cbm reads 1 columns, not the 3 of its encoder"):
        gbm.load(tmp_path)
