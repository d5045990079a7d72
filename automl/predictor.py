"""A saved run as a predictor: ``load(run_dir)`` -> ``Predictor``.

Example:
    >>> p = load("runs/iris-20260101-000000")   # doctest: +SKIP
    >>> p.predict_frame("new.csv").head()          # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from . import registry
from .data import load as load_data
from .data.columns import check_columns
from .data.fingerprint import file_fingerprint
from .data.folders import LABEL_COLUMN, PATH_COLUMN
from .data.target import label_text
from .decision import labels, saved_weights
from .errors import ConfigError, DamagedRunError, DataError, invalid, not_a_column
from .intervals import coverage
from .intervals import saved as saved_interval
from .metrics import score_output
from .run import integrity
from .run.blend import BlendModel, members_of
from .run.record import RunRecord


@dataclass
class Prepared:
    """Feature rows ready for a model, and what was noticed on the way."""

    X: Any
    frame: Any
    warnings: list[str] = field(default_factory=list)


class Predictor:
    """Predictions from one approach's saved model, with the run's target and classes."""

    def __init__(self, run_dir: Path, record: RunRecord, approach: str, model: Any, refitted: bool = False):
        self.run_dir = run_dir
        self.record = record
        self.approach = approach
        self.model = model
        self.refitted = refitted  # refitted on all rows (test rows included) for deployment
        self.task = record.task
        self.target = record.target
        self.classes_ = record.classes
        self.features = record.features
        self.commas = decimal_commas(record)
        self.encoding = saved_encoding(record)  # how to read a file that is not UTF-8: the run's, unless set
        # the decision rule the run fitted for this model (``automl.decision``); None: the most probable class
        self.weights = saved_weights(record.decisions, approach, len(record.classes or []))
        # a regression's prediction interval (``automl.intervals``), from its validation rows; None: none
        self.interval = saved_interval(record.intervals, approach)

    def prepare(self, data: Any) -> Prepared:
        """``data`` (a path, a table, a ``Dataset``, or a 2-D array with the columns in the order of ``features``
        or of every column the run was given) as the model's feature rows."""
        if _is_array(data):
            data = self._array_frame(data)
        dataset = data if hasattr(data, "frame") else read_whole(data, self.commas, self.encoding)
        notes = list(getattr(dataset, "notes", ()))
        modality = registry.modality(self.record.modality)
        frame = modality.prepare(dataset.frame, self.record.kinds, getattr(dataset, "root", None))
        if self.target not in frame.columns and LABEL_COLUMN in frame.columns and LABEL_COLUMN not in self.features:
            frame = frame.rename(columns={LABEL_COLUMN: self.target})  # class sub-folders hold the labels
        files = _from_files(dataset)
        ignore = (self.target, LABEL_COLUMN) + ((PATH_COLUMN,) if files else ())  # paths lead
        weight = (self.record.settings or {}).get("weight")
        ignore += (weight,) if isinstance(weight, str) else ()  # the run's --weight column: read by evaluate only
        fix = _files_fix(self.record.kinds, Path(str(dataset.source))) if files else None
        extra = check_columns(frame, self.features, ignore=ignore, fix=fix)
        if extra:
            notes.append(f"ignored {len(extra)} column(s) the model does not use: {', '.join(map(repr, extra[:10]))}")
        return Prepared(frame[self.features].reset_index(drop=True), frame, notes)

    def _array_frame(self, data: Any) -> Any:
        """A 2-D array as a table: its columns are the model's ``features`` or, when as many, every column the run
        was given (constant ones included), in that order; ``ConfigError`` for any other shape."""
        import numpy as np
        import pandas as pd

        array = np.asarray(data)
        given = [c["name"] for c in (self.record.profile or {}).get("columns", []) if c.get("name") != self.target]
        for names in (self.features, given):
            if array.ndim == 2 and array.shape[1] == len(names):
                return pd.DataFrame(array, columns=names)
        shown = ", ".join(self.features[:8]) + (", ..." if len(self.features) > 8 else "")
        raise ConfigError(invalid("X", f"a 2-D array with {len(self.features)} columns ({shown}, in that order)",
                                  f"an array of shape {array.shape}",
                                  "Pass a DataFrame with named columns to give them in another order"))

    def predict(self, data: Any) -> Any:
        """Class labels (as in the training data) or predicted values."""
        import numpy as np

        X = self.prepare(data).X
        if self.task == "regression":
            return np.asarray(self.model.predict(X), dtype=float)
        index = labels(self.model.predict_proba(X), self.weights)
        return np.asarray(self.classes_, dtype=object)[index]

    def predict_proba(self, data: Any) -> Any:
        if self.task == "regression":
            raise ConfigError("predict_proba is for classification; this run is a regression. Use predict.")
        return self.model.predict_proba(self.prepare(data).X)

    def predict_frame(self, data: Any, id_column: str | None = None) -> tuple[Any, list[str]]:
        """A table with the prediction and, for classification, one probability column per class; for a
        regression, the bounds of the run's 90 % prediction interval (``lower_`` and ``upper_`` the target's name,
        ``automl.intervals``) where the run has one for this model.

        Files (a folder, or one image or audio file) get one row each, led by a ``path`` column relative to the
        folder, as the listing gives it; ``id_column`` names a column of the data to carry through first
        (``automl predict --id``), so each prediction can be matched to its row.

        >>> frame, notes = load("runs/wine-1").predict_frame("new.csv", id_column="id")   # doctest: +SKIP
        >>> list(frame.columns)[:2]                                                      # doctest: +SKIP
        ['id', 'predicted_cultivar']
        """
        import numpy as np
        import pandas as pd

        if isinstance(data, (str, Path)):
            data = read_whole(data, self.commas, self.encoding)
        leading = _leading_columns(data, id_column)
        prepared = self.prepare(data)
        if self.task == "regression":
            values = np.asarray(self.model.predict(prepared.X), dtype=float)
            out = pd.DataFrame({f"predicted_{self.target}": values})
            if self.interval is not None:  # the run's prediction interval for this model (``automl.intervals``)
                width = self.interval.widths(values)
                out[f"lower_{self.target}"], out[f"upper_{self.target}"] = values - width, values + width
        else:
            proba = self.model.predict_proba(prepared.X)
            predicted = np.asarray(self.classes_, dtype=object)[labels(proba, self.weights)]
            out = pd.DataFrame({f"predicted_{self.target}": predicted})
            for j, c in enumerate(self.classes_):
                out[f"proba_{c}"] = proba[:, j]
        if leading is not None:
            out = pd.concat([leading, out.drop(columns=[c for c in leading.columns if c in out.columns])], axis=1)
        return out, prepared.warnings

    def predict_pieces(self, path: str | Path, id_column: str | None = None) -> Iterator[tuple[Any, list[str]]]:
        """``predict_frame`` for a table file read piece by piece (a Parquet row group, or about 32 MB of CSV, at
        a time), so a file larger than memory is predicted in the memory one piece takes.

        >>> for frame, notes in load("runs/big-1").predict_pieces("big.parquet"):   # doctest: +SKIP
        ...     frame.to_csv("predictions.csv", mode="a", header=False, index=False)
        """
        from .data.large import pieces_of

        path = Path(path)
        if not path.is_file():
            raise DataError(f"`data` file not found: {str(path)!r}. Check the path.")
        table = pieces_of(path, self.commas, self.encoding)
        for i in range(len(table.pieces)):
            yield self.predict_frame(table.read_piece(i), id_column=id_column)

    def evaluate(self, data: Any) -> tuple[dict[str, float | None], list[str]]:
        """Every metric of the task on labelled ``data``, and notes; rows without a label are left out, and a note
        says how many rows the run itself trained or was tested on (then the score is not held-out). A regression
        with a prediction interval adds ``interval_coverage``: the share of rows inside it. A run fitted with
        ``--weight`` weighs the rows by that column where the data has it (a note says which)."""
        import numpy as np
        import pandas as pd

        prepared = self.prepare(data)
        source = data if isinstance(data, (str, Path)) else getattr(data, "source", None)
        if self.target not in prepared.frame.columns:
            raise DataError(f"the data has no target column {self.target!r}; `evaluate` needs labelled rows.")
        y = prepared.frame[self.target]
        keep = y.notna().to_numpy()
        X = prepared.X.loc[keep].reset_index(drop=True)
        notes = list(prepared.warnings)
        if (~keep).sum():
            notes.append(f"{int((~keep).sum())} row(s) without a target value were left out.")
        notes += self._seen_note(prepared.frame.loc[keep], source)
        w = self._row_weights(prepared.frame.loc[keep], notes)
        if self.task == "regression":
            from .data.number_text import to_number

            truth = to_number(y[keep]).to_numpy(dtype=float)  # as the run read it: $166,005 too
            if np.isnan(truth).any():
                raise DataError(f"the target column {self.target!r} holds values that are not numbers, such as "
                                f"{str(y[keep][np.isnan(truth)].iloc[0])!r}; `evaluate` needs a number in every "
                                "labelled row.")
            predicted = self.model.predict(X)
            scores = score_output("regression", truth, predicted, sample_weight=w)
            if self.interval is not None:  # how often the run's prediction interval held on these rows
                scores["interval_coverage"] = coverage(truth, predicted, self.interval.widths(predicted), w)
            return scores, notes
        known = {name: i for i, name in enumerate(label_text(self.classes_))}
        given = pd.Series(label_text(y[keep]))
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise DataError(f"the data has classes the model never saw: {', '.join(map(repr, unknown[:5]))}.")
        return score_output(self.task, given.map(known).to_numpy(), self.model.predict_proba(X),
                            weights=self.weights, sample_weight=w), notes

    def _row_weights(self, frame: Any, notes: list[str]) -> Any:
        """The weights of ``frame``'s rows in the run's ``--weight`` column (checked as a fit checks them), with a
        note; None, with a note, when the data lacks that column; None for a run without weights."""
        from .data import weights

        column = (self.record.settings or {}).get("weight")
        if not isinstance(column, str):
            return None
        if column not in frame.columns:
            notes.append(f"the run weighed its rows by {column!r} (`weight`), which this data lacks: every row "
                         "counts alike in these scores.")
            return None
        notes.append(f"rows are weighed by {column!r}, as the run weighed its own.")
        return weights.values(frame, column)


    def _seen_note(self, frame: Any, source: Any) -> list[str]:
        """A note when rows of ``frame`` (labelled, read from ``source``) were the run's own training or test rows.
        A run on Dask kept hashes of the rows it held in memory only: the rows of its own file are all its own,
        and another file's rows are looked up among the held ones, as a note says."""
        n, data = len(frame), self.record.data or {}
        large, path = data.get("large"), Path(str(source)) if source is not None else None
        if large and path is not None and path.is_file() and file_fingerprint(path) == data.get("sha256"):
            return [f"these are the rows of the table this run trained on (on Dask, and tested on): all {n:,} were in "
                    "its training/test data, so this score is not held-out; evaluate on rows the run never saw for "
                    "an honest score."]
        try:
            seen = self.seen_rows(frame)
        except DamagedRunError as exc:
            return [f"whether these rows are the run's own could not be checked: {exc}"]
        notes = [f"{seen:,} of {n:,} rows ({100 * seen / n:.1f} %) were in this run's training/test data, so this "
                 "score is not held-out; evaluate on rows the run never saw for an honest score."] if seen else []
        if large:
            held = (self.record.row_hashes or {}).get("rows", 0)
            notes.append(f"this run trained on Dask on rows of {Path(str(large.get('path', ''))).name} it kept no "
                         f"record of (only of the {held:,} it held in memory), so rows of that file among these may be "
                         "its own without being counted here.")
        return notes

    def seen_rows(self, frame: Any) -> int:
        """How many rows of ``frame`` (prepared, with the target) the run trained or was tested on, by the row
        hashes it kept (``run.json``'s ``row_hashes``); 0 for a run without them (made before they were kept),
        ``DamagedRunError`` when their file cannot be read."""
        from .data.fingerprint import ROW_HASHES, overlap, row_hashes

        kept = self.record.row_hashes
        path = self.run_dir / ROW_HASHES
        if not isinstance(kept, dict) or not path.is_file():
            return 0
        columns = [c for c in kept.get("columns") or [] if isinstance(c, str)]
        if not columns or any(c not in frame.columns for c in columns):
            return 0
        import numpy as np

        try:
            known = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DamagedRunError(self.run_dir, f"{ROW_HASHES} is not readable ({exc})",
                                  "Fit again to have it written.") from None
        files = [c for c in kept.get("files_by_content") or [] if c in columns]
        return int(overlap(row_hashes(frame, columns, files), known).sum())


