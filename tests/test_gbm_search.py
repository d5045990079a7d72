"""The classical tabular search: the order candidates come in, the portfolio, nearby draws, timing, folds in lanes."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
import time

import numpy as np
import pytest
import xgboost
from test_route_contract import context

from automl.budget import Deadline
from automl.modalities.tabular import gbm, gbm_space
from automl.modalities.tabular.gbm_portfolio import PORTFOLIO
from automl.search.base import continued_key
from automl.search.persist import load_saver


def test_the_portfolio_sets_every_searched_parameter_and_xgboost_takes_it():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 4)), rng.integers(0, 2, 200)
    for name, family, params in PORTFOLIO:
        assert family in gbm_space.FAMILIES and set(params) == set(gbm_space.SPACES[family]), name
        booster = xgboost.train(params | {"objective": "binary:logistic"}, xgboost.DMatrix(X, label=y), 2)
        assert booster.num_boosted_rounds() == 2
    assert len({gbm.trial_key(f, p) for _, f, p in PORTFOLIO}) == len(PORTFOLIO)  # no configuration twice


def test_candidates_come_defaults_then_portfolio_then_near_the_leaders_or_sampled():
    leader = ("xgboost", dict(PORTFOLIO[0][2]))
    classes = gbm_space.for_task(gbm_space.FAMILIES, regression=False)
    stream = gbm_space.candidates(np.random.default_rng(0), 5000, lambda: [leader])
    first = list(itertools.islice(stream, len(classes) + len(PORTFOLIO) + 200))
    start = len(classes)
    assert [o for _, _, o in first[:start]] == ["default"] * start
    assert [(f, p) for f, p, _ in first[:start]] == [(f, gbm_space.DEFAULTS[f]) for f in classes]
    assert [(f, p) for f, p, _ in first[start:start + len(PORTFOLIO)]] == [(f, p) for _, f, p in PORTFOLIO]
    drawn = first[start + len(PORTFOLIO):]
    origins = [o for _, _, o in drawn]
    assert set(origins) == {"nearby", "sampled"} and 60 < origins.count("nearby") < 140
    near = [p for f, p, o in drawn if o == "nearby"]
    assert all(f == "xgboost" for f, _, o in drawn if o == "nearby")
    # nearby draws move around the leader: their median depth is its depth, far from the space's middle
    assert np.median([p["max_depth"] for p in near]) == pytest.approx(leader[1]["max_depth"], abs=1)


def test_a_regression_starts_extra_trees_on_every_column_and_a_classification_on_half():
    def default(regression):
        stream = gbm_space.candidates(np.random.default_rng(0), 5000, regression=regression)
        return next(p for f, p, o in itertools.islice(stream, 10) if f == "extra_trees" and o == "default")

    handed = default(regression=True)
    assert handed["max_features"] == 1.0 and default(regression=False)["max_features"] == 0.5
    handed["max_features"] = 0.1  # the stream hands out copies: what a trial changes stays in that trial
    assert default(regression=True)["max_features"] == 1.0


def test_ridge_regression_comes_first_for_a_regression_once_and_never_for_classes():
    def drawn(regression, leaders):
        stream = gbm_space.candidates(np.random.default_rng(0), 5000, lambda: leaders, regression=regression)
        return list(itertools.islice(stream, 300))

    ridge_leads = [("ridge", {}), ("xgboost", dict(PORTFOLIO[0][2]))]
    regression = drawn(True, ridge_leads)
    assert regression[0] == ("ridge", {}, "default")
    assert [f for f, _, _ in regression].count("ridge") == 1  # nothing to search: not sampled, nothing near it
    assert {o for f, _, o in regression[1:] if f == "xgboost"} >= {"nearby", "sampled"}
    assert "ridge" not in {f for f, _, _ in drawn(False, ridge_leads)}


def test_without_leaders_every_draw_is_sampled():
    stream = gbm_space.candidates(np.random.default_rng(1), 5000)
    drawn = list(itertools.islice(stream, len(gbm_space.FAMILIES) + len(PORTFOLIO) + 50))[-50:]
    assert {o for _, _, o in drawn} == {"sampled"}


def test_nearby_stays_in_the_range_widened_to_where_it_starts():
    rng = np.random.default_rng(2)
    start = dict(PORTFOLIO[0][2])  # max_depth 10: above the cap for 500 rows
    space = gbm_space.scaled_space("xgboost", 500)
    for _ in range(200):
        moved = gbm_space.nearby("xgboost", start, rng, 500)
        for name, (_, low, high) in space.items():
            value = max(start[name], low / 10) if name == "reg_alpha" else start[name]
            assert min(low, value) - 1e-9 <= moved[name] <= max(high, value) + 1e-9, name


def test_a_lower_learning_rate_is_expected_to_take_longer_within_bounds():
    last = {"xgboost": {"seconds": 2.0, "rate": 0.1}}
    assert gbm._expected_seconds("xgboost", {"learning_rate": 0.1}, last) == pytest.approx(2.6)
    assert gbm._expected_seconds("xgboost", {"learning_rate": 0.001}, last) == pytest.approx(
        2.6 * gbm.SLOWER_AT_MOST)
    assert gbm._expected_seconds("xgboost", {"learning_rate": 0.3}, last) == pytest.approx(1.3)
    assert gbm._expected_seconds("hist_gbm", {"learning_rate": 0.1}, last) == pytest.approx(
        2.6 * gbm_space.RELATIVE_COST["hist_gbm"])  # the other family's, scaled by their costs
    assert gbm._expected_seconds("catboost", {"learning_rate": 0.1}, last, categorical=False) == pytest.approx(
        2.6 * gbm_space.NUMERIC_ONLY_COST["catboost"])  # numbers only: no categories to hold CatBoost up
    assert gbm._expected_seconds("xgboost", {}, {}) == 0.0
    assert gbm._quickest_seconds(last) == pytest.approx(1.3)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return context("tabular", "classical", "binary", tmp_path_factory.mktemp("data"), Deadline(300.0), max_trials=5)


def test_small_folds_fit_side_by_side_with_the_same_result(small):
    ctx, _, _ = small
    assert ctx.folds == 5 and len(ctx.y) < gbm.SMALL_DATA_ROWS
    one_core = dataclasses.replace(ctx, hardware=dataclasses.replace(ctx.hardware, cpu_count=1))
    two_cores = dataclasses.replace(ctx, hardware=dataclasses.replace(ctx.hardware, cpu_count=2))
    route = gbm.GBMRoute()
    encoder = gbm.TabularEncoder.fit(ctx.X, ctx.kinds)
    X, y = encoder.gbm_frame(ctx.X), np.asarray(ctx.y)
    folds = gbm.validation_folds(y, ctx.task, ctx.validation, ctx.folds, ctx.seed)
    assert gbm._lanes(folds, one_core) == 1 and gbm._lanes(folds, two_cores) == 2
    for family in gbm_space.for_task(gbm_space.FAMILIES, regression=False):
        alone = route._evaluate(family, gbm_space.DEFAULTS[family], X, y, folds, one_core, encoder)
        side = route._evaluate(family, gbm_space.DEFAULTS[family], X, y, folds, two_cores, encoder)
        assert side["complete"] and alone["complete"] and len(side["models"]) == 5
        assert side["score"] == pytest.approx(alone["score"]) and side["rounds"] == alone["rounds"]
        np.testing.assert_array_equal(side["val_rows"], alone["val_rows"])
        np.testing.assert_allclose(side["val_output"], alone["val_output"], rtol=1e-6)


def test_no_fold_is_begun_once_the_deadline_has_passed(small, monkeypatch):
    """A wide table's fold takes seconds before its first round can be cut (4,000 columns: 3-6 s); folds begun
    after the deadline made a 22 s share last 31 s. The first fold always runs, so a trial has a model."""
    ctx, _, _ = small
    encoder = gbm.TabularEncoder.fit(ctx.X, ctx.kinds)
    X, y = encoder.gbm_frame(ctx.X), np.asarray(ctx.y)
    folds = gbm.validation_folds(y, ctx.task, ctx.validation, ctx.folds, ctx.seed)
    now, fit = [0.0], gbm._fit

    def slow(*args, **kwargs):  # every fold takes one second of the deadline's clock
        out = fit(*args, **kwargs)
        now[0] += 1.0
        return out

    monkeypatch.setattr(gbm, "_fit", slow)
    for cores in (1, 2):
        now[0] = 0.0
        tight = dataclasses.replace(ctx, deadline=Deadline(0.5, clock=lambda: now[0]),
                                    hardware=dataclasses.replace(ctx.hardware, cpu_count=cores))
        assert gbm._lanes(folds, tight) == cores
        out = gbm.GBMRoute()._evaluate("xgboost", gbm_space.DEFAULTS["xgboost"], X, y, folds, tight, encoder)
        ran = len(out["models"])
        assert (ran == 1) if cores == 1 else (1 <= ran <= 2)  # each lane begins one fold before the clock moves
        assert not out["complete"] and len(out["val_output"]) == len(out["val_rows"])
        np.testing.assert_array_equal(out["val_rows"], np.concatenate([val for _, val in folds[:ran]]))


def test_trials_say_where_their_configuration_came_from(small):
    ctx, _, _ = small
    gbm.GBMRoute().search(ctx)
    assert [t.extra["origin"] for t in ctx.trials] == ["default"] * 4 + ["portfolio"]
    assert [t.model for t in ctx.trials[:4]] == ["xgboost", "hist_gbm", "extra_trees", "catboost"]


def test_without_catboost_the_search_leaves_its_family_out_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "catboost", None)  # as on a machine without it: importing it fails
    assert gbm_space.installed() == ("xgboost", "hist_gbm", "extra_trees", "ridge")
    ctx, handed, _ = context("tabular", "classical", "binary", tmp_path, Deadline(300.0), max_trials=8)
    found = gbm.GBMRoute().search(ctx)
    assert [t.model for t in ctx.trials[:3]] == ["xgboost", "hist_gbm", "extra_trees"] and len(ctx.trials) == 8
    assert all(t.model != "catboost" and t.status == "ok" for t in ctx.trials)  # no trial failed on the import
    assert "CatBoost is not installed here" in " ".join(found.notes) and handed[-1] is found.model


def test_a_search_that_stops_early_spends_the_time_left_on_repeated_bagging(tmp_path, monkeypatch):
    monkeypatch.setattr(gbm_space, "PATIENCE", 4)
    monkeypatch.setattr(gbm_space, "PORTFOLIO_ONLY_ROWS", 0)  # searched past the portfolio, as a larger table is
    ctx, handed, split = context("tabular", "classical", "regression", tmp_path, Deadline(120.0), max_trials=None)
    found = gbm.GBMRoute().search(ctx)
    assert f"went to {gbm.MAX_REPEATS} more 5-fold splits" in found.notes[0], found.notes
    assert not ctx.deadline.expired() and handed[-1] is found.model


def test_a_small_table_searches_the_defaults_and_the_portfolio_then_bags_them_again(tmp_path, monkeypatch):
    """Fewer cross-validated training rows than ``PORTFOLIO_ONLY_ROWS``: no sampled or nearby configuration is
    tried, the time left goes to more k-fold splits of the best ones, and the note says why."""
    monkeypatch.setattr(gbm, "MAX_REPEATS", 1)
    ctx, handed, _ = context("tabular", "classical", "binary", tmp_path, Deadline(120.0), max_trials=None)
    assert ctx.folds == 5 and len(ctx.y) < gbm_space.PORTFOLIO_ONLY_ROWS
    found = gbm.GBMRoute().search(ctx)
    origins = [t.extra["origin"] for t in ctx.trials]
    assert origins == ["default"] * 4 + ["portfolio"] * len(PORTFOLIO), origins
    assert found.notes[0].startswith("The search stopped after the defaults and the portfolio: on fewer than 1,000")
    assert "went to 1 more 5-fold split of the best" in found.notes[0], found.notes
    assert not ctx.deadline.expired() and handed[-1] is found.model


def test_a_continued_pass_still_says_the_bagging_its_pool_had(tmp_path, monkeypatch):
    """A run continues a search that stopped early when time is left; on a small table its pass stops at once and
    bags nothing more, but the configurations it keeps had their splits: the note says so, not nothing."""
    monkeypatch.setattr(gbm, "MAX_REPEATS", 1)
    first, _, _ = context("tabular", "classical", "binary", tmp_path, Deadline(120.0), max_trials=None)
    said = "went to 1 more 5-fold split of the best"
    assert said in gbm.GBMRoute().search(first).notes[0]
    again = dataclasses.replace(first, trials=[], previous=list(first.trials), deadline=Deadline(60.0))
    found = gbm.GBMRoute().search(again)
    assert not again.trials and said in found.notes[0], found.notes


def test_bagging_adds_each_splits_fold_models_and_averages_its_out_of_fold_predictions(small, monkeypatch):
    monkeypatch.setattr(gbm, "MAX_REPEATS", 2)
    ctx, _, _ = small
    route = gbm.GBMRoute()
    encoder = gbm.TabularEncoder.fit(ctx.X, ctx.kinds)
    X, y = encoder.gbm_frame(ctx.X), np.asarray(ctx.y)

    def evaluated(family, seed):
        folds = gbm.validation_folds(y, ctx.task, ctx.validation, ctx.folds, seed)
        out = route._evaluate(family, gbm_space.DEFAULTS[family], X, y, folds, ctx, encoder)
        by_row = np.empty_like(out["val_output"])
        by_row[out["val_rows"]] = out["val_output"]
        return out, by_row

    pool = [evaluated(f, ctx.seed)[0] | {"family": f, "params": gbm_space.DEFAULTS[f], "seconds": 0.1}
            for f in gbm_space.for_task(gbm_space.FAMILIES, regression=False)]
    assert route._bagged(pool, X, y, lambda: ctx, encoder) == 2
    rows = pool[0]["val_rows"]
    for o in pool:
        assert len(o["models"]) == 3 * ctx.folds and o["repeats"] == 3
        splits = [evaluated(o["family"], ctx.seed + r)[1] for r in (0, 1, 2)]
        np.testing.assert_allclose(o["val_output"], np.mean(splits, axis=0)[rows], rtol=1e-5)


def test_a_continued_search_takes_up_the_pool_its_first_pass_left(tmp_path, monkeypatch):
    monkeypatch.setattr(gbm_space, "PATIENCE", 3)
    monkeypatch.setattr(gbm_space, "PORTFOLIO_ONLY_ROWS", 0)
    monkeypatch.setattr(gbm, "MAX_REPEATS", 1)
    first, _, _ = context("tabular", "classical", "binary", tmp_path, Deadline(60.0), max_trials=None)
    gbm.GBMRoute().search(first)
    kept = first.cache[continued_key(first.approach)]
    before = {id(m) for o in kept["pool"] for m in o["models"]}
    again = dataclasses.replace(first, trials=[], previous=list(first.trials), deadline=Deadline(60.0))
    gbm.GBMRoute().search(again)
    keys = [gbm.trial_key(t.model, t.params) for t in [*first.trials, *again.trials]]
    assert again.trials and len(keys) == len(set(keys))  # it searched on, trying nothing twice
    after = again.cache[continued_key(again.approach)]
    assert after["encoder"] is kept["encoder"]
    carried = {id(m) for o in after["pool"] for m in o["models"]} & before
    assert carried, "the first pass's fold models are in the continued pool, not fitted again"


def test_the_time_to_save_the_ensemble_is_kept_back_from_the_trials(tmp_path):
    """Hand-overs here take 0.1 s per model saved (a letter-sized HistGradientBoosting took seconds): the search
    holds back what saving the ensemble's bags will take, so it ends inside its deadline, not after it."""
    ctx, _, _ = context("tabular", "classical", "binary", tmp_path, Deadline(8.0), max_trials=None)
    saved = []

    def slow(model):
        count = sum(len(bag) for _, bag in model.members) if hasattr(model, "members") else 1
        time.sleep(0.1 * count)
        saved.append(count)

    found = gbm.GBMRoute().search(dataclasses.replace(ctx, improved=slow))
    # an ensemble of two members or more, each refitted once on all training rows or, without time for that, its
    # bag of fold models
    assert isinstance(found.model, gbm.GBMEnsemble) and saved[-1] >= len(found.model.members) >= 2, saved
    assert ctx.deadline.elapsed() < ctx.deadline.seconds + 0.5, "the ensemble's saving ran past the deadline"


