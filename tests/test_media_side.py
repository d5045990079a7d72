"""An image or audio table's other columns (numbers, categories) read beside the files, by gradient boosting and
by the networks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.budget import Deadline
from automl.data import load
from automl.data.profile import inspect_dataset
from automl.errors import ModelFileError
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
    assert age.used and "by both gradient boosting and the network" in age.reason
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


@pytest.mark.slow
@pytest.mark.parametrize("streamed", [False, True])
def test_the_image_network_reads_the_tables_other_columns_as_a_second_input(tmp_path, monkeypatch, streamed):
    import warnings

    import automl.modalities.media.decoding
    from automl.modalities.image.network import ImageNetworkRoute
    from automl.search.networks import SIDE

    if streamed:  # the training images come in batches from disk, the columns with them
        monkeypatch.setattr(automl.modalities.media.decoding, "CACHE_SHARE", 0.0)
    _photos(tmp_path / "data")
    data = tmp_path / "data" / "labels.csv"
    profile = inspect_dataset(load(data), "label", "auto")
    plan = make_plan(profile, 600, HARDWARE)
    prepared = prepare(load(data), profile, plan, HARDWARE, seed=0)
    split = prepared.split
    assert (prepared.cache.get("image") is None) == streamed
    ctx = SearchContext(approach="deep", X=split.X_train, y=split.y_train, task=profile.task, metric=plan.metric,
                        classes=split.classes, kinds=split.kinds, seed=0, validation="holdout", folds=1,
                        deadline=Deadline(15.0), hardware=HARDWARE, max_trials=1, inputs=plan.inputs,
                        cache=prepared.cache)
    route = ImageNetworkRoute()
    found = route.search(ctx)
    assert found.model.side is not None and found.model.side.columns == ["age", "site"]
    assert sorted(t.name for t in found.model.keras_model.inputs) == [SIDE, "image"]
    assert any("The table's other columns (age, site) are a second input" in n for n in found.notes)
    assert found.val_score >= 0.8, (found.val_score, found.notes)  # the pictures alone say nothing
    assert (found.model.predict(split.X_test) == np.asarray(split.y_test)).mean() >= 0.8
    found.model.save(tmp_path)
    again = route.load(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # Keras warns when the inputs' structure is not the model's
        np.testing.assert_allclose(again.predict_proba(split.X_test), found.model.predict_proba(split.X_test),
                                   rtol=1e-5, atol=1e-6)
    meta = json.loads((tmp_path / "model.json").read_text())
    (tmp_path / "model.json").write_text(json.dumps(meta | {"side": None}))  # a block lost: the inputs disagree
    with pytest.raises(ModelFileError, match="the table's other columns|not the input"):
        route.load(tmp_path)


def test_the_audio_network_takes_the_tables_other_columns_as_a_second_input_joined_before_its_head():
    import keras_tuner

    from automl.modalities.audio.decode import AudioSpec
    from automl.modalities.audio.network import AudioHyperModel
    from automl.search.networks import SIDE

    alone = AudioHyperModel(AudioSpec(8000, 0.25), "multiclass", 3).build(keras_tuner.HyperParameters())
    both = AudioHyperModel(AudioSpec(8000, 0.25), "multiclass", 3, side=7).build(keras_tuner.HyperParameters())
    assert [t.name for t in alone.inputs] == ["waveform"]
    assert sorted((t.name, tuple(t.shape[1:])) for t in both.inputs) == [(SIDE, (7,)), ("waveform", (2000,))]
    x = {"waveform": np.zeros((2, 2000), "float32"), SIDE: np.ones((2, 7), "float32")}
    assert both.predict(x, verbose=0).shape == (2, 3)
