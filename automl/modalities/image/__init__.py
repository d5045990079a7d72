"""Image data: decoding and input sizes, classical features, the CNN search and pretrained backbones.

Images (a folder of class sub-folders, or a table with a column of image paths): CNNs lead, gradient boosting
on image features compares.

Example:
    >>> IMAGE.name, IMAGE.column_kind
    ('image', 'image_path')
"""

from __future__ import annotations

from typing import Any

from ..media import MediaModality
from . import decode, features


class ImageModality(MediaModality):
    name = "image"
    column_kind = "image_path"
    priority = 10
    unit = "images"
    suffixes = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
    spec_class = decode.ImageSpec
    stats_class = decode.ImageStats
    probe = staticmethod(decode.probe)
    choose_spec = staticmethod(decode.choose_spec)
    decode_file = staticmethod(decode.decode)
    featurize = staticmethod(lambda arrays, spec: features.features(arrays))
    feature_names = staticmethod(features.feature_names)
    features_text = features.DESCRIPTION

    def summary(self, stats: Any) -> str:
        modes = ", ".join(f"{mode} {count:,}" for mode, count in sorted(stats.modes.items()))
        return (f"{stats.count:,} images, median {stats.median_width:.0f}x{stats.median_height:.0f} pixels "
                f"(sides {stats.min_side}-{stats.max_side}); colour modes: {modes}.")


IMAGE = ImageModality()
