"""The route registry: which approach handles which modality, by name.

A new route or modality is one module plus one entry in ``ROUTES``. Entries
are import paths, so looking a route up imports nothing heavy until it runs.

Example:
    >>> available("tabular")
    ('gbm', 'deep')
    >>> describe("tabular", "gbm")
    'gradient boosting (XGBoost, HistGradientBoosting)'
"""

from __future__ import annotations

import importlib
from types import MappingProxyType
from typing import Any

from .errors import ConfigError, invalid

# (modality, approach) -> (module:attribute, what a person calls it)
ROUTES = MappingProxyType(
    {
        ("tabular", "gbm"): ("automl.modalities.tabular.gbm:GBMRoute", "gradient boosting (XGBoost, HistGradientBoosting)"),
        ("tabular", "deep"): ("automl.modalities.tabular.mlp:TabularMLPRoute", "a deep MLP (Keras Tuner, Hyperband)"),
        ("text", "gbm"): ("automl.modalities.text.classical:TextClassicalRoute",
                          "TF-IDF n-grams with linear models, naive Bayes and XGBoost"),
        ("text", "deep"): ("automl.modalities.text.network:TextNetworkRoute",
                           "text networks: an MLP on TF-IDF n-grams, or embeddings with pooling, convolution, "
                           "GRU or attention (Keras Tuner)"),
        ("image", "gbm"): ("automl.modalities.media.classical:ImageGBMRoute",
                           "gradient boosting on image features (thumbnail, oriented gradients, colour histograms)"),
        ("image", "deep"): ("automl.modalities.image.network:ImageNetworkRoute",
                            "convolutional networks: plain and residual CNNs with augmentation (Keras Tuner)"),
        ("audio", "gbm"): ("automl.modalities.media.classical:AudioGBMRoute",
                           "gradient boosting on MFCC statistics"),
        ("audio", "deep"): ("automl.modalities.audio.network:AudioNetworkRoute",
                            "2-D CNNs on a log-mel spectrogram with SpecAugment (Keras Tuner)"),
    }
)
APPROACHES = ("gbm", "deep")


def available(modality: str) -> tuple[str, ...]:
    return tuple(a for a in APPROACHES if (modality, a) in ROUTES)


def describe(modality: str, approach: str) -> str:
    return ROUTES[(modality, approach)][1]


def get(modality: str, approach: str) -> Any:
    """The route class for ``approach`` on ``modality`` (imported on first use)."""
    if (modality, approach) not in ROUTES:
        raise ConfigError(invalid("approach", "one of " + ", ".join(available(modality)), approach))
    module_name, _, attribute = ROUTES[(modality, approach)][0].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def load_model(modality: str, approach: str, folder: Any) -> Any:
    """Load a saved model of ``approach`` with the ``load`` function of its route's module."""
    if (modality, approach) not in ROUTES:
        raise ConfigError(invalid("approach", "one of " + ", ".join(available(modality)), approach))
    module_name = ROUTES[(modality, approach)][0].partition(":")[0]
    return importlib.import_module(module_name).load(folder)
