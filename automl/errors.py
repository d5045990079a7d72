"""The three kinds of failure, kept apart.

* ``UserInputError`` and its children: the user's data or arguments are wrong.
  The message names the argument, what was received and how to fix it. The CLI
  prints it on one line and exits with code 2.
* A trial that fails raises nothing past its route: it is recorded in
  ``trials.jsonl`` with status ``failed`` and the search goes on.
* ``FatalError``: something that stops the whole run (not the user's fault).

Example:
    >>> try:
    ...     raise BudgetError(invalid("budget", "a duration such as 90s or 10m", "-5"))
    ... except UserInputError as e:
    ...     print(e)
    `budget` must be a duration such as 90s or 10m. Received: budget='-5'
"""

from __future__ import annotations


class AutoMLError(Exception):
    """Base class of every error this package raises on purpose."""


class UserInputError(AutoMLError, ValueError):
    """The user's data or arguments cannot be used as given."""


class DataError(UserInputError):
    """The data file or table is unreadable, empty or malformed."""


class TargetError(DataError):
    """The target column is missing, empty or unusable for the task."""


class BudgetError(UserInputError):
    """The time budget cannot be parsed or is too small."""


class ConfigError(UserInputError):
    """An argument other than the data has a value we cannot use."""


class NotFittedError(AutoMLError, AttributeError, ValueError):
    """A method that needs a fitted estimator was called before ``fit``."""


class FatalError(AutoMLError):
    """An error that ends the run."""


def invalid(argument: str, expected: str, received: object, fix: str = "") -> str:
    """One template for argument errors: what, what was expected, what came, fix.

    >>> invalid("task", "one of auto, binary, multiclass, regression", "reg")
    "`task` must be one of auto, binary, multiclass, regression. Received: task='reg'"
    """
    message = f"`{argument}` must be {expected}. Received: {argument}={received!r}"
    return f"{message}. {fix}" if fix else message
