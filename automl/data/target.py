"""The target: which column it is, what task it makes, and its values as the models see them. Pure.

Example:
    >>> choose_target(["age", "Label", "x"], None)[0]
    'Label'
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"survived": [0, 1] * 10, "fare": range(20), "class": ["a", "b"] * 10})
    >>> target_candidates(frame, "class")
    [('survived', 'named like a target, 2 distinct values')]
    >>> label_text([1.0, "a", 2.5])
    ['1', 'a', '2.5']
"""

from __future__ import annotations

import difflib
from typing import Any

from ..errors import TargetError, option

TASKS = ("auto", "binary", "multiclass", "regression")
TARGET_NAMES = ("target", "label", "class", "y")
OUTCOME_NAMES = ("outcome", "survived", "churn", "diagnosis", "response")  # an outcome's names, after TARGET_NAMES
OUTCOME_WORDS = TARGET_NAMES + OUTCOME_NAMES  # words of a target's name
RELABEL_ROWS = 20_000  # the rows that tell whether another column relabels a target-named one
FEW_VALUES = 20  # a first or last column with at most this many distinct values could be a label
MAX_CANDIDATES = 5
MAX_CLASSES_FOR_INTEGERS = 30


def choose_target(columns: list[str], requested: str | None, frame: Any = None,
                  data_name: str = "") -> tuple[str, str, str]:
    """The target column, why it was chosen, and how in a few words (``given``, ``by its name``, ``by the
    data's name``, ``as the last column``).

    Without ``requested``, the evidence in order: a column named like a target (``target``, ``label``, ``class``,
    ``y``, then an outcome's name such as ``survived`` or ``churn``), passing over one that another column of
    ``frame`` relabels one to one where another such name is left (titanic's ``class`` is ``pclass`` in words:
    a description of the passengers, not their outcome); a column named as the data (``data_name``, the file's
    name: ``tips.csv``'s ``tip``, ``mpg.csv``'s ``mpg``); else the last column. ``x``, ``y`` and ``z`` together
    are a point's coordinates (diamonds' sizes), neither named like a target nor the last column.

    >>> choose_target(["carat", "price", "x", "y", "z"], None)[0], choose_target(["x", "y"], None)[0]
    ('price', 'y')
    >>> choose_target(["total_bill", "tip", "size"], None, data_name="tips")[:3:2]
    ('tip', "by the data's name")
    """
    if requested is not None:
        if requested in columns:
            return requested, f"{requested!r} was given as the target.", "given"
        close = difflib.get_close_matches(requested, columns, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        shown = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
        raise TargetError(f"target column {requested!r} not found.{hint} Columns: {shown}")
    by_lower = {str(c).lower(): c for c in columns}
    point = {"x", "y", "z"} <= set(by_lower)
    named = [(by_lower[n], n) for n in TARGET_NAMES + OUTCOME_NAMES if n in by_lower and not (point and n == "y")]
    if named:
        described = {column: _relabelled_by(frame, column, columns) for column, _ in named}
        column, word = next(((c, w) for c, w in named if not described[c]), named[0])
        passed = [f"{c!r} is named like one too, but {described[c]!r} relabels it one to one (a description of "
                  "that column, not an outcome)" for c, _ in named[:named.index((column, word))]]
        return column, (f"{column!r} is named like a target ({word}){'; ' if passed else ''}{'; '.join(passed)}; "
                        f"choose another with {option('target', 'NAME')}."), "by its name"
    own = [by_lower[n] for n in (data_name.lower(), data_name.lower().removesuffix("s")) if n and n in by_lower
           and not _names_rows(frame, by_lower[n])]
    if own:
        return own[0], (f"{own[0]!r} is named as the data ({data_name}), and no column is named "
                        f"target/label/class/y; choose another with {option('target', 'NAME')}."), "by the data's name"
    last = next((c for c in reversed(columns) if not (point and str(c).lower() in ("x", "y", "z"))),
                columns[-1])
    beside = ", other than the coordinates x, y, z" if last != columns[-1] else ""
    return last, (f"{last!r} is the last column{beside} (no column is named target/label/class/y); choose "
                  f"another with {option('target', 'NAME')}."), "as the last column"


def _names_rows(frame: Any, column: str) -> bool:
    """Whether ``column`` of ``frame`` is text with a value for nearly every row (``customers.csv``'s
    ``customer``: an identifier, not an outcome); False without ``frame``.

    >>> import pandas as pd
    >>> _names_rows(pd.DataFrame({"customer": ["a", "b", "c", "d"]}), "customer"), _names_rows(None, "x")
    (True, False)
    """
    if frame is None:
        return False
    import pandas as pd

    values = frame[column].iloc[:RELABEL_ROWS].dropna()
    return not pd.api.types.is_numeric_dtype(values) and values.nunique() > 0.5 * max(len(values), 1)


def _relabelled_by(frame: Any, column: str, columns: list[str]) -> str:
    """The first other column of ``columns`` whose values go one to one with ``column``'s in ``frame`` (each
    value with one of the other's and back, on rows where values repeat), or "" (also without ``frame``).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pclass": [1, 2, 3] * 10, "class": ["First", "Second", "Third"] * 10})
    >>> _relabelled_by(frame, "class", ["pclass", "class"]), _relabelled_by(None, "class", ["class"])
    ('pclass', '')
    """
    if frame is None:
        return ""
    import pandas as pd

    from .leaks import _relabelling  # the leak check's own test, with this column as the target

    own = frame[column].iloc[:RELABEL_ROWS].dropna()
    n = int(own.nunique())
    if not 2 <= n <= FEW_VALUES:
        return ""
    codes = pd.Series(pd.factorize(own)[0])
    others = [c for c in columns if c != column]
    early = frame.loc[own.index[:100], others].nunique()  # more than n values in a few rows: no relabelling
    others = [c for c, k in zip(others, early) if k <= n]  # (on 4,000 columns of numbers, 2.3 s saved)
    rows = frame.loc[own.index, others]
    counts = rows.nunique()
    for i, other in enumerate(others):
        if int(counts.iloc[i]) == n and _relabelling(rows.iloc[:, i].reset_index(drop=True), codes, other, column):
            return str(other)
    return ""


def target_candidates(frame: Any, chosen: str, columns: list[str] | None = None) -> list[tuple[str, str]]:
    """Other columns of ``frame`` that look like a target, each with why: a name with a target word in it
    (``target``, ``label``, ``class``, ``outcome``, ``survived``, ...), or the first or last column (where
    tables keep their label) holding few distinct values. ``columns``: those that may be chosen (all, by default).
    """
    import re

    columns = [c for c in (list(frame.columns) if columns is None else columns) if c != chosen]
    if not columns:
        return []
    ends = {columns[0]: "the first column", columns[-1]: "the last column"}
    if list(frame.columns)[0] == chosen:
        ends.pop(columns[0], None)
    if list(frame.columns)[-1] == chosen:
        ends.pop(columns[-1], None)
    found = []
    for name in columns:
        words = set(re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name)).lower()))
        named = bool(words & set(OUTCOME_WORDS))
        if not named and name not in ends:  # its values are not counted: on a wide table that is most columns
            continue
        n_unique = int(frame[name].nunique())
        values = f"{n_unique} distinct values"
        if named and n_unique >= 2:
            found.append((name, f"named like a target, {values}"))
        elif name in ends and 2 <= n_unique <= FEW_VALUES:
            found.append((name, f"{ends[name]}, {values}"))
    return found[:MAX_CANDIDATES]


