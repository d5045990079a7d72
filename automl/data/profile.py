"""Dataset -> Profile: what each column is, which one is the target, what the task is.

Pure: reads the frame, never changes it, and explains each decision in a sentence.

Example:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [1.5, 2.5, 3.5, 4.5] * 5, "label": ["a", "b"] * 10})
    >>> p = inspect_frame(frame)
    >>> p.target, p.task
    ('label', 'binary')
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import ConfigError, DataError, TargetError, invalid
from .folders import AUDIO_SUFFIXES, IMAGE_SUFFIXES

TASKS = ("auto", "binary", "multiclass", "regression")
TARGET_NAMES = ("target", "label", "class", "y")
MAX_CATEGORY_LEVELS = 254  # HistGradientBoosting's limit; XGBoost is fine with it too
MAX_CLASSES_FOR_INTEGERS = 30
MIN_ROWS = 20
SAMPLE = 2000
FEATURE_KINDS = ("numeric", "categorical", "boolean", "datetime")


@dataclass
class ColumnProfile:
    name: str
    kind: str  # numeric categorical boolean datetime text image_path audio_path identifier constant
    dtype: str
    missing: int
    unique: int
    reason: str
    used: bool = True
    notes: list[str] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)


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
                  root: Any = None) -> Profile:
    """Profile ``frame``: column kinds, target and task, each with a reason.

    ``root`` is the folder that relative image or audio paths resolve against
    (the table's folder; the working directory when not given).
    """
    if task not in TASKS:
        raise ConfigError(invalid("task", "one of " + ", ".join(TASKS), task))
    target_name, target_reason = choose_target(list(frame.columns), target)
    y = frame[target_name]
    y_clean, n_bad = clean_target(y)
    if y_clean.notna().sum() == 0:
        raise TargetError(f"target {target_name!r} has no values: all {len(y)} rows are missing. Choose another --target.")
    warnings_: list[str] = []
    if n_bad:
        warnings_.append(
            f"{n_bad} row(s) with a missing or infinite target {target_name!r} are dropped "
            f"({len(y) - n_bad} rows remain)."
        )
    n_rows = len(frame)
    if n_rows - n_bad < MIN_ROWS:
        raise TargetError(
            f"only {n_rows - n_bad} rows have a target value; at least {MIN_ROWS} are needed to train and test."
        )
    columns = []
    for name in frame.columns:
        if name == target_name:
            columns.append(
                ColumnProfile(name, "target", str(y.dtype), int(y.isna().sum()), int(y.nunique()), target_reason)
            )
            continue
        col = profile_column(frame[name])
        warnings_.extend(col.notes)
        columns.append(col)
    modality, modality_reason = infer_modality(columns)
    task_name, task_reason = infer_task(y_clean.dropna(), task, target_name,
                                        media=modality if modality in ("image", "audio") else None)
    class_counts = None
    if task_name != "regression":
        class_counts = {_label(k): int(v) for k, v in y_clean.dropna().value_counts().items()}
        rare = [k for k, v in class_counts.items() if v < 2]
        if rare:
            raise TargetError(
                f"target {target_name!r} has class(es) with a single row: {', '.join(map(repr, rare[:5]))}. "
                "Each class needs at least 2 rows to be tested; remove or merge them."
            )
    if modality == "text":
        _describe_text(frame, columns, warnings_)
    elif modality in ("image", "audio"):
        _describe_media(modality, frame, columns, root, warnings_)
    usable = [c for c in columns if c.used and c.name != target_name]
    if not usable:
        why = "; ".join(f"{c.name!r}: {c.reason}" for c in columns if c.name != target_name)
        raise DataError(f"no usable feature columns besides the target {target_name!r} ({why}). "
                        "Add columns that describe the rows.")
    return Profile(
        n_rows=n_rows,
        n_columns=frame.shape[1],
        n_bytes=int(n_bytes if n_bytes is not None else frame.memory_usage(deep=True).sum()),
        columns=columns,
        target=target_name,
        target_reason=target_reason,
        task=task_name,
        task_reason=task_reason,
        modality=modality,
        modality_reason=modality_reason,
        class_counts=class_counts,
        rows_dropped_missing_target=int(n_bad),
        warnings=warnings_,
    )


def inspect_dataset(dataset: Any, target: str | None = None, task: str = "auto") -> Profile:
    """``inspect_frame`` for a loaded ``Dataset``: its paths resolve against its folder, its reading notes kept."""
    profile = inspect_frame(dataset.frame, target, task, root=dataset.root)
    profile.warnings[:0] = list(dataset.notes)
    return profile


def choose_target(columns: list[str], requested: str | None) -> tuple[str, str]:
    """The target column and why it was chosen."""
    if requested is not None:
        if requested in columns:
            return requested, f"{requested!r} was given with --target."
        close = difflib.get_close_matches(requested, columns, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        shown = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
        raise TargetError(f"target column {requested!r} not found.{hint} Columns: {shown}")
    by_lower = {c.lower(): c for c in columns}
    for name in TARGET_NAMES:
        if name in by_lower:
            return by_lower[name], f"{by_lower[name]!r} is named like a target ({name}); pass --target to choose another."
    return columns[-1], f"{columns[-1]!r} is the last column (no column is named target/label/class/y); pass --target to choose another."


def infer_task(y: Any, requested: str, name: str, media: str | None = None) -> tuple[str, str]:
    """binary / multiclass / regression from the target's values (missing already removed).

    ``media`` ("image" or "audio") says the table's inputs are such files: there,
    whole-number labels are class ids however few rows each class has.
    """
    import pandas as pd

    n_unique = int(y.nunique())
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if requested != "auto":
        if requested == "regression" and not numeric:
            raise TargetError(
                f"--task regression needs a numeric target, but {name!r} holds text such as {str(y.iloc[0])!r}. "
                "Use --task auto or a numeric column."
            )
        if requested == "binary" and n_unique != 2:
            raise TargetError(f"--task binary needs 2 classes, but {name!r} has {n_unique}. Use --task auto.")
        if requested != "regression" and n_unique < 2:
            raise TargetError(_one_class(name, y))
        return requested, f"--task {requested} was given."
    if n_unique < 2:
        raise TargetError(_one_class(name, y))
    if n_unique == 2:
        values = ", ".join(repr(_label(v)) for v in sorted(y.unique(), key=str))
        return "binary", f"target {name!r} has two distinct values ({values}), so this is binary classification."
    if not numeric:
        return "multiclass", f"target {name!r} holds {n_unique} distinct labels, so this is multiclass classification."
    whole = bool(((y % 1) == 0).all())
    if whole and n_unique <= MAX_CLASSES_FOR_INTEGERS and media:
        return "multiclass", (
            f"target {name!r} holds {n_unique} distinct whole numbers next to {media} files, so they are read as "
            "class ids (multiclass); pass --task regression to predict them as numbers."
        )
    if whole and n_unique <= MAX_CLASSES_FOR_INTEGERS and n_unique <= max(3, len(y) // 10):
        return "multiclass", (
            f"target {name!r} holds {n_unique} distinct whole numbers, so they are treated as classes "
            "(multiclass); pass --task regression to predict them as numbers."
        )
    kind = "whole numbers" if whole else "real numbers"
    return "regression", f"target {name!r} holds {n_unique} distinct {kind}, so this is regression."


def profile_column(s: Any) -> ColumnProfile:
    """Kind of one feature column, with the reason."""
    import numpy as np
    import pandas as pd

    name = str(s.name)
    missing = int(s.isna().sum())
    non_null = s.dropna()
    n = len(non_null)
    unique = int(non_null.nunique())
    dtype = str(s.dtype)

    def col(kind: str, reason: str, used: bool = True, notes: list[str] | None = None) -> ColumnProfile:
        return ColumnProfile(name, kind, dtype, missing, unique, reason, used, notes or [])

    if n == 0:
        return col("constant", "all values are missing; dropped.", used=False)
    if unique == 1:
        return col("constant", f"has a single value ({_label(non_null.iloc[0])}); dropped.", used=False)
    if pd.api.types.is_bool_dtype(s):
        return col("boolean", "true/false values.")
    if pd.api.types.is_datetime64_any_dtype(s):
        return col("datetime", "stored as dates; expanded to year, month, day, weekday and hour.")
    if pd.api.types.is_numeric_dtype(s):
        values = non_null.to_numpy(dtype=float)
        notes = []
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            notes.append(f"column {name!r} has {n_inf} infinite value(s); they are treated as missing.")
        whole = bool(np.all(np.mod(values[np.isfinite(values)], 1) == 0))
        if whole and unique == n and n >= 50 and _is_sequence(values):
            return col("identifier", "unique consecutive whole numbers, like a row number; dropped.", used=False)
        if whole and unique == n and n >= 50 and _id_like_name(name):
            return col("identifier", "unique whole numbers in a column named like an id; dropped.", used=False)
        return col("numeric", "numbers.", notes=notes)
    text = non_null.astype(str)
    sample = text.sample(min(SAMPLE, n), random_state=0) if n > SAMPLE else text
    lower = sample.str.lower().str.strip()
    if lower.str.endswith(IMAGE_SUFFIXES).mean() >= 0.9:
        return col("image_path", f"{lower.str.endswith(IMAGE_SUFFIXES).mean():.0%} of values end in an image extension.")
    if lower.str.endswith(AUDIO_SUFFIXES).mean() >= 0.9:
        return col("audio_path", f"{lower.str.endswith(AUDIO_SUFFIXES).mean():.0%} of values end in an audio extension.")
    if unique == 2 and set(lower.unique()) <= {"true", "false", "yes", "no", "t", "f", "y", "n"}:
        return col("boolean", "two values read as true/false.")
    as_number = pd.to_numeric(sample, errors="coerce")
    numeric_share = float(as_number.notna().mean())
    if numeric_share >= 0.9:
        bad = sample[as_number.isna()].unique()[:3]
        shown = ", ".join(repr(str(b)) for b in bad)
        notes = [f"column {name!r} mixes numbers and text: non-numbers such as {shown} are treated as missing."]
        return col("numeric", f"{numeric_share:.0%} of values are numbers.", notes=notes if len(bad) else [])
    if _looks_like_dates(sample):
        return col("datetime", "values parse as dates; expanded to year, month, day, weekday and hour.")
    tokens = sample.str.split().str.len()
    median_tokens = float(tokens.median())
    median_chars = float(sample.str.len().median())
    ratio = unique / n
    if median_tokens >= 5 or (median_chars >= 40 and ratio > 0.5):
        return col(
            "text",
            f"free text: median {median_tokens:.0f} words and {median_chars:.0f} characters per value, "
            f"{ratio:.0%} of values distinct.",
        )
    if ratio > 0.9 and n >= 50:
        return col(
            "identifier",
            f"{unique} distinct values in {n} rows ({ratio:.0%}), short and unrepeated like an identifier; dropped.",
            used=False,
        )
    notes = []
    reason = f"{unique} distinct text values."
    if unique > MAX_CATEGORY_LEVELS:
        note = (
            f"column {name!r} has {unique:,} levels; the {MAX_CATEGORY_LEVELS} most frequent are kept "
            "and the rest grouped as one."
        )
        notes.append(note)
        reason = f"{unique:,} distinct text values (high cardinality, capped at {MAX_CATEGORY_LEVELS})."
    return col("categorical", reason, notes=notes)


def infer_modality(columns: list[ColumnProfile]) -> tuple[str, str]:
    """tabular unless a column holds free text, image paths or audio paths."""
    for kind, modality in (("image_path", "image"), ("audio_path", "audio"), ("text", "text")):
        names = [c.name for c in columns if c.kind == kind]
        if names:
            return modality, f"column {names[0]!r} holds {kind.replace('_', ' ')}s, so this is {modality} data."
    n = sum(1 for c in columns if c.kind in FEATURE_KINDS)
    return "tabular", f"{n} numeric/categorical/boolean/date feature columns and no text, image or audio column."


def _describe_text(frame: Any, columns: list[ColumnProfile], warnings_: list[str]) -> None:
    """Token statistics for text columns; other feature columns are set aside, with the reason."""
    from ..modalities.text.tokens import MAX_SEQUENCE, TextStats

    text_names = [c.name for c in columns if c.kind == "text"]
    for c in columns:
        if c.kind == "text":
            stats = TextStats.of(frame[c.name])
            c.stats = {"median_tokens": stats.median_tokens, "p95_tokens": stats.p95_tokens,
                       "max_tokens": stats.max_tokens, "vocabulary": stats.vocabulary, "empty_rows": stats.empty_rows,
                       "long_rows": stats.long_rows}
            c.reason += (f" Tokens per row: median {stats.median_tokens:.0f}, 95th percentile "
                         f"{stats.p95_tokens:.0f}; vocabulary {stats.vocabulary:,}; {stats.empty_rows} empty rows.")
            if stats.empty_rows:
                warnings_.append(f"text column {c.name!r} has {stats.empty_rows} empty or missing row(s); they are "
                                 "predicted from the class balance of the training rows.")
            if stats.long_rows:
                warnings_.append(f"text column {c.name!r} has {stats.long_rows:,} row(s) longer than {MAX_SEQUENCE} "
                                 f"tokens (the longest {stats.max_tokens:,}); sequence networks read their first "
                                 f"{MAX_SEQUENCE}, TF-IDF models read them whole.")
        elif c.used and c.kind in FEATURE_KINDS:
            c.used = False
            c.reason += f" Not used: this version's text routes read only the text column(s) ({', '.join(text_names)})."


def _describe_media(modality: str, frame: Any, columns: list[ColumnProfile], root: Any,
                    warnings_: list[str]) -> None:
    """Header statistics of the image or audio column; unreadable files are counted (an error past 10 %)."""
    from .paths import resolve_paths

    if modality == "image":
        from ..modalities.image.decode import BAD_SHARE_LIMIT, probe
    else:
        from ..modalities.audio.decode import BAD_SHARE_LIMIT, probe
    unit = "images" if modality == "image" else "clips"
    column = next(c for c in columns if c.kind == f"{modality}_path")
    stats = probe(resolve_paths(frame[column.name], root, column.name))
    column.stats = stats.to_dict() | {"unreadable": len(stats.unreadable)}
    column.reason += " " + _header_summary(modality, stats)
    if stats.unreadable:
        shown = ", ".join(repr(p) for p in stats.unreadable[:3])
        share = len(stats.unreadable) / max(stats.count, 1)
        if share > BAD_SHARE_LIMIT:
            raise DataError(f"{len(stats.unreadable):,} of {stats.count:,} {unit} ({share:.0%}) cannot be read, more "
                            f"than the {BAD_SHARE_LIMIT:.0%} allowed; for example {shown}. Fix or remove them.")
        warnings_.append(f"{len(stats.unreadable):,} {unit[:-1]} file(s) cannot be read and are skipped: {shown}.")
    for c in columns:
        if c is not column and c.used and c.kind != "target":
            c.used = False
            c.reason += f" Not used: this version's {modality} routes read only the {modality} column ({column.name!r})."


def _header_summary(modality: str, stats: Any) -> str:
    if modality == "image":
        modes = ", ".join(f"{mode} {count:,}" for mode, count in sorted(stats.modes.items()))
        return (f"{stats.count:,} images, median {stats.median_width:.0f}x{stats.median_height:.0f} pixels "
                f"(sides {stats.min_side}-{stats.max_side}); colour modes: {modes}.")
    rates = ", ".join(f"{rate} Hz {count:,}" for rate, count in sorted(stats.sample_rates.items()))
    channels = ", ".join(f"{n} channel(s) {count:,}" for n, count in sorted(stats.channels.items()))
    return (f"{stats.count:,} clips, {stats.min_seconds:.2f}-{stats.max_seconds:.2f}s long (median "
            f"{stats.median_seconds:.2f}s, 95th percentile {stats.p95_seconds:.2f}s); sample rates: {rates}; "
            f"{channels}.")


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
        "Choose another --target."
    )


def _is_sequence(values: Any) -> bool:
    import numpy as np

    ordered = np.sort(values)
    return bool(np.all(np.diff(ordered) == 1))


def _id_like_name(name: str) -> bool:
    low = name.lower()
    return low in ("id", "index", "key", "uuid") or low.endswith(("_id", " id", "id_"))


def _looks_like_dates(sample: Any) -> bool:
    import pandas as pd

    probe = sample.head(200)
    year_or_time = probe.str.contains(r"(?:^|\D)\d{4}(?:\D|$)|\d{1,2}:\d{2}")
    if not year_or_time.mean() > 0.9 or not probe.str.contains(r"[-/:]").mean() > 0.9:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(probe, errors="coerce", format="mixed")
    return float(parsed.notna().mean()) >= 0.95
