"""Images as numpy arrays: probe headers, choose one input size, decode with PIL, classical features.

Everything here is numpy and PIL, so the arrays feed any Keras backend and
gradient boosting alike. Decoding shrinks large JPEGs while reading
(``Image.draft``), so a 6000x4000 photo is never held at full size.

Example:
    >>> import numpy as np
    >>> spec = ImageSpec(size=8, channels=1)
    >>> features(np.zeros((2, 8, 8, 1), dtype="uint8")).shape[0]
    2
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from ...budget import format_seconds

GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
MIN_SIZE = 8
BAD_SHARE_LIMIT = 0.10  # more unreadable images than this stops the run
CACHE_SHARE = 0.25  # decoded images are kept in memory when they take less than this share of RAM
HOG_CELLS, HOG_BINS, COLOUR_BINS, PIXEL_GRID = 4, 9, 8, 8


@dataclass(frozen=True)
class ImageSpec:
    """How every image is turned into an array: ``size`` x ``size`` pixels, 1 (grey) or 3 (RGB) channels."""

    size: int
    channels: int

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

    with ThreadPoolExecutor(workers) as pool:
        found = list(pool.map(_header, paths))
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


def decode_many(paths: Sequence[str], spec: ImageSpec, workers: int = 4) -> tuple[Any, list[tuple[int, str]]]:
    """Decode ``paths`` into one ``(n, size, size, channels)`` array; bad files are zero-filled and listed."""
    import numpy as np

    out = np.zeros((len(paths), *spec.shape), dtype="uint8")
    bad: list[tuple[int, str]] = []

    def one(i: int) -> None:
        try:
            out[i] = decode(paths[i], spec)  # PIL raises OSError on a truncated file
        except Exception as exc:  # noqa: BLE001 - every decoding failure means "skip this file"
            bad.append((i, f"{type(exc).__name__}: {str(exc)[:120]}"))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(len(paths))))
    return out, sorted(bad)


def cache_fits(n_images: int, spec: ImageSpec, memory_bytes: int) -> bool:
    """Whether all decoded images fit comfortably in memory (else they are streamed from disk)."""
    return n_images * spec.size * spec.size * spec.channels <= CACHE_SHARE * memory_bytes


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


@dataclass
class ImageCache:
    """Decoded images of one run, by absolute path, so both approaches decode each file once."""

    spec: ImageSpec
    index: dict[str, int]
    array: Any

    def lookup(self, paths: Sequence[str], spec: ImageSpec) -> Any | None:
        if spec != self.spec or any(p not in self.index for p in paths):
            return None
        return self.array[[self.index[p] for p in paths]]


@dataclass
class DecodedColumn:
    """The result of decoding a run's image column once, before the split."""

    good: Any  # boolean mask over the rows
    bad: list[dict[str, str]]  # {"path", "error"} per skipped file
    cache: ImageCache | None  # None when the images do not fit in memory (they are streamed)


def decode_column(paths: Sequence[str], spec: ImageSpec, memory_bytes: int) -> DecodedColumn:
    """Decode every image once: unreadable or truncated files are skipped and listed (an error past 10 %)."""
    import numpy as np

    from ...errors import DataError

    keep = cache_fits(len(paths), spec, memory_bytes)
    array, bad = decode_many(paths, spec) if keep else _verify_only(paths, spec)
    good = np.ones(len(paths), dtype=bool)
    good[[i for i, _ in bad]] = False
    share = len(bad) / max(len(paths), 1)
    if share > BAD_SHARE_LIMIT:
        shown = ", ".join(repr(paths[i]) for i, _ in bad[:3])
        raise DataError(f"{len(bad):,} of {len(paths):,} images ({share:.0%}) cannot be decoded, more than the "
                        f"{BAD_SHARE_LIMIT:.0%} allowed; for example {shown}. Fix or remove them.")
    listed = [{"path": paths[i], "error": why} for i, why in bad]
    if not keep:
        return DecodedColumn(good, listed, None)
    index = {p: i for i, p in enumerate(paths) if good[i]}
    return DecodedColumn(good, listed, ImageCache(spec, index, array))


def _verify_only(paths: Sequence[str], spec: ImageSpec) -> tuple[Any, list[tuple[int, str]]]:
    """Decode in chunks, keeping nothing: for image sets too large to hold in memory."""
    bad: list[tuple[int, str]] = []
    for start in range(0, len(paths), 512):
        _, found = decode_many(paths[start:start + 512], spec)
        bad += [(start + i, why) for i, why in found]
    return None, bad


def load_images(paths: Sequence[str], spec: ImageSpec, cache: ImageCache | None = None) -> Any:
    """``(n, size, size, channels)`` uint8 for ``paths``: from the run's cache, else decoded (bad files named)."""
    from ...errors import DataError

    if cache is not None:
        found = cache.lookup(paths, spec)
        if found is not None:
            return found
    array, bad = decode_many(paths, spec)
    if bad:
        shown = ", ".join(f"{paths[i]!r} ({why})" for i, why in bad[:3])
        raise DataError(f"{len(bad)} image(s) cannot be decoded: {shown}. Remove or replace them.")
    return array
