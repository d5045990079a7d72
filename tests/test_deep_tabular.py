"""The deep tabular model's pieces: robust, smoothly clipped numbers and periodic numeric embeddings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.modalities.tabular.mlp import InputPrep


def frame_with_outliers() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    income = rng.lognormal(10, 1, 500)
    income[:3] = [1e9, 5e8, -1e7]  # a few absurd values
    age = rng.integers(18, 90, 500).astype(float)
    age[10:20] = np.nan
    return pd.DataFrame({"income": income, "age": age})


def test_numbers_are_centred_robustly_and_bounded_whatever_their_outliers():
    X = frame_with_outliers()
    prep = InputPrep.fit(X, {"income": "numeric", "age": "numeric"}, (0.0, 1.0))
    numeric = prep.inputs(X)["numeric"]
    assert numeric.shape == (500, 3)  # income, age, and age's missing-value indicator
    assert np.abs(numeric[:, :2]).max() <= 3.0  # smooth clipping: x / sqrt(1 + (x/3)^2) tends to 3
    assert abs(np.median(numeric[:, 0])) < 1e-6  # centred on the median
    iqr = np.subtract(*np.percentile(numeric[3:, 0], [75, 25]))
    assert 0.5 < iqr < 1.0  # about one unit per interquartile range (less after clipping)
    assert numeric[10:20, 2].tolist() == [1.0] * 10


def test_a_model_saved_before_robust_scaling_reads_its_numbers_as_it_was_trained():
    X = frame_with_outliers()
    saved = InputPrep.fit(X, {"income": "numeric", "age": "numeric"}, (0.0, 1.0)).to_dict()
    del saved["scales"]  # as written by 0.2
    numeric = InputPrep.from_dict(saved).inputs(X)["numeric"]
    np.testing.assert_allclose(numeric[:, 0], X["income"].to_numpy(dtype="float32"))


@pytest.mark.slow
def test_periodic_embedding_shapes_and_a_saved_model_that_predicts_the_same(tmp_path):
    import keras

    from automl.modalities.tabular.layers import PeriodicEmbedding

    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(PeriodicEmbedding(4, 5, 0.3)(inputs)))
    x = np.random.default_rng(1).normal(size=(7, 3)).astype("float32")
    assert model.layers[1](x).shape == (7, 15)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", compile=False)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert again.layers[1].get_config()["sigma"] == 0.3
