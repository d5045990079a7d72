"""Feature importance recorded at fit time: each classical model says it (permutation, gain, coefficients)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from automl.search.importance import MIN_COLUMNS, importance_of, permutation, permuted


class Threshold:
    """A stand-in classifier: class 1 when ``signal`` > 0 (it ignores every other column)."""

    def predict_proba(self, frame):
        p = (frame["signal"].to_numpy() > 0).astype(float)
        return np.column_stack([1 - p, p])

    def predict(self, frame):
        return self.predict_proba(frame).argmax(axis=1)


def test_permutation_importance_finds_the_column_the_model_uses():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=300), "signal": rng.normal(size=300)})
    y = (X["signal"] > 0).astype(int).to_numpy()
    out = permuted(Threshold(), X, y, "binary", "accuracy", seed=0, max_seconds=5.0)
    assert out["method"] == "permutation"
    assert [name for name, _ in out["features"]] == ["signal", "noise"]
    assert out["features"][0][1] > 0.3 and out["features"][1][1] == 0.0
    assert "test accuracy" in out["note"]


def test_permutation_falls_back_to_accuracy_when_the_metric_is_undefined():
    X = pd.DataFrame({"signal": np.linspace(-1, 1, 50)})
    y = np.ones(50, dtype=int)  # one class: ROC AUC is undefined
    out = permuted(Threshold(), X, y, "binary", "roc_auc", seed=0, max_seconds=5.0)
    assert "test accuracy" in out["note"]


def test_permutation_stops_at_the_time_cap():
    X = pd.DataFrame({f"c{i}": np.arange(10.0) for i in range(5)})
    ticks = iter(range(100))
    ranked, done = permutation(lambda f: 1.0, X, greater=True, seed=0, max_seconds=1.5,
                               clock=lambda: float(next(ticks)))
    assert not done and MIN_COLUMNS <= len(ranked) < 5  # the floor is done past the cap


def test_a_model_too_slow_to_score_within_three_times_the_cap_gets_no_ranking():
    X = pd.DataFrame({f"c{i}": np.arange(10.0) for i in range(5)})
    ticks = iter(range(0, 1000, 10))  # each look at the clock: 10 s later
    ranked, done = permutation(lambda f: 1.0, X, greater=True, seed=0, max_seconds=1.5,
                               clock=lambda: float(next(ticks)))
    assert (ranked, done) == ([], False)


def test_models_without_importance_say_so_and_a_failing_one_is_noted():
    class Network:
        pass

    class Broken:
        def importance(self, *args):
            raise MemoryError("too big")

    out = importance_of(Network(), None, None, "binary", "accuracy")
    assert out["method"] is None and out["features"] == [] and out["note"]
    assert importance_of(Broken(), None, None, "binary", "accuracy")["note"] == "Not computed: MemoryError: too big"


def test_engineered_image_and_audio_features_are_named_in_the_importance_record():
    from types import SimpleNamespace

    from automl.modalities.audio.decode import AudioSpec
    from automl.modalities.image.decode import ImageSpec
    from automl.modalities.image.features import feature_names, features
    from automl.modalities.media.classical import FeatureModel

    # the names line up with the columns features() makes, grey or colour, small or large
    for size, channels in ((8, 1), (32, 3), (64, 3)):
        pixels = np.random.default_rng(0).integers(0, 255, (2, size, size, channels)).astype("uint8")
        assert features(pixels).shape[1] == len(feature_names(ImageSpec(size, channels)))
    booster = SimpleNamespace(family="xgboost", name="xgboost", params={},
                              feature_importance=lambda: {"f64": 0.7, "f0": 0.3})
    image = importance_of(FeatureModel(booster, "image", ImageSpec(8, 1), "file"), None, None, "binary", "accuracy")
    assert image["features"] == [["gradients cell row 1 col 1 at 0-20 deg", 0.7], ["thumbnail row 1 col 1 grey", 0.3]]
    clips = SimpleNamespace(family="xgboost", name="xgboost", params={},
                            feature_importance=lambda: {"f52": 0.7, "f0": 0.3})
    audio = importance_of(FeatureModel(clips, "audio", AudioSpec(8000, 1.0), "clip"), None, None, "binary",
                          "accuracy")
    assert [name for name, _ in audio["features"]] == ["rms_mean", "mfcc0_mean"]
