"""Image data: decoding and input sizes, classical features, the CNN search and pretrained backbones."""

from .modality import IMAGE  # noqa: F401
