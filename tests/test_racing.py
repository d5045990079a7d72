"""Racing cheap candidates: the screen on one fold, the leaders cross-validated, the best mean chosen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.search.racing import Entry, common_folds, halved, rungs, survivors, winner


def entries(*first_fold):
    return [Entry(f"m{i}", {}, [s]) for i, s in enumerate(first_fold)]


def test_survivors_are_the_best_by_mean_plus_ties_with_the_last():
    board = entries(0.80, 0.95, 0.90, 0.90, 0.70)
    assert [e.family for e in survivors(board, keep=2, metric="accuracy")] == ["m1", "m2", "m3"]
    assert [e.family for e in survivors(board, keep=3, metric="accuracy")] == ["m1", "m2", "m3"]
    board[0].scores.append(1.0)  # means are taken over the folds every entry finished: fold 1 here
    assert [e.family for e in survivors(board, keep=1, metric="accuracy")] == ["m1"]


def test_survivors_respect_the_metric_direction_and_skip_nan():
    board = entries(2.0, 1.0, float("nan"), 3.0)
    assert [e.family for e in survivors(board, keep=2, metric="rmse")] == ["m1", "m0"]
    assert [e.family for e in survivors(board, keep=9, metric="rmse")] == ["m1", "m0", "m3"]


@pytest.mark.parametrize("folds, expected", [(1, [1]), (3, [1, 3]), (5, [1, 3, 5]), (10, [1, 3, 5, 7, 9, 10])])
def test_rungs_add_two_folds_at_a_time(folds, expected):
    assert rungs(folds) == expected


def test_halving_keeps_the_larger_half():
    assert [halved(n) for n in (1, 2, 5, 10)] == [1, 1, 3, 5]


def test_winner_is_the_best_mean_over_the_folds_all_finished():
    a, b = Entry("a", {}, [0.99, 0.90, 0.90]), Entry("b", {}, [0.95, 0.95])
    assert common_folds([a, b]) == 2
    assert winner([a, b], "accuracy").family == "b"  # 0.945 against 0.95 on the first two folds
    a2, b2 = Entry("a", {}, [0.9, 0.9]), Entry("b", {}, [0.9, 0.9])
    assert winner([a2, b2], "accuracy").family == "a"  # a tie goes to the earlier


def test_label_shows_the_parameters():
    assert Entry("tfidf_svm", {"C": 4.0}).label() == "tfidf_svm (C=4)"


def _context(frame, folds, budget=120.0, max_trials=None):
    from automl.budget import Deadline
    from automl.hardware import Hardware
    from automl.search.base import SearchContext

    y = pd.factorize(frame["label"], sort=True)[0]
    return SearchContext(approach="classical", X=frame[["review"]], y=y, task="binary", metric="accuracy",
                         classes=["neg", "pos"], kinds={"review": "text"}, seed=0,
                         validation="kfold" if folds > 1 else "holdout", folds=folds, deadline=Deadline(budget),
                         hardware=Hardware(2, 1 << 30, None), max_trials=max_trials)


def test_classical_text_route_halves_the_candidates_over_five_folds():
    from automl.modalities.text.classical import TextClassicalRoute, candidates
    from synthetic import reviews

    ctx = _context(reviews(200), folds=5)
    result = TextClassicalRoute().search(ctx)
    screen = [t for t in ctx.trials if t.extra.get("stage") == "screen"]
    raced = [t for t in ctx.trials if t.extra.get("stage") == "cross-validation"]
    listed = candidates("binary")
    assert [(t.model, {k: t.params[k] for k in p}) for t, (_, p) in zip(screen, listed)] == listed
    n = len(listed)
    assert len(raced) >= halved(halved(n))  # the finalists, each scored on all five folds
    assert all(len(t.extra["fold_scores"]) == 5 and t.extra["folds"] == 5 for t in raced)
    for t in raced:  # the recorded score is the mean of the five folds
        assert t.val_score == pytest.approx(np.mean(t.extra["fold_scores"]), abs=1e-5)
    best = max(raced, key=lambda t: t.val_score)
    assert result.model.family == best.model and result.val_score == pytest.approx(best.val_score, abs=1e-5)
    assert any(f"all {n} candidates on fold 1" in note and "on folds 2-3" in note and "on folds 4-5" in note
               and "Mean accuracy over 5 folds" in note for note in result.notes), result.notes
    assert any("refitted on all 200 training rows" in note for note in result.notes)


def test_classical_text_route_stops_halving_when_the_budget_runs_short():
    from automl.budget import Deadline
    from automl.modalities.text.classical import TextClassicalRoute
    from synthetic import reviews

    class NothingLeftAfterTheScreen(Deadline):  # every candidate gets its first fold, then no time is left
        def expired(self) -> bool:
            return False

        def remaining(self) -> float:
            return 0.0

    ctx = _context(reviews(200), folds=5)
    ctx.deadline = NothingLeftAfterTheScreen(60)
    result = TextClassicalRoute().search(ctx)
    assert {t.extra.get("stage") for t in ctx.trials} == {"screen"}
    best = max(ctx.trials, key=lambda t: t.val_score)
    assert result.model.family == best.model and result.val_score == best.val_score
    assert any("the budget left no room for more folds than 1 were scored; the best on fold 1 was kept" in n
               for n in result.notes), result.notes
    assert any("the model fitted on fold 1 is kept" in n for n in result.notes)


def test_classical_text_route_does_not_save_the_kept_fold_one_model_twice():
    """With no time to refit, the fold-1 model kept is the screening leader, already on disk: saving it again
    would spend the time the run keeps to finish (seconds for a large vocabulary)."""
    from automl.budget import Deadline
    from automl.modalities.text.classical import TextClassicalRoute
    from synthetic import reviews

    class NothingLeftAfterTheScreen(Deadline):
        def expired(self) -> bool:
            return False

        def remaining(self) -> float:
            return 0.0

    saved = []
    ctx = _context(reviews(200), folds=5)
    ctx.deadline, ctx.improved = NothingLeftAfterTheScreen(60), saved.append
    result = TextClassicalRoute().search(ctx)
    assert saved[-1] is result.model
    assert all(a is not b for a, b in zip(saved, saved[1:])), "a model handed to ctx.improved twice in a row"


def test_classical_text_route_on_a_holdout_or_under_a_trial_cap_does_not_race():
    from automl.modalities.text.classical import TextClassicalRoute
    from synthetic import reviews

    ctx = _context(reviews(120), folds=1)
    result = TextClassicalRoute().search(ctx)
    assert not [t for t in ctx.trials if t.extra.get("stage") == "cross-validation"]
    assert any("20% validation split" in n for n in result.notes)
    capped = _context(reviews(120), folds=5, max_trials=1)
    result = TextClassicalRoute().search(capped)
    assert len(capped.trials) == 1 and result.model.family == "tfidf_nb"
    assert any("trial cap" in n for n in result.notes)


def test_linear_svm_probabilities_keep_its_decisions_and_save(tmp_path):
    from automl.modalities.text.classical import TextClassicalModel, load
    from automl.modalities.text.estimators import decisions, fit_estimator
    from automl.search.calibration import fit_temperature
    from automl.modalities.text.tfidf import vectorizer
    from synthetic import reviews

    frame = pd.concat([reviews(90, seed=2), pd.DataFrame({"review": ["So so, average."] * 30, "label": "mid"})])
    y = pd.factorize(frame["label"], sort=True)[0]
    vec = vectorizer("words+chars").fit(frame["review"])
    X = vec.transform(frame["review"])
    svm, _ = fit_estimator("tfidf_svm", {"C": 1.0}, X, y, None, None, seed=0)
    temperature = fit_temperature(decisions(svm, X, 3), y)
    assert temperature > 0
    model = TextClassicalModel("tfidf_svm", vec, svm, ["review"], "multiclass", 3, [1 / 3] * 3,
                               {"C": 1.0, "temperature": temperature})
    proba = model.predict_proba(frame)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == svm.predict(X)).all()  # one temperature never changes the winning class
    model.save(tmp_path)
    assert np.allclose(load(tmp_path).predict_proba(frame), proba)


def test_temperature_softens_an_overconfident_margin():
    from automl.search.calibration import fit_temperature

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    signal = np.where(y == 1, 1.0, -1.0) + rng.normal(scale=1.5, size=400)  # right about 75% of the time
    margins = np.column_stack([np.zeros(400), 10 * signal])  # but ten times too sure
    assert fit_temperature(margins, y) < 0.2


def test_cross_fitted_temperatures_do_not_flatter_the_rows_they_score():
    from automl.search.calibration import cross_fitted_softmax, fit_temperature, softmax

    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)
    margins = rng.normal(size=(300, 3)) + 1.5 * np.eye(3)[y]
    proba, temperature = cross_fitted_softmax(margins, y)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == margins.argmax(axis=1)).all()
    assert temperature == pytest.approx(fit_temperature(margins, y))

    def loss(p):
        return -np.log(p[np.arange(300), y]).mean()

    assert loss(proba) > loss(softmax(temperature * margins))  # scored on rows its temperature never saw


def test_a_finalist_failing_on_a_later_fold_ends_the_halving_on_the_folds_all_finished(monkeypatch):
    from automl.modalities.text import classical as text_classical
    from synthetic import reviews

    calls = {"tfidf_nbsvm": 0}
    real = text_classical.fit_estimator

    def flaky(family, *args, **kwargs):
        if family == "tfidf_nbsvm":
            calls[family] += 1
            if calls[family] == 2:
                raise MemoryError("out of memory on fold 2")
        return real(family, *args, **kwargs)

    monkeypatch.setattr(text_classical, "fit_estimator", flaky)
    monkeypatch.setattr(text_classical, "candidates", lambda task: [("tfidf_nbsvm", {"C": 4.0}),
                                                                    ("tfidf_nb", {"alpha": 0.3})])
    ctx = _context(reviews(200), folds=5)
    result = text_classical.TextClassicalRoute().search(ctx)
    failed = [t for t in ctx.trials if t.status == "failed"]
    assert len(failed) == 1 and "fold 2: MemoryError" in failed[0].error
    assert not [t for t in ctx.trials if t.extra.get("stage") == "cross-validation"]  # no finalist got past fold 1
    assert result.model is not None
    assert any("a finalist failed on fold 2 (a failed trial says why), so no more folds than 1 were scored; the best" in n
               for n in result.notes), result.notes
