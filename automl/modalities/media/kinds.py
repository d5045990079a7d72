"""Image and audio side by side: how each turns a column of file paths into arrays and into features.

Light on purpose (no Keras): the gradient-boosting routes use it too.

Example:
    >>> media("image").unit, media("image").column_kind
    ('images', 'image_path')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class MediaKind:
    """One modality of files: its spec class, loader, classical features and what to call them."""

    name: str  # image | audio
    column_kind: str  # image_path | audio_path
    unit: str  # images | clips
    spec_class: Callable[..., Any]
    loader: Callable[..., Any]  # (paths, spec, cache=None) -> array
    featurize: Callable[[Any, Any], Any]  # (arrays, spec) -> float32 (n, k)
    features_text: str
    feature_names: Callable[[Any], list[str]]  # spec -> the k column names, in order


def media(name: str) -> MediaKind:
    """The ``MediaKind`` called ``name`` (its module is imported on first use)."""
    if name == "image":
        from ..image.decode import ImageSpec, feature_names, features as image_features, load_images

        return MediaKind("image", "image_path", "images", ImageSpec, load_images,
                         lambda arrays, spec: image_features(arrays),
                         "an 8x8 thumbnail per channel, a histogram of oriented gradients (4x4 cells, 9 "
                         "orientations), colour histograms (8 bins per channel) and brightness mean/spread",
                         feature_names)
    if name == "audio":
        from ..audio.decode import AudioSpec, feature_names, features as audio_features, load_clips

        return MediaKind("audio", "audio_path", "clips", AudioSpec, load_clips,
                         lambda arrays, spec: audio_features(arrays, spec.sample_rate),
                         "the mean and spread of 13 MFCCs and their deltas (25 ms windows, 40 mel bands), "
                         "plus loudness and zero-crossing statistics", feature_names)
    raise ValueError(f"no media kind {name!r}")
