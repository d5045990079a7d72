"""Ridge regression as a family of the classical search: fitted on regressions only, missing numbers and rare or
unseen categories handled, saved with skops and loaded back, refused when another model's file is in its place."""

from __future__ import annotations

import json

import family_fit
import numpy as np
import pandas as pd
import pytest

from automl.errors import ModelFileError
from automl.modalities.tabular import gbm, ridge_family
from automl.search.persist import save_estimator


def linear_rows(n=300, seed=0):
    """A target linear in a number (some missing), a date's parts and a category, plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    X = pd.DataFrame({"x": np.where(rng.random(n) < 0.1, np.nan, x),
                      "colour": pd.Categorical(colour, categories=["red", "green", "blue", "rare"])})
    y = 3 * x + np.select([colour == "red", colour == "green"], [5.0, -5.0], 0.0) + rng.normal(0, 0.1, n)
    return X, y


def test_it_fits_a_linear_target_with_missing_numbers_and_categories():
    X, y = linear_rows()
    model = ridge_family.fit(X, y, threads=1)
    seen = X["x"].notna().to_numpy()
    residual = ridge_family.output(model, X)[seen] - y[seen]
    assert np.sqrt(np.mean(residual ** 2)) < 0.2  # the noise is 0.1: the fit found the line
    assert model[-1].alpha_ in ridge_family.ALPHAS and ridge_family.is_model(model)
    rows = X.head(3).copy()
    rows["colour"] = pd.Categorical(["rare", None, "red"], categories=X["colour"].cat.categories)
    assert np.isfinite(ridge_family.output(model, rows)).all()  # a level it never saw, a missing one


def test_columns_are_taken_by_position_whatever_their_labels():
    X, y = linear_rows()
    numbered = X.set_axis([1, 0], axis=1)  # integer labels that are not the columns' positions
    np.testing.assert_allclose(ridge_family.output(ridge_family.fit(numbered, y, 1), numbered),
                               ridge_family.output(ridge_family.fit(X, y, 1), X), rtol=1e-9)


def test_saved_and_loaded_it_predicts_the_same(tmp_path):
    ctx, split, model, rounds = family_fit.fitted("ridge", "regression", tmp_path / "data")
    assert model.family == "ridge" and rounds == model.boosted == 1
    model.save(tmp_path)
    assert json.loads((tmp_path / "model.json").read_text())["family"] == "ridge"
    loaded = gbm.load(tmp_path)
    out = loaded.predict(split.X_test)
    assert out.shape == (len(split.X_test),) and np.isfinite(out).all()
    np.testing.assert_allclose(out, model.predict(split.X_test), rtol=1e-12)
    assert loaded.feature_importance() == {}  # none of its own: the report permutes the columns
    shares = loaded.importance(split.X_test, np.asarray(split.y_test), ctx.metric, 0, 5.0)
    assert shares["method"] == "permutation"


def test_another_models_file_or_a_classification_is_refused_naming_it(tmp_path):
    ctx, _, model, _ = family_fit.fitted("ridge", "regression", tmp_path / "data")
    model.save(tmp_path)
    narrow = ridge_family.fit(pd.DataFrame({"x": np.arange(20.0)}), np.arange(20.0), 1)
    save_estimator(narrow, tmp_path)
    with pytest.raises(ModelFileError, match=r"model.skops reads 1 columns, not the \d+ of its encoder"):
        gbm.load(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    (tmp_path / "model.json").write_text(json.dumps(meta | {"task": "binary"}))
    with pytest.raises(ModelFileError, match="holds a Pipeline, not the ridge regression pipeline"):
        gbm.load(tmp_path)


def test_a_regression_search_fits_it_first_and_once(tmp_path):
    from test_route_contract import context

    from automl.budget import Deadline

    ctx, _, _ = context("tabular", "classical", "regression", tmp_path, Deadline(300.0), max_trials=8)
    gbm.GBMRoute().search(ctx)
    families = [t.model for t in ctx.trials]
    assert families[0] == "ridge" and families.count("ridge") == 1 and ctx.trials[0].status == "ok"


def test_a_run_whose_model_is_ridge_alone_says_ridge_regression_not_gradient_boosting(quick_fit, tmp_path):
    """The report and the summary name the model a run kept, not the route that searched for it: one trial, which
    on a regression is ridge (fitted first)."""
    X, y = linear_rows()
    data = tmp_path / "linear.csv"
    X.assign(y=y).to_csv(data, index=False)
    run_dir, record = quick_fit(data, "--target", "y", "--max-trials", "1")
    (finalist,) = [f for f in record["finalists"] if f["approach"] == "classical"]
    assert "ridge" in finalist["model"] and finalist["noun"] == "ridge regression"
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "Predictions use ridge regression, which validation chose" in report
    assert "Feature importance: ridge regression" in report and "Predictions use gradient boosting" not in report
