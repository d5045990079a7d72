"""A regression's gradient-boosting configurations may be fitted on the target's square root
(``target_transform``): fitted and early stopped on it, mapped back before anything scores them, and saved so."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from test_route_contract import context

from automl.budget import Deadline
from automl.errors import ModelFileError
from automl.modalities.tabular import gbm, gbm_space, target_transform
from automl.modalities.tabular.encoder import TabularEncoder


@pytest.fixture(scope="module")
def regression(tmp_path_factory):
    ctx, _, _ = context("tabular", "classical", "regression", tmp_path_factory.mktemp("data"), Deadline(300.0))
    encoder = TabularEncoder.fit(ctx.X, ctx.kinds)
    X, y = encoder.gbm_frame(ctx.X), np.asarray(ctx.y, dtype=float)
    fit, val = gbm.validation_folds(y, ctx.task, "holdout", 1, 0)[0]
    return ctx, encoder, X, y, fit, val


@pytest.mark.parametrize("family", gbm_space.FAMILIES)
def test_a_model_fitted_on_the_square_root_predicts_the_target_and_loads_the_same(regression, family, tmp_path):
    ctx, encoder, X, y, fit, val = regression
    assert (y < 0).any() and (y > 0).any()  # the signed root: negative targets map back negative
    params = gbm_space.DEFAULTS[family] | {"target": "sqrt"}
    model, _ = gbm._fit(family, params, X.iloc[fit], y[fit], ctx, encoder, X.iloc[val], y[val], fixed_rounds=40)
    assert model.params == params
    out = model.output(X)
    rooted, _ = gbm._fit(family, gbm_space.DEFAULTS[family], X.iloc[fit], target_transform.forward("sqrt", y[fit]),
                         ctx, encoder, None, None, fixed_rounds=40)  # the same fit on the root, by hand
    np.testing.assert_allclose(out, np.sign(rooted.output(X)) * rooted.output(X) ** 2, rtol=1e-6)
    model.save(tmp_path)
    assert json.loads((tmp_path / "model.json").read_text())["params"]["target"] == "sqrt"
    np.testing.assert_allclose(gbm.load(tmp_path).output(X), out, rtol=1e-6)


def test_early_stopping_on_the_root_gives_predictions_on_the_targets_scale(regression):
    ctx, encoder, X, y, fit, val = regression
    params = gbm_space.DEFAULTS["xgboost"] | {"target": "sqrt"}
    model, rounds = gbm._fit("xgboost", params, X.iloc[fit], y[fit], ctx, encoder, X.iloc[val], y[val])
    out = model.output(X)
    assert rounds > 1 and np.corrcoef(out, y)[0, 1] > 0.8
    assert 0.5 < out.std() / y.std() < 1.5  # the target's scale, not its root's


def test_a_model_file_naming_an_unknown_target_transform_is_refused(regression, tmp_path):
    ctx, encoder, X, y, fit, val = regression
    model, _ = gbm._fit("xgboost", gbm_space.DEFAULTS["xgboost"], X, y, ctx, encoder, None, None, fixed_rounds=5)
    model.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    meta["params"]["target"] = "cube"
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="target transform"):
        gbm.load(tmp_path)


def test_a_regression_search_tries_the_square_root_and_a_classification_never(regression, tmp_path):
    ctx = regression[0]
    searched = dataclasses.replace(ctx, max_trials=4, trials=[], deadline=Deadline(300.0))
    gbm.GBMRoute().search(searched)
    assert [(t.model, t.params.get("target")) for t in searched.trials] == [
        ("ridge", None), ("xgboost", None), ("xgboost", "sqrt"), ("hist_gbm", None)]
    assert all(t.status == "ok" for t in searched.trials)
    binary, _, _ = context("tabular", "classical", "binary", tmp_path, Deadline(300.0), max_trials=3)
    gbm.GBMRoute().search(binary)
    assert not any("target" in t.params for t in binary.trials)
