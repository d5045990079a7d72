"""The verdict names a winner only when the gain's interval is clear of zero; otherwise it advises the cheaper
model and says in what it is cheaper. The baseline row of the leaderboard: from the training labels only."""

from __future__ import annotations

import re

import numpy as np
import pytest

from automl.report.verdict import comparison, verdict
from automl.run.baseline import baseline
from automl.run.results import Finalist
from automl.run.choice import choose
from automl.run.runner import leaderboard_frame

MONEY = {"classical": {"train_usd": 0.001, "predict_usd_per_1000": 0.0001},
         "deep": {"train_usd": 0.018, "predict_usd_per_1000": 0.0009}}


def finalist(approach: str, score: float, seconds: float, ms: float, **extra) -> dict:
    return {"approach": approach, "test_scores": {"accuracy": score}, "fit_seconds": seconds,
            "predict_ms_per_row": ms, **extra}


def interval(low: float, high: float) -> dict:
    return {"difference": (low + high) / 2, "low": low, "high": high, "level": 0.95, "rows": 500}


def test_an_interval_across_zero_names_no_winner_and_advises_the_cheaper_model():
    gbm, deep = finalist("classical", 0.850, 2.0, 0.01), finalist("deep", 0.868, 40.0, 0.5)
    c = comparison([gbm, deep], "accuracy", {}, interval(-0.018, 0.035))  # the issue's -1.8 to +3.5 points
    sentence = verdict([gbm, deep], "accuracy", "adult", summary=c)
    assert sentence.startswith("No clear winner on adult: test accuracy 0.868 for the deep network and 0.850 for "
                               "gradient boosting, a gap of 1.8 points whose 95% interval (-1.8 to 3.5 points on "
                               "500 test rows) includes zero.")
    assert "wins" not in sentence
    # no prices: cheaper in time, to train and per prediction, each ratio as "N.Nx less"
    assert sentence.endswith("Take gradient boosting, the cheaper one: it took 20.0x less time to train (2.0s vs 40s) "
                             "and takes 50.0x less time per prediction (0.01 vs 0.5 ms/row).")


def test_an_interval_clear_of_zero_names_the_winner():
    gbm, deep = finalist("classical", 0.850, 2.0, 0.01), finalist("deep", 0.900, 40.0, 0.5)
    c = comparison([gbm, deep], "accuracy", MONEY, interval(0.02, 0.08))
    assert c["significant"] is True
    sentence = verdict([gbm, deep], "accuracy", "adult", summary=c)
    assert sentence.startswith("The deep network wins on adult: test accuracy 0.900 against 0.850 for gradient "
                               "boosting, 5.0 points better (95% interval 2.0 to 8.0 points on 500 test rows).")
    assert "No clear winner" not in sentence


def test_when_one_is_cheaper_to_train_and_the_other_to_run_the_verdict_says_which_for_what():
    gbm, deep = finalist("classical", 0.86, 50.0, 0.5), finalist("deep", 0.85, 5.0, 0.01)
    c = comparison([gbm, deep], "accuracy", {}, interval(-0.01, 0.03))
    sentence = verdict([gbm, deep], "accuracy", "adult", summary=c)
    assert sentence.startswith("No clear winner on adult")
    assert "Take the deep network, the cheaper one" in sentence  # the lower scorer, cheaper in both

    gbm, deep = finalist("classical", 0.86, 50.0, 0.01), finalist("deep", 0.85, 5.0, 0.5)
    sentence = verdict([gbm, deep], "accuracy", "adult",
                       summary=comparison([gbm, deep], "accuracy", {}, interval(-0.01, 0.03)))
    assert sentence.endswith("The deep network is cheaper to train (it took 10.0x less time to train (5.0s vs 50s)), "
                             "gradient boosting to run (it takes 50.0x less time per prediction (0.01 vs 0.5 "
                             "ms/row)): take the deep network if you retrain often, gradient boosting for "
                             "high-volume prediction."), sentence


def test_costs_within_noise_say_either_will_do():
    gbm, deep = finalist("classical", 0.86, 10.0, 0.1), finalist("deep", 0.85, 11.0, 0.11)
    sentence = verdict([gbm, deep], "accuracy", "adult",
                       summary=comparison([gbm, deep], "accuracy", {}, interval(-0.01, 0.03)))
    assert sentence.endswith("Their costs are within timing noise of each other, so either will do.")


