"""Training-only audio augmentation as Keras layers (``keras.ops`` only, so every backend runs them).

Registered as ``automl>SpecAugment`` and ``automl>RandomGain``: saved networks load with them by name.
"""

from __future__ import annotations

from typing import Any

from ...search.tuner import keras


@keras.saving.register_keras_serializable(package="automl")
class SpecAugment(keras.layers.Layer):
    """Training-only augmentation of a (batch, mel, time) spectrogram: one frequency and one time mask.

    Masks are up to ``freq_mask`` / ``time_mask`` of the axis wide, at random
    positions, set to the spectrogram's mean.
    """

    def __init__(self, freq_mask: float = 0.1, time_mask: float = 0.1, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.freq_mask = freq_mask
        self.time_mask = time_mask
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def _mask(self, x: Any, axis: int, share: float) -> Any:
        ops = keras.ops
        size = ops.shape(x)[axis]
        batch = ops.shape(x)[0]
        width = keras.random.uniform((batch, 1), 0.0, share, seed=self.generator) * ops.cast(size, "float32")
        start = keras.random.uniform((batch, 1), 0.0, 1.0, seed=self.generator) * (ops.cast(size, "float32") - width)
        index = ops.cast(ops.arange(size), "float32")[None, :]
        masked = ops.logical_and(index >= start, index < start + width)  # (batch, size)
        return ops.expand_dims(masked, 2 if axis == 1 else 1)

    def call(self, x: Any, training: bool | None = None) -> Any:
        if not training:
            return x
        ops = keras.ops
        mask = ops.logical_or(self._mask(x, 1, self.freq_mask), self._mask(x, 2, self.time_mask))
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        return ops.where(mask, mean, x)

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"freq_mask": self.freq_mask, "time_mask": self.time_mask, "seed": self.seed}


@keras.saving.register_keras_serializable(package="automl")
class RandomGain(keras.layers.Layer):
    """Training-only loudness change: each clip scaled by a random factor in [1 - amount, 1 + amount]."""

    def __init__(self, amount: float = 0.3, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.amount = amount
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, x: Any, training: bool | None = None) -> Any:
        if not training:
            return x
        batch = keras.ops.shape(x)[0]
        return x * keras.random.uniform((batch, 1), 1.0 - self.amount, 1.0 + self.amount, seed=self.generator)

    def get_config(self) -> dict[str, Any]:
        return super().get_config() | {"amount": self.amount, "seed": self.seed}
