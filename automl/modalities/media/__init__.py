"""What image and audio data share: a column of file paths, probed at inspection, decoded once per run.

The package also holds the shared column decoding (``decoding``) and the routes both use (``classical``: gradient
boosting on file features, ``network``: the budgeted CNN search).

A ``MediaModality`` names its column kind (``image_path``), the file
suffixes that claim a column, and its per-file functions (``probe`` of the
headers, ``choose_spec``, ``decode_file``, ``featurize``); the steps around
them (describing the column, planning the input, decoding the column once,
resolving paths at prediction time) are written here once.

Example:
    >>> from automl.modalities.image import IMAGE
    >>> IMAGE.column_kind, IMAGE.unit, IMAGE.spec({"size": 8, "channels": 1}).shape
    ('image_path', 'images', (8, 8, 1))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from ...errors import DataError
from ..base import Claim, Decoded, Detector, Modality, TextColumn, article
from .decoding import BAD_SHARE_LIMIT, decode_column, load_files


class MediaModality(Modality):
    """One file per row; the subclass fills in the attributes below."""

    primary = "deep"
    why_primary = "deep networks learn features from raw images, text and audio end to end"
    shares = {"classical": 0.2, "deep": 0.8}
    whole_number_classes = True
    spec_class: Callable[..., Any]
    stats_class: Callable[..., Any]
    probe: Callable[[list[str]], Any]  # header statistics of every file
    choose_spec: Callable[[Any, float, bool], tuple[Any, str]]  # (stats, budget seconds, gpu) -> spec, reason
    decode_file: Callable[[str, Any], Any]  # (path, spec) -> array
    featurize: Callable[[Any, Any], Any]  # (arrays, spec) -> float32 (n, k) for gradient boosting
    feature_names: Callable[[Any], list[str]]  # spec -> the k names
    features_text: str  # the features, in a sentence

    @property
    def detectors(self) -> tuple[Detector, ...]:  # type: ignore[override]
        return (Detector(self.priority, self.paths),)

    def paths(self, column: TextColumn) -> Claim | None:
        share = float(column.lower.str.endswith(self.suffixes).mean())
        if share >= 0.9:
            return Claim(self.column_kind, f"{share:.0%} of values end in {article(self.name)} {self.name} extension.")
        return None

    def summary(self, stats: Any) -> str:
        """The header statistics in a sentence."""
        raise NotImplementedError

    def spec(self, values: Mapping[str, Any]) -> Any:
        return self.spec_class(**values)

    def saved_spec(self, values: Any) -> Any:
        """The input spec a saved model's JSON holds; ``ValueError`` unless its fields are exactly the spec's,
        each a positive number (a whole one where the field is).

        >>> from automl.modalities.image import IMAGE
        >>> IMAGE.saved_spec({"size": 8.5, "channels": 1})
        Traceback (most recent call last):
        ValueError: the image input's size is 8.5, not a positive whole number
        """
        import dataclasses
        import math

        fields = {f.name: f.type for f in dataclasses.fields(self.spec_class)}
        if not isinstance(values, Mapping) or set(values) != set(fields):
            raise ValueError(f"the {self.name} input is not an object of {', '.join(fields)}")
        for name, value in values.items():
            whole = fields[name] in (int, "int")
            ok = isinstance(value, int if whole else (int, float)) and not isinstance(value, bool)
            if not (ok and math.isfinite(value) and value > 0):
                kind = "whole number" if whole else "number"
                raise ValueError(f"the {self.name} input's {name} is {value!r}, not a positive {kind}")
        return self.spec_class(**values)

    def load(self, paths: list[str], spec: Any, cache: Any = None) -> Any:
        """The arrays of ``paths`` at ``spec``: from the run's cache, else decoded."""
        return load_files(paths, spec, self.decode_file, self.unit, cache)

    def describe(self, frame: Any, columns: list[Any], root: Path | None, warnings: list[str]) -> None:
        """Header statistics of the file column; unreadable files are counted (an error past 10 %)."""
        from ...data.paths import resolve_paths

        column = next(c for c in columns if c.kind == self.column_kind)
        stats = self.probe(resolve_paths(frame[column.name], root, column.name))
        column.stats = stats.to_dict() | {"unreadable": len(stats.unreadable)}
        column.reason += " " + self.summary(stats)
        if stats.unreadable:
            shown = ", ".join(repr(p) for p in stats.unreadable[:3])
            share = len(stats.unreadable) / max(stats.count, 1)
            if share > BAD_SHARE_LIMIT:
                raise DataError(f"{len(stats.unreadable):,} of {stats.count:,} {self.unit} ({share:.0%}) cannot be "
                                f"read, more than the {BAD_SHARE_LIMIT:.0%} allowed; for example {shown}. Fix or "
                                "remove them.")
            warnings.append(f"{len(stats.unreadable):,} {self.name} file(s) cannot be read and are skipped: {shown}.")
        from ..tabular.encoder import ENCODED_KINDS

        self.set_aside(columns, beside=ENCODED_KINDS, by=" by both gradient boosting and the network")

    def input_spec(self, profile: Any, budget_seconds: float, hardware: Any) -> tuple[dict[str, Any], str]:
        column = next(c for c in profile.features if c.kind == self.column_kind)
        stats = self.stats_class(**{k: v for k, v in column.stats.items() if k != "unreadable"})
        spec, why = self.choose_spec(stats, budget_seconds, hardware.network_gpu)
        return spec.to_dict(), why

    def decode(self, frame: Any, profile: Any, plan: Any, root: Path | None, hardware: Any) -> Decoded:
        """Resolve and decode the file column once; rows whose file cannot be decoded leave the run, listed."""
        from ...data.paths import resolve_paths

        column = next(c.name for c in profile.features if c.kind == self.column_kind)
        frame = frame.copy()
        frame[column] = resolve_paths(frame[column], root, column)
        decoded = decode_column(list(frame[column]), self.spec(plan.inputs[self.name]), hardware.memory_bytes,
                                self.decode_file, self.unit)
        return Decoded(frame, decoded.good, decoded.bad, decoded.cache)

    def prepare(self, frame: Any, kinds: Mapping[str, str], root: Path | None) -> Any:
        """A folder of files read for a model of a path column gets that column's name; paths are resolved."""
        from ...data.folders import PATH_COLUMN
        from ...data.paths import resolve_paths

        column = next((c for c, k in kinds.items() if k == self.column_kind), None)
        if column is None:
            return frame
        if column not in frame.columns and PATH_COLUMN in frame.columns:
            frame = frame.rename(columns={PATH_COLUMN: column})
        if column in frame.columns:
            frame = frame.copy()
            frame[column] = resolve_paths(frame[column], root, column)
        return frame
