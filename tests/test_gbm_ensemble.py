"""The classical tabular route's ensemble: the best configurations, weighted on out-of-fold rows, refitted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_route_contract import context

from automl.budget import Deadline
from automl.modalities.tabular import gbm, gbm_space
from automl.modalities.tabular.ensemble import GBMEnsemble

TREES = gbm_space.for_task(gbm_space.FAMILIES, regression=False)  # the families a classification searches


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """Twelve configurations (defaults, the portfolio, two drawn) on a small regression table: greedy selection
    keeps more than one. Extra trees start on half the columns, as for classification, and ridge regression is
    left out: on every column (a regression's default) extra trees fit this near-linear table so much better than
    the rest that selection keeps them alone, ridge regression too, and there would be no weighting to check."""
    ctx, handed, split = context("tabular", "classical", "regression", tmp_path_factory.mktemp("data"),
                                 Deadline(300.0), max_trials=12)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gbm_space, "REGRESSION_DEFAULTS", {})
        patch.setattr(gbm_space, "FAMILIES", TREES)
        return ctx, handed, split, gbm.GBMRoute().search(ctx)


def test_the_ensemble_is_the_weighted_mean_of_its_members_refitted_on_all_training_rows(searched):
    ctx, handed, split, found = searched
    model = found.model
    assert isinstance(model, GBMEnsemble) and len(model.members) >= 2 and handed[-1] is model
    assert sum(w for w, _ in model.members) == pytest.approx(1.0, abs=1e-3)
    assert all(len(bag) == 1 for _, bag in model.members)  # one model each, fitted once on every training row
    assert all(bag[0].fit["rows"] == len(ctx.y) for _, bag in model.members if bag[0].fit)
    X = model.encoder.gbm_frame(split.X_test)
    expected = sum(w * bag[0].output(X) for w, bag in model.members) / sum(w for w, _ in model.members)
    np.testing.assert_allclose(model.predict(split.X_test), expected, rtol=1e-6)
    assert "Greedy ensemble selection" in found.notes[0] and len(ctx.trials) == 12
    assert f"refitted on all {len(ctx.y):,} training rows" in found.notes[0] and "the rest kept" not in found.notes[0]


def test_without_time_to_refit_a_member_keeps_its_bagged_fold_models(tmp_path):
    ctx, _, split = context("tabular", "classical", "regression", tmp_path, Deadline(300.0), max_trials=6)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gbm_space, "REGRESSION_DEFAULTS", {})
        patch.setattr(gbm_space, "FAMILIES", TREES)
        patch.setattr(gbm, "REFIT_SLOWER", 1e9)  # no refit is ever expected to fit in the time left
        found = gbm.GBMRoute().search(ctx)
    model = found.model
    assert isinstance(model, GBMEnsemble)
    assert all(len(bag) == ctx.folds for _, bag in model.members)  # k-fold: the fold models, bagged
    X = model.encoder.gbm_frame(split.X_test)
    total = sum(w for w, _ in model.members)
    expected = sum(w * np.mean([m.output(X) for m in bag], axis=0) for w, bag in model.members) / total
    np.testing.assert_allclose(model.predict(split.X_test), expected, rtol=1e-6)
    assert "0 of them refitted" in found.notes[0]
    assert "the rest kept each the mean of its 5 fold models" in found.notes[0]


def test_its_validation_output_is_the_same_weighting_of_the_out_of_fold_predictions(searched):
    ctx, _, _, found = searched
    assert sorted(found.val_rows.tolist()) == list(range(len(ctx.X)))  # every training row, out of fold
    rmse = float(np.sqrt(np.mean((found.val_output - np.asarray(ctx.y)[found.val_rows]) ** 2)))
    assert rmse == pytest.approx(found.val_score, rel=1e-6)  # pooled over the rows, as the run compares finalists


def test_saved_and_loaded_it_predicts_the_same(searched, tmp_path):
    _, _, split, found = searched
    found.model.save(tmp_path)
    assert json.loads((tmp_path / "model.json").read_text())["kind"] == "ensemble"
    loaded = gbm.load(tmp_path)
    np.testing.assert_allclose(loaded.predict(split.X_test), found.model.predict(split.X_test), rtol=1e-9)


def test_a_model_folder_outside_the_ensemble_is_refused(searched, tmp_path):
    _, _, _, found = searched
    found.model.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    meta["members"][0]["models"][0] = "../elsewhere"
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="unexpected model folder"):
        gbm.load(tmp_path)


def test_the_pool_keeps_the_best_in_order():
    pool = []
    for score in (0.5, 0.9, 0.7, 0.9, 0.1):
        pool = gbm._kept(pool, {"score": score}, "accuracy")
    assert [o["score"] for o in pool] == [0.9, 0.9, 0.7, 0.5, 0.1]
    for score in range(20):
        pool = gbm._kept(pool, {"score": score / 100}, "rmse")
    assert len(pool) == gbm.POOL and pool[0]["score"] == 0.0
