"""One temperature for the tabular network's probabilities (``mlp.calibrate``, ``networks.tempered``). Slow: Keras."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def test_tempered_keeps_the_winning_class_and_one_is_nothing():
    from automl.search.networks import tempered

    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])
    assert tempered(proba, 1.0) is proba
    sure, unsure = tempered(proba, 3.0), tempered(proba, 0.3)
    np.testing.assert_allclose(sure.sum(axis=1), 1.0)
    assert (sure.argmax(axis=1) == proba.argmax(axis=1)).all() and (unsure.argmax(axis=1) == proba.argmax(axis=1)).all()
    assert (sure.max(axis=1) > proba.max(axis=1)).all() and (unsure.max(axis=1) < proba.max(axis=1)).all()


def test_an_under_sure_network_is_made_surer_and_saves_its_temperature(tmp_path):
    from automl.budget import Deadline
    from automl.hardware import Hardware
    from automl.metrics import score_output
    from automl.modalities.tabular import mlp
    from automl.search import members
    from automl.search.base import SearchContext
    from automl.search.networks import tempered

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = (frame["a"] > 0).astype("int32").to_numpy()
    ctx = SearchContext(approach="deep", X=frame, y=y, task="binary", metric="log_loss", classes=[0, 1],
                        kinds={"a": "numeric", "b": "numeric"}, seed=0, validation="holdout", folds=1,
                        deadline=Deadline(60), hardware=Hardware(2, 8 << 30, None), max_trials=None,
                        max_epochs=None, improved=lambda m: None)
    prep = mlp.InputPrep.fit(frame, ctx.kinds, (0.0, 1.0))
    hypermodel = mlp.MLPHyperModel(np.zeros(2), np.ones(2), [], "binary", 2)
    network = members.rebuild(hypermodel, {"numeric": "plain", "units": 64}, seed=0)
    model = mlp.DeepTabularModel(network, prep, "binary", 2, {"units": 64})
    # a network that is always right but only 60 % sure: what smoothed targets leave behind, exaggerated
    output = np.where(y[:, None] == np.array([[0, 1]]), 0.6, 0.4)
    proba, score, told = mlp.calibrate(model, output, y, ctx)
    temperature = model.params["temperature"]
    assert temperature > 2 and "temperature" in told
    assert (proba.argmax(axis=1) == y).all()
    assert score == pytest.approx(score_output("binary", y, proba, "log_loss"))
    assert score < score_output("binary", y, output, "log_loss")
    raw = network.predict(prep.inputs(frame), verbose=0)
    np.testing.assert_allclose(model.predict_proba(frame), tempered(raw / raw.sum(axis=1, keepdims=True),
                                                                        temperature), rtol=1e-5, atol=1e-6)
    model.save(tmp_path)
    again = mlp.load(tmp_path)
    assert again.params["temperature"] == temperature
    np.testing.assert_allclose(again.predict_proba(frame), model.predict_proba(frame), rtol=1e-5, atol=1e-6)