def test_a_cost_that_rounds_to_nothing_states_no_ratio_for_that_side():
    """A model that predicts a row faster than the timer resolves (0 ms/row, $0 per 1,000) gives no ratio on that
    side; the verdict speaks of the other side only, and does not divide by zero."""
    money = {"classical": {"train_usd": 0.001, "predict_usd_per_1000": 0.0},
             "deep": {"train_usd": 0.018, "predict_usd_per_1000": 0.0009}}
    for scores in ((0.86, 0.85), (0.85, 0.86)):
        gbm, deep = finalist("classical", scores[0], 3.0, 0.0), finalist("deep", scores[1], 45.0, 0.4)
        for prices in ({}, money):
            c = comparison([gbm, deep], "accuracy", prices, interval(-0.01, 0.03))
            assert c["predict_cost_ratio"] is None
            sentence = verdict([gbm, deep], "accuracy", "adult", summary=c)
            assert "Take gradient boosting, the cheaper one" in sentence and "to train" in sentence, sentence
            assert "per prediction" not in sentence, sentence


def test_lower_is_better_metric_across_zero():
    gbm = {"approach": "classical", "test_scores": {"rmse": 3.0}, "fit_seconds": 1.0, "predict_ms_per_row": 0.01}
    deep = {"approach": "deep", "test_scores": {"rmse": 2.9}, "fit_seconds": 30.0, "predict_ms_per_row": 0.3}
    raw = {"difference": -0.1, "low": -0.4, "high": 0.2, "level": 0.95, "rows": 80}  # rmse(deep) - rmse(classical)
    c = comparison([gbm, deep], "rmse", {}, raw)
    assert c["winner"] == "deep" and c["significant"] is False
    sentence = verdict([gbm, deep], "rmse", "diabetes", summary=c)
    assert sentence.startswith("No clear winner on diabetes: test RMSE 2.900 for the deep network and 3.000 for "
                               "gradient boosting, a gap of 0.1 whose 95% interval (-0.2 to 0.4 on 80 test rows) "
                               "includes zero. Take gradient boosting, the cheaper one")


# --------------------------------------------------------------------------- the model predict uses


def test_the_verdict_names_the_model_predict_uses_when_it_is_not_the_advised_one():
    gbm, deep = finalist("classical", 0.947, 19.0, 0.5, val_score=0.974), finalist("deep", 0.921, 21.0, 1.3,
                                                                                 val_score=0.978)
    blend = finalist("blend", 0.939, 40.0, 1.8, val_score=0.982, kind="blend")
    c = comparison([gbm, deep, blend], "accuracy", {}, interval(-0.009, 0.070))  # the quick start's run
    sentence = verdict([gbm, deep, blend], "accuracy", "breast_cancer", summary=c, used="blend")
    assert "Take gradient boosting, the cheaper one" in sentence
    assert sentence.endswith(" Predictions use the blend, which validation chose (accuracy 0.982 against 0.974 "
                             "for gradient boosting); `automl predict --approach classical` uses gradient boosting "
                             "alone."), sentence
    # predict uses what the verdict advises: nothing more to say
    assert verdict([gbm, deep, blend], "accuracy", "breast_cancer", summary=c, used="classical") == \
        verdict([gbm, deep, blend], "accuracy", "breast_cancer", summary=c)
    # a clear winner is the advice: the network used against it is named, with the command for the winner
    clear = verdict([gbm, deep], "accuracy", "d", summary=comparison([gbm, deep], "accuracy", {},
                                                                     interval(0.01, 0.04)), used="deep")
    assert clear.startswith("Gradient boosting wins on d") and clear.endswith(
        " Predictions use the deep network, which validation chose (accuracy 0.978 against 0.974 for gradient "
        "boosting); `automl predict --approach classical` uses gradient boosting alone."), clear


def test_with_no_single_cheaper_model_the_verdict_still_names_the_one_in_use():
    gbm, deep = finalist("classical", 0.86, 10.0, 0.1), finalist("deep", 0.85, 11.0, 0.11)  # costs alike
    blend = finalist("blend", 0.87, 21.0, 0.2, kind="blend")
    sentence = verdict([gbm, deep, blend], "accuracy", "d", used="blend",
                       summary=comparison([gbm, deep], "accuracy", {}, interval(-0.01, 0.03)))
    assert sentence.endswith("so either will do. Averaging the two models' predictions does better still: test "
                             "accuracy 0.870. Predictions use the blend, which validation chose."), sentence


