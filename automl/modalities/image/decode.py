"""Images as numpy arrays: probe headers, choose one input size, decode one file with PIL.

Everything here is numpy and PIL, so the arrays feed any Keras backend and
gradient boosting alike. Decoding shrinks large JPEGs while reading
(``Image.draft``), so a 6000x4000 photo is never held at full size. Decoding
a whole column (threads, cache, failures) is ``modalities.media.decoding``.

Example:
    >>> ImageSpec(size=8, channels=1).shape
    (8, 8, 1)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from ...budget import format_seconds
from ..media.decoding import read_headers

GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
MIN_SIZE = 8


@dataclass(frozen=True)
class ImageSpec:
    """How every image is turned into an array: ``size`` x ``size`` pixels, 1 (grey) or 3 (RGB) channels."""

    size: int
    channels: int
    dtype = "uint8"

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.size, self.size, self.channels)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class ImageStats:
    """What the image headers say: counts, sizes, colour modes, and files PIL cannot open."""

    count: int
    readable: int
    median_width: float
    median_height: float
    min_side: int
    max_side: int
    modes: dict[str, int]
    unreadable: list[str] = field(default_factory=list)

    @property
    def grey(self) -> bool:
        return bool(self.modes) and all(m in GREY_MODES for m in self.modes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe(paths: Sequence[str], workers: int = 4) -> ImageStats:
    """Read only the headers (size and colour mode) of every image."""
    import numpy as np

    found = read_headers(paths, _header, workers)
    sizes = [f for f in found if f is not None]
    unreadable = [str(p) for p, f in zip(paths, found) if f is None]
    widths = np.array([s[0] for s in sizes] or [0])
    heights = np.array([s[1] for s in sizes] or [0])
    return ImageStats(
        count=len(paths), readable=len(sizes), median_width=float(np.median(widths)),
        median_height=float(np.median(heights)), min_side=int(min(widths.min(), heights.min())),
        max_side=int(max(widths.max(), heights.max())), modes=dict(Counter(s[2] for s in sizes)),
        unreadable=unreadable,
    )


def _header(path: str) -> tuple[int, int, str] | None:
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size[0], image.size[1], image.mode
    except Exception:  # PIL raises many types for a file that is not an image
        return None


def choose_spec(stats: ImageStats, budget_seconds: float, gpu: bool) -> tuple[ImageSpec, str]:
    """The input size and channels, from the size distribution capped by budget and hardware, with the reason."""
    channels = 1 if stats.grey else 3
    median_side = int(min(stats.median_width, stats.median_height))
    cap = _size_cap(budget_seconds, gpu)
    size = max(MIN_SIZE, min(median_side, cap))
    if size > 16:
        size -= size % 8
    colour = "grey (every image is greyscale)" if channels == 1 else "RGB"
    why = f"the median image is {stats.median_width:.0f}x{stats.median_height:.0f}"
    if median_side > cap:
        device = "GPU" if gpu else "CPU"
        why += (f"; a {format_seconds(budget_seconds)} budget on the {device} allows inputs up to {cap}x{cap} "
                "with enough epochs left to learn")
    elif median_side < MIN_SIZE:
        why += f"; smaller images are enlarged to {MIN_SIZE}x{MIN_SIZE}"
    return ImageSpec(size, channels), f"Images are resized to {size}x{size} {colour}: {why}."


def _size_cap(budget_seconds: float, gpu: bool) -> int:
    if gpu:
        return 128 if budget_seconds < 600 else 224
    if budget_seconds < 300:
        return 32
    return 64 if budget_seconds < 1800 else 96


def decode(path: str, spec: ImageSpec) -> Any:
    """One image as a ``spec.shape`` uint8 array (first frame of a GIF; alpha dropped onto white)."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        image.draft("L" if spec.channels == 1 else "RGB", (spec.size, spec.size))  # JPEG: decode at reduced scale
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            image = image.convert("RGBA")
            backdrop = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(backdrop, image)
        image = image.convert("L" if spec.channels == 1 else "RGB")
        if image.size != (spec.size, spec.size):
            image = image.resize((spec.size, spec.size), Image.Resampling.BILINEAR, reducing_gap=2.0)
        array = np.asarray(image, dtype="uint8")
    return array.reshape(spec.shape)
