"""Deep search for audio: Keras Tuner over 2-D CNNs on a log-mel spectrogram computed inside the model.

Clips arrive as fixed-length float32 waveforms (decoded, mixed down,
resampled and padded by ``audio.decode``). The model's first layers turn them
into a log-mel spectrogram (``keras.layers.MelSpectrogram``), so preprocessing
is saved with the model and runs on every backend. Augmentation is tunable
and active only in training: random gain on the waveform, and time and
frequency masking on the spectrogram (SpecAugment-style), all in ``keras.ops``.
The search tunes blocks, width, pooling, dropout, augmentation, optimizer and
learning rate; the budget is spent as for images (``modalities.media.network``).

Example:
    >>> AudioNetworkRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ...search.base import SearchContext
from ...search.networks import compile_network, with_columns
from ...search.tuner import keras, keras_tuner
from ..media import network as media_network
from .decode import AudioSpec

BN_MOMENTUM = 0.9
MEL_BINS = 64


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


class AudioHyperModel(keras_tuner.HyperModel):
    """Waveform -> log-mel spectrogram -> 2-D CNN, augmentation tuned too."""

    family = "cnn2d"
    # The network trained on to its end (a search's winner, or the default trained alone) trains to the deadline,
    # its learning rate falling linearly with the time left, instead of cut on plateaus, as for images: on fsdd in
    # 5 minutes on a CPU the default was still improving at a fixed rate when the deadline stopped it (.927
    # validation after 10 epochs); trained to the deadline at a falling rate it reached .971 in 12
    # (docs/benchmarks.md). A search's winner takes it without a run of its own.
    decay_to_deadline = True

    def __init__(self, spec: AudioSpec, task: str, n_classes: int, gpu: bool = False, side: int = 0):
        super().__init__(name="audio")
        self.spec = spec
        self.task = task
        self.n_classes = n_classes
        self.gpu = gpu
        self.side = side  # width of the table's other columns, read as a second input; 0: none

    def default_width(self) -> int:
        """The default network's filters in its first block: 32 on a GPU, 16 on a CPU (``width_note``)."""
        return 32 if self.gpu else 16

    def width_note(self) -> str:
        """Why the default network is as wide as it is, for the plan's notes."""
        if self.gpu:
            return ("The default network starts 32 filters wide on a GPU, where epochs are short (on a CPU it starts "
                    "at 16, whose epochs take half the time there).")
        return ("The default network starts 16 filters wide, not 32, on a CPU: its epochs take half the time, so "
                "twice as many fit the budget (on fsdd in 5 minutes on two cores, 24 epochs instead of 12, .9767 "
                "test accuracy instead of .9617); a search, where the budget holds one, still tries 32 and 48.")

    def build(self, hp: Any) -> Any:
        layers = keras.layers
        rate = self.spec.sample_rate
        window = int(round(0.025 * rate))
        fft = 1 << (window - 1).bit_length()
        inputs = keras.Input(shape=(self.spec.samples,), dtype="float32", name="waveform")
        gain = hp.Float("gain", 0.0, 0.4, step=0.2, default=0.2)
        x = RandomGain(gain)(inputs) if gain else inputs
        x = layers.MelSpectrogram(fft_length=fft, sequence_stride=int(round(0.010 * rate)), sequence_length=window,
                                  sampling_rate=rate, num_mel_bins=MEL_BINS, min_freq=20.0,
                                  max_freq=rate / 2.0)(x)
        mask = hp.Float("mask", 0.0, 0.2, step=0.1, default=0.1)
        if mask:
            x = SpecAugment(mask, mask)(x)
        x = layers.Reshape((MEL_BINS, -1, 1))(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)  # puts the decibels on a learnable common scale
        hp.Choice("family", ["cnn2d"], default="cnn2d")
        blocks = hp.Int("blocks", 2, 4, default=3)
        width = hp.Choice("width", [16, 32, 48], default=self.default_width())
        pooling = hp.Choice("pooling", ["max", "average"], default="max")
        for b in range(blocks):
            for _ in range(2):
                x = layers.Conv2D(width * min(2 ** b, 4), 3, padding="same", use_bias=False)(x)
                x = layers.Activation("relu")(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
            x = layers.MaxPooling2D()(x) if pooling == "max" else layers.AveragePooling2D()(x)
        x = layers.GlobalAveragePooling2D()(x)
        inputs, x = with_columns(inputs, x, self.side, "waveform")
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.3)
        if dropout:
            x = layers.Dropout(dropout)(x)
        return compile_network(hp, inputs, x, self.task, self.n_classes, rates=(3e-4, 1e-2, 2e-3), sgd=True)


class AudioNetworkRoute(media_network.MediaNetworkRoute):
    kind = "audio"
    input_name = "waveform"

    def batch_size(self, spec: AudioSpec, gpu: bool, n_rows: int) -> int:
        """Clips per step: 32 on small data or long clips, 64 otherwise (twice that on a GPU)."""
        base = 32 if n_rows < 4000 or spec.seconds > 5 else 64
        return base * 2 if gpu else base

    def hypermodel(self, ctx: SearchContext, data: media_network.MediaData) -> AudioHyperModel:
        data.notes.append(f"Input {data.spec.seconds:g}s at {data.spec.sample_rate} Hz, turned into a "
                          f"{MEL_BINS}-band log-mel spectrogram inside the model (25 ms windows, 10 ms hop).")
        hypermodel = AudioHyperModel(data.spec, ctx.task, ctx.n_classes, ctx.hardware.network_gpu, data.side_width)
        data.notes.append(hypermodel.width_note())
        return hypermodel
