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


def test_a_folder_given_to_a_model_that_reads_a_tables_columns_is_told_to_give_the_table(tmp_path):
    from click.testing import CliRunner

    from automl import AutoML
    from automl.cli import main

    _photos(tmp_path / "photos", n=120)
    model = AutoML(budget="40s", max_trials=1, max_epochs=1, out=tmp_path / "runs").fit(
        tmp_path / "photos" / "labels.csv", target="label")
    folder = tmp_path / "new"
    folder.mkdir()
    for i in (3, 4):
        (folder / f"{i}.png").write_bytes((tmp_path / "photos" / f"{i}.png").read_bytes())
    refused = CliRunner().invoke(main, ["predict", str(model.run_dir_), str(folder), "--approach", "classical"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "missing 2 column(s) the model needs: 'age', 'site'" in refused.output
    assert "give such a table (a 'file' column of paths and those columns) instead of a folder" in refused.output
    table = tmp_path / "photos" / "new.csv"
    pd.DataFrame({"file": ["3.png", "4.png"], "age": [75, 25], "site": ["north", None]}).to_csv(table, index=False)
    done = CliRunner().invoke(main, ["predict", str(model.run_dir_), str(table), "--approach", "classical"])
    assert done.exit_code == 0, done.output
    assert pd.read_csv(pd.io.common.StringIO(done.stdout))["predicted_label"].tolist() == ["old", "young"]