def test_a_continued_search_hands_over_only_models_better_than_its_first_pass(tmp_path):
    """The first pass's model (an ensemble, say) stays on disk until the continued pass beats its validation score:
    a stop in between must not leave a weaker single configuration in its place."""
    first, _, _ = context("tabular", "classical", "binary", tmp_path, Deadline(60.0), max_trials=2)
    found = gbm.GBMRoute().search(first)
    kept = first.cache[continued_key(first.approach)]
    assert kept["handed"] == found.val_score and set(kept["saves"]) <= set(gbm_space.FAMILIES)
    handed = []
    again = dataclasses.replace(first, trials=[], previous=list(first.trials), deadline=Deadline(60.0), max_trials=8,
                                improved=handed.append)
    kept["handed"] = 1.0  # as if the first pass had handed over a perfect model: nothing in the loop beats it
    result = gbm.GBMRoute().search(again)
    assert len(again.trials) == 6 and handed == [result.model]  # only the pass's final model, for the run to judge


def test_the_first_hand_over_is_timed_without_the_one_time_import_of_its_saver(small, monkeypatch):
    """The time kept back for saving is planned from the first hand-over's seconds per model, times the ensemble's
    fold models: a first save that also imported skops (1.4-1.9 s) once held back 27 s on titanic and ended the
    search after three trials. The saver is loaded before each timed hand-over."""
    ctx, _, _ = small
    events = []
    monkeypatch.setattr(gbm, "load_saver", lambda estimator: events.append(("loaded", id(estimator))))

    def improved(model):
        events.append(("saved", id(model.estimator) if hasattr(model, "estimator") else None))

    gbm.GBMRoute().search(dataclasses.replace(ctx, trials=[], improved=improved))
    saves = [i for i, e in enumerate(events) if e[0] == "saved" and e[1] is not None]
    assert saves, events
    assert all(i > 0 and events[i - 1] == ("loaded", events[i][1]) for i in saves), events


