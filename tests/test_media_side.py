"""An image or audio table's other columns (numbers, categories) read by gradient boosting beside the files."""

from __future__ import annotations

import numpy as np
import pandas as pd

from automl.budget import Deadline
from automl.data import load
from automl.data.profile import inspect_dataset
from automl.hardware import Hardware
from automl.run.plan import make_plan
from automl.run.runner import prepare
from automl.search.base import SearchContext
from synthetic import stripes

HARDWARE = Hardware(2, 8 << 30, None)


def _photos(folder, n: int = 160) -> pd.DataFrame:
    """The same striped picture (with noise) for every row; the label is whether the age is over 50."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        stripes("horizontal", 16, "L", seed=i).save(folder / f"{i}.png")
        age = int(rng.integers(20, 80))
        rows.append({"file": f"{i}.png", "age": age, "site": rng.choice(["north", "south"]),
                     "label": "old" if age > 50 else "young"})
    frame = pd.DataFrame(rows)
    frame.to_csv(folder / "labels.csv", index=False)
    return frame


def test_gradient_boosting_reads_an_image_tables_other_columns_and_predicts_with_them(tmp_path):
    from automl.modalities.media.classical import ImageGBMRoute

    _photos(tmp_path / "data")
    data = tmp_path / "data" / "labels.csv"
    profile = inspect_dataset(load(data), "label", "auto")
    assert profile.modality == "image"
    age = next(c for c in profile.features if c.name == "age")
    assert age.used and "by gradient boosting (the network reads the files alone)" in age.reason
    plan = make_plan(profile, 600, HARDWARE)
    prepared = prepare(load(data), profile, plan, HARDWARE, seed=0)
    split, handed = prepared.split, []
    ctx = SearchContext(approach="classical", X=split.X_train, y=split.y_train, task=profile.task,
                        metric=plan.metric, classes=split.classes, kinds=split.kinds, seed=0,
                        validation=plan.validation, folds=plan.folds, deadline=Deadline(60.0), hardware=HARDWARE,
                        max_trials=2, improved=handed.append, inputs=plan.inputs, cache=prepared.cache)
    route = ImageGBMRoute()
    found = route.search(ctx)
    assert found.model.beside == ["age", "site"] and "the table's other columns (age, site)" in found.notes[0]
    assert found.val_score >= 0.9  # the pictures alone say nothing
    predicted = found.model.predict(split.X_test)
    assert (predicted == np.asarray(split.y_test)).mean() >= 0.85
    found.model.save(tmp_path)
    again = route.load(tmp_path)
    assert again.beside == ["age", "site"]
    assert np.allclose(again.predict_proba(split.X_test), found.model.predict_proba(split.X_test))
