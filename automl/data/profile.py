"""Dataset -> Profile: what each column is, which one is the target, what the task is, which modality.

Pure: reads the frame, never changes it, and explains each decision in a
sentence. Column kinds come from ``columns``, the target and task from
``target``; the modality is the registered one whose column kind the table
holds, and it adds its own description (token counts, image sizes, ...).

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [1.5, 2.5, 3.5, 4.5] * 5, "label": ["a", "b"] * 10})
    >>> p = inspect_frame(frame)
    >>> p.target, p.task, p.modality
    ('label', 'binary', 'tabular')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import ConfigError, DataError, TargetError, invalid, not_a_column
from ..modalities.base import article
from . import groups
from . import order as ordering
from . import weights
from .columns import FEATURE_KINDS, ColumnProfile, profile_column
from .target import (TASKS, _label, amounts, candidates_warning, choose_target, clean_target, infer_task,
                     spelling_variants, target_candidates, variants_note)

MIN_ROWS = 20
DROPPED = "dropped by `drop`"
LEAK_KINDS = ("numeric", "categorical", "boolean")  # feature kinds checked for leaks


@dataclass
class Profile:
    """What inspection found. Every field is JSON-serialisable."""

    n_rows: int
    n_columns: int
    n_bytes: int
    columns: list[ColumnProfile]
    target: str
    target_reason: str
    task: str
    task_reason: str
    modality: str
    modality_reason: str
    class_counts: dict[str, int] | None
    rows_dropped_missing_target: int
    warnings: list[str] = field(default_factory=list)
    target_candidates: list[str] = field(default_factory=list)  # other plausible targets, when none was given
    leaks: list[str] = field(default_factory=list)  # features that give the target away (warned, not dropped)
    drop: list[str] = field(default_factory=list)  # columns the user left out (--drop)
    group: str | None = None  # the column whose values keep rows together on one side of every split (--group)
    order: str | None = None  # the column that orders the rows in time: the latest are held out (--order)
    order_reason: str = ""  # what --order's column holds: its range
    weight: str | None = None  # the column of how much each row counts (--weight)
    large: dict[str, Any] | None = None  # a table read in pieces (``data.large``): its sizes, and why

    @property
    def features(self) -> list[ColumnProfile]:
        return [c for c in self.columns if c.used and c.name != self.target]

    @property
    def dropped(self) -> list[ColumnProfile]:
        return [c for c in self.columns if not c.used and c.name != self.target]

    @property
    def n_train_rows(self) -> int:
        return self.n_rows - self.rows_dropped_missing_target

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Profile":
        data = dict(data)
        data["columns"] = [ColumnProfile(**c) for c in data["columns"]]
        return cls(**data)


def inspect_frame(frame: Any, target: str | None = None, task: str = "auto", n_bytes: int | None = None,
                  root: Any = None, drop: Any = None, group: str | None = None, order: str | None = None,
                  weight: str | None = None, name: str = "") -> Profile:
    """Profile ``frame``: column kinds, target, task and modality, each with a reason.

    ``root`` is the folder that relative file paths in the table resolve
    against (the table's folder; the working directory when not given).
    ``drop`` names columns to leave out of the features (``--drop``); ``group`` the column whose values keep
    rows together on one side of every split (``--group``; not a feature either); ``order`` the column of dates
    or numbers that orders them in time, the latest held out (``--order``; a feature unless dropped); ``weight``
    the column of how much each row counts (``--weight``; not a feature). When no
    ``target`` is given, it is guessed (``target.choose_target``; ``name``: the data's, the file's name without
    its suffix, one of the clues) and a warning names the other columns that could be it;
    features that give the target away are warned about (``leaks``), not dropped.
    """
    from .. import registry

    if task not in TASKS:
        raise ConfigError(invalid("task", "one of " + ", ".join(TASKS), task))
    drop = _checked_drop(list(frame.columns), drop, target)
    groups.check_column(list(frame.columns), group, target, drop)
    ordering.check_column(list(frame.columns), order, target, group)
    weights.check_column(list(frame.columns), weight, target, drop, {"group": group, "order": order})
    kept = [c for c in frame.columns if c not in drop and c not in (group, weight)]
    target_name, target_reason, how = choose_target(kept, target, frame, name)
    y, warnings_ = _target_values(frame, target_name)
    order_reason = ordering.reason(frame[order], y.index) if order is not None else ""
    candidates = target_candidates(frame, target_name, kept) if target is None else []
    guessed = candidates_warning(target_name, how, candidates)
    warnings_[:0] = [guessed] if guessed else []
    columns = []
    for name in frame.columns:
        values = frame[name]
        if name == target_name:
            columns.append(ColumnProfile(name, "target", str(values.dtype), int(values.isna().sum()),
                                         int(values.nunique()), target_reason))
            continue
        if name in drop:
            columns.append(ColumnProfile(name, "dropped", str(values.dtype), int(values.isna().sum()),
                                         int(values.nunique()), DROPPED, used=False))
            continue
        if name == group:
            columns.append(ColumnProfile(name, "group", str(values.dtype), int(values.isna().sum()),
                                         int(values.nunique()), groups.reason(values, y.index), used=False))
            continue
        if name == weight:
            columns.append(ColumnProfile(name, "weight", str(values.dtype), int(values.isna().sum()),
                                         int(values.nunique()), weights.reason(values, y.index), used=False))
            continue
        col = profile_column(values)
        warnings_.extend(col.notes)
        columns.append(col)
    modality, modality_reason = infer_modality(columns, registry.modalities())
    numbers = amounts(y)  # text whose every value is a number, some written as $166,005 or 12.5%
    task_name, task_reason = infer_task(y if numbers is None else numbers[0], task, target_name,
                                        files=modality.name if modality.whole_number_classes else None)
    if numbers is not None and task_name == "regression":
        task_reason += f" Its values are {numbers[1]}."
    class_counts = _class_counts(y, target_name, how if target is None else "") if task_name != "regression" else None
    variants = spelling_variants(class_counts or {})
    if variants:
        warnings_.append(variants_note(target_name, variants))
    if group is not None and class_counts is not None:
        groups.check_classes(frame, y, target_name, group)
    modality.describe(frame, columns, root, warnings_)
    leaks = _leaks(frame, target_name, task_name, columns, split_rule(frame, group, order))
    warnings_.extend(leak.reason for leak in leaks)
    if not any(c.used and c.name != target_name for c in columns):
        why = "; ".join(f"{c.name!r}: {c.reason}" for c in columns if c.name != target_name)
        raise DataError(f"no usable feature columns besides the target {target_name!r} ({why}). "
                        "Add columns that describe the rows.")
    return Profile(
        n_rows=len(frame), n_columns=frame.shape[1],
        n_bytes=int(n_bytes if n_bytes is not None else frame.memory_usage(deep=True).sum()), columns=columns,
        target=target_name, target_reason=target_reason, task=task_name, task_reason=task_reason,
        modality=modality.name, modality_reason=modality_reason, class_counts=class_counts,
        rows_dropped_missing_target=len(frame) - len(y), warnings=warnings_,
        target_candidates=[name for name, _ in candidates], leaks=[leak.column for leak in leaks], drop=drop,
        group=group, order=order, order_reason=order_reason, weight=weight,
    )


def inspect_dataset(dataset: Any, target: str | None = None, task: str = "auto", drop: Any = None,
                    group: str | None = None, order: str | None = None, weight: str | None = None) -> Profile:
    """``inspect_frame`` for a loaded ``Dataset``: its paths resolve against its folder, its reading notes kept. A
    table read in pieces is inspected with its held rows labelled by their place in the file, so that an error
    naming a data row names the file's."""
    positions = getattr(dataset, "positions", None)
    frame = dataset.frame if positions is None else dataset.frame.set_axis(positions)
    named = dataset.name if dataset.source != dataset.name else ""  # a file's name (a DataFrame's is "dataframe")
    profile = inspect_frame(frame, target, task, root=dataset.root, drop=drop, group=group, order=order,
                            weight=weight, name=named)
    profile.warnings[:0] = list(dataset.notes)
    table = getattr(dataset, "large", None)
    if table is not None and (group is not None or order is not None):
        asked = "`group`" if group is not None else "`order`"
        raise ConfigError(f"{asked} cannot be used on a table read in pieces (Dask splits its rows one by one); "
                          f"leave {asked} out, or train on a part of the table that fits in memory.")
    if table is not None:  # the frame holds a sample: the counts are the file's
        sampled = profile.n_rows
        profile.n_rows = table.n_rows
        profile.rows_dropped_missing_target = int(round(profile.rows_dropped_missing_target * table.n_rows
                                                        / max(sampled, 1)))
        profile.n_bytes = table.reading_bytes
        profile.large = table.describe() | {"held": sampled, "reason": large_reason(table, sampled)}
    return profile


def large_reason(table: Any, held: int) -> str:
    """Why a table is read in pieces and what each part of the run sees of it.

    >>> from automl.data.large import LargeTable
    >>> t = LargeTable("big.parquet", "parquet", ((0, 1),), ("a", "y"), "", 4_000_000, 0.05, 9 << 30, 4 << 30)
    >>> large_reason(t, 200_000)  # doctest: +ELLIPSIS
    'Reading big.parquet whole would need about 9.0 GB and this run has 4.0 GB: it is read in 1 piece(s)...'
    """
    from pathlib import Path

    from .memory import size_text

    fits = table.reading_bytes <= table.memory
    why = (f"it would fit ({size_text(table.reading_bytes)} of {size_text(table.memory)}), and `dask` asked for Dask"
           if fits else f"this run has {size_text(table.memory)}")
    return (f"Reading {Path(table.path).name} whole would need about {size_text(table.reading_bytes)} and {why}: it "
            f"is read in {len(table.pieces):,} piece(s). {held:,} of its {table.n_rows:,} rows, drawn at random, are "
            "held in memory for inspection, the test rows, the validation rows and the deep comparison; gradient "
            "boosting trains on Dask (xgboost.dask) on all the other rows.")


def _checked_drop(columns: list[str], drop: Any, target: str | None) -> list[str]:
    """The columns to leave out, each checked to be in the data and not the target given."""
    if drop is None:
        return []
    names = [drop] if isinstance(drop, str) else list(drop)
    for name in names:
        if not isinstance(name, str) or name not in columns:
            raise ConfigError(not_a_column("drop", name, columns))
        if name == target:
            raise ConfigError(f"`drop` names {name!r}, which is the target; drop another column or choose "
                              "another target.")
    if len(set(names)) == len(columns):
        shown = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
        raise ConfigError(f"`drop` leaves no columns: it names all {len(columns)} of them ({shown}).")
    return list(dict.fromkeys(names))


def split_rule(frame: Any, group: str | None, order: str | None) -> Any:
    """The ``splitting.Rule`` for ``frame``'s rows from ``--group`` or ``--order``; None for neither."""
    from .splitting import Rule

    if group is None and order is None:
        return None
    return Rule(groups=groups.codes(frame, group) if group else None,
                order=ordering.keys(frame, order) if order else None)


def _leaks(frame: Any, target: str, task: str, columns: list[ColumnProfile], rule: Any = None) -> list[Any]:
    """Features (numbers, categories, true/false) that give the target away, judged on held-out rows split as
    the run splits them (``rule``: whole groups, or the latest rows); see ``leaks``."""
    from .leaks import find_leaks

    checked = [c.name for c in columns if c.used and c.kind in LEAK_KINDS and c.name != target]
    numbers = tuple(c.name for c in columns if c.kind == "numeric")
    return find_leaks(frame, target, task, checked, rule, numbers) if checked else []


def infer_modality(columns: list[ColumnProfile], modalities: list[Any]) -> tuple[Any, str]:
    """The first modality (by priority) whose column kind the table holds, else the one without a kind (tabular)."""
    for modality in modalities:
        names = [c.name for c in columns if modality.column_kind and c.kind == modality.column_kind]
        if names:
            kind = modality.column_kind.replace("_", " ")
            return modality, f"column {names[0]!r} is {article(kind)} {kind} column, so this is {modality.name} data."
    fallback = next(m for m in modalities if m.column_kind is None)
    *rest, last = [m.column_kind.replace("_", " ") for m in modalities if m.column_kind] or ["other"]
    others = f"{', '.join(rest)} or {last}" if rest else last
    n = sum(1 for c in columns if c.kind in FEATURE_KINDS)
    return fallback, f"{n:,} numeric/categorical/boolean/date feature columns and no {others} column."


def _target_values(frame: Any, name: str) -> tuple[Any, list[str]]:
    """The target's usable values (missing and infinite left out) and the warning when rows are dropped."""
    y, n_bad = clean_target(frame[name])
    if n_bad == len(y):
        raise TargetError(f"target {name!r} has no values: all {len(y)} rows are missing. Choose another target "
                          "column.")
    if len(y) - n_bad < MIN_ROWS:
        raise TargetError(f"only {len(y) - n_bad} rows have a target value; at least {MIN_ROWS} are needed to "
                          "train and test.")
    dropped = [f"{n_bad} row(s) with a missing or infinite target {name!r} are dropped ({len(y) - n_bad} rows "
               "remain)."] if n_bad else []
    return y.dropna(), dropped


def _class_counts(y: Any, name: str, guessed: str = "") -> dict[str, int]:
    """Rows per class; a class of one row is an error, which says how the target was chosen (``guessed``: "by its
    name", ...) when it was guessed."""
    counts = {_label(k): int(v) for k, v in y.value_counts().items()}
    rare = [k for k, v in counts.items() if v < 2]
    if rare:
        variants = [", ".join(map(repr, g)) for g in spelling_variants(counts) if set(g) & set(rare)]
        same = (f" Some differ from another class only in case or spaces ({'; '.join(variants[:3])}): write each "
                "one way in the file." if variants else "")
        raise TargetError(f"target {name!r} has class(es) with a single row: {', '.join(map(repr, rare[:5]))}. "
                          f"Each class needs at least 2 rows to be tested; remove or merge them.{same}"
                          f"{_guessed(name, guessed) if guessed else ''}")
    return counts


def _guessed(name: str, how: str) -> str:
    """The end of an error about a target no one named: how it was chosen, and the option that chooses another."""
    return (f" The target {name!r} was chosen {how}, not given: name the target column with `target` if "
            "it is another.")