def test_loading_the_saver_imports_skops_for_scikit_learn_estimators_only():
    code = ("import sys, xgboost\n"
            "from sklearn.ensemble import HistGradientBoostingClassifier\n"
            "from automl.search.persist import load_saver\n"
            "load_saver(xgboost.Booster()); print('skops.io' in sys.modules)\n"
            "load_saver(HistGradientBoostingClassifier()); print('skops.io' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_loading_a_saved_estimator_does_not_walk_every_scikit_learn_module(tmp_path):
    """skops lists every scikit-learn estimator on import (3.7 s of a 5 s `automl predict`); persist imports it
    without that list, trusting the types our models hold, so a model loads without scikit-learn's other
    modules (its neural networks here) ever being imported."""
    code = ("import sys\n"
            "import numpy as np\n"
            "from pathlib import Path\n"
            "from sklearn.ensemble import HistGradientBoostingClassifier\n"
            "from automl.search.persist import load_estimator, save_estimator\n"
            "X = np.arange(40.0).reshape(20, 2); y = np.arange(20) % 2\n"
            "model = HistGradientBoostingClassifier(max_iter=3).fit(X, y)\n"
            f"save_estimator(model, Path({str(tmp_path)!r}))\n"
            f"loaded = load_estimator(Path({str(tmp_path)!r}))\n"
            "same = (loaded.predict_proba(X) == model.predict_proba(X)).all()\n"
            "print(same, 'sklearn.neural_network' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]


def test_a_saved_scikit_learn_estimator_outside_the_list_still_loads_and_anything_else_is_refused(tmp_path):
    import fractions

    import skops.io
    from sklearn.ensemble import RandomForestClassifier

    from automl.errors import ModelFileError
    from automl.search.persist import SKOPS_TRUSTED, load_estimator

    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit([[0.0], [1.0]], [0, 1])
    assert not any("RandomForest" in name for name in SKOPS_TRUSTED)
    skops.io.dump(forest, tmp_path / "model.skops")  # as a later version might save it: trusted as skops does
    assert load_estimator(tmp_path).predict([[1.0]]).tolist() == [1]
    skops.io.dump({"x": fractions.Fraction(1, 3)}, tmp_path / "model.skops")  # not an estimator: refused
    with pytest.raises(ModelFileError, match="holds types automl never saves there"):
        load_estimator(tmp_path)


def test_with_many_classes_the_forest_runs_first_for_its_trees_hold_every_class(tmp_path):
    ctx, _, _ = context("tabular", "classical", "multiclass", tmp_path, Deadline(300.0), max_trials=1)
    gbm.GBMRoute().search(ctx)
    assert [t.model for t in ctx.trials] == ["xgboost"]  # 3 classes: boosting first
    y = np.arange(len(ctx.y)) % 6  # 6 classes: a boosting round grows 6 trees, the forest's trees hold them all
    many = dataclasses.replace(ctx, y=y, classes=[str(c) for c in range(6)], trials=[], cache={})
    gbm.GBMRoute().search(many)
    assert [t.model for t in many.trials] == ["extra_trees"]
    image_features = dataclasses.replace(many, trials=[], cache={})  # the image and audio routes: boosting first
    gbm.GBMRoute(by_classes=False).search(image_features)
    assert [t.model for t in image_features.trials] == ["xgboost"]


def test_a_holdout_search_keeps_time_to_refit_its_best_on_all_training_rows(tmp_path):
    """With holdout validation the search's models have not seen the fifth of the training rows that scored them;
    refitting the chosen configurations on every training row is worth more than the last trials (letter: .9604
    against .9683 for the same XGBoost configuration), so the search keeps time for it rather than using its whole
    window on trials and refitting nothing."""
    load_saver(object())  # skops' one-time import (about 2 s) would otherwise land inside this short budget
    ctx, handed, _ = context("tabular", "classical", "regression", tmp_path, Deadline(8.0), max_trials=None)
    holdout = dataclasses.replace(ctx, validation="holdout", folds=1)
    found = gbm.GBMRoute().search(holdout)
    members = found.model.members if isinstance(found.model, gbm.GBMEnsemble) else [(1.0, [found.model])]
    rows = [bag[0].fit["rows"] for _, bag in sorted(members, key=lambda m: -m[0])]
    assert rows[0] == len(ctx.y), (rows, found.notes)  # the heaviest member has seen every training row
    assert "refitted on all" in " ".join(found.notes) and handed[-1] is found.model
    assert holdout.deadline.elapsed() < holdout.deadline.seconds + 0.5
