"""Tabular data: column detectors, the encoder, gradient boosting (``gbm``) and the MLP (``mlp``)."""

from .modality import TABULAR  # noqa: F401
