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


DAMAGED_FIX = "Run `automl fit` again to make a new run directory."


class AutoMLError(Exception):
    """Base class of every error this package raises on purpose."""


class UserInputError(AutoMLError, ValueError):
    """The user's data or arguments cannot be used as given."""


class DataError(UserInputError):
    """The data file or table is unreadable, empty or malformed."""


class TargetError(DataError):
    """The target column is missing, empty or unusable for the task."""


class TooLargeError(DataError):
    """The data file needs more memory to read than the run may use (found before reading it whole)."""


class BudgetError(UserInputError):
    """The time budget cannot be parsed or is too small."""


class ConfigError(UserInputError):
    """An argument other than the data has a value we cannot use."""


class DamagedRunError(UserInputError):
    """A run directory whose files are missing, unreadable or not what ``automl fit`` writes there.

    ``run`` is the directory, ``what`` names the file and what is wrong with it, ``fix`` says what to do.

    >>> print(DamagedRunError("runs/x", "models/deep/model.keras is not a Keras archive", "Fit again."))
    runs/x is damaged: models/deep/model.keras is not a Keras archive. Fit again.
    """

    def __init__(self, run: object, what: str, fix: str = DAMAGED_FIX):
        self.run, self.what, self.fix = str(run), what, fix
        super().__init__(f"{run} is damaged: {what}. {fix}")

    def __reduce__(self):  # its arguments, not the message, rebuild it (pickled across processes)
        return type(self), (self.run, self.what, self.fix)


class ModelFileError(ValueError):
    """One file of a saved model is missing, unreadable, or holds something other than what its route saves.

    Raised by the routes' ``load``; ``predictor.load`` turns it into a ``DamagedRunError`` that names the file
    relative to the run directory.

    >>> print(ModelFileError("models/classical/model.json", "lacks 'family'"))
    models/classical/model.json lacks 'family'
    """

    def __init__(self, path: object, problem: str):
        self.path, self.problem = path, problem
        super().__init__(f"{path} {problem}")

    def __reduce__(self):
        return type(self), (self.path, self.problem)


def __getattr__(name: str) -> type:
    """``NotFittedError`` is made on first use: it subclasses scikit-learn's, and importing scikit-learn here would
    make ``import automl`` heavy."""
    if name != "NotFittedError":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(AutoMLError, SklearnNotFittedError):
        """A method that needs a fitted estimator was called before ``fit``.

        It is scikit-learn's ``NotFittedError`` too (so also a ``ValueError`` and an ``AttributeError``):
        ``except sklearn.exceptions.NotFittedError`` catches it.
        """

    NotFittedError.__qualname__ = "NotFittedError"  # pickled by name, as automl.errors.NotFittedError
    globals()["NotFittedError"] = NotFittedError
    return NotFittedError


class FatalError(AutoMLError):
    """An error that ends the run."""


class DiskFullError(FatalError):
    """A file could not be written for want of room on its disk (``path``: where; ``free``: bytes left then).

    Whatever was written before stays whole (every file and model folder is written aside and renamed into
    place). ``run_dir``, when set (by the run that was writing), adds how to continue that run.

    >>> print(DiskFullError("predictions.csv", 2048))
    no room left on the disk holding predictions.csv (2.0 KB free). Free some space, or write to another disk.
    >>> print(DiskFullError("runs/wine-1/models/classical", 0, run_dir="runs/wine-1"))
    no room left on the disk holding runs/wine-1/models/classical (0 B free). Free some space, or write to \
another disk (--out DIR or out='DIR'). What the run wrote is kept: `automl fit --resume runs/wine-1` or \
`AutoML().fit(resume='runs/wine-1')` continues it once there is room.
    """

    def __init__(self, path: object, free: int | None, run_dir: object = None):
        self.path, self.free, self.run_dir = str(path), free, run_dir
        super().__init__(str(path))

    def __str__(self) -> str:
        from .data.memory import size_text

        left = f" ({size_text(self.free)} free)" if self.free is not None else ""
        head = f"no room left on the disk holding {self.path}{left}. Free some space, or write to another disk"
        if self.run_dir is None:
            return head + "."
        return (f"{head} ({option('out', 'DIR')}). What the run wrote is kept: `automl fit --resume {self.run_dir}` "
                f"or `AutoML().fit(resume={str(self.run_dir)!r})` continues it once there is room.")

    def __reduce__(self):
        return type(self), (self.path, self.free, self.run_dir)


def invalid(argument: str, expected: str, received: object, fix: str = "") -> str:
    """One template for argument errors: what, what was expected, what came, fix.

    >>> invalid("task", "one of auto, binary, multiclass, regression", "reg")
    "`task` must be one of auto, binary, multiclass, regression. Received: task='reg'"
    """
    message = f"`{argument}` must be {expected}. Received: {argument}={received!r}"
    return f"{message}. {fix}" if fix else message


def option(name: str, value: object) -> str:
    """How to ask for option ``name`` set to ``value``, on the command line and in Python, for the words a run
    writes (plan reasons, warnings, the report), which both kinds of user read. ``False`` is a switch turned off.

    >>> option("drop", "score after")
    "--drop 'score after' or drop='score after'"
    >>> option("compare", False)
    '--no-compare or compare=False'
    """
    import shlex

    if value is False:
        return f"--no-{name.replace('_', '-')} or {name}=False"
    return f"--{name.replace('_', '-')} {shlex.quote(str(value))} or {name}={value!r}"


def not_a_column(argument: str, name: object, columns: list[str]) -> str:
    """One template for an argument (``weight``, ``drop``: ``--weight``, ``--drop`` on the command line) naming a
    column the data does not have: the closest name when one is close (a different case, a typo), then the
    columns.

    >>> print(not_a_column("weight", "Fare", ["survived", "fare", "age"]))
    `weight` names 'Fare', which is not a column of the data. Did you mean 'fare'? Its columns are: survived, fare, age.
    """
    import difflib

    close = difflib.get_close_matches(str(name), columns, n=1, cutoff=0.5) if isinstance(name, str) else []
    by_case = [c for c in columns if isinstance(name, str) and c.lower() == name.lower()]
    hint = f" Did you mean {(by_case or close)[0]!r}?" if by_case or close else ""
    shown = ", ".join(map(str, columns[:30])) + (" ..." if len(columns) > 30 else "")
    return f"`{argument}` names {name!r}, which is not a column of the data.{hint} Its columns are: {shown}."
