"""Classical features of images for gradient boosting: a thumbnail, oriented gradients, colour histograms.

Example:
    >>> import numpy as np
    >>> features(np.zeros((2, 8, 8, 1), dtype="uint8")).shape
    (2, 210)
"""

from __future__ import annotations

from typing import Any

from .decode import ImageSpec

HOG_CELLS, HOG_BINS, COLOUR_BINS, PIXEL_GRID = 4, 9, 8, 8
DESCRIPTION = ("an 8x8 thumbnail per channel, a histogram of oriented gradients (4x4 cells, 9 orientations), colour "
               "histograms (8 bins per channel) and brightness mean/spread")


def features(images: Any) -> Any:
    """Classical features per image: an 8x8 thumbnail, a histogram of oriented gradients, colour histograms.

    ``images`` is ``(n, size, size, channels)`` uint8; the result is float32,
    one row per image, the same columns for every image of one size.
    """
    import numpy as np

    x = images.astype("float32") / 255.0
    grey = x.mean(axis=3)
    parts = [_thumbnail(x), _hog(grey)]
    if images.shape[3] == 3:
        parts.append(_colour_histograms(images))
    parts.append(np.stack([grey.mean(axis=(1, 2)), grey.std(axis=(1, 2))], axis=1))
    return np.concatenate(parts, axis=1).astype("float32")


def feature_names(spec: ImageSpec) -> list[str]:
    """Column names of ``features`` for images of this spec, in its order.

    >>> names = feature_names(ImageSpec(32, 3))
    >>> names[0], names[192], names[336], names[-1]
    ('thumbnail row 1 col 1 red', 'gradients cell row 1 col 1 at 0-20 deg', 'red share 0-31', 'brightness spread')
    """
    channels = ["grey"] if spec.channels == 1 else ["red", "green", "blue"]
    grid, cells, width = min(PIXEL_GRID, spec.size), min(HOG_CELLS, spec.size), 180 // HOG_BINS
    names = [f"thumbnail row {i + 1} col {j + 1} {c}" for i in range(grid) for j in range(grid) for c in channels]
    names += [f"gradients cell row {i + 1} col {j + 1} at {b * width}-{(b + 1) * width} deg"
              for i in range(cells) for j in range(cells) for b in range(HOG_BINS)]
    if spec.channels == 3:
        step = 256 // COLOUR_BINS
        names += [f"{c} share {b * step}-{(b + 1) * step - 1}" for c in channels for b in range(COLOUR_BINS)]
    return names + ["brightness mean", "brightness spread"]


def _thumbnail(x: Any) -> Any:
    """Mean-pool to at most PIXEL_GRID x PIXEL_GRID per channel."""
    n, size, _, c = x.shape
    grid = min(PIXEL_GRID, size)
    step = size // grid
    cropped = x[:, : grid * step, : grid * step, :]
    return cropped.reshape(n, grid, step, grid, step, c).mean(axis=(2, 4)).reshape(n, -1)


def _hog(grey: Any) -> Any:
    """Histogram of oriented gradients: HOG_CELLS x HOG_CELLS cells, HOG_BINS unsigned orientations, L2-normed."""
    import numpy as np

    n, size, _ = grey.shape
    gy, gx = np.gradient(grey, axis=(1, 2))
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    bins = np.minimum((angle / np.pi * HOG_BINS).astype(int), HOG_BINS - 1)
    cells = min(HOG_CELLS, size)
    step = size // cells
    cell_index = (np.arange(cells * step) // step)
    rows = cell_index[:, None] * cells + cell_index[None, :]  # cell number of each pixel
    flat_key = (rows[None, :, :] * HOG_BINS + bins[:, : cells * step, : cells * step])
    width = cells * cells * HOG_BINS
    offsets = (np.arange(n) * width)[:, None, None]
    out = np.bincount((flat_key + offsets).ravel(), weights=magnitude[:, : cells * step, : cells * step].ravel(),
                      minlength=n * width).reshape(n, cells * cells, HOG_BINS)
    out /= np.sqrt((out ** 2).sum(axis=2, keepdims=True)) + 1e-6
    return out.reshape(n, -1)


def _colour_histograms(images: Any) -> Any:
    import numpy as np

    n = images.shape[0]
    binned = (images.reshape(n, -1, 3) // (256 // COLOUR_BINS)).astype("int64")
    out = np.zeros((n, 3, COLOUR_BINS), dtype="float32")
    for c in range(3):
        for b in range(COLOUR_BINS):
            out[:, c, b] = (binned[:, :, c] == b).mean(axis=1)
    return out.reshape(n, -1)