def read_whole(data: Any, commas: tuple[str, ...] = (), encoding: str | None = None) -> Any:
    """``data`` loaded whole (never a sample of it): a file too large for memory is refused, pointing to the
    piece-by-piece way. ``commas``: the columns the run read with decimal commas (``decimal_commas``);
    ``encoding``: how to read a file that is not UTF-8 (``saved_encoding``)."""
    return load_data(data, dask="off", commas=commas, encoding=encoding,
                     too_large="Predict it piece by piece instead: automl predict --stream, or "
                               "Predictor.predict_pieces in Python.")


def decimal_commas(record: RunRecord) -> tuple[str, ...]:
    """The columns the run's own file wrote with decimal commas (``automl.data.decimals``), so a ``;`` or tab file to
    predict reads them so too, even where it has no comma (``1.392`` is then 1392)."""
    found = (record.data if isinstance(record.data, dict) else {}).get("decimal_commas") or []
    return tuple(c for c in found if isinstance(c, str))


def saved_encoding(record: RunRecord) -> str | None:
    """The encoding the run's own file needed (``automl.data.encoding``; None: it was UTF-8), so a file to predict
    saved the same way reads the same way."""
    from .data.encoding import recorded

    return recorded(record.data)


STREAM_BYTES = 1 << 30  # a table file that needs more than this (or a quarter of free memory) to read is streamed


