"""Pretrained image backbones whose ImageNet weights are already on disk. Nothing is ever downloaded.

``keras.applications`` keeps downloaded weights in ``$KERAS_HOME/models``
(``~/.keras/models`` by default). When a backbone's no-top weights file is
there, the image search adds a frozen copy of it, with a new head, to its
candidates; when none is, networks train from scratch and the report says so.

Example:
    >>> [b.name for b in available(Path("/nonexistent"))]
    []
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Backbone:
    name: str  # as in the search space and the report
    constructor: str  # the keras.applications function
    file: str  # the no-top ImageNet weights file keras.applications caches
    min_size: int  # smallest input side the network accepts (inputs are enlarged to it)


BACKBONES = (
    Backbone("mobilenet_v3_small", "MobileNetV3Small", "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5", 32),
    Backbone("efficientnet_b0", "EfficientNetB0", "efficientnetb0_notop.h5", 32),
)


def weights_folder() -> Path:
    """Where keras.applications caches weights: ``$KERAS_HOME/models``, else ``~/.keras/models``."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def available(folder: Path | None = None) -> list[Backbone]:
    """The backbones whose weights file is in ``folder`` (default: ``weights_folder()``), in preference order."""
    folder = weights_folder() if folder is None else folder
    return [b for b in BACKBONES if (folder / b.file).is_file()]


def describe(found: list[Backbone], folder: Path | None = None) -> str:
    """One sentence for the report: which pretrained backbones were candidates, or why none was."""
    folder = weights_folder() if folder is None else folder
    if not found:
        names = ", ".join(b.constructor for b in BACKBONES)
        return (f"Trained from scratch: no pretrained weights ({names}) were found in {folder}, and nothing is "
                "downloaded at run time.")
    return (f"Pretrained candidates: {', '.join(b.constructor for b in found)} with ImageNet weights from {folder} "
            "(frozen, with a new head), beside networks trained from scratch.")
