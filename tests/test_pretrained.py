"""Pretrained backbones: offered only when their weights are on disk, frozen, loaded from that file."""

from __future__ import annotations

import numpy as np
import pytest

from automl.modalities.image import pretrained
from automl.modalities.image.decode import ImageSpec


def test_no_weights_on_disk_means_training_from_scratch(tmp_path):
    assert pretrained.available(tmp_path) == []
    assert "Trained from scratch" in pretrained.describe([], tmp_path)


def test_a_weights_file_on_disk_makes_its_backbone_a_candidate(tmp_path):
    (tmp_path / pretrained.BACKBONES[1].file).write_bytes(b"")
    found = pretrained.available(tmp_path)
    assert found == [pretrained.BACKBONES[1]]
    assert "EfficientNetB0" in pretrained.describe(found, tmp_path)


def test_keras_home_sets_the_weights_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert pretrained.weights_folder() == tmp_path / "models"


@pytest.mark.slow
def test_the_pretrained_family_loads_frozen_weights_from_disk(tmp_path, monkeypatch):
    """A stand-in weights file (random, in the legacy .h5 layout keras.applications downloads) is what the backbone holds."""
    h5py = pytest.importorskip("h5py")
    import keras
    import keras_tuner
    from keras.src.legacy.saving import legacy_h5_format

    from automl.modalities.image.network import ImageHyperModel

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    backbone = pretrained.BACKBONES[0]
    (tmp_path / "models").mkdir()
    keras.utils.set_random_seed(1)
    source = keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), include_top=False, pooling="avg",
                                                 weights=None)
    with h5py.File(tmp_path / "models" / backbone.file, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, source)

    hypermodel = ImageHyperModel(ImageSpec(32, 1), "multiclass", 3, flip=False,
                                 backbones=pretrained.available())
    assert "MobileNetV3Small" in hypermodel.origin_note
    hp = keras_tuner.HyperParameters()
    hp.Fixed("family", "pretrained")
    keras.utils.set_random_seed(2)  # a different seed: only the file can make the weights match
    model = hypermodel.build(hp)
    net = next(layer for layer in model.layers if isinstance(layer, keras.Model))
    assert not net.trainable and all(not w.trainable for w in net.weights)
    assert all(np.allclose(a, b) for a, b in zip(net.get_weights(), source.get_weights()))
    proba = model.predict(np.zeros((2, 32, 32, 1), dtype="uint8"), verbose=0)
    assert proba.shape == (2, 3) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
