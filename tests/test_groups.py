"""``--group COL``: rows that belong together stay on one side of the test split and of every validation fold."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data.profile import inspect_frame
from automl.data.splitting import Rule, split_rows, validation_folds
from automl.errors import ConfigError
from automl.search import members



def patients(n_groups: int = 40, seed: int = 0, visits: tuple[int, int] = (3, 9)) -> pd.DataFrame:
    """Several visits per patient, each patient's label drawn at random: a visit's twins give its label away, a
    new patient's nothing. ``f3`` is constant within a patient."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_groups):
        base, label = rng.normal(size=3), rng.choice(["a", "b"])
        for _ in range(int(rng.integers(*visits))):
            rows.append({"patient": f"p{g}", "f1": base[0] + rng.normal(0, 0.05), "f2": base[1] + rng.normal(0, 0.05),
                         "f3": base[2], "label": label})
    return pd.DataFrame(rows)


def disjoint(groups: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    return not set(groups[a]) & set(groups[b])


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_the_test_rows_and_every_validation_fold_are_whole_groups(task):
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(50), rng.integers(2, 8, 50))
    y = rng.integers(0, 2, len(groups)) if task == "binary" else rng.normal(size=len(groups))
    train, test = split_rows(y, task, test_rows=len(y) // 5, seed=0, rule=Rule(groups=groups))
    assert disjoint(groups, train, test) and len(train) + len(test) == len(y)
    assert 0.1 < len(test) / len(y) < 0.3
    inside = groups[train]
    for scheme, k in (("kfold", 5), ("holdout", 1)):
        pairs = validation_folds(y[train], task, scheme, k, 0, Rule(groups=inside))
        assert len(pairs) == k
        assert all(disjoint(inside, fit, val) for fit, val in pairs)
    held = validation_folds(y[train], task, "holdout", 1, 0, Rule(groups=inside))[0][1]
    pairs = members.folds(y[train], task, held, 0, 5, Rule(groups=inside))
    assert all(disjoint(inside, fit, val) for fit, val in pairs)


def test_a_network_validates_on_whole_groups():
    from automl.search.networks import Targets

    groups = np.repeat(np.arange(30), 4)
    ctx = SimpleNamespace(y=np.tile([0, 1], 60), task="binary", seed=0, rule=Rule(groups=groups))
    rows = Targets.of(ctx)
    assert disjoint(groups, rows.fit, rows.val) and len(rows.val) > 0


def test_the_group_column_is_not_a_feature_and_a_column_constant_in_a_group_is_no_leak():
    frame = patients(visits=(8, 12))
    alone = inspect_frame(frame, target="label", drop=["patient"])
    assert alone.leaks == ["f3"]  # on rows split one by one, a patient's constant gives its label away
    grouped = inspect_frame(frame, target="label", group="patient")
    assert grouped.group == "patient" and grouped.leaks == []
    column = grouped.column("patient")
    assert column.kind == "group" and not column.used and "40 groups" in column.reason
    assert "patient" not in [c.name for c in grouped.features]


@pytest.mark.parametrize("group, extra, expected", [
    ("nope", {}, "`group` names 'nope', which is not a column of the data"),
    ("f3", {"drop": ["f3"]}, "`group` names 'f3', which is left out by `drop`"),
    ("label", {"target": "label"}, "`group` names 'label', which is the target"),
])
def test_a_group_column_that_cannot_be_one_is_refused(group, extra, expected):
    kwargs = {"target": "label"} | extra
    with pytest.raises(ConfigError, match=expected):
        inspect_frame(patients(), group=group, **kwargs)


def test_too_few_groups_or_a_class_in_one_group_is_refused_up_front():
    with pytest.raises(ConfigError, match=r"`group` column 'patient' has 6 group\(s\) .* at least 10"):
        inspect_frame(patients(n_groups=6), target="label", group="patient")
    frame = patients()
    frame.loc[frame["patient"] == "p0", "label"] = "rare"
    with pytest.raises(ConfigError, match=r"class\(es\) 'rare' of 'label' occur in one group of 'patient' only"):
        inspect_frame(frame, target="label", group="patient")


def test_a_grouped_run_tests_on_patients_it_never_trained_on_and_a_resume_keeps_its_groups(tmp_path, quick_fit):
    frame = patients()
    data = tmp_path / "visits.csv"
    frame.to_csv(data, index=False)
    run, record = quick_fit(data, "--group", "patient")
    assert record["settings"]["group"] == "patient" and "patient" not in record["features"]
    tested = pd.read_csv(run / "test_predictions.csv")["row"].to_numpy()
    trained = np.setdiff1d(np.arange(len(frame)), tested)
    assert disjoint(frame["patient"].to_numpy(), trained, tested)
    accuracy = next(f for f in record["finalists"] if f["approach"] == "classical")["test_scores"]["accuracy"]
    assert accuracy < 0.8  # new patients' labels are coin flips; split visit by visit it scores near 1.0
    again = CliRunner().invoke(main, ["fit", "--resume", str(run), "--group", "f1"])
    assert again.exit_code == 2 and "--group cannot change on --resume" in again.output


def test_a_temperature_is_fitted_on_other_groups_only():
    from automl.search.calibration import cross_fitted_softmax

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(12), 5)
    margins, y = rng.normal(size=(60, 3)), rng.integers(0, 3, 60)
    proba, _ = cross_fitted_softmax(margins, y, groups)
    relabelled = y.copy()
    relabelled[groups == 4] = (y[groups == 4] + 1) % 3  # another truth for one patient's rows
    again, _ = cross_fitted_softmax(margins, relabelled, groups)
    assert np.allclose(again[groups == 4], proba[groups == 4])  # its own rows never set its temperature
    assert not np.allclose(again[groups == 5], proba[groups == 5])  # they set the other half's
    alternate, _ = cross_fitted_softmax(margins, relabelled)
    assert not np.allclose(alternate[groups == 4], cross_fitted_softmax(margins, y)[0][groups == 4])  # row by row


def test_a_grouped_runs_network_calibrates_on_whole_groups(tmp_path, monkeypatch):
    from automl.search import calibration

    seen = []
    original = calibration.cross_fitted_softmax

    def recording(margins, y, groups=None, sample_weight=None):
        seen.append(groups)
        return original(margins, y, groups, sample_weight)

    monkeypatch.setattr(calibration, "cross_fitted_softmax", recording)
    frame = patients()
    data = tmp_path / "visits.csv"
    frame.to_csv(data, index=False)
    result = CliRunner().invoke(main, ["fit", str(data), "--group", "patient", "--budget", "90s", "--max-trials", "1",
                                       "--max-epochs", "1", "--out", str(tmp_path / "runs"), "-q"])
    assert result.exit_code == 0, result.output
    assert seen and all(g is not None for g in seen)
    assert all(1 < len(np.unique(g)) < len(g) for g in seen)  # codes of patients with several visits, not of rows