def candidates_warning(chosen: str, reason: str, candidates: list[tuple[str, str]]) -> str | None:
    """The warning that the target was guessed, naming the other candidates; None when there are none.

    >>> candidates_warning("class", "by its name", [("survived", "the first column, 2 distinct values")])
    "the target 'class' was chosen by its name, not given: other columns could be the target: 'survived' (the \
first column, 2 distinct values). Choose with --target NAME or target='NAME'."
    """
    if not candidates:
        return None
    shown = ", ".join(f"{name!r} ({why})" for name, why in candidates)
    return (f"the target {chosen!r} was chosen {reason}, not given: other columns could be the target: {shown}. "
            f"Choose with {option('target', 'NAME')}.")


def infer_task(y: Any, requested: str, name: str, files: str | None = None) -> tuple[str, str]:
    """binary / multiclass / regression from the target's values (missing already removed).

    ``files`` ("image", "audio") says the table's inputs are such files: there,
    whole-number labels are class ids however few rows each class has.
    """
    import pandas as pd

    n_unique = int(y.nunique())
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if requested != "auto":
        if requested == "regression" and not numeric:
            raise TargetError(
                f"task='regression' needs a numeric target, but {name!r} holds text such as "
                f"{str(y.iloc[0])!r}. Use task='auto' or a numeric column."
            )
        if requested == "binary" and n_unique != 2:
            raise TargetError(f"task='binary' needs 2 classes, but {name!r} has {n_unique}. Use task='auto'.")
        if requested != "regression" and n_unique < 2:
            raise TargetError(_one_class(name, y))
        return requested, f"The task {requested!r} was given."
    if n_unique < 2:
        raise TargetError(_one_class(name, y))
    if n_unique == 2:
        values = ", ".join(repr(_label(v)) for v in sorted(y.unique(), key=str))
        return "binary", f"target {name!r} has two distinct values ({values}), so this is binary classification."
    if not numeric:
        return "multiclass", f"target {name!r} holds {n_unique} distinct labels, so this is multiclass classification."
    whole = bool(((y % 1) == 0).all())
    if whole and n_unique <= MAX_CLASSES_FOR_INTEGERS and files:
        return "multiclass", (
            f"target {name!r} holds {n_unique} distinct whole numbers next to {files} files, so they are read as "
            f"class ids (multiclass); pass {option('task', 'regression')} to predict them as numbers."
        )
    if whole and n_unique <= MAX_CLASSES_FOR_INTEGERS and n_unique <= max(3, len(y) // 10):
        return "multiclass", (
            f"target {name!r} holds {n_unique} distinct whole numbers, so they are treated as classes "
            f"(multiclass); pass {option('task', 'regression')} to predict them as numbers."
        )
    kind = "whole numbers" if whole else "real numbers"
    return "regression", f"target {name!r} holds {n_unique} distinct {kind}, so this is regression."


def clean_target(y: Any) -> tuple[Any, int]:
    """The target with blanks and infinities made missing, and how many rows are missing."""
    import numpy as np
    import pandas as pd

    y = y.copy()
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        y = y.astype(float).replace([np.inf, -np.inf], np.nan)
    elif not pd.api.types.is_bool_dtype(y):
        y = y.where(y.astype(str).str.strip() != "", np.nan)
    return y, int(y.isna().sum())


def amounts(y: Any) -> tuple[Any, str] | None:
    """``y`` (missing values left out) as numbers, and a phrase saying how, when it is text whose every value is a
    number and some are written for people (``$166,005``, ``12.5%``: ``number_text``); None otherwise. Such a
    target is a regression's when its numbers make one (``infer_task``), and keeps its text as class names when
    they make classes.

    >>> import pandas as pd
    >>> numbers, how = amounts(pd.Series(["$1,200", "$950", "$3,000"]))
    >>> numbers.tolist(), how
    ([1200.0, 950.0, 3000.0], "written as amounts ('$1,200' is read as 1200)")
    >>> amounts(pd.Series(["1", "2"])), amounts(pd.Series(["$1", "two"]))
    (None, None)
    """
    import pandas as pd

    from .number_text import to_number

    if pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return None
    numbers = to_number(y)
    if numbers.isna().any():
        return None
    read = pd.to_numeric(y, errors="coerce").isna()
    if not read.any():
        return None
    return numbers, f"written as amounts ({str(y[read].iloc[0]).strip()!r} is read as {numbers[read].iloc[0]:g})"


def spelling_variants(labels: Any) -> list[list[str]]:
    """Groups of class labels that differ only in case or surrounding spaces (``'yes'``, ``'Yes '``): most
    likely one class written several ways, which a model would learn as several.

    >>> spelling_variants(["yes", "no", "Yes ", "No", "maybe"])
    [['No', 'no'], ['Yes ', 'yes']]
    """
    groups: dict[str, list[str]] = {}
    for label in sorted({str(v) for v in labels}):
        groups.setdefault(label.strip().casefold(), []).append(label)
    return [group for _, group in sorted(groups.items()) if len(group) > 1]


def variants_note(name: str, groups: list[list[str]]) -> str:
    """The warning for ``spelling_variants``' groups of target ``name``."""
    shown = "; ".join(", ".join(repr(label) for label in group) for group in groups[:5])
    return (f"target {name!r} has labels that differ only in case or spaces ({shown}): each is a class of its own "
            "to the model. If they mean the same, write each one way in the file.")


def label_text(values: Any) -> list[str]:
    """Class values as the text used for class names everywhere (1.0 -> '1')."""
    return [_label(v) for v in values]


def _label(value: Any) -> str:
    """How a class value reads: 1.0 -> '1' (floats only because a value was missing)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _one_class(name: str, y: Any) -> str:
    return (
        f"target {name!r} has one class ({str(y.iloc[0])!r}) in all {len(y)} rows; a model needs at least two. "
        "Choose another column as the target."
    )


def encode_target(y: Any, task: str) -> tuple[Any, list | None]:
    """Class indices and the sorted class values (native Python), or float values for regression."""
    import numpy as np

    if task == "regression":
        from .number_text import to_number

        return to_number(y).to_numpy(dtype=float), None  # a text target read as ``amounts``
    values = y.to_numpy()
    if y.dtype.kind == "f" and np.all(np.mod(values, 1) == 0):
        values = values.astype("int64")  # 0.0/1.0 read as floats because of a missing value: labels 0/1
    if values.dtype.kind in "biuf":
        classes = np.unique(values)
    else:
        values = y.astype(str).to_numpy()
        classes = np.unique(values)
    return np.searchsorted(classes, values).astype("int64"), [c.item() if hasattr(c, "item") else c for c in classes]