def streams(path: Path, available: int) -> bool:
    """Whether ``automl predict`` reads the table file ``path`` piece by piece rather than whole."""
    from .data import TABLE_SUFFIXES
    from .data.memory import reading_bytes

    if not path.is_file() or path.suffix.lower() not in TABLE_SUFFIXES:
        return False
    needed = reading_bytes(path)
    return needed is not None and needed > min(STREAM_BYTES, available // 4)


def _files_fix(kinds: dict[str, str], source: Path) -> str:
    """What to give instead of a folder or a file when the model also reads a table's other columns."""
    paths = [name for name, kind in kinds.items() if kind.endswith("_path")] or [PATH_COLUMN]
    given = "folder" if source.is_dir() else "file"
    return (f"The model was trained on a table of file paths with other columns beside them: give such a table "
            f"(a {paths[0]!r} column of paths and those columns) instead of a {given}.")


def _from_files(data: Any) -> bool:
    """Whether ``data`` was read from a folder of files or from one media file (its rows are named by ``path``)."""
    from .data.folders import media_kind

    source = Path(str(getattr(data, "source", "")))
    return getattr(data, "root", None) is not None and (source.is_dir() or bool(media_kind(source)))


def _leading_columns(data: Any, id_column: str | None) -> Any:
    """The columns that lead the predictions: ``path`` for files read from a folder (or one file), and the
    ``id_column`` asked for; None when neither."""
    import pandas as pd

    frame = getattr(data, "frame", data)
    columns = {PATH_COLUMN: frame[PATH_COLUMN].to_numpy()} if _from_files(data) and PATH_COLUMN in frame.columns else {}
    if id_column is not None:
        if not hasattr(frame, "columns"):
            raise ConfigError(invalid("id_column", "a column of a table (a file or a DataFrame)", id_column,
                                      "Arrays have no named columns; pass a DataFrame."))
        if id_column not in frame.columns:
            raise DataError(not_a_column("id", id_column, [str(c) for c in frame.columns]))
        columns.setdefault(id_column, frame[id_column].to_numpy())
    return pd.DataFrame(columns) if columns else None


def _is_array(data: Any) -> bool:
    """A NumPy array or a list of rows (not a path, a table or a ``Dataset``)."""
    if isinstance(data, (str, Path, list)) or hasattr(data, "frame") or hasattr(data, "columns"):
        return isinstance(data, list)
    return hasattr(data, "__array__")


def load(run_dir: str | Path, approach: str = "best") -> Predictor:
    """Restore the predictor of a run directory: ``approach`` best, blend, or one the run trained
    (``classical``, ``deep``, ...; ``gbm`` is read as ``classical``).

    ``best`` is the model the run chose, refitted on all rows when the run did
    that (``run.json``'s ``deployed``); naming an approach gives the model its
    test score belongs to, as trained on the training rows."""
    run_dir = Path(run_dir)
    record = integrity.read_record(run_dir)  # DamagedRunError when run.json is not what `automl fit` wrote
    saved = record.models
    chosen = record.best if approach == "best" else registry.ALIASES.get(approach, approach)
    if chosen is None or chosen not in saved:
        have = ", ".join(["best", *saved]) if saved else "none"
        raise ConfigError(f"run {str(run_dir)!r} has no saved {approach} model; `approach` must be one of: {have}.")
    deployed = record.deployed or {}
    refitted = approach == "best" and bool(deployed.get("refitted")) and deployed.get("approach") == chosen
    paths = saved | deployed.get("models", {}) if refitted else saved
    if chosen == "blend":
        members, weights = _blend_members(run_dir, paths)
        model = BlendModel([_load_model(record, m, run_dir, paths[m]) for m in members], record.task,
                           tuple(members), weights)
    else:
        model = _load_model(record, chosen, run_dir, paths[chosen])
    return Predictor(run_dir, record, chosen, model, refitted)


def _load_model(record: RunRecord, approach: str, run_dir: Path, relative: str) -> Any:
    """The approach's model from ``run_dir / relative``, by its route; whatever a damaged or foreign file makes
    loading raise becomes one ``DamagedRunError`` naming the file."""
    from .run.capture import native_quiet

    folder = integrity.model_folder(run_dir, relative, f"models.{approach}")
    with native_quiet():  # TensorFlow's start-up chatter stays off the terminal, as in fit
        route = registry.route_spec(record.modality, approach).route()
        integrity.check_files(run_dir, folder, getattr(route, "saves", ()))
        with integrity.loading(run_dir, folder):
            return route.load(folder)


def _blend_members(run_dir: Path, paths: dict[str, str]) -> tuple[list[str], list[float] | None]:
    """The approaches the saved blend averages, each one the run saved, and their weights."""
    folder = integrity.model_folder(run_dir, paths["blend"], "models.blend")
    with integrity.loading(run_dir, folder):
        members, weights = members_of(folder)
    unknown = [m for m in members if m not in paths or m == "blend"]
    if unknown:
        raise DamagedRunError(run_dir, f"{integrity.shown(run_dir, folder / 'blend.json')} names {unknown[0]!r}, "
                                       "a model the run did not save")
    return members, weights
