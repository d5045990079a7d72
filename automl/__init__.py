"""automl: gradient boosting and deep learning, trained and compared on your data.

Importing the package is instant; ``AutoML``, ``AutoMLClassifier``,
``AutoMLRegressor`` and ``load`` pull in their dependencies on first use.

Example:
    >>> import automl
    >>> sorted(automl.__all__)
    ['AutoML', 'AutoMLClassifier', 'AutoMLRegressor', 'load']
    >>> {"AutoML", "load", "DataError"} <= set(dir(automl))  # what tab completion offers, loaded or not
    True
"""

from __future__ import annotations

from typing import Any

# The error types are importable from here (``except automl.DataError``) and cost nothing to load.
from .errors import (  # noqa: F401
    AutoMLError,
    BudgetError,
    ConfigError,
    DataError,
    DiskFullError,
    TargetError,
    TooLargeError,
    UserInputError,
)

__version__ = "0.5.1"
__all__ = ["AutoML", "AutoMLClassifier", "AutoMLRegressor", "load"]


def __getattr__(name: str) -> Any:
    if name == "AutoML":
        from .api import AutoML

        return AutoML
    if name in ("AutoMLClassifier", "AutoMLRegressor"):
        from . import estimators

        return getattr(estimators, name)
    if name == "load":
        from .predictor import load

        return load
    raise AttributeError(f"module 'automl' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, the lazily loaded ones included (a module's own ``dir`` would miss them until first use
    and list ``Any`` instead)."""
    errors = [name for name, value in globals().items() if isinstance(value, type) and issubclass(value, Exception)]
    return sorted([*__all__, *errors, "__version__"])