@pytest.mark.parametrize("money", [{}, MONEY])
@pytest.mark.parametrize("bounds", [(-0.02, 0.03), (0.01, 0.03), (-0.03, -0.01)])
def test_every_ratio_is_written_as_at_least_one(money, bounds):
    for scores in ((0.85, 0.86), (0.86, 0.85)):
        gbm, deep = finalist("classical", scores[0], 3.0, 0.02), finalist("deep", scores[1], 45.0, 0.4)
        sentence = verdict([gbm, deep], "accuracy", "d", summary=comparison([gbm, deep], "accuracy", money,
                                                                            interval(*bounds)))
        ratios = [float(r) for r in re.findall(r"(\d+(?:\.\d+)?)x (?:less|more)", sentence)]
        assert ratios and all(r >= 1.0 for r in ratios), sentence
        assert not re.search(r"\b0\.\d+x\b", sentence), sentence


# --------------------------------------------------------------------------- the baseline row


def test_the_verdict_says_when_a_model_does_not_beat_the_baseline():
    floor = {"model": "majority class", "predicts": "no", "test_scores": {"accuracy": 0.70}}
    gbm, deep = finalist("classical", 0.85, 2.0, 0.01), finalist("deep", 0.70, 40.0, 0.5)
    sentence = verdict([gbm, deep], "accuracy", "adult", floor=floor)
    assert sentence.endswith(" The deep network does not beat the majority-class baseline (always no: test "
                             "accuracy 0.700).")  # a tie with guessing is no win
    both = verdict([finalist("classical", 0.6, 2.0, 0.01), deep], "accuracy", "adult", floor=floor)
    assert both.endswith(" No model beats the majority-class baseline (always no: test accuracy 0.700).")
    assert "baseline" not in verdict([gbm, finalist("deep", 0.8, 40.0, 0.5)], "accuracy", "adult", floor=floor)
    mean = {"model": "training mean", "predicts": "152.1", "test_scores": {"rmse": 70.0}}
    alone = {"approach": "classical", "test_scores": {"rmse": 75.0}, "fit_seconds": 1.0}
    assert verdict([alone], "rmse", "diabetes", floor=mean).endswith(
        "Gradient boosting does not beat the mean baseline (always 152.1: test RMSE 70.000).")


def test_baseline_comes_from_the_training_labels_only():
    y_train = np.array([0, 0, 0, 1, 2])  # class "a" is the training majority
    y_test = np.array([1, 1, 1, 0])      # ... though the test rows are mostly "b"
    b = baseline("multiclass", y_train, y_test, ["a", "b", "c"], "accuracy")
    assert b["approach"] == "baseline" and b["predicts"] == "a"
    assert b["test_scores"]["accuracy"] == pytest.approx(0.25)
    assert b["val_score"] == pytest.approx(0.6)
    assert b["test_scores"]["roc_auc"] == pytest.approx(0.5)

    r = baseline("regression", np.array([1.0, 2.0, 3.0]), np.array([10.0, 10.0]), None, "rmse")
    assert r["model"] == "training mean" and r["test_scores"]["rmse"] == pytest.approx(8.0)


def test_the_baseline_is_a_leaderboard_row_but_never_chosen():
    good = Finalist("classical", "xgboost", {}, {"accuracy": 0.9}, 0.88, 1.5, 0.01, 1000, 50.0, 3, 0.0001)
    bad = Finalist("deep", "mlp", {}, {"accuracy": 0.3}, 0.35, 9.0, 0.2, 9000, 500.0, 1, 0.001)
    floor = baseline("binary", np.array([0, 0, 1]), np.array([0, 0, 1, 1, 0]), ["x", "y"], "accuracy")
    board = leaderboard_frame([good, bad], "accuracy", floor)
    assert list(board["approach"]) == ["classical", "baseline", "deep"]  # the network does not beat guessing
    row = board.set_index("approach").loc["baseline"]
    assert row["test_accuracy"] == pytest.approx(0.6) and np.isnan(row["fit_seconds"])
    assert choose([good, bad], "accuracy").approach == "classical"  # chosen from finalists only
