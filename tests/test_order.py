"""``--order COL``: rows in time; the latest are the test rows, and every validation split fits on earlier rows."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from automl.data.profile import inspect_frame
from automl.data.splitting import Rule, split_rows, validation_folds
from automl.errors import ConfigError



def drifting(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Daily rows, shuffled in the file, whose label's threshold on ``x`` rises with time."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    label = np.where(x + rng.normal(0, 0.3, n) > np.linspace(-1.5, 1.5, n), "up", "down")
    frame = pd.DataFrame({"day": pd.date_range("2020-01-01", periods=n, freq="D").astype(str), "x": x,
                          "label": label})
    return frame.sample(frac=1, random_state=1).reset_index(drop=True)


def test_the_test_rows_are_the_latest_and_the_holdout_the_latest_of_the_rest():
    order = np.random.default_rng(0).permutation(100).astype(float)
    train, test = split_rows(np.zeros(100), "regression", 20, 0, Rule(order=order))
    assert order[test].min() > order[train].max() and len(test) == 20
    (fit, val), = validation_folds(np.zeros(len(train)), "regression", "holdout", 1, 0, Rule(order=order[train]))
    inside = order[train]
    assert inside[val].min() > inside[fit].max() and len(val) == 16
    with pytest.raises(ValueError, match="never by k folds"):
        validation_folds(np.zeros(10), "regression", "kfold", 5, 0, Rule(order=np.arange(10.0)))


def test_ties_keep_the_files_order():
    train, test = split_rows(np.zeros(6), "regression", 2, 0, Rule(order=np.array([1.0, 1, 1, 1, 1, 1])))
    assert test.tolist() == [4, 5]


def test_an_order_column_stays_a_feature_and_its_range_is_told():
    profile = inspect_frame(drifting(), target="label", order="day")
    assert profile.order == "day" and "day" in [c.name for c in profile.features]
    assert profile.order_reason == "dates from 2020-01-01 to 2021-02-03"


@pytest.mark.parametrize("order, extra, expected", [
    ("nope", {}, "`order` names 'nope', which is not a column of the data"),
    ("label", {}, "`order` names 'label', which is the target"),
    ("day", {"group": "x"}, "`order` and `group` cannot be used together"),
])
def test_an_order_column_that_cannot_be_one_is_refused(order, extra, expected):
    with pytest.raises(ConfigError, match=expected):
        inspect_frame(drifting(), target="label", order=order, **extra)


def test_rows_without_a_time_are_refused_with_examples():
    frame = drifting()
    frame.loc[[3, 7], "day"] = ["soon", None]
    with pytest.raises(ConfigError, match=r"`order` column 'day' has no date or number in 2 row\(s\) .*'soon', a "
                                          r"blank"):
        inspect_frame(frame, target="label", order="day")


def test_an_ordered_run_scores_rows_later_than_all_it_trained_on_and_the_plan_says_so(tmp_path, quick_fit):
    frame = drifting()
    data = tmp_path / "days.csv"
    frame.to_csv(data, index=False)
    run, record = quick_fit(data, "--order", "day")
    assert record["settings"]["order"] == "day" and record["plan"]["validation"] == "holdout"
    assert any("the latest 80 of 400 (20%) are held out" in r for r in record["plan"]["reasons"])
    tested = pd.read_csv(run / "test_predictions.csv")["row"].to_numpy()
    days = pd.to_datetime(frame["day"])
    assert days[tested].min() > days.drop(index=tested).max()


def test_a_class_seen_only_in_the_latest_rows_is_refused_before_any_run_is_written(tmp_path):
    from automl import AutoML
    from automl.errors import DataError

    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    label = np.where(x > 0, "a", "b").astype(object)
    label[250:260] = "new"  # the latest 20% are rows 240 to 299
    frame = pd.DataFrame({"t": np.arange(300), "x": x, "label": label})
    with pytest.raises(DataError, match=r"class\(es\) 'new' of 'label' are only in the test rows"):
        AutoML(budget="20s", compare=False, out=tmp_path / "runs", order="t").fit(frame)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_class_first_seen_in_the_validation_rows_fails_no_trial(tmp_path, quick_fit):
    import json

    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    label = np.where(x > 0, "a", "b").astype(object)
    label[[200, 205, 210, 215, 220, 230, 250, 260, 270]] = "new"  # fit rows 0-191, validation 192-239, test 240-
    data = tmp_path / "late.csv"
    pd.DataFrame({"t": np.arange(300), "x": x, "label": label}).to_csv(data, index=False)
    run, _ = quick_fit(data, "--order", "t")
    trials = [json.loads(line) for line in (run / "trials.jsonl").read_text().splitlines()]
    assert not [t.get("error") for t in trials if t["status"] == "failed"]
    assert {"hist_gbm", "catboost"} <= {t["model"] for t in trials if t["status"] == "ok"}
