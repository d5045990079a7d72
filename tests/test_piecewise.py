"""Piecewise-linear codes of numbers for the tabular network (``modalities.tabular.piecewise``). Slow: imports
Keras; the layer is also checked on JAX and PyTorch, each in its own process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

# The layer with each column's kernel the identity and no bias gives ReLU of the codes: compared with numpy's.
LAYER_CHECK = """
import numpy as np
from automl.modalities.tabular.piecewise import PiecewiseLinearEmbedding, bin_edges, piecewise_codes
rng = np.random.default_rng(0)
train = np.column_stack([rng.normal(size=500), rng.integers(0, 3, 500).astype(float)])
edges = [bin_edges(train[:, j], bins=8) for j in range(2)]
layer = PiecewiseLinearEmbedding(edges, width=8)
x = np.array([[-9.0, 0.0], [0.1, 1.0], [0.7, 2.0], [9.0, 5.0]], dtype="float32")
layer.build(x.shape)
kernel = np.zeros((2, 8, 8), dtype="float32")
for j, e in enumerate(edges):
    kernel[j, : len(e) - 1, : len(e) - 1] = np.eye(len(e) - 1)
layer.set_weights([kernel, np.zeros((2, 8), dtype="float32")])
import keras
got = keras.ops.convert_to_numpy(layer(x)).reshape(4, 2, 8)
for j, e in enumerate(edges):
    want = np.maximum(piecewise_codes(x[:, j], e), 0.0)
    assert np.allclose(got[:, j, : len(e) - 1], want, atol=1e-5), (j, got[:, j], want)
    assert not got[:, j, len(e) - 1 :].any()  # the padding of a column with fewer bins stays zero
print("ok")
"""


def test_codes_fill_the_bins_below_and_interpolate_their_own():
    from automl.modalities.tabular.piecewise import piecewise_codes

    codes = piecewise_codes(np.array([-1.0, 0.0, 0.5, 1.5, 2.0, 5.0]), [0.0, 1.0, 2.0])
    assert codes.tolist() == [[-1.0, 0.0], [0.0, 0.0], [0.5, 0.0], [1.0, 0.5], [1.0, 1.0], [1.0, 4.0]]


def test_a_discrete_column_gets_one_bin_per_gap_and_a_constant_one_bin():
    from automl.modalities.tabular.piecewise import bin_edges

    assert bin_edges(np.array([0.0, 1.0, 1.0, 2.0] * 50)) == [0.0, 1.0, 2.0]
    assert bin_edges(np.full(10, 3.0)) == [3.0, 4.0]


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_the_layer_computes_the_codes_on_every_backend(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    done = subprocess.run([sys.executable, "-c", LAYER_CHECK], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, KERAS_BACKEND=backend))
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_the_search_offers_piecewise_codes_and_their_network_saves_and_predicts_the_same(tmp_path):
    import keras_tuner

    from automl.modalities.tabular import mlp
    from automl.modalities.tabular.piecewise import bin_edges
    from automl.search import members

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.exponential(size=200), "c": rng.choice(["x", "y"], 200)})
    y = ((frame["a"] + np.log(frame["b"]) > 0) ^ (frame["c"] == "x")).astype("int32").to_numpy()
    kinds = {"a": "numeric", "b": "numeric", "c": "categorical"}
    prep = mlp.InputPrep.fit(frame, kinds, (0.0, 1.0))
    x = prep.inputs(frame)
    numeric = x["numeric"]
    edges = [bin_edges(numeric[:, j]) for j in range(numeric.shape[1])]
    with_edges = mlp.MLPHyperModel(numeric.mean(axis=0), numeric.var(axis=0) + 1e-6, prep.encoder.cardinalities,
                                   "binary", 2, edges=edges)
    hp = keras_tuner.HyperParameters()
    with_edges.build(hp)
    assert "piecewise" in hp.get_config()["space"][0]["config"]["values"]
    without = keras_tuner.HyperParameters()
    mlp.MLPHyperModel(numeric.mean(axis=0), numeric.var(axis=0) + 1e-6, prep.encoder.cardinalities, "binary",
                      2).build(without)
    assert "piecewise" not in without.get_config()["space"][0]["config"]["values"]

    network = members.rebuild(with_edges, {"numeric": "piecewise", "units": 32, "layers": 1}, seed=0)
    assert any(type(layer).__name__ == "PiecewiseLinearEmbedding" for layer in network.layers)
    history = network.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model = mlp.DeepTabularModel(network, prep, "binary", 2, {"numeric": "piecewise"})
    model.save(tmp_path)
    again = mlp.load(tmp_path)
    assert np.allclose(again.predict_proba(frame), model.predict_proba(frame), atol=1e-6)
