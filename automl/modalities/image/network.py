"""Deep search for images: Keras Tuner Hyperband over plain and residual CNNs, with tunable augmentation.

Images arrive as uint8 arrays (decoded once by ``image.decode``); scaling and
augmentation (flip, rotation, zoom, translation, contrast) are Keras layers
inside the model, active only in training, so the saved model takes raw
pixels on every backend. Where ImageNet weights of a ``keras.applications``
backbone are already on disk (``image.pretrained``), a frozen copy of it with
a new head is a third family; nothing is downloaded. When the decoded images do not fit in memory, the
training rows are streamed from disk by a ``keras.utils.PyDataset``.

How the budget is spent (probe, one Hyperband bracket or the default network,
then continued training) is shared with audio: ``modalities.media.network``.

Example:
    >>> ImageNetworkRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

from ...search.base import SearchContext
from ...search.networks import compile_network, with_columns
from ...search.tuner import keras, keras_tuner
from ..media import network as media_network
from . import pretrained
from .decode import ImageSpec

BN_MOMENTUM = 0.9  # Keras' 0.99 leaves the moving statistics unsettled after the few hundred steps of a short search


class ImageHyperModel(keras_tuner.HyperModel):
    """Plain CNN or residual network over ``spec``-shaped uint8 images, augmentation tuned too."""

    family = "cnn"
    # Hyperband brackets whose first round trains every trial at least 2 epochs (max_epochs 4, 6, 12 or 18; not 9
    # or 27): on cifar10_test a 9-epoch bracket dropped the default CNN on its first epoch (.29 validation, behind
    # a residual network's .395), and the residual network it kept ended at .5875 where the default trained
    # alone reached .6331 (docs/benchmarks.md).
    min_first_round_epochs = 2
    # The network trained on to its end (a search's winner, or the default trained alone when the budget is too
    # short for a bracket) trains to the deadline, its learning rate falling linearly with the time left, instead
    # of cut on plateaus: on cifar10_test the plateau cuts left the default at .6331 validation after 24 epochs, a
    # network of the same configuration under a linearly falling rate reached .7038 in 25; a 9-epoch bracket's
    # winner trained on reached .6150 where plateau cuts had stopped it at .5875 (docs/benchmarks.md).
    decay_to_deadline = True

    def __init__(self, spec: ImageSpec, task: str, n_classes: int, flip: bool, gpu: bool = False,
                 backbones: list[pretrained.Backbone] | None = None, side: int = 0):
        super().__init__(name="image")
        self.spec = spec
        self.task = task
        self.n_classes = n_classes
        self.flip = flip
        self.gpu = gpu
        self.backbones = backbones or []
        self.side = side  # width of the table's other columns, read as a second input; 0: none
        self.origin_note = pretrained.describe(self.backbones)

    def max_blocks(self) -> int:
        """Down-sampling blocks until the feature map is 4 pixels (at least 1, at most 4)."""
        return int(max(1, min(4, math.log2(max(self.spec.size, 8) / 4))))

    def build(self, hp: Any) -> Any:
        layers = keras.layers
        inputs = keras.Input(shape=self.spec.shape, dtype="uint8", name="image")
        x = layers.Rescaling(1.0 / 255)(inputs)
        x = self._augment(hp, x)
        families = ["cnn", "resnet"] + (["pretrained"] if self.backbones else [])
        family = hp.Choice("family", families, default="cnn")
        if family == "pretrained":
            with hp.conditional_scope("family", ["pretrained"]):
                name = hp.Choice("backbone", [b.name for b in self.backbones])
            return self._finish(hp, inputs, self._backbone(next(b for b in self.backbones if b.name == name), x))
        blocks = hp.Int("blocks", 1, self.max_blocks(), default=self.max_blocks())
        width = hp.Choice("width", [16, 32, 64], default=32)
        if family == "cnn":
            with hp.conditional_scope("family", ["cnn"]):
                kernel = hp.Choice("kernel", [3, 5], default=3)
                norm = hp.Boolean("batch_norm", default=True)
            for b in range(blocks):
                for _ in range(2):
                    x = layers.Conv2D(width * 2 ** b, kernel, padding="same", use_bias=not norm)(x)
                    x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x) if norm else x
                    x = layers.Activation("relu")(x)
                x = layers.MaxPooling2D()(x)
        else:
            with hp.conditional_scope("family", ["resnet"]):
                depth = hp.Int("units_per_stage", 1, 2, default=1)
            x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
            x = layers.Activation("relu")(layers.BatchNormalization(momentum=BN_MOMENTUM)(x))
            for b in range(blocks):
                for u in range(depth):
                    x = _residual_unit(x, width * 2 ** b, stride=2 if (u == 0 and b > 0) else 1)
            x = layers.MaxPooling2D()(x) if blocks == 1 else x
        small = self.spec.size < 32  # a few pixels left at the end: keep where they are
        if hp.Choice("head", ["average", "flatten"], default="flatten" if small else "average") == "flatten":
            x = layers.Flatten()(x)
        else:
            x = layers.GlobalAveragePooling2D()(x)
        return self._finish(hp, inputs, x)

    def _backbone(self, backbone: pretrained.Backbone, x: Any) -> Any:
        """A frozen ImageNet backbone (weights from disk) over the augmented image; its pooled features."""
        layers = keras.layers
        side = max(self.spec.size, backbone.min_size)
        x = layers.Rescaling(255.0)(x)  # keras.applications backbones take 0-255 and normalise inside
        if self.spec.channels == 1:
            x = layers.Concatenate()([x, x, x])
        if side != self.spec.size:
            x = layers.Resizing(side, side)(x)
        net = getattr(keras.applications, backbone.constructor)(
            input_shape=(side, side, 3), include_top=False, pooling="avg",
            weights=str(pretrained.weights_folder() / backbone.file))
        net.trainable = False
        return net(x, training=False)

    def _finish(self, hp: Any, inputs: Any, x: Any) -> Any:
        inputs, x = with_columns(inputs, x, self.side, "image")
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.3)
        if dropout:
            x = keras.layers.Dropout(dropout)(x)
        return compile_network(hp, inputs, x, self.task, self.n_classes, rates=(3e-4, 1e-2, 2e-3), sgd=True)

    def _augment(self, hp: Any, x: Any) -> Any:
        layers = keras.layers
        if hp.Choice("flip", ["none", "horizontal"], default="horizontal" if self.flip else "none") != "none":
            x = layers.RandomFlip("horizontal")(x)
        rotation = hp.Float("rotation", 0.0, 0.1, step=0.05, default=0.0)
        if rotation:
            x = layers.RandomRotation(rotation)(x)
        zoom = hp.Float("zoom", 0.0, 0.2, step=0.1, default=0.0)
        if zoom:
            x = layers.RandomZoom(zoom)(x)
        shift = hp.Float("translation", 0.0, 0.2, step=0.1, default=0.1)
        if shift:
            x = layers.RandomTranslation(shift, shift)(x)
        contrast = hp.Float("contrast", 0.0, 0.2, step=0.1, default=0.0)
        if contrast:
            x = layers.RandomContrast(contrast)(x)
        return x


def _residual_unit(x: Any, filters: int, stride: int) -> Any:
    layers = keras.layers
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.Activation("relu")(layers.BatchNormalization(momentum=BN_MOMENTUM)(y))
    y = layers.BatchNormalization(momentum=BN_MOMENTUM)(layers.Conv2D(filters, 3, padding="same", use_bias=False)(y))
    if stride != 1 or shortcut.shape[-1] != filters:
        shortcut = layers.BatchNormalization(momentum=BN_MOMENTUM)(layers.Conv2D(filters, 1, strides=stride, use_bias=False)(shortcut))
    return layers.Activation("relu")(layers.Add()([y, shortcut]))


def flip_default(spec: ImageSpec) -> tuple[bool, str]:
    """Mirror images in training by default? Colour photos usually mean the same mirrored; grey glyphs do not."""
    if spec.channels == 3:
        return True, "colour images start with horizontal flips (a mirrored photo usually shows the same class)"
    return False, "grey images start without flips (mirrored digits and letters change meaning)"


class ImageNetworkRoute(media_network.MediaNetworkRoute):
    kind = "image"
    input_name = "image"

    def batch_size(self, spec: ImageSpec, gpu: bool, n_rows: int) -> int:
        """Images per step: larger for small images and on a GPU, smaller for small data (more steps per epoch)."""
        base = (128 if gpu else 64) if n_rows >= 4000 else 32
        return base if spec.size <= 64 else base // 2 if spec.size <= 128 else base // 4

    def hypermodel(self, ctx: SearchContext, data: media_network.MediaData) -> ImageHyperModel:
        flip, flip_why = flip_default(data.spec)
        data.notes.append(f"Input {data.spec.size}x{data.spec.size}x{data.spec.channels}; {flip_why}.")
        return ImageHyperModel(data.spec, ctx.task, ctx.n_classes, flip, ctx.hardware.network_gpu,
                               pretrained.available(), data.side_width)
